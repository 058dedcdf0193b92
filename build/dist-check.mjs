#!/usr/bin/env node
/**
 * `npm run dist:check`: everything about the installers that can be checked offline, without
 * Electron's binary (whose download from GitHub is blocked in many places).
 *
 *  1. build/electron-builder.yml loads and validates against electron-builder's JSON schema
 *     (app-builder-lib's scheme.json, through its own validateConfiguration).
 *  2. electron-builder really packs the app (`--linux dir`) with `electronDist` pointing at a fake,
 *     empty Electron and native rebuilds off: the same file collection, asar packing and
 *     asarUnpack as a real build, in a temp folder, in a few seconds.
 *  3. The packed app.asar holds main, preload, the renderer's index.html, the engine and its worker
 *     scripts and the production node_modules; the wasm binaries sit in app.asar.unpacked; sources,
 *     tests, scratch, bench, build resources, maps and dev tools are not packed, and no packed
 *     module is dev-only in package-lock.json (electron and its own @electron/get, got,
 *     extract-zip, ... are devDependencies, electron-builder's documented layout).
 *  4. The .steerlab file association and the icons are in place.
 *
 * Needs a built dist/ (`npm run build`). Usage: node build/dist-check.mjs [--keep]
 */
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_FILE = 'build/electron-builder.yml';
const require = createRequire(import.meta.url);
const fromBuilder = createRequire(require.resolve('app-builder-lib/package.json'));

/** Files the packaged app cannot start or compute without (paths inside app.asar). */
export const REQUIRED_IN_ASAR = [
  'package.json',
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/electron/ipc.js',
  'dist/electron/documents.js',
  'dist/electron/menu.js',
  'dist/renderer/index.html',
  'dist/native/service/workbench.js',
  'dist/native/service/engine-worker.js',
  'dist/native/engine/sweep-worker.js',
  'dist/native/util/start-worker.js',
  'dist/native/server/static.js',
  'node_modules/@tensorflow/tfjs/package.json',
  'node_modules/@tensorflow/tfjs-backend-wasm/package.json',
  'node_modules/zod/package.json',
];

/** The wasm backend's binaries, which must be real files on disk (app.asar.unpacked). */
export const REQUIRED_UNPACKED = [
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
];

/** Nothing under these may be packed: sources, tests, experiments, resources, dev-only packages. */
export const FORBIDDEN_PREFIXES = [
  'tests/', 'scratch/', 'bench/', 'native/', 'electron/', 'renderer/', 'build/', 'docs/', 'sessions/', 'test-artifacts/',
  'release/', '.ci/', '.git/', 'node_modules/electron/', 'node_modules/electron-builder/', 'node_modules/app-builder-lib/',
  'node_modules/vitest/', 'node_modules/typescript/', 'node_modules/vite/', 'node_modules/@doyensec/', 'node_modules/playwright-core/',
  'node_modules/tsx/', 'node_modules/svelte-check/', 'node_modules/@electron/get/', 'node_modules/got/', 'node_modules/extract-zip/',
];
/** Top-level files that must stay out of the package. */
export const FORBIDDEN_FILES = ['package-lock.json', 'tsconfig.json', 'tsconfig.tests.json', 'vitest.config.ts', 'vitest.e2e.config.ts', 'README.md'];

/** Rejects when `config` does not match electron-builder's JSON schema (or uses removed options). */
export async function validateConfig(config) {
  const { validateConfiguration } = fromBuilder('./out/util/config/config.js');
  const { DebugLogger } = fromBuilder('builder-util');
  await validateConfiguration(config, new DebugLogger(false));
}

/** Loads the configuration as electron-builder does and validates it against its JSON schema. */
export async function loadAndValidateConfig() {
  const { getConfig } = fromBuilder('./out/util/config/config.js');
  const config = await getConfig(ROOT, path.join(ROOT, CONFIG_FILE), null);
  await validateConfig(config);
  return config;
}

