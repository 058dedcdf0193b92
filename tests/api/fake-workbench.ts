/**
 * A test double of the Workbench (tests only): sessions in memory, a "training" job that emits
 * step and epoch events on a timer and can be cancelled. Used until, and alongside, the real
 * workbench, to test the API layer without the engine's cost.
 */
import * as path from 'node:path';
import type { Job, SessionSummary, Workbench, WorkbenchInfo } from '../../native/service/workbench-types.js';
import type { TrainConfig, TrainEvent } from '../../native/train/trainer.js';
import { hookSummaries } from '../../native/model/spec.js';
import { specOf } from '../../native/model/weights.js';
import { DATASET_LABELS } from '../../native/data/dataset-names.js';

const DEFAULTS: TrainConfig = { epochs: 1, batchSize: 64, learningRate: 0.001, seed: 0, hidden: [32, 32] };

export interface FakeWorkbench extends Workbench {
  saved: Map<string, SessionSummary>;
}

function notInFake(what: string): never {
  throw new Error(`There is no ${what} in this session.`);
}

export function createFakeWorkbench(options: { stepsPerEpoch?: number; stepMs?: number } = {}): FakeWorkbench {
  const stepsPerEpoch = options.stepsPerEpoch ?? 20;
  const stepMs = options.stepMs ?? 5;
  const saved = new Map<string, SessionSummary>();
  const recent: string[] = [];
  let current: SessionSummary = blank();

  function blank(): SessionSummary {
    return { name: 'Untitled', path: null, dirty: false, model: null, training: null, dataset: DATASET_LABELS.mnist, sweepIds: [], drawingIds: [], notes: '' };
  }

  const wb: FakeWorkbench = {
    saved,
    async info(): Promise<WorkbenchInfo> {
      return {
        appVersion: '0.0.0-fake',
        backend: { name: 'cpu', tfjsBackend: 'cpu', skipped: [], forced: false },
        data: { dir: '/fake/mnist', checksums: {}, trainCount: 60000, testCount: 10000 },
        dataStatus: { state: 'ready' },
        session: current,
        recoveryAvailable: null,
        job: null,
        autosave: { ok: true, savedAt: null },
      };
    },
    session: () => current,
    newSession: () => (current = blank()),
    async openSession(file) {
      const found = saved.get(file);
      if (!found) throw new Error(`There is no session file at ${file}.`);
      current = { ...found, dirty: false };
      return current;
    },
    async saveSession(file) {
      const target = file ?? current.path;
      if (!target) throw new Error('This session has not been saved yet: choose a file name.');
      current = { ...current, path: target, name: path.basename(target), dirty: false };
      saved.set(target, current);
      if (!recent.includes(target)) recent.unshift(target);
      return current;
    },
    recentSessions: async () => [...recent],
    restoreRecovery: async () => {
      throw new Error('There is no recovery file.');
    },
    discardRecovery: async () => undefined,
    setNotes(notes) {
      current = { ...current, notes, dirty: true };
      return current;
    },
    train(partial, onEvent): Job<SessionSummary> {
      const config = { ...DEFAULTS, ...partial };
      let cancelled = false;
      const result = (async () => {
        const started = performance.now();
        const history: { epoch: number; step: number; loss: number }[] = [];
        const epochs: NonNullable<SessionSummary['training']>['epochs'] = [];
        for (let epoch = 1; epoch <= config.epochs; epoch++) {
          for (let step = 1; step <= stepsPerEpoch; step++) {
            await new Promise((r) => setTimeout(r, stepMs));
            if (cancelled) throw new Error('Training was cancelled; nothing was saved.');
            const loss = 2.3 / (1 + step / 4 + epoch);
            history.push({ epoch, step, loss });
            const event: TrainEvent = { kind: 'step', epoch, step, stepsPerEpoch, loss, elapsedMs: performance.now() - started };
            onEvent(event);
          }
          const summary = { epoch, trainLoss: 0.5, testCeNats: 0.3, testAccuracy: 0.9, elapsedMs: performance.now() - started };
          epochs.push(summary);
          onEvent({ kind: 'epoch', ...summary });
        }
        current = {
          ...current,
          dirty: true,
          model: { sizes: [784, ...config.hidden, 10], hooks: hookSummaries(specOf({ sizes: [784, ...config.hidden, 10] })), sha256: 'f'.repeat(64), testCeNats: 0.3, testAccuracy: 0.9 },
          training: { config, epochs, history, stepsPerEpoch, elapsedMs: performance.now() - started, backend: 'cpu' },
        };
        return current;
      })();
      return { result, cancel: () => void (cancelled = true) };
    },
    async steer() {
      const p = Array.from({ length: 10 }, () => 0.1);
      return { unpatched: p, steered: p, unpatchedLogits: p, steeredLogits: p, vectors: [], sources: [] };
    },
    async datasetImage(split, index) {
      return { split, index, label: index % 10, pixels: new Array(784).fill(0) };
    },
    pairSweep(_spec, onProgress) {
      let cancelled = false;
      const result = (async () => {
        for (let done = 1; done <= 5; done++) {
          await new Promise((r) => setTimeout(r, stepMs));
          if (cancelled) throw new Error('The sweep was cancelled; no results were kept.');
          onProgress({ done, total: 5, label: `chunk ${done}` });
        }
        return { sweepId: 'sweep-1' };
      })();
      return { result, cancel: () => void (cancelled = true) };
    },
    layerSweep: (_spec, onProgress) => wb.pairSweep({ hook: 0, coeff: 1, source: { kind: 'first' } }, onProgress),
    coeffSweep: (_spec, onProgress) => wb.pairSweep({ hook: 0, coeff: 1, source: { kind: 'first' } }, onProgress),
    listSweeps: () => [],
    getSweep: (id) => notInFake(`sweep ${id}`),
    deleteSweep: (id) => notInFake(`sweep ${id}`),
    compareWithSeed: (id) => notInFake(`sweep ${id}`),
    compareSweeps: (idX) => notInFake(`sweep ${idX}`),
    browseImages: async ({ split, offset, limit }) => ({
      total: 10,
      images: Array.from({ length: Math.min(limit, 10 - offset) }, (_, i) => ({ split, index: offset + i, label: (offset + i) % 10, pixels: new Array(784).fill(0) })),
    }),
    saveDrawing: async (drawing) => ({ ...drawing, result: null, id: 'drawing-1', createdAt: new Date(0).toISOString() }),
    listDrawings: () => [],
    getDrawing: (id) => notInFake(`drawing ${id}`),
    deleteDrawing: (id) => notInFake(`drawing ${id}`),
    close: async () => undefined,
  };
  return wb;
}
