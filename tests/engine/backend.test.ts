/**
 * Backend selection when the native modules are missing or broken: the fallback order, the
 * reasons reported, and forcing a backend.
 */
import { describe, it, expect } from 'vitest';
import { selectBackend, explainLoadFailure, parseBackendName, describeBackend, type ModuleImporter } from '../../native/backend/select.js';
import { explainNativeUnavailable, addonPath, activeNative, type NativeLoad } from '../../native/backend/native-addon.js';
import { nativeStatus } from '../../native/backend/backend-types.js';
import { NATIVE_BUILT } from '../native/backends.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const notInstalled = (specifier: string) => Object.assign(new Error(`Cannot find package '${specifier}' imported from x`), { code: 'ERR_MODULE_NOT_FOUND' });

/** An importer where the named packages fail with the given error and everything else loads. */
function importerWith(failures: Record<string, Error>): ModuleImporter {
  return async (specifier) => {
    if (failures[specifier]) throw failures[specifier];
    return import(specifier);
  };
}

/** A native addon that is not built, as loadNativeAddon reports it. */
const nativeMissing = (): NativeLoad => ({ reason: 'not built (no C++ compiler found); fix: npm run build:native', file: 'x.node' });

describe('backend selection', () => {
  it('falls back to wasm when neither tfjs-node package is installed, and says why', async () => {
    const report = await selectBackend({
      env: {},
      nativeLoader: nativeMissing,
      importer: importerWith({ '@tensorflow/tfjs-node-gpu': notInstalled('@tensorflow/tfjs-node-gpu'), '@tensorflow/tfjs-node': notInstalled('@tensorflow/tfjs-node') }),
    });
    expect(report.name).toBe('wasm');
    expect(report.tfjsBackend).toBe('wasm');
    expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'native', 'tensorflow']);
    expect(report.skipped[1].reason).toBe('not built (no C++ compiler found); fix: npm run build:native');
    expect(activeNative()).toBeNull();
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
      nativeLoader: nativeMissing,
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
    expect(() => parseBackendName('tpu')).toThrow('Unknown backend "tpu". Use one of: tensorflow-gpu, native, tensorflow, wasm, cpu.');
    expect(parseBackendName('GPU')).toBe('tensorflow-gpu');
  });

  it('explains libtensorflow load failures', () => {
    expect(explainLoadFailure('tensorflow', new Error('libtensorflow.so.2: cannot open shared object file'))).toMatch(/^libtensorflow failed to load/);
  });
});

describe('the native backend', () => {
  it.skipIf(!NATIVE_BUILT)('is chosen after tensorflow-gpu and before tensorflow when its addon loads, with tfjs wasm underneath', async () => {
    const report = await selectBackend({
      env: { STEERLAB_THREADS: '1' },
      importer: importerWith({ '@tensorflow/tfjs-node-gpu': notInstalled('a') }),
    });
    expect(report.name).toBe('native');
    expect(report.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu']);
    expect(report.tfjsBackend).toBe('wasm');
    // STEERLAB_THREADS caps the BLAS threads.
    expect(report.native?.threads).toBe(1);
    expect(activeNative()).not.toBeNull();
    expect(describeBackend(report)[1]).toMatch(/^  native engine: .+, 1 BLAS thread; tfjs wasm runs the remaining tfjs operations$/);
    await selectBackend({ forced: 'wasm' });
    expect(activeNative()).toBeNull();
  });

  it('a forced native backend that is not built is an error with the reason and the fix', async () => {
    await expect(selectBackend({ forced: 'native', nativeLoader: nativeMissing })).rejects.toThrow(
      'The native backend was requested but not built (no C++ compiler found); fix: npm run build:native.',
    );
  });

  it('says why it is unavailable: not built (with the build log reason), no BLAS, failed to load, other platforms', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'steerlab-native-'));
    const file = addonPath(root);
    expect(explainNativeUnavailable(file, undefined, 'linux')).toBe(
      "not built (the install step did not build it); fix: sudo apt install build-essential libopenblas-dev (or your distribution's OpenBLAS and compiler packages), then npm run build:native",
    );
    expect(explainNativeUnavailable(file, undefined, 'darwin')).toBe('not built (the install step did not build it); fix: xcode-select --install; then npm run build:native');
    mkdirSync(path.dirname(path.dirname(file)), { recursive: true });
    writeFileSync(path.join(path.dirname(path.dirname(file)), 'status.json'), JSON.stringify({ ok: false, reason: 'no BLAS found: cblas.h is missing' }));
    expect(explainNativeUnavailable(file, undefined, 'linux')).toMatch(/^not built \(no BLAS found: cblas\.h is missing\); fix: sudo apt install build-essential libopenblas-dev/);
    expect(explainNativeUnavailable(file, new Error('libopenblas.so.0: cannot open shared object file'), 'linux')).toMatch(/^no BLAS found \(libopenblas\.so\.0: cannot open shared object file\); fix: /);
    expect(explainNativeUnavailable(file, new Error('invalid ELF header'), 'darwin')).toBe('failed to load (invalid ELF header); fix: rebuild it with npm run build:native');
    expect(explainNativeUnavailable(file, undefined, 'win32')).toBe('not available on win32 (the native engine is built with OpenBLAS on Linux or Accelerate on macOS)');
  });

  it('in a packaged app the addon is read from app.asar.unpacked', () => {
    expect(addonPath('/opt/SteerLab/resources/app.asar')).toBe(path.join('/opt/SteerLab/resources/app.asar.unpacked', 'native', 'addon', 'build', 'Release', 'steerlab_native.node'));
  });
});

describe('the native engine status sentence (doctor, app status bar)', () => {
  const base = { tfjsBackend: 'wasm', forced: false };
  it('says it is in use, with the BLAS and threads', () => {
    expect(nativeStatus({ ...base, name: 'native', skipped: [], native: { blas: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH', threads: 2 } })).toBe(
      'native engine in use (OpenBLAS 0.3.21, 2 BLAS threads; tfjs wasm runs the few remaining tfjs operations)',
    );
  });
  it('says why not: its skip reason, a forced backend, or a faster backend first', () => {
    expect(nativeStatus({ ...base, name: 'wasm', skipped: [{ name: 'native', reason: 'not built (x); fix: npm run build:native' }] })).toBe('native engine not used: not built (x); fix: npm run build:native');
    expect(nativeStatus({ ...base, name: 'cpu', forced: true, skipped: [] })).toBe('native engine not used: the cpu backend was forced');
    expect(nativeStatus({ ...base, name: 'tensorflow-gpu', tfjsBackend: 'tensorflow', skipped: [] })).toBe('native engine not used: tensorflow-gpu comes first in the selection order');
  });
});
