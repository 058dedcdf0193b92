/**
 * SteerLab's version, read from the package.json above this module (native/ in source,
 * dist/native/ when compiled), so sessions and result files record which release wrote them.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): { version: string; root: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'steerlab' && pkg.version) return { version: pkg.version, root: dir };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { version: '0.0.0-unknown', root: process.cwd() };
    dir = parent;
  }
}

const found = findPackageJson();
export const APP_VERSION: string = found.version;
/** The project folder (holds package.json, dist/, renderer build). */
export const APP_ROOT: string = found.root;
