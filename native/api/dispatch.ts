/**
 * The one place a request from a front end meets the Workbench: validate against the contract,
 * call the Workbench, and turn the outcome into an `ApiResponse`. Long operations become jobs
 * with ids; their progress, completion and failure are pushed through `emit`.
 *
 * Both the WebSocket server (native/server) and Electron's ipcMain (electron/ipc.ts) call
 * `dispatch`, so validation and error shapes are identical in both modes. Nothing a client
 * sends can throw out of here: every failure is a typed error response.
 */
import type { Job, SessionSummary, Workbench } from '../service/workbench-types.js';
import { SessionFileExists } from '../service/workbench-errors.js';
import { ApiFailure, type DispatchContext, type Handler, type HandlerArgs, type HostActions, type JobRegistry, type KnownSessions } from './dispatch-context.js';
import type { Emit } from './audience.js';
export { ApiFailure, JobRegistry, type DispatchContext, type Handler, type HandlerArgs, type HostActions, type KnownSessions, type SessionPathPolicy } from './dispatch-context.js';
export type { Emit } from './audience.js';
import { sessionListing } from '../session/session-listing.js';
import type { SweepProgress } from '../steer/sweep.js';
import type { TrainEvent } from '../train/train-types.js';
import type { RobustnessProgress } from '../robustness/robustness-types.js';
import type { ZooProgress } from '../zoo/zoo-types.js';
import {
  API, CHANNELS, describeIssues, isChannel,
  type ApiError, type ApiEvent, type ApiResponse, type Channel, type ChosenPlanFile, type JobKind, type RecentSession,
  type ResponseOf, type ValidRequestOf,
} from './contract.js';
import { validationMessage } from '../util/validation-message.js';
import { limitEchoedInput, shortInput } from './error-text.js';
import { analysisHandlers } from './analysis-dispatch.js';

/**
 * Step events arrive for every minibatch (about a thousand per MNIST epoch). Forwarding at most
 * one per this many milliseconds keeps the loss curve smooth without flooding IPC; epoch events
 * and the last step of each epoch are always sent.
 */
export const STEP_EVENT_MIN_INTERVAL_MS = 50;

/** Validates `rawPayload` for `channel`, runs it on `workbench`, and never throws. */
export async function dispatch(
  workbench: Workbench,
  channel: unknown,
  rawPayload: unknown,
  emit: Emit,
  context: DispatchContext,
): Promise<ApiResponse> {
  if (!isChannel(channel)) {
    const shown = typeof channel === 'string' ? `"${shortInput(channel)}"` : `a ${typeof channel}`;
    return failure({ code: 'unknown-channel', message: `There is no channel ${shown}. Known channels: ${CHANNELS.join(', ')}.` });
  }
  // Every page that talks to us hears job progress and the workbench's news, not only its own.
  context.jobs.audience.join(emit);
  context.jobs.audience.watch(workbench);
  const parsed = API[channel].request.safeParse(rawPayload ?? {});
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    // The sentence for people, the wire path for whoever wrote the request; long client input is cut.
    const sentence = validationMessage(parsed.error.issues[0], rawPayload ?? {});
    return failure(limitEchoedInput({ code: 'bad-request', message: `Invalid request for ${channel} (${issues[0].path}): ${sentence}`, issues }, rawPayload));
  }
  try {
    const handler = HANDLERS[channel] as Handler<Channel>;
    const result = await handler({ workbench, emit, context }, parsed.data as ValidRequestOf<Channel>);
    return { ok: true, result };
  } catch (error) {
    return failure(limitEchoedInput(toApiError(error), rawPayload));
  }
}

function failure(error: ApiError): ApiResponse {
  return { ok: false, error };
}