/** Problems with the parts of the configuration the issue asks for (file type, unpacking, targets, icons). */
export function configProblems(config) {
  const problems = [];
  const association = [config.fileAssociations ?? []].flat().find((a) => [a.ext].flat().includes('steerlab'));
  if (!association) problems.push('no fileAssociations entry for .steerlab');
  else {
    if (association.name !== 'SteerLab session') problems.push(`.steerlab association name is "${association.name}"`);
    if (association.mimeType !== 'application/x-steerlab') problems.push(`.steerlab mimeType is "${association.mimeType}"`);
    for (const ext of ['icns', 'ico']) if (!existsSync(path.join(ROOT, 'build', `${association.icon}.${ext}`))) problems.push(`missing document icon build/${association.icon}.${ext}`);
  }
  const unpack = [config.asarUnpack ?? []].flat();
  for (const pattern of ['node_modules/@tensorflow/tfjs-node/**', 'node_modules/@tensorflow/tfjs-node-gpu/**', 'node_modules/@tensorflow/tfjs-backend-wasm/**/*.wasm']) {
    if (!unpack.includes(pattern)) problems.push(`asarUnpack lacks ${pattern}`);
  }
  if (config.npmRebuild === false) problems.push('npmRebuild is off: tfjs-node would not be rebuilt for Electron');
  const targets = (platform) => [config[platform]?.target ?? []].flat().map((t) => (typeof t === 'string' ? t : t.target));
  for (const [platform, wanted] of [['linux', ['AppImage', 'deb']], ['mac', ['dmg']], ['win', ['nsis']]]) {
    for (const target of wanted) if (!targets(platform).includes(target)) problems.push(`${platform} does not build ${target}`);
  }
  for (const icon of [config.mac?.icon, config.win?.icon]) if (!icon || !existsSync(path.join(ROOT, icon))) problems.push(`missing icon ${icon}`);
  const linuxIcons = path.join(ROOT, config.linux?.icon ?? 'build/icons');
  for (const size of [16, 32, 48, 64, 128, 256, 512]) if (!existsSync(path.join(linuxIcons, `${size}x${size}.png`))) problems.push(`missing Linux icon ${size}x${size}.png`);
  return problems;
}

/** The Electron version to pack for: the installed one, else the devDependency's minimum. */
function electronVersion() {
  const installed = path.join(ROOT, 'node_modules/electron/package.json');
  if (existsSync(installed)) return JSON.parse(readFileSync(installed, 'utf8')).version;
  const range = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.electron;
  return range.replace(/^[^\d]*/, '').split(/\s/)[0].replace(/^(\d+)$/, '$1.0.0').replace(/^(\d+\.\d+)$/, '$1.0');
}

