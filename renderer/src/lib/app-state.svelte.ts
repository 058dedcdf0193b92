/**
 * The app-wide state the shell shows: engine info, the open session, the recent list, the
 * connection, the last error, the data panel's state, the running job and autosave trouble.
 * One explicit store, passed down as a prop; every change comes from an engine response or
 * event, never from a value the renderer computed.
 *
 * A page that connects while a job runs (a reload, a second tab) learns it from `app.info` and
 * follows it through the events every page receives; see docs/workbench-state.md.
 */
import type { ApiEvent, RecentSession } from '../../../native/api/contract.js';
import type { AutosaveStatus, DataStatus, RunningJob, SessionSummary, WorkbenchInfo } from '../../../native/service/workbench-types.js';
import { ApiCallError, type ApiClient, type ConnectionState } from './api.js';
import { openModelHooks } from './open-model-hooks.svelte.js';
import { openDataset } from './class-names.svelte.js';

/** Asks the user a yes/no question (window.confirm in the page; tests may pass their own). */
export type Ask = (question: string) => boolean;

export class AppState {
  info = $state<WorkbenchInfo | null>(null);
  session = $state<SessionSummary | null>(null);
  recent = $state<RecentSession[]>([]);
  connection = $state<ConnectionState>('connecting');
  /** The last failure, shown in a banner until dismissed or replaced. */
  error = $state<string | null>(null);
  /** A short confirmation ("Saved as …"), shown in the status bar. */
  notice = $state<string | null>(null);
  recoveryOffer = $state<WorkbenchInfo['recoveryAvailable']>(null);
  dataStatus = $state<DataStatus | null>(null);
  /** The workbench's running job (started here or elsewhere), with its latest progress. */
  job = $state<RunningJob | null>(null);
  autosave = $state<AutosaveStatus>({ ok: true, savedAt: null });

  /** Why the page is not connected (a sentence for the user), or null while it is. */
  connectionProblem = $state<string | null>(null);

  /** Counts reconnections after a drop; views that hold their own replies ask again when it moves. */
  reconnects = $state(0);

  constructor(readonly api: ApiClient) {
    // Hook menus and labels read the open model's hook list from this state's session.
    openModelHooks.follow(this);
    openDataset.follow(this);
    let wasOpen = false;
    api.onConnection((state, problem) => {
      this.connection = state;
      this.connectionProblem = problem;
      // Disconnected, the views keep their last state, greyed out under the connection banner
      // (see `offline`): nothing is lost, and nothing greyed passes for a live answer.
      // Back after a drop (e.g. a server restart): everything comes fresh from the engine, and
      // messages written while the page could not reach it (a failed call, a confirmation about
      // the session before the drop) no longer describe anything, so they go.
      if (state === 'open' && wasOpen) {
        this.error = null;
        this.notice = null;
        this.reconnects++;
        void this.load();
      }
      if (state === 'open') wasOpen = true;
    });
    api.onEvent((event) => this.receive(event));
  }

  /** True while the page cannot reach the engine: what the views show is the last state, not a live one. */
  get offline(): boolean {
    return this.connection === 'closed' || this.connection === 'refused';
  }

  /** True until MNIST is loaded: the shell shows the data panel instead of the views. */
  get needsData(): boolean {
    return this.dataStatus !== null && this.dataStatus.state !== 'ready';
  }

  /** Restore is offered only over a session without unsaved changes (never over live work). */
  get showRecovery(): boolean {
    return this.recoveryOffer !== null && !this.session?.dirty;
  }

