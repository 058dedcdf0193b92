/**
 * What a request handler is given: the workbench, the page's emit, and the front end's context
 * (running jobs, how session references map to files, native dialogs). dispatch.ts and
 * analysis-dispatch.ts both build on these, so they live apart from either.
 */
import type { Job, SessionSummary, Workbench } from '../service/workbench-types.js';
import { Audience, type Emit } from './audience.js';
import type { ApiError, Channel, ChosenPlanFile, JobKind, RecentSession, ResponseOf, ValidRequestOf } from './contract.js';

/**
 * How session references from the client map to files. The server confines them to its sessions
 * folder (names only); Electron accepts the absolute paths its own dialogs produced.
 */
/** Session files the engine already knows: the recent list and the open session's file. */
export interface KnownSessions {
  recent: string[];
  current: string | null;
}

export interface SessionPathPolicy {
  /** The path the engine should open or write for `ref`; throws a sentence for the user if refused. */
  resolve(ref: string, known: KnownSessions): string;
  /** How the client may refer to an engine path from the recent list, or null to hide it. */
  toRecent(path: string): RecentSession | null;
  /**
   * The folder the engine should use for the folder reference `ref` (a zoo's output), or absent
   * where the front end offers no folders; throws a sentence for the user if refused.
   */
  resolveFolder?(ref: string): string;
}

/** Front-end specific actions (native dialogs); absent ones answer `unsupported`. */
export interface HostActions {
  openDialog?(): Promise<SessionSummary | null>;
  saveAsDialog?(): Promise<SessionSummary | null>;
  /** A zoo plan file chosen and read by the host; null when the user cancels. */
  choosePlanDialog?(): Promise<ChosenPlanFile | null>;
  /** A zoo output folder chosen by the host; `folder` is the reference `resolveFolder` accepts. */
  chooseFolderDialog?(): Promise<{ folder: string } | null>;
}

export interface DispatchContext {
  jobs: JobRegistry;
  sessionPaths: SessionPathPolicy;
  host?: HostActions;
}

/** A user-facing error with a contract error code (thrown by policies and handlers). */
export class ApiFailure extends Error {
  constructor(readonly code: ApiError['code'], message: string) {
    super(message);
  }
}

/** Running jobs by id. A job leaves the registry when it finishes, fails or is cancelled. */
export class JobRegistry {
  private readonly running = new Map<string, { kind: JobKind; job: Job<unknown>; cancelRequested: boolean }>();
  private counter = 0;

  add(kind: JobKind, job: Job<unknown>): string {
    const jobId = `${kind}-${++this.counter}`;
    this.running.set(jobId, { kind, job, cancelRequested: false });
    return jobId;
  }

  /** Asks the job to stop; resolves false when no such job is running. */
  cancel(jobId: string): boolean {
    const entry = this.running.get(jobId);
    if (!entry) return false;
    entry.cancelRequested = true;
    entry.job.cancel();
    return true;
  }

  /** Removes a finished job, reporting whether it had been asked to cancel. */
  finish(jobId: string): { cancelRequested: boolean } {
    const entry = this.running.get(jobId);
    this.running.delete(jobId);
    return { cancelRequested: entry?.cancelRequested ?? false };
  }

  /** Cancels everything (closing the window or stopping the server). */
  cancelAll(): void {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }

  get size(): number {
    return this.running.size;
  }

  /** Every page connected through this registry's front end; job events go to all of them. */
  readonly audience = new Audience();

  /** The id of the running job (the workbench runs one at a time), or null. */
  runningId(): string | null {
    return this.running.keys().next().value ?? null;
  }
}

export interface HandlerArgs {
  workbench: Workbench;
  emit: Emit;
  context: DispatchContext;
}

export type Handler<C extends Channel> = (args: HandlerArgs, request: ValidRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
