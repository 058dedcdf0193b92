/**
 * `steerlab bench` end to end: trains the seed model for one epoch, then sweeps and steers with
 * it, trains a second architecture (784-256-128-64-10 GELU) for one epoch and sweeps it at each
 * hidden hook, sweeps the residual 784-512-res(512)-10 at each hook on both engines, timing each phase and sampling its memory, and returns one result record (see types.ts).
 */
import os from 'node:os';
import type { Engine } from '../engine/open.js';
import { DEFAULT_TRAIN_CONFIG, type LabelledImages } from '../train/trainer.js';
import { Mlp } from '../model/mlp.js';
import { modelSha256 } from '../model/fingerprint.js';
import type { ExperimentContext } from '../steer/experiments.js';
import type { SweepProgress } from '../steer/sweep.js';
import { Steerer } from '../analysis/live-steer.js';
import { measurePhase } from './memory.js';
import { machineInfo, runtimeInfo, gitState } from './machine.js';
import { benchTraining, benchPairSweep, benchLayerSweep, benchSteer } from './phases.js';
import type { BenchResult, BenchSizes, PhaseKey, PhaseMemory } from './types.js';
import { benchSources } from './sources-phase.js';
import { benchGeluSweeps, geluSweepFlops, benchGeluTraining, geluTrainingFlops } from './gelu-phase.js';
import { benchResidualSweeps, residualRatioLine } from './residual-phase.js';
import { firstImages } from './first-images.js';
import { measureSgemm, phaseFlops, throughputOf } from './throughput.js';
import { benchStartup, benchReproduce, benchTrainCommand, benchInterveneCommands, interveneCommandsLine, type TrainCommandTimes } from './end-to-end.js';
import { benchZoo, benchZooPlan, zooPlanFlops, zooTestImages } from './zoo-phase.js';
import { benchZooCommand, zooCommandLine } from './zoo-command.js';

export interface BenchOptions {
  /** Tiny sizes for smoke tests: 2,000 training and 1,000 test images. */
  quick?: boolean;
  steerReps?: number;
  steerWarmup?: number;
  signal?: AbortSignal;
  /** Called as each phase starts, and with its progress. */
  onPhase?: (phase: PhaseKey) => void;
  onProgress?: (phase: PhaseKey, p: SweepProgress) => void;
  /** Called with each finished phase's headline, for the terminal. */
  onPhaseDone?: (phase: PhaseKey, line: string) => void;
  /** Called with the end-to-end figures' headlines. */
  onNote?: (line: string) => void;
}

