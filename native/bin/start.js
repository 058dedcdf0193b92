#!/usr/bin/env node
// `npm start`: the desktop app when Electron is installed and runnable, otherwise the browser
// workbench (`steerlab serve`), saying why Electron was not used. Electron's binary download
// (build/install-electron.mjs) is often blocked, so both paths are normal.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = (relative) => existsSync(fileURLToPath(new URL(`../../${relative}`, import.meta.url)));

if (!built('dist/renderer/index.html')) {
  process.stderr.write('SteerLab is not built yet: run `npm run build` first.\n');
  process.exit(1);
}

function findElectron() {
  try {
    // The electron package's main export is the path of its binary; it throws when the package
    // is absent or its binary was never downloaded.
    return { path: createRequire(import.meta.url)('electron'), reason: null };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (/Cannot find module/.test(message)) return { path: null, reason: 'the "electron" package is not installed (a devDependency)' };
    // The package installs from npm; its binary comes from GitHub in `npm install`'s postinstall.
    if (/failed to install correctly/.test(message)) return { path: null, reason: 'Electron\'s binary is not downloaded (run `npm run install:electron` with network access)' };
    return { path: null, reason: message };
  }
}

const electron = findElectron();
if (typeof electron.path === 'string' && built('dist/electron/main.js')) {
  const child = spawn(electron.path, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const reason = electron.reason ?? 'the Electron main process is not built (dist/electron/main.js)';
  process.stdout.write(`Electron is not used: ${reason}. Starting the browser workbench instead (options: \`steerlab serve --help\`).\n`);
  const { serveCommand } = await import(new URL('../../dist/native/server/command.js', import.meta.url).href);
  // Sessions go to the user's data folder (printed), not into the checkout, unless --sessions says.
  await serveCommand({ sessionsDir: sessionsFlag(process.argv.slice(2)) });
  process.exit(0);
}

/** `npm start -- --sessions DIR`: the folder for the browser workbench's sessions, or undefined. */
function sessionsFlag(args) {
  const joined = args.find((arg) => arg.startsWith('--sessions='));
  if (joined) return joined.slice('--sessions='.length) || missingFolder();
  const at = args.indexOf('--sessions');
  if (at === -1) return undefined;
  const value = args[at + 1];
  return value && !value.startsWith('--') ? value : missingFolder();
}

function missingFolder() {
  process.stderr.write('--sessions needs a folder: `npm start -- --sessions DIR`.\n');
  process.exit(2);
}
