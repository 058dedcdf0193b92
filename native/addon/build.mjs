#!/usr/bin/env node
/**
 * Builds the native engine addon (native/addon/binding.gyp) with node-gyp. npm runs this as the
 * package's install step, so it must never fail an install: when there is no compiler or no BLAS,
 * or the build fails, it says why, records the reason in native/addon/build/status.json (which
 * `steerlab doctor` and the app report) and exits 0. SteerLab then runs on tfjs.
 *
 *   node native/addon/build.mjs            the install step (never fails)
 *   node native/addon/build.mjs --strict   npm run build:native: exits 1 when the build fails
 *   node native/addon/build.mjs --electron rebuild against the installed Electron's headers
 *
 * STEERLAB_SKIP_NATIVE=1 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const buildDir = path.join(here, 'build');
const statusFile = path.join(buildDir, 'status.json');
const addonFile = path.join(buildDir, 'Release', 'steerlab_native.node');
const args = new Set(process.argv.slice(2));
const strict = args.has('--strict');
const require = createRequire(import.meta.url);

function record(ok, reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify({ ok, reason, at: new Date().toISOString(), platform: process.platform, arch: process.arch }, null, 2)}\n`);
  if (ok) {
    process.stderr.write(`steerlab: native engine built (${path.relative(process.cwd(), addonFile)})\n`);
    return;
  }
  // An addon left from an earlier build would be loaded despite this failure, and the engine would
  // report a build that did not happen here: the status and the binary must agree.
  rmSync(addonFile, { force: true });
  process.stderr.write(`steerlab: the native engine was not built: ${reason}.\n  SteerLab still works (on tfjs); see README "Backends" for the fast path.\n`);
  if (strict) process.exitCode = 1;
}

/** Why the addon cannot be built here, before trying (null: try). */
function missingPrerequisite() {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return `not supported on ${process.platform} (the native engine needs OpenBLAS on Linux or Accelerate on macOS)`;
  const compiler = spawnSync(process.env.CXX || 'c++', ['--version'], { stdio: 'ignore' });
  if (compiler.error || compiler.status !== 0) return 'no C++ compiler found (install build-essential, or Xcode command line tools on macOS)';
  if (process.platform === 'linux') {
    const includeDirs = ['/usr/include', '/usr/include/openblas', '/usr/local/include', `/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`];
    if (!includeDirs.some((dir) => existsSync(path.join(dir, 'cblas.h')))) return 'no BLAS found: cblas.h is missing (install libopenblas-dev)';
  }
  return null;
}

/** node-gyp: ours (a dev dependency) or the one npm bundles and names to install scripts. */
function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled && existsSync(bundled)) return bundled;
    throw new Error('node-gyp was not found (neither installed nor bundled with npm)');
  }
}

function nodeGypArgs() {
  const out = [nodeGypScript(), 'rebuild', `--directory=${here}`];
  if (args.has('--electron')) {
    const electron = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8'));
    out.push('--runtime=electron', `--target=${electron.version}`, '--dist-url=https://electronjs.org/headers');
  } else if (process.env.npm_config_nodedir) {
    out.push(`--nodedir=${process.env.npm_config_nodedir}`);
  } else if (existsSync('/usr/include/node/node_api.h')) {
    // Distribution Node (Debian's nodejs) ships its headers here; no download needed.
    out.push('--nodedir=/usr');
  }
  return out;
}

function main() {
  if (process.env.STEERLAB_SKIP_NATIVE === '1') return record(false, 'skipped (STEERLAB_SKIP_NATIVE=1)');
  const missing = missingPrerequisite();
  if (missing) return record(false, missing);
  let gypArgs;
  try {
    gypArgs = nodeGypArgs();
  } catch (error) {
    return record(false, `node-gyp or electron is not installed (${error.message.split('\n')[0]})`);
  }
  process.stderr.write('steerlab: building the native engine (node-gyp)...\n');
  const run = spawnSync(process.execPath, gypArgs, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0 || !existsSync(addonFile)) {
    const log = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
    const firstError = log.split('\n').find((l) => /error|not found|cannot find/i.test(l) && !/^gyp (info|ERR! (stack|System|command|cwd|node|not ok))/.test(l));
    process.stderr.write(log.split('\n').slice(-25).join('\n') + '\n');
    const noBlas = /cblas\.h|lopenblas|-framework Accelerate/.test(log);
    return record(false, `${noBlas ? 'no BLAS found: ' : 'the build failed: '}${(firstError ?? run.error?.message ?? 'see the log above').trim().slice(0, 200)}`);
  }
  // Loading it proves the BLAS library resolves at run time too.
  const check = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addonFile)}).info()))`], { encoding: 'utf8' });
  if (args.has('--electron')) return record(true);
  if (check.status !== 0) return record(false, `built but failed to load: ${(check.stderr || '').split('\n').find((l) => l.trim()) ?? 'unknown error'}`);
  record(true);
}

main();
