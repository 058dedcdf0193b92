/**
 * The one state of the workbench's running job, whatever its kind (training, a pair / layer /
 * coefficient sweep, an intervention sweep, source robustness, a convergence curve): what runs in
 * words, its progress in the user's units, and what its view needs to continue a run it did not
 * start (training's epochs and loss curve, the robustness tables finished so far). The workbench
 * keeps one `JobState` for its running job and folds the engine's own progress reports into it;
 * every page is sent the same snapshot (in `app.info`, `job.started` and `job.progress`), so the
 * job bar and the views of every tab, and of a reloaded one, show the same words.
 */
import type { TrainConfig, TrainEvent } from '../train/train-types.js';
import type { SweepProgress, PairSource, OneVectorSource } from '../steer/steer-types.js';
import type { HookPoint } from '../model/weights.js';
import type { HookNamer } from '../model/spec.js';
import type { RobustnessProgress, SourcesRequest, ConvergeRequest, CompareRequest } from '../robustness/robustness-types.js';
import type { InterventionSpec, InterventionSweepRequest } from '../analysis/analysis-types.js';
import { describePairSource } from '../steer/vectors.js';
import { isUserCounted } from '../steer/progress-units.js';
import { countOf } from '../util/plural.js';
import { ETA_WINDOW_MS, formatRemaining, remainingMs, type ProgressSample } from './time-left.js';
import type { JobProgress, RunningJob } from './workbench-types.js';
import { shownNumber } from '../util/number-text.js';
import type { ZooProgress } from '../zoo/zoo-types.js';

/** Loss points kept for a reconnecting page's curve; halved (every other point) beyond this. */
export const JOB_HISTORY_LIMIT = 600;

export type SweepSpec =
  | { kind: 'pairs'; hook: HookPoint; coeff: number; source: PairSource }
  | { kind: 'layers'; a: number; b: number; coeff: number; source: PairSource }
  | { kind: 'coeffs'; a: number; b: number; hook: HookPoint; coeffs: number[]; source: OneVectorSource };

/** "Training: 6 epochs, hidden 32-32, batch 64". */
export function trainingJob(config: TrainConfig): RunningJob {
  const title = `Training: ${countOf(config.epochs, 'epoch')}, hidden ${config.hidden.join('-')}, batch ${config.batchSize}`;
  return { ...blank('train', 'training', title), config };
}

/*
 * Titles name a hook as the open model does (`hookName`, native/model/spec.ts): "layer 3 · after
 * GELU 2", so a GELU or LayerNorm model's jobs and records say where the vector acts.
 */

/** "Sweep: all pairs, layer 0 · after Linear 1, coeff 1, first training images" (the list's words for the record to come). */
export function sweepJob(spec: SweepSpec, hookName: HookNamer): RunningJob {
  return blank('sweep', spec.kind, `Sweep: ${sweepSpecTitle(spec, hookName)}`);
}

/** "Intervention sweep: ablate 3 - 1 at layer 0 · after Linear 1, first training images". */
export function interventionJob(request: InterventionSweepRequest, hookName: HookNamer): RunningJob {
  const verb = interventionVerb(request.intervention);
  const source = describePairSource(request.source);
  // Ablation removes the direction whatever the coefficient; the coefficient is named only where it acts.
  const coeff = (c: number) => (request.intervention.mode === 'ablate' ? '' : `, coeff ${c}`);
  const what = request.over === 'pairs' ? `${verb} all pairs at layer ${hookName(request.hook)}${coeff(request.coeff)}`
    : request.over === 'layers' ? `${verb} ${request.a} - ${request.b} at every layer${coeff(request.coeff)}`
    : `${verb} ${request.a} - ${request.b} at layer ${hookName(request.hook)}${request.intervention.mode === 'ablate' ? '' : ` by coefficient ${coefficientsInWords(request.coeffs)}`}`;
  const control = request.intervention.control ? `, random direction (seed ${request.intervention.control.seed})` : '';
  return blank('sweep', 'intervention', `Intervention sweep: ${what}${control}, ${source}`);
}

