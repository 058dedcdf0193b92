/**
 * The import graph of native/: no circles, and no import from a lower layer back up.
 *
 * Edges are every import of a relative .ts module: static imports and re-exports, type-only ones
 * included (a type shared by two layers belongs below both, or the layers are not layers), and
 * literal dynamic imports and `import('...')` type references, which tie modules as firmly.
 *
 * Layers, lowest first; a module may import its own layer and the ones below:
 *   util, version.ts            helpers with no SteerLab knowledge
 *   data, model, io, input      MNIST, the model and its spec, tensor files, preprocessing
 *   metrics                     per-label aggregates and evaluation arithmetic both engines share
 *   backend                     choosing the tfjs backend, the native addon and its model mirror
 *   train                       training configuration and kernels (tfjs steps, Adam, the native loop)
 *   engine                      the engine interface, its tfjs and native implementations, engineFor
 *   steer                       vectors and sweeps, through the engine interface
 *   analysis, robustness, zoo, report, session
 *                               experiments built on sweeps, and the session files that keep them
 *   service, bench              the workbench behind every front end; the benchmark
 *   api, server                 the request contract and dispatch; server mode
 *   cli, bin                    the command line
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';

const LAYERS: string[][] = [
  ['util', '.'],
  ['data', 'model', 'io', 'input'],
  ['metrics'],
  ['backend'],
  ['train'],
  ['engine'],
  ['steer'],
  ['analysis', 'robustness', 'zoo', 'report', 'session'],
  ['service', 'bench'],
  ['api', 'server'],
  ['cli', 'bin'],
];

const NATIVE = path.join(REPO_ROOT, 'native');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'addon' ? [] : tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative module specifiers a source imports (comments removed first, so examples in them do not count). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [
    ...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return [...new Set(found)].filter((s) => s.startsWith('.'));
}

/** The graph: each file (relative to native/) and the .ts files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(NATIVE)) {
    const targets = importSpecifiers(readFileSync(file, 'utf8'))
      .map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')))
      .filter((t) => t.endsWith('.ts') && existsSync(t))
      .map((t) => path.relative(NATIVE, t));
    graph.set(path.relative(NATIVE, file), targets);
  }
  return graph;
}

/** The circles of a graph: its strongly connected components with more than one file (Tarjan), each sorted. */
export function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The folder of native/ a file is in ('.' for native/ itself). */
const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : '.');
const layerOf = (file: string) => LAYERS.findIndex((layer) => layer.includes(folderOf(file)));

/** Imports that run from a lower layer up to a higher one, as "from -> to". */
export function upwardImports(graph: Map<string, string[]>): string[] {
  return [...graph].flatMap(([from, targets]) => targets.filter((to) => layerOf(to) > layerOf(from)).map((to) => `${from} -> ${to}`));
}

describe('the import graph of native/', () => {
  const graph = importGraph();

  it('covers the engine: many files and imports, the engine folder among them', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect([...graph.values()].reduce((n, t) => n + t.length, 0)).toBeGreaterThan(500);
    expect(graph.get('steer/sweep.ts')).toContain('engine/engine-for.ts');
  });

  it('puts every folder of native/ in a layer', () => {
    const unplaced = [...new Set([...graph.keys()].map(folderOf))].filter((f) => !LAYERS.some((l) => l.includes(f)));
    expect(unplaced).toEqual([]);
  });

  it('has no circles', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('has no import from a lower layer back up', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('the checks find what they look for: a circle, an upward import, each kind of import', () => {
    const small = new Map([
      ['model/a.ts', ['model/b.ts']],
      ['model/b.ts', ['engine/c.ts']],
      ['engine/c.ts', ['model/a.ts']],
      ['util/d.ts', []],
    ]);
    expect(circles(small)).toEqual([['engine/c.ts', 'model/a.ts', 'model/b.ts']]);
    expect(upwardImports(small)).toEqual(['model/b.ts -> engine/c.ts']);
    const source = [
      "import type { A } from './a.js';",
      "export { B } from '../b.js';",
      "import './side-effect.js';",
      'const c = await import("./c.js");',
      "type D = import('./d.js').D;",
      "import * as tf from '@tensorflow/tfjs';",
      "// import { e } from './e.js';",
      "/* export { f } from './f.js'; */",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './side-effect.js']);
  });
});