/** The engine's errors are sentences meant for users; pass the message, never a stack. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiFailure) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'failed', message: message || 'The engine failed without saying why.' };
}

const HANDLERS: { [C in Channel]: Handler<C> } = {
  'app.info': async ({ workbench, context }) => {
    const info = await workbench.info();
    // A page that connects during a job adopts it: it needs the id to follow and cancel it.
    return { ...info, job: info.job && { ...info.job, jobId: context.jobs.runningId() } };
  },
  'session.get': ({ workbench }) => workbench.session(),
  'session.new': ({ workbench }) => workbench.newSession(),
  'session.open': async ({ workbench, context }, { path }) => workbench.openSession(context.sessionPaths.resolve(path, await knownSessions(workbench))),
  'session.save': async ({ workbench, context }, { path, overwrite }) => {
    if (path === undefined) return workbench.saveSession();
    try {
      // A name from the page never silently replaces another file: 'exists' makes the page ask.
      return await workbench.saveSession(context.sessionPaths.resolve(path, await knownSessions(workbench)), { overwrite: overwrite ?? false });
    } catch (error) {
      if (error instanceof SessionFileExists) throw new ApiFailure('exists', error.message);
      throw error;
    }
  },
  'session.recent': async ({ workbench, context }) => {
    // Each with its date and model from the file's header, so lists name more than a file name.
    const listed = await Promise.all(
      (await workbench.recentSessions()).map(async (p): Promise<RecentSession | null> => {
        const recent = context.sessionPaths.toRecent(p);
        return recent && { ...recent, ...(await sessionListing(p)) };
      }),
    );
    return listed.filter((r): r is RecentSession => r !== null);
  },
  'session.restoreRecovery': ({ workbench }) => workbench.restoreRecovery(),
  'session.discardRecovery': async ({ workbench }) => {
    await workbench.discardRecovery();
    return { discarded: true as const };
  },
  'session.setNotes': ({ workbench }, { notes }) => workbench.setNotes(notes),
  'session.openDialog': ({ context }) => hostAction(context, 'openDialog', 'Native file dialogs exist only in the desktop app; give a session name instead.'),
  'session.saveAsDialog': ({ context }) => hostAction(context, 'saveAsDialog', 'Native file dialogs exist only in the desktop app; give a session name instead.'),
  'train.start': (args, { config }) => {
    let lastStepSentAt = -Infinity;
    return startJob<TrainEvent, SessionSummary>(args, 'train', (onProgress) => args.workbench.train(config, (event) => {
      if (event.kind === 'step') {
        const now = performance.now();
        const lastOfEpoch = event.step === event.stepsPerEpoch;
        if (!lastOfEpoch && now - lastStepSentAt < STEP_EVENT_MIN_INTERVAL_MS) return;
        lastStepSentAt = now;
      }
      onProgress(event);
    }), {
      progress: (jobId, event) => ({ type: 'train.progress', jobId, event }),
      done: (jobId, result) => ({ type: 'job.done', jobId, kind: 'train', result }),
    });
  },
  'job.cancel': ({ workbench, context }, { jobId }) => {
    if (!context.jobs.cancel(jobId)) throw new ApiFailure('not-found', `No job "${jobId}" is running; it may have finished already.`);
    // Every page's job bar says "cancelling…" at once, whichever page asked.
    sendJobProgress(workbench, jobId, (event) => context.jobs.audience.send(event));
    return { cancelled: true };
  },
  'steer.run': ({ workbench }, { pixels, additions }) => workbench.steer(pixels, additions),
  'data.image': ({ workbench }, { split, index }) => workbench.datasetImage(split, index),
  'sweep.pairs': (args, spec) => startSweep(args, (onProgress) => args.workbench.pairSweep(spec, onProgress)),
  'sweep.layers': (args, spec) => startSweep(args, (onProgress) => args.workbench.layerSweep(spec, onProgress)),
  'sweep.coeffs': (args, spec) => startSweep(args, (onProgress) => args.workbench.coeffSweep(spec, onProgress)),
  'sweep.list': ({ workbench }) => workbench.listSweeps(),
  'sweep.get': ({ workbench }, { id }) => workbench.getSweep(id),
  'sweep.delete': ({ workbench }, { id }) => workbench.deleteSweep(id),
  'sweep.compareSeed': ({ workbench }, { id }) => workbench.compareWithSeed(id),
  'sweep.compare': ({ workbench }, { idX, idY }) => workbench.compareSweeps(idX, idY),
  'data.browse': ({ workbench }, query) => workbench.browseImages(query),
  'drawing.save': ({ workbench }, drawing) => workbench.saveDrawing(drawing),
  'drawing.list': ({ workbench }) => workbench.listDrawings(),
  'drawing.get': ({ workbench }, { id }) => workbench.getDrawing(id),
  'drawing.delete': ({ workbench }, { id }) => workbench.deleteDrawing(id),
  'data.useFolder': ({ workbench }, { dir }) => dataAction(workbench.useDataFolder?.bind(workbench))(dir),
  'data.download': ({ workbench }) => dataAction(workbench.downloadData?.bind(workbench))(),
  'data.cancelDownload': ({ workbench }) => ({ cancelled: dataAction(workbench.cancelDataDownload?.bind(workbench))() }),
  'robustness.sources': (args, spec) => startRobustness(args, (r, onProgress) => r.sources(spec, onProgress)),
  'robustness.converge': (args, spec) => startRobustness(args, (r, onProgress) => r.converge(spec, onProgress)),
  'robustness.compare': async (args, { sessions, ...spec }) => {
    // Each name is confined like an Open (server mode: files in the sessions folder only).
    const known = await knownSessions(args.workbench);
    const files = sessions.map((ref) => args.context.sessionPaths.resolve(ref, known));
    return startRobustness(args, (r, onProgress) => r.compare({ ...spec, files }, onProgress));
  },
  'robustness.list': ({ workbench }) => robustnessOf(workbench).list(),
  'robustness.get': ({ workbench }, { id }) => robustnessOf(workbench).get(id),
  'robustness.delete': ({ workbench }, { id }) => robustnessOf(workbench).delete(id),
  'zoo.check': ({ workbench }, { plan }) => zooOf(workbench).check(plan),
  'zoo.run': (args, { plan, out }) => {
    const dir = folderOf(args.context, out);
    return startJob<ZooProgress, { models: number }>(args, 'zoo', (onProgress) => zooOf(args.workbench).run(plan, dir, out, onProgress), {
      progress: (jobId, progress) => ({ type: 'zoo.progress', jobId, progress }),
      done: (jobId, result) => ({ type: 'job.done', jobId, kind: 'zoo', result }),
    });
  },
  'zoo.read': ({ workbench, context }, { out }) => zooOf(workbench).read(folderOf(context, out), out),
  'zoo.openModel': ({ workbench, context }, { out, id }) => zooOf(workbench).openModel(folderOf(context, out), out, id),
  'zoo.choosePlanDialog': ({ context }) => hostAction(context, 'choosePlanDialog', 'Native file dialogs exist only in the desktop app; paste the plan or load its file instead.'),
  'zoo.chooseFolderDialog': ({ context }) => hostAction(context, 'chooseFolderDialog', 'Native folder dialogs exist only in the desktop app; give a folder name in the sessions folder instead.'),
  // The vector analyses (issue 14).
  ...analysisHandlers(startSweep),
};

/** Runs the front end's native dialog `name`, or refuses with `refusal` where it has none. */
function hostAction<K extends keyof HostActions>(context: DispatchContext, name: K, refusal: string): ReturnType<NonNullable<HostActions[K]>> {
  const action = context.host?.[name] as (() => ReturnType<NonNullable<HostActions[K]>>) | undefined;
  if (!action) throw new ApiFailure('unsupported', refusal);
  return action.call(context.host);
}

