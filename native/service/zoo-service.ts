/**
 * The workbench's zoo: a plan run into a folder as the workbench's one job (its progress in the
 * one job state, Cancel from the job bar, a rerun resuming), the folder read back for the Zoo view,
 * and a model of it opened as the session. The training and battery run in the engine worker, as
 * `steerlab zoo` runs them (native/zoo/run-zoo.ts), and leave the same files.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { EngineClient } from './engine-client.js';
import type { Job, RunningJob, SessionSummary } from './workbench-types.js';
import { zooJob } from './job-snapshot.js';
import { parsePlan, cellId } from '../zoo/plan.js';
import { sessionFileOf } from '../zoo/run-zoo.js';
import { readZooFolder } from '../zoo/zoo-folder.js';
import type { ZooFolderView, ZooPlanCheck, ZooProgress } from '../zoo/zoo-types.js';
import type { ZooJobs } from './workbench-types.js';

/** What the zoo service needs from the workbench. */
export interface ZooHost {
  call: EngineClient['call'];
  /** Runs `work` as the workbench's one job (throws if another runs). */
  job<T>(what: string, info: RunningJob, work: (signal: AbortSignal, report: (p: ZooProgress) => void) => Promise<T>): Job<T>;
  openSession(file: string): Promise<SessionSummary>;
}

export class ZooService implements ZooJobs {
  constructor(private readonly host: ZooHost) {}

  /** The plan parser's verdict, for the sentence beside the plan field. */
  check(planText: string): ZooPlanCheck {
    try {
      const plan = parsePlan(planText);
      return { ok: true, name: plan.name, cells: plan.cells.map(cellId), varied: plan.varied };
    } catch (error) {
      return { ok: false, message: (error as Error).message };
    }
  }

  /** Runs the plan into `dir`: finished models there are skipped, so a rerun resumes. */
  run(planText: string, dir: string, shownAs: string, onProgress: (p: ZooProgress) => void): Job<{ models: number }> {
    // Checked before the job starts, so a bad plan or folder is one sentence and no job.
    const plan = parsePlan(planText);
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info && !info.isDirectory()) throw new Error(`${shownAs} is a file, not a folder; give a new folder name (or one a zoo run left) for the models.`);
    return this.host.job('a zoo', zooJob(plan.name, plan.cells.length, shownAs, planText), (signal, report) =>
      this.host.call('zoo', { plan, dir }, (p) => {
        report(p);
        onProgress(p);
      }, signal),
    );
  }

  read(dir: string, shownAs: string): Promise<ZooFolderView> {
    return readZooFolder(dir, shownAs);
  }

  /** Opens model `id` of the zoo in `dir` as the session (only a model its manifest lists). */
  async openModel(dir: string, shownAs: string, id: string): Promise<SessionSummary> {
    const view = await readZooFolder(dir, shownAs);
    const row = view.models.find((m) => m.id === id);
    if (!row) throw new Error(`The zoo in ${shownAs} has no model ${id}; choose one from its list.`);
    if (row.status !== 'done') throw new Error(`Model ${id} of the zoo in ${shownAs} is not finished yet; run the plan again to finish it.`);
    return this.host.openSession(path.join(dir, sessionFileOf(id)));
  }
}
