/**
 * The autosave clock: every period it marks the process alive (the recovery slot's heartbeat)
 * and writes the unsaved work; a failure (full disk, deleted folder) becomes a status the pages
 * show, and the next try comes sooner. Nothing here ever rejects or throws out of a timer, so a
 * failing disk cannot end the server or Electron's main process.
 */
import type { AutosaveStatus } from './workbench-types.js';
import { UnsaveableSession } from '../session/format.js';

/** What one autosave did: whether it wrote, and a warning when it wrote only part of the work. */
export interface AutosaveResult {
  written: boolean;
  /** The whole sentence to show (e.g. which record was set aside and why); the status is then not ok. */
  warning?: string;
}

export interface AutosaveTimerOptions {
  /** Period between autosaves (default 60 s). */
  periodMs?: number;
  /** How soon a failed autosave is tried again (default 10 s). */
  retryMs?: number;
  /** The heartbeat and the write. */
  save: () => Promise<AutosaveResult>;
  /** Called when the status changes (and after every successful write). */
  onStatus: (status: AutosaveStatus) => void;
}

export class AutosaveTimer {
  private timer: NodeJS.Timeout | null = null;
  private state: AutosaveStatus = { ok: true, savedAt: null };
  private stopped = false;
  private readonly periodMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: AutosaveTimerOptions) {
    this.periodMs = options.periodMs ?? 60_000;
    this.retryMs = options.retryMs ?? 10_000;
    this.schedule(this.periodMs);
  }

  get status(): AutosaveStatus {
    return this.state;
  }

  /** One autosave now; never rejects. */
  async tick(): Promise<AutosaveStatus> {
    try {
      const { written, warning } = await this.options.save();
      // Part of the work written: the warning says what was not; the next try is a period away.
      if (warning) this.set({ ok: false, message: warning, failedAt: new Date().toISOString(), retryInMs: this.periodMs });
      else if (written || !this.state.ok) this.set({ ok: true, savedAt: written ? new Date().toISOString() : this.lastSavedAt() });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const every = `SteerLab tries again every ${Math.round(this.retryMs / 1000)} s`;
      // Only advise a Save that can work: a session the writer refuses would be refused by Save too.
      const message = error instanceof UnsaveableSession
        ? `Autosave cannot write this session (${reason.replace(/\.$/, '')}); a Save would be refused for the same reason, so until that is done the changes since the last autosave are not protected. ${every}.`
        : `Autosave failed (${reason}); ${every}. Save the session to keep your work safe.`;
      this.set({ ok: false, message, failedAt: new Date().toISOString(), retryInMs: this.retryMs });
    }
    return this.state;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private lastSavedAt(): string | null {
    return this.state.ok ? this.state.savedAt : null;
  }

  private set(status: AutosaveStatus): void {
    this.state = status;
    this.options.onStatus(status);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().then((status) => this.schedule(status.ok ? this.periodMs : status.retryInMs));
    }, delayMs);
    this.timer.unref();
  }
}