  private receive(event: ApiEvent): void {
    switch (event.type) {
      case 'session.changed':
        this.session = event.session;
        break;
      case 'job.started':
        this.job = event.job;
        break;
      case 'job.progress':
        // The one progress line of the job, whichever page started it (its details are the views').
        if (this.job?.jobId === event.jobId) this.job = { ...this.job, progress: event.progress, cancelling: event.cancelling };
        break;
      case 'job.done':
      case 'job.error':
        if (this.job?.jobId === event.jobId) this.job = null;
        if (event.type === 'job.done' && event.kind === 'train') this.session = event.result;
        break;
      case 'data.status':
        this.dataStatus = event.status;
        if (this.info) this.info = { ...this.info, data: event.data, dataStatus: event.status };
        break;
      case 'autosave.status':
        this.autosave = event.status;
        break;
    }
  }

  async load(): Promise<void> {
    await this.attempt(async () => {
      const info = await this.api.call('app.info', {});
      this.info = info;
      this.session = info.session;
      this.recoveryOffer = info.recoveryAvailable;
      this.dataStatus = info.dataStatus;
      this.job = info.job;
      this.autosave = info.autosave;
      await this.refreshRecent();
    });
  }

  async refreshRecent(): Promise<void> {
    this.recent = await this.api.call('session.recent', {});
  }

  /** Runs an action, turning a failure into the error banner; resolves true on success. */
  async attempt(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      this.error = null;
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A call that failed for want of a connection is explained by the connection banner already.
      this.error = message === this.connectionProblem ? null : message;
      return false;
    }
  }

  newSession = () => this.attempt(async () => {
    this.session = await this.api.call('session.new', {});
    this.notice = 'New session';
  });

  open = (ref: string) => this.attempt(async () => {
    this.session = await this.api.call('session.open', { path: ref });
    this.notice = `Opened ${this.session.name}`;
    await this.refreshRecent();
  });

  /**
   * Saves to the current file, or to `ref` (browser Save As). When `ref` names another existing
   * file the engine answers 'exists'; `ask` then decides whether to replace it.
   */
  save = (ref?: string, ask: Ask = (q) => confirm(q)) => this.attempt(async () => {
    try {
      this.session = await this.api.call('session.save', ref === undefined ? {} : { path: ref });
    } catch (error) {
      if (!(error instanceof ApiCallError) || error.code !== 'exists' || ref === undefined) throw error;
      if (!ask(`${error.message.replace(/; choose another name.*$/, '')} in the sessions folder. Replace it?`)) {
        this.notice = 'Not saved: the existing file was kept';
        return;
      }
      this.session = await this.api.call('session.save', { path: ref, overwrite: true });
    }
    this.notice = `Saved ${this.session.name}`;
    await this.refreshRecent();
  });

  /** Electron only: the main process shows its native dialogs. */
  openWithDialog = () => this.attempt(async () => {
    const opened = await this.api.call('session.openDialog', {});
    if (opened) this.session = opened;
    await this.refreshRecent();
  });

  saveAsWithDialog = () => this.attempt(async () => {
    const saved = await this.api.call('session.saveAsDialog', {});
    if (saved) this.session = saved;
    await this.refreshRecent();
  });

  restoreRecovery = () => this.attempt(async () => {
    this.session = await this.api.call('session.restoreRecovery', {});
    this.recoveryOffer = null;
    this.notice = 'Recovered the unsaved session';
  });

  discardRecovery = () => this.attempt(async () => {
    await this.api.call('session.discardRecovery', {});
    this.recoveryOffer = null;
  });

  /** Cancels the running job, whichever page started it. */
  cancelJob = () => this.attempt(async () => {
    const jobId = this.job?.jobId;
    if (!this.job || !jobId) return;
    this.job = { ...this.job, cancelling: true };
    await this.api.call('job.cancel', { jobId });
  });

  useDataFolder = (dir: string) => this.attempt(async () => {
    this.dataStatus = await this.api.call('data.useFolder', { dir });
    if (this.dataStatus.state === 'ready') await this.load();
  });

  downloadData = () => this.attempt(async () => {
    this.dataStatus = await this.api.call('data.download', {});
    if (this.dataStatus.state === 'ready') await this.load();
  });

  cancelDownload = () => this.attempt(async () => {
    await this.api.call('data.cancelDownload', {});
  });
}