export const FULL_SIZES = { trainImages: 60000, testImages: 10000 } as const;
export const QUICK_SIZES = { trainImages: 2000, testImages: 1000 } as const;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export async function runBench(engine: Engine, options: BenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const target = quick ? QUICK_SIZES : FULL_SIZES;
  const trainSet = engine.data.train;
  const testSet = firstImages(engine.data.test, target.testImages);
  const sizes: BenchSizes = {
    trainImages: Math.min(target.trainImages, trainSet.count),
    testImages: testSet.count,
    batchSize: DEFAULT_TRAIN_CONFIG.batchSize,
    learningRate: DEFAULT_TRAIN_CONFIG.learningRate,
    steerReps: options.steerReps ?? 200,
  };
  const git = gitState();
  const loadBefore = os.loadavg();
  const startedAt = new Date();
  const memory: Partial<Record<PhaseKey, PhaseMemory>> = {};
  const otherCpuCores: Partial<Record<PhaseKey, number>> = {};
  const phase = <T>(key: PhaseKey, work: (onProgress: (p: SweepProgress) => void) => Promise<T>) => {
    options.onPhase?.(key);
    return measurePhase(() => work((p) => options.onProgress?.(key, p))).then((r) => {
      memory[key] = r.memory;
      otherCpuCores[key] = r.otherCpuCores;
      return r;
    });
  };
  const common = { signal: options.signal };
  // The machine's sgemm rate first, on an otherwise idle process (about a second).
  const sgemm = measureSgemm(quick ? 0.2 : 1);

  const training = await phase('train', (onProgress) => benchTraining(trainSet, testSet, sizes.trainImages, { ...common, onProgress }));
  const trained = training.value.result;
  options.onPhaseDone?.('train', `training epoch: ${training.seconds.toFixed(1)} s (test evaluation ${training.value.testEvalSeconds.toFixed(2)} s), peak RSS ${mib(training.memory.peakRssBytes)}`);

  const model = Mlp.fromWeights(trained.weights);
  try {
    const data = { train: trainSet, test: testSet, checksums: engine.data.checksums };
    const ctx: ExperimentContext = { model, modelSha256: modelSha256(trained.weights), data, backend: engine.backend, pool: engine.sweepPool };
    const pairs = await phase('pairSweep', (onProgress) => benchPairSweep(ctx, { ...common, onProgress }));
    options.onPhaseDone?.('pairSweep', `100-pair sweep: ${pairs.seconds.toFixed(1)} s, peak RSS ${mib(pairs.memory.peakRssBytes)}`);
    const layers = await phase('layerSweep', (onProgress) => benchLayerSweep(ctx, { ...common, onProgress }));
    options.onPhaseDone?.('layerSweep', `3-1 layer sweep: ${layers.seconds.toFixed(2)} s, peak RSS ${mib(layers.memory.peakRssBytes)}`);
    const steerer = new Steerer(model, data);
    const steer = await phase('steer', (onProgress) => benchSteer(steerer, data, sizes.steerReps, options.steerWarmup ?? 20, { ...common, onProgress }));
    options.onPhaseDone?.('steer', `single steer: median ${steer.value.medianMs.toFixed(2)} ms, p95 ${steer.value.p95Ms.toFixed(2)} ms`);
    const sources = await phase('sources', (onProgress) => benchSources(ctx, { ...common, onProgress }));
    options.onPhaseDone?.('sources', `N = 10 sources: ${sources.seconds.toFixed(1)} s (${(sources.seconds / pairs.seconds).toFixed(1)}x the pair sweep), peak RSS ${mib(sources.memory.peakRssBytes)}`);

    const geluTraining = await phase('geluTrain', (onProgress) => benchGeluTraining(trainSet, testSet, sizes.trainImages, { ...common, onProgress }));
    options.onPhaseDone?.('geluTrain', `GELU 784-256-128-64-10 training epoch (${geluTraining.value.trainedBy}): ${geluTraining.seconds.toFixed(1)} s, peak RSS ${mib(geluTraining.memory.peakRssBytes)}`);
    const gelu = await phase('geluSweeps', (onProgress) => benchGeluSweeps(data, { ...common, onProgress, pool: engine.sweepPool }));
    options.onPhaseDone?.('geluSweeps', `GELU 784-256-128-64-10 pair sweeps at hooks 0..${gelu.value.hooks.length - 1}: ${gelu.value.seconds.map((s) => s.toFixed(2)).join(' / ')} s`);
    const residual = await phase('residualSweeps', (onProgress) => benchResidualSweeps(data, { ...common, onProgress, pool: engine.sweepPool }));
    const residualTimes = (xs: number[] | undefined) => xs?.map((s) => s.toFixed(2)).join(' / ') ?? '–';
    options.onPhaseDone?.(
      'residualSweeps',
      `residual 784-512-res(512)-10 pair sweeps at hooks 0..${residual.value.hooks.length - 1}: ${residualTimes(residual.value.seconds)} s` +
        (residual.value.tfjsSeconds ? `; on tfjs ${residualTimes(residual.value.tfjsSeconds)} s. ${residualRatioLine(residual.value.seconds, residual.value.tfjsSeconds)}` : ''),
    );

    // The zoo's small plan at one job and at two, side by side (a model per core, each single-threaded).
    const zooPlan = benchZooPlan(quick);
    const zooImages = zooTestImages(quick, engine.data.test.count);
    const zooSeconds: Record<string, number> = {};
    for (const jobs of [1, 2] as const) {
      const key = jobs === 1 ? 'zooJobs1' : 'zooJobs2';
      const zoo = await phase(key, (onProgress) => benchZoo(engine, zooPlan, zooImages, jobs, { ...common, onProgress }));
      zooSeconds[jobs] = zoo.seconds;
      options.onPhaseDone?.(key, `zoo of ${zoo.value.models} models at --jobs ${jobs}: ${zoo.seconds.toFixed(1)} s (${((60 * zoo.value.models) / zoo.seconds).toFixed(1)} models per minute), peak RSS ${mib(zoo.memory.peakRssBytes)}`);
    }

    // End to end, as a user runs them (full runs only: reproduce trains three epochs).
    if (!quick) options.onNote?.('timing steerlab sweep start-up and steerlab reproduce (separate processes)...');
    const endToEnd = { dataDir: engine.data.dir, backend: engine.backend.forced ? engine.backend.name : undefined, signal: options.signal };
    const startupSeconds = quick ? undefined : await benchStartup(trained.weights, endToEnd);
    if (startupSeconds !== undefined) options.onNote?.(`start-up to the first sweep step (process start to the CLI's "pair sweep: 0 of 100 pairs" line, as the passes start): ${startupSeconds.toFixed(2)} s`);
    // The intervention sweeps (ablation, relative, random control) against the addition sweep, whole commands.
    const intervene = quick ? undefined : await benchInterveneCommands(trained.weights, endToEnd);
    if (intervene) options.onNote?.(`steerlab intervene, 100 pairs: ${interveneCommandsLine(intervene)}`);
    const reproduceSeconds = quick ? undefined : await benchReproduce(endToEnd);
    if (reproduceSeconds !== undefined) options.onNote?.(`steerlab reproduce: ${reproduceSeconds.toFixed(1)} s`);
    // The default training as a user runs it, and (native) the same with subnormals kept: the
    // difference is what flushing them saves (native/addon/src/float_mode.h).
    const trainCommand = quick ? undefined : await benchTrainCommand(endToEnd);
    if (trainCommand) options.onNote?.(`steerlab train (3 epochs): ${trainCommandLine(trainCommand)}`);
    const keptSubnormals = quick || engine.backend.name !== 'native' ? undefined : await benchTrainCommand({ ...endToEnd, env: { STEERLAB_KEEP_SUBNORMALS: '1' } });
    if (keptSubnormals) options.onNote?.(`steerlab train with STEERLAB_KEEP_SUBNORMALS=1: ${trainCommandLine(keptSubnormals)}`);
    // The zoo as users run it: `steerlab zoo` on seed-sized models (3 epochs, the full battery), default --jobs.
    if (!quick) options.onNote?.('timing steerlab zoo on 2 seed-sized models (a separate process, several minutes)...');
    const zooCommand = quick ? undefined : await benchZooCommand(2, endToEnd);
    if (zooCommand) options.onNote?.(`steerlab zoo: ${zooCommandLine(zooCommand)}`);
    const flops = phaseFlops([784, ...DEFAULT_TRAIN_CONFIG.hidden, 10], sizes);
    const epochsSeconds = trainCommand ? trainCommand.epochSeconds.reduce((a, b) => a + b, 0) : 0;
    const throughput = sgemm
      ? throughputOf(
          sgemm,
          { ...flops, trainEpochs: flops.train * (trainCommand?.epochSeconds.length ?? 0), geluTrain: geluTrainingFlops(sizes.trainImages, sizes.testImages), ...geluSweepFlops(sizes.testImages), zooJobs1: zooPlanFlops(zooPlan, zooImages), zooJobs2: zooPlanFlops(zooPlan, zooImages), ...(zooCommand ? { zooCommand: zooCommand.flops } : {}) },
          { train: training.seconds, pairSweep: pairs.seconds, layerSweep: layers.seconds, trainEpochs: epochsSeconds, geluTrain: geluTraining.seconds, ...Object.fromEntries(gelu.value.hooks.map((h, i) => [`geluSweep${h}`, gelu.value.seconds[i]])), zooJobs1: zooSeconds[1], zooJobs2: zooSeconds[2], ...(zooCommand ? { zooCommand: zooCommand.commandSeconds } : {}) },
        )
      : undefined;
    const peakRssBytes = Object.fromEntries(Object.entries(memory).map(([k, m]) => [k, m.peakRssBytes]));
    return {
      tool: 'steerlab',
      schema: 1,
      quick,
      timestamp: startedAt.toISOString(),
      gitCommit: git.commit,
      machine: machineInfo(),
      runtime: {
        ...runtimeInfo(engine.backend, engine.backend.native?.threads ?? (engine.sweepPool ? engine.sweepPool.size + 1 : 1)),
        gitDirty: git.dirty,
        // Other work on the machine skews timings; the 1-minute load average shows it.
        loadAverageBefore: loadBefore.map((v) => Number(v.toFixed(2))),
        loadAverageAfter: os.loadavg().map((v) => Number(v.toFixed(2))),
        // Cores kept busy by other processes during each phase (0 = a quiet machine).
        otherCpuCores,
      },
      sizes,
      figures: {
        trainSeconds: training.seconds,
        trainStepsSeconds: training.value.trainStepsSeconds,
        testEvalSeconds: training.value.testEvalSeconds,
        pairSweepSeconds: pairs.seconds,
        layerSweepSeconds: layers.seconds,
        steerMedianMs: steer.value.medianMs,
        steerP95Ms: steer.value.p95Ms,
        sourcesSeconds: sources.seconds,
        geluTrainSeconds: geluTraining.seconds,
        geluPairSweepSeconds: gelu.value.seconds,
        residualPairSweepSeconds: residual.value.seconds,
        residualTfjsPairSweepSeconds: residual.value.tfjsSeconds,
        zooModels: zooPlan.cells.length,
        zooSeconds,
        startupSeconds,
        reproduceSeconds,
        sweepCommandSeconds: intervene?.sweepSeconds,
        interveneAblateCommandSeconds: intervene?.ablateSeconds,
        interveneRelativeCommandSeconds: intervene?.relativeSeconds,
        interveneRandomCommandSeconds: intervene?.randomSeconds,
        zooCommandModels: zooCommand?.models,
        zooCommandSeconds: zooCommand?.commandSeconds,
        zooCommandTrainSeconds: zooCommand?.trainSeconds,
        zooCommandBatterySeconds: zooCommand?.batterySeconds,
        zooCommandPeakRssBytes: zooCommand?.peakRssBytes ?? undefined,
        trainCommandSeconds: trainCommand?.commandSeconds,
        trainEpochSeconds: trainCommand?.epochSeconds,
        trainKeptSubnormalsCommandSeconds: keptSubnormals?.commandSeconds,
        trainKeptSubnormalsEpochSeconds: keptSubnormals?.epochSeconds,
        peakRssBytes,
      },
      memory: memory as Record<string, PhaseMemory>,
      steer: steer.value,
      checks: {
        finalTrainLoss: trained.epochs[0]?.trainLoss,
        testCeNats: trained.testCeNats,
        testAccuracy: trained.testAccuracy,
        pairSweepMeanCe: mean(pairs.value.ce.flat()),
        pairSweep31Ce: pairs.value.ce[3][1],
        layerSweepCe: layers.value.rows.map((r) => r.ce),
        modelSha256: ctx.modelSha256,
        geluTrainTestCeNats: geluTraining.value.testCeNats,
        geluTrainedBy: geluTraining.value.trainedBy,
        geluPairSweepMeanCe: gelu.value.meanCe,
        residualPairSweepMeanCe: residual.value.meanCe,
        residualTfjsPairSweepMeanCe: residual.value.tfjsMeanCe,
      },
      throughput,
    };
  } finally {
    model.dispose();
  }
}

/** "8.7 s (epochs 2.1 / 2.2 / 2.2 s)". */
function trainCommandLine(t: TrainCommandTimes): string {
  return `${t.commandSeconds.toFixed(1)} s (epochs ${t.epochSeconds.map((s) => s.toFixed(2)).join(' / ')} s)`;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
