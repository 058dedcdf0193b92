/**
 * Live steering: sends `steer.run` for the latest input and settings, at most one request in
 * flight. While one runs, newer requests replace each other and only the last is sent when it
 * returns, so a fast stroke or a dragged slider never queues up stale work. The result shown is
 * always the engine's reply, paired with the exact request it answers.
 */
import type { RequestOf } from '../../../../native/api/contract.js';
import type { SteerResult } from '../../../../native/service/workbench-types.js';
import type { ApiClient } from '../../lib/api.js';

export type SteerRequest = RequestOf<'steer.run'>;

export class LiveSteer {
  /** The engine's last reply and the request it answers. */
  result = $state.raw<SteerResult | null>(null);
  answered = $state.raw<SteerRequest | null>(null);
  error = $state<string | null>(null);
  /** True while a request is in flight or waiting. */
  busy = $state(false);
  /** Replies received so far (tests and the UI can tell a fresh reply from an old one). */
  replies = $state(0);
  private inFlight = false;
  private queued: SteerRequest | null = null;

  constructor(private readonly api: ApiClient) {}

  submit(request: SteerRequest): void {
    this.busy = true;
    if (this.inFlight) {
      this.queued = request;
      return;
    }
    void this.send(request);
  }

  /** Forgets the shown result (e.g. when the model goes away). */
  reset(): void {
    this.queued = null;
    this.result = null;
    this.answered = null;
    this.error = null;
  }

  private async send(request: SteerRequest): Promise<void> {
    this.inFlight = true;
    try {
      const result = await this.api.call('steer.run', request);
      this.result = result;
      this.answered = request;
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.replies++;
      this.inFlight = false;
      const next = this.queued;
      this.queued = null;
      if (next) void this.send(next);
      else this.busy = false;
    }
  }
}
