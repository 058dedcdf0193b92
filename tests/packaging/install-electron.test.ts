/**
 * How Electron gets installed (build/install-electron.mjs, package.json): the `electron` package
 * is a devDependency whose own postinstall npm is told not to run; SteerLab's postinstall runs the
 * same install.js and turns a blocked download into one sentence instead of a failed `npm install`,
 * while a machine with network gets the binary. The fake install.js files below stand in for
 * Electron's (which downloads from GitHub, unreachable here).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface InstallModule {
  installElectronBinary(options?: { electronDir?: string; env?: NodeJS.ProcessEnv }): Promise<{ ok: boolean; message: string }>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'build/install-electron.mjs');
let install: InstallModule;
let scratch: string;

/** A stand-in electron package whose install.js runs `body`. */
function fakeElectron(name: string, body: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '38.1.2' }));
  writeFileSync(path.join(dir, 'install.js'), body);
  return dir;
}

beforeAll(async () => {
  install = (await import(pathToFileURL(SCRIPT).href)) as InstallModule;
  scratch = mkdtempSync(path.join(os.tmpdir(), 'steerlab-install-electron-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('package.json places Electron as electron-builder documents', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  it('electron is a devDependency only, npm does not run its postinstall, SteerLab’s postinstall does', () => {
    expect(pkg.devDependencies.electron).toMatch(/^\^38\./);
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.optionalDependencies?.electron).toBeUndefined();
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.scripts.postinstall).toBe('node build/install-electron.mjs --optional');
  });

  it('the installed electron package carries the real electron.d.ts the shell is type-checked against', () => {
    const electronPkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8'));
    expect(electronPkg.types).toBe('electron.d.ts');
    expect(readFileSync(path.join(ROOT, 'node_modules/electron/electron.d.ts'), 'utf8')).toContain("declare module 'electron'");
  });
});

describe('installElectronBinary', () => {
  it('a failed download is one sentence naming the cause and the way to retry, and not an error', async () => {
    const dir = fakeElectron('blocked', "console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n    at ClientRequest.<anonymous> (got/index.js:1:1)'); process.exit(1);");
    const result = await install.installElectronBinary({ electronDir: dir, env: {} });
    expect(result).toEqual({
      ok: false,
      message:
        "Electron 38.1.2's binary could not be downloaded (RequestError: getaddrinfo ENOTFOUND github.com); `npm start` will open the browser workbench instead. With network access, run `npm run install:electron` to get the desktop app.",
    });
  });

  it('a successful download says the desktop app is ready, and runs install.js in the package folder with the environment given', async () => {
    const dir = fakeElectron('online', "require('fs').writeFileSync('ran.txt', process.env.electron_config_cache ?? 'no cache');");
    const result = await install.installElectronBinary({ electronDir: dir, env: { electron_config_cache: '/cache/electron' } });
    expect(result).toEqual({ ok: true, message: 'Electron 38.1.2 is installed: `npm start` opens the desktop app.' });
    expect(readFileSync(path.join(dir, 'ran.txt'), 'utf8')).toBe('/cache/electron');
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD skips install.js; a production install without electron is fine', async () => {
    const dir = fakeElectron('skipped', 'process.exit(1);');
    const skipped = await install.installElectronBinary({ electronDir: dir, env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
    expect(skipped.ok).toBe(true);
    expect(skipped.message).toContain('binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set)');
    const absent = await install.installElectronBinary({ electronDir: path.join(scratch, 'no-such-electron'), env: {} });
    expect(absent.ok).toBe(true);
    expect(absent.message).toMatch(/^Electron is not installed/);
  });

  it('Electron’s own install.js exits 0 without any download under ELECTRON_SKIP_BINARY_DOWNLOAD (as CI may run it)', () => {
    const out = execFileSync(process.execPath, ['install.js'], { cwd: path.join(ROOT, 'node_modules/electron'), env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('run as postinstall (--optional) a failed download exits 0; run by hand it exits 1', () => {
    // A copy of the script in a project whose node_modules/electron cannot download.
    const project = path.join(scratch, 'project');
    mkdirSync(path.join(project, 'build'), { recursive: true });
    cpSync(SCRIPT, path.join(project, 'build/install-electron.mjs'));
    mkdirSync(path.join(project, 'node_modules'));
    renameSync(fakeElectron('offline', "console.error('Error: connect ETIMEDOUT'); process.exit(1);"), path.join(project, 'node_modules/electron'));
    const run = (args: string[]) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['build/install-electron.mjs', ...args], { cwd: project, env: { PATH: process.env.PATH }, encoding: 'utf8' }) };
      } catch (error) {
        const e = error as { status: number; stdout: string };
        return { code: e.status, out: e.stdout };
      }
    };
    const optional = run(['--optional']);
    expect(optional.code).toBe(0);
    expect(optional.out).toBe("steerlab: Electron 38.1.2's binary could not be downloaded (Error: connect ETIMEDOUT); `npm start` will open the browser workbench instead. With network access, run `npm run install:electron` to get the desktop app.\n");
    expect(run([]).code).toBe(1);
  });
});