/** "Source robustness: 10 source images per digit + 5 random, layer 0 · after Linear 1, coeff 1". */
export function sourcesJob(spec: SourcesRequest, hookName: HookNamer): RunningJob {
  const random = spec.random && spec.random.count > 0 ? ` + ${spec.random.count} random` : '';
  return blank('robustness', 'sources', `Source robustness: ${countOf(spec.images, 'source image')} per digit${random}, layer ${hookName(spec.hook)}, coeff ${spec.coeff}`);
}

/** "Convergence: 4 - 9 mean-difference vector, layer 0 · after Linear 1, coeff 1". */
export function convergenceJob(spec: ConvergeRequest, hookName: HookNamer): RunningJob {
  return blank('robustness', 'converge', `Convergence: ${spec.a} - ${spec.b} mean-difference vector, layer ${hookName(spec.hook)}, coeff ${spec.coeff}`);
}

/** "Model comparison: this model and 2 other sessions, layer 0 · after Linear 1, coeff 1". */
export function compareJob(spec: CompareRequest, hookName: HookNamer): RunningJob {
  return blank('robustness', 'compare', `Model comparison: this model and ${countOf(spec.files.length, 'other session')}, layer ${hookName(spec.hook)}, coeff ${shownNumber(spec.coeff)}`);
}

/** "Zoo: plan tiny, 2 models into zoo-1"; `planText` is the plan as the user wrote it. */
export function zooJob(planName: string, models: number, folder: string, planText: string): RunningJob {
  return { ...blank('zoo', 'zoo', `Zoo: plan ${planName}, ${countOf(models, 'model')} into ${folder}`), zooRun: { plan: planText, folder } };
}

function interventionVerb(spec: InterventionSpec): string {
  if (spec.mode === 'ablate') return 'ablate';
  return spec.scale === 'relative' ? 'add (coeff relative to activation size)' : 'add';
}

/** The same words as a finished sweep's title (native/service/workbench.ts `sweepTitle`). */
export function sweepSpecTitle(spec: SweepSpec, hookName: HookNamer): string {
  const source = describePairSource(spec.source);
  switch (spec.kind) {
    case 'pairs':
      return `all pairs, layer ${hookName(spec.hook)}, coeff ${shownNumber(spec.coeff)}, ${source}`;
    case 'layers':
      return `${spec.a}-${spec.b} by layer, coeff ${shownNumber(spec.coeff)}, ${source}`;
    case 'coeffs':
      return `${spec.a}-${spec.b} at layer ${hookName(spec.hook)} by coefficient ${coefficientsInWords(spec.coeffs)}, ${source}`;
  }
}

/**
 * A coefficient sweep's values in a few words, so two sweeps of one pair and layer can be told
 * apart in a list: "(-1, 0, 1)" for a few, "(-2 to 4, 13 values)" for more.
 */
export function coefficientsInWords(coeffs: readonly number[]): string {
  if (coeffs.length <= 4) return `(${coeffs.join(', ')})`;
  return `(${Math.min(...coeffs)} to ${Math.max(...coeffs)}, ${coeffs.length} values)`;
}

function blank(kind: RunningJob['kind'], what: RunningJob['what'], title: string): RunningJob {
  return {
    jobId: null, kind, what, title, startedAt: new Date().toISOString(), config: null, progress: null,
    trainStep: null, sweepProgress: null, robustnessProgress: null, zooProgress: null, zooRun: null, epochs: [], history: [], cancelling: false,
  };
}

/** The share done, rounded to a whole percent. */
const percent = (done: number, total: number) => `${Math.round((100 * Math.min(done, total)) / Math.max(1, total))}%`;

/**
 * The running job as the workbench keeps it: `record*` fold the engine's reports in (each also
 * updates the one progress line); `snapshot` is what pages are sent. `now` is the clock the time
 * left is measured with (tests pass their own).
 */
export class JobState {
  private readonly job: RunningJob;
  private samples: ProgressSample[] = [];

