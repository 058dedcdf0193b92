/**
 * A temp folder tree laid out around a sessions folder, and snapshots of it, so a fuzz test can
 * prove that nothing outside the sessions folder was created, changed or removed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Tree {
  /** The whole temp tree; everything in it is snapshotted except `exclude`. */
  root: string;
  /** The sessions folder, four levels down so "../../.." names stay inside the tree. */
  sessionsDir: string;
  /** The workbench's recent list and recovery file (written legitimately; outside the tree). */
  userDataDir: string;
  /** Bait files a traversal would reach, by their path relative to the sessions folder. */
  bait: Record<string, string>;
}

export function makeTree(prefix: string): Tree {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const sessionsDir = path.join(root, 'home/user/lab/sessions');
  mkdirSync(sessionsDir, { recursive: true });
  const files: Record<string, string> = {
    'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n',
    'home/user/.bashrc': 'export PS1="$ "\n',
    'home/user/lab/other.steerlab': 'not really a session\n',
    'home/user/lab/sessions-evil.steerlab': 'a sibling whose name starts like the folder\n',
    'victim.steerlab': 'bait\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}user-`));
  return { root, sessionsDir, userDataDir, bait: files };
}

export type Snapshot = Map<string, string>;

/** Every file and folder under `root` (but not under `exclude`), with size, mtime and content hash. */
export function snapshot(root: string, exclude: string[] = []): Snapshot {
  const out: Snapshot = new Map();
  const skip = exclude.map((e) => path.resolve(e));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (skip.includes(full)) continue;
      const rel = path.relative(root, full);
      if (entry.isDirectory()) {
        out.set(rel, 'dir');
        walk(full);
      } else {
        const stat = statSync(full);
        out.set(rel, `${stat.size}:${stat.mtimeMs}:${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      }
    }
  };
  walk(root);
  return out;
}

/** Human-readable differences between two snapshots (empty when identical). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const [rel, sig] of after) {
    if (!before.has(rel)) changes.push(`created ${rel}`);
    else if (before.get(rel) !== sig) changes.push(`changed ${rel}`);
  }
  for (const rel of before.keys()) if (!after.has(rel)) changes.push(`removed ${rel}`);
  return changes;
}
