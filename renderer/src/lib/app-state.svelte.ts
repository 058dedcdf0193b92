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

  constructor(readonly api: ApiClient) {
    api.onConnection((state) => (this.connection = state));
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
      this.error = error instanceof Error ? error.message : String(error);
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
