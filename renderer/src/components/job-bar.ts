/**
 * The running job's progress as every page shows it, in the job bar and in the view that started
 * it: the engine's own line (native/service/job-snapshot.ts), "Starting…" before its first report,
 * and "cancelling…" once any page asked. A plain function, tested without a page.
 */
import type { RunningJob } from '../../../native/service/workbench-types.js';

export interface JobProgressView {
  done: number;
  total: number;
  text: string;
}

export function jobProgress(job: Pick<RunningJob, 'progress' | 'cancelling'>): JobProgressView {
  const p = job.progress;
  const text = p ? p.text : 'Starting…';
  return { done: p?.done ?? 0, total: p?.total ?? 1, text: job.cancelling ? `${text} · cancelling…` : text };
}

/** A view's line for the job it follows (`jobId`): the job bar's words, "Starting…" until the workbench's state of it arrives. */
export function followedJobLine(job: RunningJob | null, jobId: string | null): string {
  return job && jobId !== null && job.jobId === jobId ? jobProgress(job).text : 'Starting…';
}