function listUnpacked(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listUnpacked(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

/** Files in app.asar (relative, "/"-separated) and in app.asar.unpacked. */
export function inspectApp(appOutDir) {
  const asar = fromBuilder('@electron/asar');
  const resources = path.join(appOutDir, 'resources');
  const archive = path.join(resources, 'app.asar');
  const asarFiles = asar
    .listPackage(archive, { isPack: false })
    .filter((f) => !('files' in asar.statFile(archive, f.replace(/^[\\/]/, ''))))
    .map((f) => f.replace(/\\/g, '/').replace(/^\//, ''));
  const unpackedFiles = listUnpacked(path.join(resources, 'app.asar.unpacked'));
  const packageJson = JSON.parse(asar.extractFile(archive, 'package.json').toString());
  return { asarFiles, unpackedFiles, packageJson };
}

// --- The native engine's addon (issue 12) ---
/** The addon inside the package; it must be a real file (app.asar.unpacked) for dlopen. */
export const NATIVE_ADDON = 'native/addon/build/Release/steerlab_native.node';

/** Problems with the addon in the layout: when it is built here, it must be unpacked and nothing else of native/ packed. */
export function nativeAddonProblems({ asarFiles, unpackedFiles }, built = existsSync(path.join(ROOT, NATIVE_ADDON))) {
  const problems = [];
  if (built && !unpackedFiles.includes(NATIVE_ADDON)) problems.push(`app.asar.unpacked lacks ${NATIVE_ADDON} (the native engine)`);
  for (const file of asarFiles) if (file.startsWith('native/') && file !== NATIVE_ADDON) problems.push(`packed ${file} (only the native addon belongs in the app)`);
  return problems;
}
// --- end of the native engine's part ---

/** Folders of the packages package-lock.json marks dev-only ("node_modules/got", nested ones too). */
export function devOnlyPackages(lockFile = path.join(ROOT, 'package-lock.json')) {
  const { packages } = JSON.parse(readFileSync(lockFile, 'utf8'));
  return new Set(Object.entries(packages).filter(([folder, entry]) => folder && entry.dev === true).map(([folder]) => folder));
}

/** The folder of the innermost package holding `file` ("node_modules/a/node_modules/@s/b"), or null. */
export function packageFolderOf(file) {
  const match = /^(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+/.exec(file);
  return match ? match[0].slice(0, -1) : null;
}

/** Problems with the packed layout; `devOnly` comes from package-lock.json unless given. */
export function layoutProblems({ asarFiles, unpackedFiles, packageJson }, devOnly = devOnlyPackages()) {
  const problems = nativeAddonProblems({ asarFiles, unpackedFiles });
  const inAsar = new Set(asarFiles);
  for (const file of REQUIRED_IN_ASAR) if (!inAsar.has(file)) problems.push(`app.asar lacks ${file}`);
  for (const file of REQUIRED_UNPACKED) if (!unpackedFiles.includes(file)) problems.push(`app.asar.unpacked lacks ${file}`);
  if (!inAsar.has(packageJson.main)) problems.push(`package.json's main (${packageJson.main}) is not packed`);
  for (const file of asarFiles) {
    const prefix = file === NATIVE_ADDON ? undefined : FORBIDDEN_PREFIXES.find((p) => file.startsWith(p));
    if (prefix) problems.push(`packed ${file} (nothing under ${prefix} belongs in the app)`);
    if (FORBIDDEN_FILES.includes(file)) problems.push(`packed ${file}`);
    if (/\.map$/.test(file)) problems.push(`packed source map ${file}`);
    if (/^dist\/.*\.c?ts$/.test(file)) problems.push(`packed TypeScript ${file}`);
    const folder = packageFolderOf(file);
    if (folder && devOnly.has(folder)) problems.push(`packed dev-only package ${folder} (package-lock.json marks it dev)`);
  }
  return [...new Set(problems)];
}

/** Runs every check; returns what it found (and the listings, for tests). */
export async function distCheck({ keep = false } = {}) {
  const started = performance.now();
  if (!existsSync(path.join(ROOT, 'dist/electron/main.js')) || !existsSync(path.join(ROOT, 'dist/renderer/index.html'))) {
    return { problems: ['dist/ is not built: run `npm run build` first'], asarFiles: [], unpackedFiles: [], elapsedMs: 0 };
  }
  const config = await loadAndValidateConfig();
  const problems = configProblems(config);
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'steerlab-dist-check-'));
  try {
    const fakeElectron = path.join(outDir, 'fake-electron');
    mkdirSync(fakeElectron);
    writeFileSync(path.join(fakeElectron, 'electron'), '#!/bin/sh\necho "fake Electron (dist:check)" >&2\nexit 1\n');
    chmodSync(path.join(fakeElectron, 'electron'), 0o755);
    const builder = require('electron-builder');
    await builder.build({
      projectDir: ROOT,
      targets: builder.Platform.LINUX.createTarget('dir', builder.Arch.x64),
      publish: 'never',
      config: {
        ...config,
        electronDist: fakeElectron,
        electronVersion: config.electronVersion ?? electronVersion(),
        npmRebuild: false,
        directories: { ...config.directories, output: path.join(outDir, 'out') },
      },
    });
    const listing = inspectApp(path.join(outDir, 'out/linux-unpacked'));
    problems.push(...layoutProblems(listing));
    return { problems, ...listing, outDir: keep ? outDir : undefined, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    if (!keep) rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  distCheck({ keep: process.argv.includes('--keep') }).then(
    (result) => {
      console.log(`dist:check: ${CONFIG_FILE} is valid; packed ${result.asarFiles.length} files into app.asar and ${result.unpackedFiles.length} into app.asar.unpacked in ${result.elapsedMs} ms${result.outDir ? ` (kept in ${result.outDir})` : ''}.`);
      for (const problem of result.problems) console.log(`  PROBLEM ${problem}`);
      console.log(result.problems.length ? 'dist:check failed.' : 'dist:check passed.');
      process.exitCode = result.problems.length ? 1 : 0;
    },
    (error) => {
      console.error(`dist:check could not run: ${error.message}`);
      process.exitCode = 2;
    },
  );
}
