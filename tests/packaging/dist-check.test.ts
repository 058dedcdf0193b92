/**
 * The installers' configuration and the packed layout, checked offline by build/dist-check.mjs
 * (`npm run dist:check`): electron-builder packs the built app for real (`--linux dir`) against a
 * fake Electron, and the test reads the resulting app.asar. Needs dist/ (npm install builds it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Listing {
  asarFiles: string[];
  unpackedFiles: string[];
  packageJson: { main: string };
}
interface DistCheckModule {
  ROOT: string;
  REQUIRED_IN_ASAR: string[];
  NATIVE_ADDON: string;
  loadAndValidateConfig(): Promise<Record<string, unknown>>;
  validateConfig(config: Record<string, unknown>): Promise<void>;
  configProblems(config: Record<string, unknown>): string[];
  layoutProblems(listing: Listing, devOnly?: Set<string>): string[];
  devOnlyPackages(): Set<string>;
  packageFolderOf(file: string): string | null;
  distCheck(): Promise<Listing & { problems: string[]; elapsedMs: number }>;
}

const modulePath = pathToFileURL(path.resolve(import.meta.dirname, '../../build/dist-check.mjs')).href;
let check: DistCheckModule;
let config: Record<string, unknown>;

beforeAll(async () => {
  check = (await import(modulePath)) as DistCheckModule;
  config = await check.loadAndValidateConfig();
});

describe('electron-builder configuration', () => {
  it('validates against electron-builder’s JSON schema, which does catch mistakes', async () => {
    await expect(check.validateConfig(config)).resolves.toBeUndefined();
    await expect(check.validateConfig({ ...config, asarUnpackk: ['x'] })).rejects.toThrow(/asarUnpackk|additional/i);
    await expect(check.validateConfig({ ...config, nsis: { oneClik: false } })).rejects.toThrow(/configuration\.nsis/);
    await expect(check.validateConfig({ ...config, asar: 'yes' })).rejects.toThrow();
  });

  it('registers .steerlab, unpacks tfjs-node and the wasm files, rebuilds natives, and builds AppImage, deb, dmg and nsis', () => {
    expect(check.configProblems(config)).toEqual([]);
    expect(config.fileAssociations).toEqual([expect.objectContaining({ ext: 'steerlab', name: 'SteerLab session', mimeType: 'application/x-steerlab' })]);
    expect(check.configProblems({ ...config, asarUnpack: [], fileAssociations: [] })).toEqual(
      expect.arrayContaining(['no fileAssociations entry for .steerlab', 'asarUnpack lacks node_modules/@tensorflow/tfjs-node/**']),
    );
  });
});

describe('packed layout (electron-builder --linux dir with a fake Electron)', () => {
  let result: Awaited<ReturnType<DistCheckModule['distCheck']>>;
  beforeAll(async () => {
    result = await check.distCheck();
    console.log(`dist:check packed ${result.asarFiles.length} files in ${result.elapsedMs} ms.`);
  }, 240_000);

  it('has no problems', () => {
    expect(result.problems).toEqual([]);
  });

  it('packs main, preload, the renderer, the engine worker scripts and the production modules', () => {
    for (const file of check.REQUIRED_IN_ASAR) expect(result.asarFiles).toContain(file);
    expect(result.asarFiles).toContain(result.packageJson.main);
  });

  it('puts the wasm binaries in app.asar.unpacked', () => {
    expect(result.unpackedFiles.filter((f) => f.endsWith('.wasm')).length).toBeGreaterThanOrEqual(3);
    // ...and, besides them, only the native engine's addon (issue 12).
    expect(result.unpackedFiles.every((f) => f.startsWith('node_modules/@tensorflow/') || f === check.NATIVE_ADDON)).toBe(true);
  });

  it('leaves out sources, tests, scratch, bench, maps and dev tools', () => {
    // The native engine's addon is the one file from native/ (it is unpacked; see tests/native/packaging.test.ts).
    const packed = result.asarFiles.filter((f) => f !== check.NATIVE_ADDON);
    const outside = packed.filter((f) => !f.startsWith('dist/') && !f.startsWith('node_modules/'));
    expect(outside).toEqual(['package.json']);
    expect(packed.some((f) => /^(tests|scratch|bench|native|electron|renderer)\//.test(f))).toBe(false);
    expect(result.asarFiles.some((f) => f.endsWith('.map'))).toBe(false);
    expect(result.asarFiles.some((f) => /^node_modules\/(electron|vitest|typescript|electron-builder)\//.test(f))).toBe(false);
  });

  it('packs no module that package-lock.json marks dev-only: electron and its @electron/get, got and extract-zip stay out', () => {
    const devOnly = check.devOnlyPackages();
    // Electron is a devDependency (electron-builder's documented layout), so npm marks its own
    // dependencies dev too; were it optional, they would be production modules and packed.
    for (const folder of ['node_modules/electron', 'node_modules/@electron/get', 'node_modules/got', 'node_modules/extract-zip']) expect(devOnly.has(folder), folder).toBe(true);
    const packedFolders = new Set(result.asarFiles.map((f) => check.packageFolderOf(f)).filter((f) => f !== null));
    expect([...packedFolders].filter((f) => devOnly.has(f))).toEqual([]);
    expect(packedFolders.has('node_modules/zod')).toBe(true);
  });

  it('the layout check flags a packed dev-only module, nested ones included', () => {
    const devOnly = new Set(['node_modules/got', 'node_modules/@electron/get/node_modules/env-paths']);
    const broken = { ...result, asarFiles: [...result.asarFiles, 'node_modules/got/dist/source/index.js', 'node_modules/@electron/get/node_modules/env-paths/index.js'] };
    expect(check.layoutProblems(broken, devOnly)).toEqual([
      'packed node_modules/got/dist/source/index.js (nothing under node_modules/got/ belongs in the app)',
      'packed dev-only package node_modules/got (package-lock.json marks it dev)',
      'packed node_modules/@electron/get/node_modules/env-paths/index.js (nothing under node_modules/@electron/get/ belongs in the app)',
      'packed dev-only package node_modules/@electron/get/node_modules/env-paths (package-lock.json marks it dev)',
    ]);
    expect(check.layoutProblems(result, devOnly)).toEqual([]);
  });

  it('the layout check itself flags a missing worker script and a packed test file', () => {
    const broken = {
      ...result,
      asarFiles: [...result.asarFiles.filter((f) => f !== 'dist/native/engine/sweep-worker.js'), 'tests/api/harness.ts'],
    };
    expect(check.layoutProblems(broken)).toEqual(
      expect.arrayContaining(['app.asar lacks dist/native/engine/sweep-worker.js', expect.stringMatching(/^packed tests\/api\/harness\.ts/)]),
    );
  });
});
