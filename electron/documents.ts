/**
 * Document handling for the desktop app: open/save through native dialogs, the title with the
 * session name and an unsaved marker, and asking before unsaved changes are lost. The menu, the
 * renderer's buttons (via HostActions) and files opened from the OS all go through here.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import type { SessionSummary, Workbench } from '../native/service/workbench-types.js';

const FILTERS = [{ name: 'SteerLab session', extensions: ['steerlab'] }];

export class Documents {
  constructor(private readonly workbench: Workbench, private readonly window: BrowserWindow, private readonly onChange: () => void) {}

  /** "name ● — SteerLab"; the dot marks unsaved changes (and macOS gets its native marker). */
  updateTitle(): void {
    if (this.window.isDestroyed()) return;
    const session = this.workbench.session();
    this.window.setTitle(`${session.name}${session.dirty ? ' ●' : ''} — SteerLab`);
    this.window.setDocumentEdited(session.dirty);
  }

  /** Resolves true when it is fine to replace the session (saved, discarded, or nothing to lose). */
  async confirmDiscard(action: string): Promise<boolean> {
    const session = this.workbench.session();
    if (!session.dirty) return true;
    const { response } = await dialog.showMessageBox(this.window, {
      type: 'warning',
      message: `Save changes to “${session.name}” before ${action}?`,
      detail: 'Your changes will be lost if you don’t save them.',
      buttons: ['Save', 'Don’t Save', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
    });
    if (response === 2) return false;
    if (response === 1) return true;
    return (await this.save()) !== null;
  }

  async newSession(): Promise<void> {
    if (!(await this.confirmDiscard('starting a new session'))) return;
    this.workbench.newSession();
    this.onChange();
  }

  async openDialog(): Promise<SessionSummary | null> {
    if (!(await this.confirmDiscard('opening another session'))) return null;
    const result = await dialog.showOpenDialog(this.window, { title: 'Open session', filters: FILTERS, properties: ['openFile'] });
    if (result.canceled || result.filePaths.length === 0) return null;
    return this.openPath(result.filePaths[0], { confirmed: true });
  }

  async openPath(file: string, options: { confirmed?: boolean } = {}): Promise<SessionSummary | null> {
    if (!options.confirmed && !(await this.confirmDiscard('opening another session'))) return null;
    try {
      const session = await this.workbench.openSession(file);
      app.addRecentDocument(file);
      return session;
    } catch (error) {
      dialog.showErrorBox('Could not open the session', (error as Error).message);
      return null;
    } finally {
      this.onChange();
    }
  }

  /** Saves to the current file, or asks for one; null when the user cancelled or saving failed. */
  async save(): Promise<SessionSummary | null> {
    if (!this.workbench.session().path) return this.saveAsDialog();
    return this.saveTo(undefined);
  }

  async saveAsDialog(): Promise<SessionSummary | null> {
    const current = this.workbench.session();
    const result = await dialog.showSaveDialog(this.window, {
      title: 'Save session as',
      defaultPath: current.path ?? `${current.name === 'Untitled' ? 'session' : current.name}.steerlab`,
      filters: FILTERS,
    });
    if (result.canceled || !result.filePath) return null;
    const file = result.filePath.endsWith('.steerlab') ? result.filePath : `${result.filePath}.steerlab`;
    return this.saveTo(file);
  }

  private async saveTo(file: string | undefined): Promise<SessionSummary | null> {
    try {
      const session = await this.workbench.saveSession(file);
      if (session.path) app.addRecentDocument(session.path);
      return session;
    } catch (error) {
      dialog.showErrorBox('Could not save the session', (error as Error).message);
      return null;
    } finally {
      this.onChange();
    }
  }
}