// ---- Zoo runs (native/service/zoo-service.ts).

function zooOf(workbench: Workbench): NonNullable<Workbench['zoo']> {
  if (!workbench.zoo) throw new ApiFailure('unsupported', 'This engine has no zoo; update SteerLab.');
  return workbench.zoo;
}

/** The zoo folder for the page's reference, confined by the front end's policy. */
function folderOf(context: DispatchContext, ref: string): string {
  const resolve = context.sessionPaths.resolveFolder;
  if (!resolve) throw new ApiFailure('unsupported', 'This front end offers no folders for a zoo to write into: run the zoo from the command line.');
  return resolve(ref);
}

// ---- Robustness jobs (native/service/robustness-service.ts).

function robustnessOf(workbench: Workbench): NonNullable<Workbench['robustness']> {
  if (!workbench.robustness) throw new ApiFailure('unsupported', 'This engine has no robustness analyses; update SteerLab.');
  return workbench.robustness;
}

/** Starts a robustness job: progress events (with partial tables) while it runs, then the record id. */
function startRobustness(
  args: HandlerArgs,
  start: (robustness: NonNullable<Workbench['robustness']>, onProgress: (progress: RobustnessProgress) => void) => Job<{ recordId: string }>,
): { jobId: string } {
  const robustness = robustnessOf(args.workbench);
  return startJob<RobustnessProgress, { recordId: string }>(args, 'robustness', (onProgress) => start(robustness, onProgress), {
    progress: (jobId, progress) => ({ type: 'robustness.progress', jobId, progress }),
    done: (jobId, result) => ({ type: 'job.done', jobId, kind: 'robustness', result }),
    sessionChanged: true,
  });
}

