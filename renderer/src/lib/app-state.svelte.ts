/**
 * The app-wide state the shell shows: engine info, the open session, the recent list, the
 * connection, and the last error. One explicit store, passed down as a prop; every change comes
 * from an engine response or event, never from a value the renderer computed.
 */
import type { RecentSession } from '../../../native/api/contract.js';
import type { SessionSummary, WorkbenchInfo } from '../../../native/service/workbench-types.js';
import type { ApiClient, ConnectionState } from './api.js';

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

  /** Why the page is not connected (a sentence for the user), or null while it is. */
  connectionProblem = $state<string | null>(null);

  constructor(readonly api: ApiClient) {
    let wasOpen = false;
    api.onConnection((state, problem) => {
      this.connection = state;
      this.connectionProblem = problem;
      // Disconnected: nothing shown may pass for a live answer, so forget the engine's session
      // (views clear what depends on its model, e.g. Draw's bars) until the server is back.
      if (state === 'closed' || state === 'refused') this.session = null;
      // Back after a drop (e.g. a server restart): everything comes fresh from the engine.
      if (state === 'open' && wasOpen) void this.load();
      if (state === 'open') wasOpen = true;
    });
    api.onEvent((event) => {
      if (event.type === 'session.changed') this.session = event.session;
      if (event.type === 'job.done' && event.kind === 'train') this.session = event.result;
    });
  }

  async load(): Promise<void> {
    await this.attempt(async () => {
      const info = await this.api.call('app.info', {});
      this.info = info;
      this.session = info.session;
      this.recoveryOffer = info.recoveryAvailable;
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

  /** Saves to the current file; the caller asks for a name first when there is none. */
  save = (ref?: string) => this.attempt(async () => {
    this.session = await this.api.call('session.save', ref === undefined ? {} : { path: ref });
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
}
