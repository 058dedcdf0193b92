/**
 * The engine's boundary: nothing under native/ imports Electron, Svelte, the renderer or DOM
 * globals, and the modules the renderer bundles (the contract and the *-types files it names)
 * import neither tfjs nor Node built-ins.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|js|cts|mjs)$/.test(name) ? [full] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

describe('engine boundary', () => {
  const files = sources(path.join(REPO_ROOT, 'native'));

  it('native/ has source files to check', () => {
    expect(files.length).toBeGreaterThan(40);
  });

  it('native/ never imports electron, svelte or the renderer', () => {
    const offenders = files.flatMap((f) => importsOf(f).filter((s) => s === 'electron' || s.startsWith('svelte') || s.includes('/renderer/')).map((s) => `${path.relative(REPO_ROOT, f)}: ${s}`));
    expect(offenders).toEqual([]);
  });

  it('one place decides which engine runs a model: nothing outside native/backend/ calls activeNative() (operations ask nativeEngineFor(spec))', () => {
    const outside = files.filter((f) => !path.relative(REPO_ROOT, f).startsWith(path.join('native', 'backend')));
    const offenders = outside.filter((f) => /\bactiveNative\s*\(/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('native/ uses no DOM globals', () => {
    const offenders = files.filter((f) => /\b(document|window|localStorage)\.\w/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('what the renderer bundles from native/ is free of tfjs and Node built-ins', () => {
    const bundled = ['native/api/contract.ts', 'native/input/mnist-preprocess.ts', 'native/model/weights.ts', 'native/metrics/compare.ts', ...files.filter((f) => f.endsWith('-types.ts')).map((f) => path.relative(REPO_ROOT, f))];
    const offenders = bundled.flatMap((f) => importsOf(path.join(REPO_ROOT, f)).filter((s) => s.startsWith('@tensorflow') || s.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(s)).map((s) => `${f}: ${s}`));
    expect(offenders).toEqual([]);
  });
});