/** A data-panel action, or 'unsupported' where the workbench has no data panel (test doubles). */
function dataAction<A extends unknown[], R>(action: ((...args: A) => R) | undefined): (...args: A) => R {
  if (!action) throw new ApiFailure('unsupported', 'This workbench loads its data at start; it has no data panel.');
  return action;
}

/** Tells every page that a job started, with what a page needs to show and cancel it. */
function announce(workbench: Workbench, jobId: string, emit: Emit): void {
  const job = workbench.currentJob?.();
  if (job) emit({ type: 'job.started', job: { ...job, jobId } });
}

/** Tells every page the running job's progress line and whether it is being cancelled. */
function sendJobProgress(workbench: Workbench, jobId: string, emit: Emit): void {
  const job = workbench.currentJob?.();
  if (job) emit({ type: 'job.progress', jobId, progress: job.progress, cancelling: job.cancelling });
}

/** How one kind of job speaks: its own progress event (details for its view) and its end. */
interface JobEvents<P, R> {
  progress: (jobId: string, progress: P) => ApiEvent;
  done: (jobId: string, result: R) => ApiEvent;
  /** The job adds a record to the session: every page is sent the session after `job.done`. */
  sessionChanged?: boolean;
}

/**
 * Starts a job every connected page follows (a reload or a second tab shows it and can cancel
 * it): `job.started`, then for each report the kind's own event and the one `job.progress` line
 * from the workbench's job state, then `job.done` / `job.error` (and the changed session).
 */
function startJob<P, R>(
  { emit: starter, context, workbench }: HandlerArgs,
  kind: JobKind,
  start: (onProgress: (progress: P) => void) => Job<R>,
  events: JobEvents<P, R>,
): { jobId: string } {
  const emit: Emit = (event) => context.jobs.audience.send(event, starter);
  let jobId = '';
  // Progress can only arrive after `start` returned, so jobId is set by then.
  const job = start((progress) => {
    emit(events.progress(jobId, progress));
    sendJobProgress(workbench, jobId, emit);
  });
  jobId = context.jobs.add(kind, job);
  announce(workbench, jobId, emit);
  settle(job, jobId, kind, context.jobs, emit, (result) => events.done(jobId, result));
  if (events.sessionChanged) job.result.then(() => emit({ type: 'session.changed', session: workbench.session() }), () => undefined);
  return { jobId };
}

async function knownSessions(workbench: Workbench): Promise<KnownSessions> {
  return { recent: await workbench.recentSessions(), current: workbench.session().path };
}

/** Starts a sweep job: progress events while it runs, then the sweep id (and the session that now holds it). */
function startSweep(
  args: HandlerArgs,
  start: (onProgress: (progress: SweepProgress) => void) => Job<{ sweepId: string }>,
): { jobId: string } {
  return startJob(args, 'sweep', start, {
    progress: (jobId, progress) => ({ type: 'sweep.progress', jobId, progress }),
    done: (jobId, result) => ({ type: 'job.done', jobId, kind: 'sweep', result }),
    sessionChanged: true,
  });
}

/** Emits done or error when the job settles; a failure after a cancel request counts as cancelled. */
function settle<T>(job: Job<T>, jobId: string, kind: JobKind, jobs: JobRegistry, emit: Emit, done: (result: T) => ApiEvent): void {
  job.result.then(
    (result) => {
      jobs.finish(jobId);
      emit(done(result));
    },
    (error: unknown) => {
      const { cancelRequested } = jobs.finish(jobId);
      const apiError = cancelRequested ? { code: 'cancelled' as const, message: toApiError(error).message } : toApiError(error);
      emit({ type: 'job.error', jobId, kind, error: apiError });
    },
  );
}
