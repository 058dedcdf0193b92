/**
 * The native addon in desktop packages: build/electron-builder.yml packs it and unpacks it from
 * app.asar (a shared library cannot be dlopened from inside an archive), and dist:check's layout
 * rule finds it missing or finds other native/ files packed. (`npm run dist:check` runs the rule
 * on a real packed layout.)
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { addonPath } from '../../native/backend/native-addon.js';

interface Layout {
  asarFiles: string[];
  unpackedFiles: string[];
}
const distCheck = (await import(pathToFileURL(path.resolve(import.meta.dirname, '../../build/dist-check.mjs')).href)) as {
  NATIVE_ADDON: string;
  ROOT: string;
  nativeAddonProblems(layout: Layout, built?: boolean): string[];
};

describe('the native addon in the desktop package', () => {
  const addon = distCheck.NATIVE_ADDON;

  it('is where the engine loads it from, relative to the app root', () => {
    expect(path.relative(distCheck.ROOT, addonPath(distCheck.ROOT)).split(path.sep).join('/')).toBe(addon);
  });

  it('electron-builder.yml packs it and unpacks it from app.asar', () => {
    const yml = readFileSync(path.join(distCheck.ROOT, 'build/electron-builder.yml'), 'utf8');
    const files = yml.slice(yml.indexOf('\nfiles:'), yml.indexOf('\nasar:'));
    const unpack = yml.slice(yml.indexOf('\nasarUnpack:'), yml.indexOf('\nnpmRebuild:'));
    expect(files).toContain(`- ${addon}`);
    expect(unpack).toContain('- native/addon/build/Release/*.node');
  });

  it('dist:check: a built addon must be in app.asar.unpacked, and nothing else of native/ may be packed', () => {
    const good = { asarFiles: ['dist/native/steer/sweep.js', addon], unpackedFiles: [addon] };
    expect(distCheck.nativeAddonProblems(good, true)).toEqual([]);
    expect(distCheck.nativeAddonProblems({ asarFiles: [addon], unpackedFiles: [] }, true)).toEqual([`app.asar.unpacked lacks ${addon} (the native engine)`]);
    // Where the addon could not be built, a package without it is still valid (it runs on tfjs).
    expect(distCheck.nativeAddonProblems({ asarFiles: [], unpackedFiles: [] }, false)).toEqual([]);
    expect(distCheck.nativeAddonProblems({ asarFiles: ['native/addon/src/binding.cc', addon], unpackedFiles: [addon] }, true)).toEqual([
      'packed native/addon/src/binding.cc (only the native addon belongs in the app)',
    ]);
  });
});
