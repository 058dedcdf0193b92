/**
 * The events one client has not been sent yet, bounded whatever it reads (issue 23.1).
 *
 * Events are state, not a log: a page needs the latest progress of a job, the latest session, the
 * latest data and autosave status, and the start and end of each job. So while a client's socket
 * is over its send-buffer limit, its events wait here keyed by the stream they belong to, and a
 * newer event replaces the waiting one of its stream instead of queueing behind it. A
 * `robustness.progress` carrying all the tables finished so far therefore costs one waiting
 * reference per client, however many arrive, where sending each one used to buffer every table
 * again for every paused client (40 paused pages grew the server from 348 MiB to over 4 GiB).
 *
 * Streams (one rule for every event kind, present and future):
 *  - an event with a job id: its type and that job ("sweep.progress of sweep-3");
 *  - any other event: its type ("session.changed", "data.status", "autosave.status").
 * A job's end (`job.done` / `job.error`) also makes its waiting progress pointless: the end
 * carries the result, and progress sent after it would show a finished job as running.
 *
 * The queue holds references to the events the audience shares between clients, never copies;
 * they are encoded only when sent.
 */
import type { ApiEvent } from '../api/contract.js';

/**
 * Distinct streams a client may have waiting. A page that is so far behind that this many jobs
 * started and ended without it reading is better off reconnecting (it reloads all state then).
 */
export const MAX_WAITING_STREAMS = 64;

/** The job an event belongs to, or null for the workbench's own news. */
function jobOf(event: ApiEvent): string | null {
  if ('jobId' in event) return event.jobId;
  if (event.type === 'job.started') return event.job.jobId;
  return null;
}

/** The stream `event` belongs to: a newer event of the same stream supersedes it. */
export function eventStream(event: ApiEvent): string {
  const job = jobOf(event);
  return job === null ? event.type : `${event.type} ${job}`;
}

const isJobEnd = (event: ApiEvent) => event.type === 'job.done' || event.type === 'job.error';

export class LatestEventQueue {
  /** Waiting events by stream, in the order their streams first waited (Map keeps it). */
  private readonly waiting = new Map<string, ApiEvent>();

  /**
   * Adds `event`, replacing the waiting event of its stream (and, for a job's end, that job's
   * waiting progress). Returns false when the client has more streams waiting than allowed.
   */
  put(event: ApiEvent): boolean {
    const stream = eventStream(event);
    if (isJobEnd(event)) {
      const job = jobOf(event);
      for (const [key, waiting] of this.waiting) {
        if (waiting.type !== 'job.started' && jobOf(waiting) === job) this.waiting.delete(key);
      }
    }
    // Delete first so a replaced stream moves to the back: events leave in the order they were made.
    this.waiting.delete(stream);
    this.waiting.set(stream, event);
    return this.waiting.size <= MAX_WAITING_STREAMS;
  }

  /** Removes and returns the oldest waiting event, or undefined when none waits. */
  take(): ApiEvent | undefined {
    const first = this.waiting.entries().next();
    if (first.done) return undefined;
    this.waiting.delete(first.value[0]);
    return first.value[1];
  }

  clear(): void {
    this.waiting.clear();
  }

  get size(): number {
    return this.waiting.size;
  }
}
