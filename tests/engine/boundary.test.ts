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

  const inside = (f: string, ...dirs: string[]) => dirs.some((d) => path.relative(REPO_ROOT, f).startsWith(path.join('native', d) + path.sep));
  /** Source with comments removed, so a comment naming a function is not a call. */
  const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const appFiles = [...files, ...sources(path.join(REPO_ROOT, 'renderer', 'src')), ...sources(path.join(REPO_ROOT, 'electron'))];

  it('one place decides which engine runs a model: only native/engine/ and native/backend/ call activeNative, nativeEngineFor or nativeTrainerFor', () => {
    const offenders = appFiles
      .filter((f) => !inside(f, 'engine', 'backend'))
      .flatMap((f) => [...code(f).matchAll(/\b(activeNative|nativeEngineFor|nativeTrainerFor)\s*\(/g)].map((m) => `${path.relative(REPO_ROOT, f)}: ${m[1]}()`));
    expect(offenders).toEqual([]);
  });

  it('callers never ask which engine they got: nothing outside native/engine/ imports an implementation (tfjs-engine, native-engine) or compares with one', () => {
    const offenders = appFiles
      .filter((f) => !inside(f, 'engine'))
      .flatMap((f) => [
        ...importsOf(f).filter((s) => /\/(tfjs|native)-engine(\.js)?$/.test(s)),
        ...[...code(f).matchAll(/\b(tfjsEngine|nativeEngine)\b/g)].map((m) => m[1]),
      ].map((s) => `${path.relative(REPO_ROOT, f)}: ${s}`));
    expect(offenders).toEqual([]);
  });

  it('the engine checks catch what they are meant to (a call, an implementation import, a comparison)', () => {
    const call = /\b(activeNative|nativeEngineFor|nativeTrainerFor)\s*\(/;
    expect(call.test("const native = nativeEngineFor(model.spec);")).toBe(true);
    expect(call.test("import { nativeEngineFor } from '../backend/native-addon.js';")).toBe(false);
    expect(/\/(tfjs|native)-engine(\.js)?$/.test('../engine/native-engine.js')).toBe(true);
    expect(/\/(tfjs|native)-engine(\.js)?$/.test('../engine/model-engine.js')).toBe(false);
    expect(/\b(tfjsEngine|nativeEngine)\b/.test('if (engine === tfjsEngine) return;')).toBe(true);
  });

  it('native/ uses no DOM globals', () => {
    const offenders = files.filter((f) => /\b(document|window|localStorage)\.\w/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });

  it('what the renderer bundles from native/ is free of tfjs and Node built-ins', () => {
    const bundled = ['native/api/contract.ts', 'native/steer/addition-schema.ts', 'native/input/mnist-preprocess.ts', 'native/model/weights.ts', 'native/metrics/compare.ts', ...files.filter((f) => f.endsWith('-types.ts')).map((f) => path.relative(REPO_ROOT, f))];
    const offenders = bundled.flatMap((f) => importsOf(path.join(REPO_ROOT, f)).filter((s) => s.startsWith('@tensorflow') || s.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(s)).map((s) => `${f}: ${s}`));
    expect(offenders).toEqual([]);
  });

  it('nothing the renderer reaches through its imports (type-only ones included: svelte-check reads them) uses Node built-ins or tfjs', () => {
    const rendererFiles = sources(path.join(REPO_ROOT, 'renderer', 'src')).concat(svelteFiles(path.join(REPO_ROOT, 'renderer', 'src')));
    const reached = reachableFrom(rendererFiles);
    const offenders = [...reached.entries()].flatMap(([file, from]) =>
      importsOf(file).filter(isNodeOrTfjs).map((s) => `${path.relative(REPO_ROOT, file)} (reached from ${path.relative(REPO_ROOT, from)}): ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});

const isNodeOrTfjs = (s: string) => s.startsWith('@tensorflow') || s.startsWith('node:') || ['fs', 'path', 'os', 'crypto', 'zlib', 'env-paths'].includes(s);

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return svelteFiles(full);
    return name.endsWith('.svelte') ? [full] : [];
  });
}

/** Every file under native/ reachable from `starts` by relative imports, with the file that first imported it. */
function reachableFrom(starts: string[]): Map<string, string> {
  const nativeRoot = path.join(REPO_ROOT, 'native') + path.sep;
  const reached = new Map<string, string>();
  const queue = [...starts];
  const seen = new Set(starts);
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), spec);
      const target = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`].find((c) => { try { return statSync(c).isFile(); } catch { return false; } });
      if (!target || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
      if (target.startsWith(nativeRoot)) reached.set(target, file);
    }
  }
  return reached;
}

