/**
 * Backend selection when the native modules are missing or broken: the fallback order, the
 * reasons reported, and forcing a backend.
 */
import { describe, it, expect } from 'vitest';
import { selectBackend, explainLoadFailure, parseBackendName, type ModuleImporter } from '../../native/backend/select.js';

const notInstalled = (specifier: string) => Object.assign(new Error(`Cannot find package '${specifier}' imported from x`), { code: 'ERR_MODULE_NOT_FOUND' });

/** An importer where the named packages fail with the given error and everything else loads. */
function importerWith(failures: Record<string, Error>): ModuleImporter {
  return async (specifier) => {
    if (failures[specifier]) throw failures[specifier];
    return import(specifier);
  };
}

describe('backend selection', () => {
  it('falls back to wasm when neither tfjs-node package is installed, and says why', async () => {
    const report = await selectBackend({
      env: {},
      importer: importerWith({ '@tensorflow/tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), '@tensorflow/tfjs-node': notInstalled('@tensorflow/tfjs-node') }),
    });
    expect(report.name).toBe('wasm');
    expect(report.tfjsBackend).toBe('wasm');
    expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(report.skipped[0].reason).toMatch(/^module not installed \(@tensorflow\/tfjs-node-gpu is optional/);
  });

  it('reports a missing CUDA library by name', async () => {
    const cuda = new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
    const report = await selectBackend({
      env: {},
      importer: importerWith({ '@tensorflow/tfjs-node-gpu': cuda, '@tensorflow/tfjs-node': notInstalled('@tensorflow/tfjs-node') }),
    });
    expect(report.skipped[0]).toEqual({ name: 'tensorflow-gpu', reason: 'CUDA library missing: libcudart.so.11.0 (tfjs-node-gpu needs CUDA 11.2 and cuDNN 8)' });
  });

  it('falls back to cpu when wasm cannot load either', async () => {
    const report = await selectBackend({
      env: {},
      importer: importerWith({
        '@tensorflow/tfjs-node-gpu': notInstalled('a'),
        '@tensorflow/tfjs-node': notInstalled('b'),
        '@tensorflow/tfjs-backend-wasm': new Error('WebAssembly.instantiate(): out of memory'),
      }),
    });
    expect(report.name).toBe('cpu');
    expect(report.skipped.find((s) => s.name === 'wasm')?.reason).toBe('failed to load: WebAssembly.instantiate(): out of memory');
  });

  it('STEERLAB_BACKEND forces a backend', async () => {
    const report = await selectBackend({ env: { STEERLAB_BACKEND: 'cpu' } });
    expect(report).toMatchObject({ name: 'cpu', forced: true, tfjsBackend: 'cpu' });
  });

  it('a forced backend that cannot load is an error naming it and the reason', async () => {
    await expect(selectBackend({ forced: 'tensorflow-gpu', importer: importerWith({ '@tensorflow/tfjs-node-gpu': notInstalled('x') }) })).rejects.toThrow(
      /The tensorflow-gpu backend was requested but module not installed/,
    );
  });

  it('unknown names are refused with the list of valid ones', () => {
    expect(() => parseBackendName('tpu')).toThrow('Unknown backend "tpu". Use one of: tensorflow-gpu, tensorflow, wasm, cpu.');
    expect(parseBackendName('GPU')).toBe('tensorflow-gpu');
  });

  it('explains libtensorflow load failures', () => {
    expect(explainLoadFailure('tensorflow', new Error('libtensorflow.so.2: cannot open shared object file'))).toMatch(/^libtensorflow failed to load/);
  });
});
