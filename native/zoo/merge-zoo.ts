/**
 * `steerlab zoo merge DIR1 DIR2 ... --out DIR`: joins the folders of one plan's shards (or of runs
 * of the same plan on several machines) into one zoo folder, as if one run had made it: every
 * finished model's session and battery file copied, a manifest of the whole plan, and, once every
 * cell of the plan is there, the same summary files an unsharded run writes. Folders of another
 * plan are refused, and so is a cell finished in two folders with different results.
 */
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, atomicTempPath } from '../util/write-file-atomic.js';
import type { ModelBattery } from './battery-types.js';
import type { ZooPlan } from './plan.js';
import { MANIFEST_FILE, batteryFileOf, finishedBattery, sessionFileOf } from './zoo-files.js';
import { readManifest, type ManifestEntry, type ZooManifest } from './run-zoo.js';
import { writeZooSummary } from './summary-files.js';
import type { ZooSummaryFile } from './zoo-types.js';

export interface MergeResult {
  /** Cells of the plan with a finished model in the merged folder, and the plan's count. */
  finished: number;
  planCells: number;
  /** The summary, when every cell of the plan is finished; null otherwise. */
  summary: ZooSummaryFile | null;
}

/** A battery's results without its timings (two runs of one cell differ only in those). */
const resultsOf = (b: ModelBattery) => JSON.stringify({ ...b, trainSeconds: null, batterySeconds: null });

/** Copies a file so that the target is either the old file or the whole new one. */
async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = atomicTempPath(to);
  try {
    await copyFile(from, tmp);
    await rename(tmp, to);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

async function manifestIn(dir: string): Promise<ZooManifest & { planSha256: string }> {
  const manifest = await readManifest(dir);
  if (!manifest) throw new Error(`${dir} holds no readable zoo manifest; give folders that steerlab zoo (with or without --shard) wrote.`);
  if (!manifest.planSha256) throw new Error(`${dir} was made before zoo folders recorded their plan; run its plan into it again (finished models are kept) and merge then.`);
  return manifest as ZooManifest & { planSha256: string };
}

export async function mergeZoos(dirs: string[], out: string, log: (line: string) => void = () => undefined): Promise<MergeResult> {
  if (dirs.length === 0) throw new Error('Give the zoo folders to merge, e.g. steerlab zoo merge shard-1 shard-2 --out zoo.');
  const resolvedOut = path.resolve(out);
  for (const dir of dirs) if (path.resolve(dir) === resolvedOut) throw new Error(`--out ${out} is also a folder to merge; give a new folder for the merged zoo.`);
  const manifests = await Promise.all(dirs.map(manifestIn));
  const first = manifests[0];
  for (const [i, m] of manifests.entries()) {
    if (m.planSha256 !== first.planSha256) {
      throw new Error(`${dirs[i]} holds a zoo of another plan than ${dirs[0]} ("${m.plan.name}", ${m.planCells} cells, against "${first.plan.name}", ${first.planCells} cells); merge only folders of one plan.`);
    }
  }
  const existing = await readManifest(out);
  if (existing && existing.planSha256 !== first.planSha256) throw new Error(`--out ${out} holds a zoo of another plan; give a new folder for the merged zoo.`);

  // Every plan position any folder lists, and the finished model for it (from the first folder that has one).
  const entries = new Map<number, ManifestEntry>();
  const found = new Map<number, { dir: string; battery: ModelBattery }>();
  for (const [i, m] of manifests.entries()) {
    for (const entry of m.cells) {
      const at = entry.planIndex;
      if (at === undefined) throw new Error(`${dirs[i]}'s manifest does not give its cells' places in the plan; run its plan into it again and merge then.`);
      entries.set(at, entry);
      const battery = await finishedBattery(dirs[i], entry.id);
      if (!battery) continue;
      const earlier = found.get(at);
      if (!earlier) {
        found.set(at, { dir: dirs[i], battery });
      } else if (resultsOf(earlier.battery) !== resultsOf(battery)) {
        const which = earlier.battery.modelSha256 !== battery.modelSha256 ? `models ${earlier.battery.modelSha256.slice(0, 12)} and ${battery.modelSha256.slice(0, 12)}` : 'the same model, different battery numbers';
        throw new Error(`Cell ${entry.id} is finished in both ${earlier.dir} and ${dirs[i]} with different results (${which}); delete that cell's two files from one of the folders and merge again.`);
      }
    }
  }

  await mkdir(out, { recursive: true });
  for (const { dir, battery } of found.values()) {
    // The session before the battery, as a run writes them: a copy stopped halfway is a model to measure again.
    await copyAtomic(path.join(dir, sessionFileOf(battery.cellId)), path.join(out, sessionFileOf(battery.cellId)));
    await copyAtomic(path.join(dir, batteryFileOf(battery.cellId)), path.join(out, batteryFileOf(battery.cellId)));
    log(`${battery.cellId}: from ${dir}`);
  }
  const positions = [...entries.keys()].sort((a, b) => a - b);
  const manifest: ZooManifest = {
    format: 'steerlab-zoo-manifest',
    version: 1,
    plan: first.plan,
    planSha256: first.planSha256,
    planCells: first.planCells,
    updatedAt: new Date().toISOString(),
    cells: positions.map((p) => ({ ...entries.get(p)!, status: found.has(p) ? 'done' : 'pending' })),
  };
  await writeFileAtomic(path.join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
  const planCells = first.planCells ?? positions.length;
  if (found.size < planCells) return { finished: found.size, planCells, summary: null };
  const plan: ZooPlan = { ...first.plan, cells: positions.map((p) => entries.get(p)!.cell) };
  const summary = await writeZooSummary(out, plan, positions.map((p) => found.get(p)!.battery));
  return { finished: found.size, planCells, summary };
}
