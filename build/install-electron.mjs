#!/usr/bin/env node
/**
 * `npm install`'s postinstall step (and `npm run install:electron`): fetches Electron's binary,
 * tolerating a blocked download.
 *
 * Why this wrapper: `electron` is a devDependency (electron-builder's documented layout, so its
 * own dependencies — @electron/get, got, extract-zip, ... — never reach app.asar). Its package,
 * with electron.d.ts, always installs from the npm registry; its postinstall (`node install.js`)
 * then downloads the binary from GitHub. Run by npm, a failed download would fail the whole
 * `npm install` (a devDependency is not optional), so package.json's `allowScripts` denies npm
 * running it and this script runs the same install.js instead: with network, `npm start` opens the
 * desktop app; without, `npm install` stays green and `npm start` opens the browser workbench.
 *
 * Honours ELECTRON_SKIP_BINARY_DOWNLOAD (install.js itself exits early) and Electron's mirror and
 * cache variables (passed through). Usage: node build/install-electron.mjs [--optional]
 * (--optional, as postinstall runs it: a failed download exits 0; otherwise it exits 1).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `<electronDir>/install.js` and says in one sentence what happened; never rejects, so the
 * caller's `npm install` goes on. `ok` is true when a binary is in place afterwards (or was skipped
 * on purpose), false when the download failed.
 */
export async function installElectronBinary({ electronDir = path.join(ROOT, 'node_modules/electron'), env = process.env } = {}) {
  if (!existsSync(path.join(electronDir, 'install.js'))) {
    return { ok: true, message: 'Electron is not installed (a production install leaves out devDependencies); `npm start` will open the browser workbench.' };
  }
  const { version } = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8'));
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { ok: true, message: `Electron ${version}: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set); its type declarations are installed, and \`npm start\` will open the browser workbench.` };
  }
  const { code, stderr } = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['install.js'], { cwd: electronDir, env, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: 1, stderr: error.message }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  if (code === 0) return { ok: true, message: `Electron ${version} is installed: \`npm start\` opens the desktop app.` };
  const reason = stderr.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ')) ?? `install.js exited with code ${code}`;
  return {
    ok: false,
    message: `Electron ${version}'s binary could not be downloaded (${reason}); \`npm start\` will open the browser workbench instead. With network access, run \`npm run install:electron\` to get the desktop app.`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { ok, message } = await installElectronBinary();
  console.log(`steerlab: ${message}`);
  if (!ok && !process.argv.includes('--optional')) process.exitCode = 1;
}