  constructor(job: RunningJob, private readonly now: () => number = () => performance.now()) {
    this.job = { ...job, epochs: [...job.epochs], history: [...job.history] };
  }

  /** Training: an epoch joins the table; a step moves the bar and joins the loss curve. */
  recordTrain(event: TrainEvent): void {
    const job = this.job;
    if (event.kind === 'epoch') {
      job.epochs.push(event);
      return;
    }
    job.trainStep = event;
    job.history.push({ epoch: event.epoch, step: event.step, loss: event.loss });
    if (job.history.length > JOB_HISTORY_LIMIT) {
      const last = job.history.length - 1;
      job.history = job.history.filter((_, i) => i % 2 === 0 || i === last);
    }
    const epochs = job.config?.epochs ?? event.epoch;
    const done = (event.epoch - 1) * event.stepsPerEpoch + event.step;
    const total = epochs * event.stepsPerEpoch;
    this.setProgress(done, total, `Epoch ${event.epoch} of ${epochs} · step ${event.step} of ${event.stepsPerEpoch}`);
  }

  /** A sweep: the engine's label already counts what the user asked for ("45 of 100 pairs"). */
  recordSweep(progress: SweepProgress): void {
    this.job.sweepProgress = progress;
    this.setProgress(progress.done, progress.total, unitsOrPercent(progress));
  }

  /**
   * Robustness: "18% · sources 1-2 of 10" (the engine's label names the source sets in work), or
   * "40% · model 2 of 3" for a model comparison.
   * The tables finished so far are kept until newer ones arrive, so a page that connects later
   * shows them too.
   */
  recordRobustness(progress: RobustnessProgress): void {
    const partial = progress.partial ?? this.job.robustnessProgress?.partial;
    this.job.robustnessProgress = partial ? { ...progress, partial } : { ...progress };
    const sources = /^sources \d+-\d+ of \d+/.exec(progress.label)?.[0];
    // A model comparison sweeps each model in turn: "40% · model 2 of 3".
    const model = /^model (\d+)\/(\d+)/.exec(progress.label);
    const share = percent(progress.done, progress.total);
    this.setProgress(progress.done, progress.total, sources ? `${share} · ${sources}` : model ? `${share} · model ${model[1]} of ${model[2]}` : unitsOrPercent(progress));
  }

  /** A zoo run: "Model 3 of 8 · hook 2: random control", "Model 4 of 8 (2 at once) · ..." (the bar counts the whole zoo). */
  recordZoo(progress: ZooProgress): void {
    this.job.zooProgress = { ...progress };
    const together = (progress.running ?? 1) > 1 ? ` (${progress.running} at once)` : '';
    this.setProgress(Math.round(1000 * progress.fraction), 1000, `Model ${progress.model} of ${progress.models}${together} · ${progress.phase}`);
  }

  markCancelling(): void {
    this.job.cancelling = true;
  }

  get cancelling(): boolean {
    return this.job.cancelling;
  }

  /** A copy safe to hand out (this state keeps changing). */
  snapshot(): RunningJob {
    const job = this.job;
    return { ...job, progress: job.progress && { ...job.progress }, epochs: [...job.epochs], history: [...job.history] };
  }

  private setProgress(done: number, total: number, words: string): void {
    const sample = { atMs: this.now(), done, total };
    this.samples.push(sample);
    // Only the estimate's window (and the sample before it) matters.
    const keepFrom = this.samples.findIndex((s) => s.atMs >= sample.atMs - ETA_WINDOW_MS);
    if (keepFrom > 1) this.samples.splice(0, keepFrom - 1);
    const left = done >= total ? '' : ` · ${formatRemaining(remainingMs(this.samples))}`;
    const progress: JobProgress = { done, total, text: `${words}${left}` };
    this.job.progress = progress;
  }
}

/** The engine's label when it speaks the user's units, capitalised; else the share done. */
function unitsOrPercent(progress: SweepProgress): string {
  if (!isUserCounted(progress.label)) return `${percent(progress.done, progress.total)} done`;
  return progress.label.charAt(0).toUpperCase() + progress.label.slice(1);
}
