/**
 * Backend selection: use the fastest backend that loads on this machine.
 *
 * Order: tensorflow via @tensorflow/tfjs-node-gpu (CUDA), native (SteerLab's own addon over the
 * system BLAS, native/addon/), tensorflow via @tensorflow/tfjs-node (CPU), wasm, cpu. With
 * native, the engine's hot paths (training, evaluation, sweeps, steering) run in the addon and
 * tfjs keeps wasm (else cpu) underneath for the little that remains (residual models, drawings).
 * A command whose model the addon runs may defer that (`deferTfjs`): tfjs is then not loaded at
 * all unless something uses it, and the report says which tfjs backend ran, if any
 * (readyTfjsUnderNative loads wasm, else cpu, when work is known to need tfjs). The two native
 * packages are optional dependencies because their install scripts download libtensorflow; where
 * that failed they are simply absent, and we say so. `--backend NAME` or STEERLAB_BACKEND forces
 * one choice (and fails loudly if it cannot load).
 */
import { createRequire } from 'node:module';
import { tf, tfjsLoaded, onFirstTfjsUse } from '../util/tfjs.js';

export { BACKEND_NAMES, TFJS_NOT_LOADED, type BackendName, type BackendReport } from './backend-types.js';
import { BACKEND_NAMES, TFJS_NOT_LOADED, type BackendName, type BackendReport, tfjsUnderneathText } from './backend-types.js';
import { availableParallelism } from 'node:os';
import { type NativeAddon, type NativeLoad, loadNativeAddon, setActiveNative, nativeThreads } from './native-addon.js';
import { countOf } from '../util/plural.js';

/** Imports a module by name; injectable so tests can simulate missing or broken packages. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/**
 * tfjs's packages are CommonJS: `require` loads them as they are, where an ESM `import` would
 * first lex each bundle for its named exports (a tenth of a second for the wasm backend alone).
 */
const requireCjs = createRequire(import.meta.url);
const defaultImporter: ModuleImporter = async (specifier) => requireCjs(specifier);

const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** Turns a load failure into a sentence a user can act on. */
export function explainLoadFailure(name: BackendName, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  if (name === 'tensorflow-gpu' || name === 'tensorflow') {
    const pkg = NATIVE_PACKAGE[name];
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) {
      return `module not installed (${pkg} is optional; its install downloads libtensorflow, which needs network access)`;
    }
    const cudaLib = /(libcud\w*|libcublas\w*|libcufft\w*|libcurand\w*|libcusolver\w*|libcusparse\w*)[^\s:]*/.exec(message);
    if (cudaLib) return `CUDA library missing: ${cudaLib[0]} (tfjs-node-gpu needs CUDA 11.2 and cuDNN 8)`;
    if (/libtensorflow/.test(message)) return `libtensorflow failed to load: ${firstLine(message)}`;
  }
  return `failed to load: ${firstLine(message)}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200);
}

/** Normalises a user-given backend name (`--backend`, STEERLAB_BACKEND); throws on unknown names. */
export function parseBackendName(value: string): BackendName {
  const v = value.trim().toLowerCase();
  const aliases: Record<string, BackendName> = { gpu: 'tensorflow-gpu', cuda: 'tensorflow-gpu', 'tfjs-node-gpu': 'tensorflow-gpu', 'tfjs-node': 'tensorflow', node: 'tensorflow' };
  const name = (aliases[v] ?? v) as BackendName;
  if (!BACKEND_NAMES.includes(name)) {
    throw new Error(`Unknown backend "${value}". Use one of: ${BACKEND_NAMES.join(', ')}.`);
  }
  return name;
}

/** Tries to make `name` the active tfjs backend. Resolves to null on success, else the reason. */
async function tryBackend(name: BackendName, importer: ModuleImporter, native: () => NativeLoad, deferTfjs = false): Promise<string | null> {
  try {
    if (name === 'native') {
      const load = native();
      if (!('addon' in load)) return load.reason;
      if (deferTfjs) return null;
      return tryTfjsUnderNative(importer, native);
    }
    if (name === 'tensorflow-gpu' || name === 'tensorflow') {
      await importer(NATIVE_PACKAGE[name]);
      if (!(await tf.setBackend('tensorflow'))) return 'the tensorflow backend did not initialise';
      return null;
    }
    if (name === 'wasm') {
      await importer('@tensorflow/tfjs-backend-wasm');
      // tfjs logs "Initialization of backend wasm failed" before rejecting; the reason is reported by us.
      return (await tf.setBackend('wasm')) ? null : 'the wasm backend did not initialise';
    }
    return (await tf.setBackend('cpu')) ? null : 'the cpu backend did not initialise';
  } catch (error) {
    return explainLoadFailure(name, error);
  }
}

/** tfjs under the native engine, for the few operations outside the addon: wasm, else cpu. */
async function tryTfjsUnderNative(importer: ModuleImporter, native: () => NativeLoad): Promise<string | null> {
  if (!(await tryBackend('wasm', importer, native)) || !(await tryBackend('cpu', importer, native))) return null;
  return 'no tfjs backend (wasm or cpu) loaded underneath it';
}

export interface SelectOptions {
  /** A forced backend (from --backend); falls back to env.STEERLAB_BACKEND. */
  forced?: string;
  env?: NodeJS.ProcessEnv;
  importer?: ModuleImporter;
  /** Loads the native addon (tests inject a missing or broken one). */
  nativeLoader?: () => NativeLoad;
  /**
   * With the native backend, leave tfjs unloaded (tfjsBackend 'none') until something uses it:
   * for a command whose model the addon runs, which then needs no tfjs. Code that uses tfjs
   * synchronously before readyTfjsUnderNative gets tfjs's cpu backend, and the report says so.
   */
  deferTfjs?: boolean;
}

/** Makes the native engine active (with its thread count) or inactive, and says so in the report. */
function finish(report: BackendReport, native: () => NativeLoad, env: NodeJS.ProcessEnv): BackendReport {
  onFirstTfjsUse(null);
  if (report.name !== 'native') {
    setActiveNative(null);
    return report;
  }
  const addon = (native() as { addon: NativeAddon }).addon;
  addon.setThreads(nativeThreads(env, availableParallelism()));
  setActiveNative(addon);
  const info = addon.info();
  const done: BackendReport = { ...report, native: { blas: info.blas, threads: info.threads, flushesSubnormals: info.flushesSubnormals } };
  // Deferred tfjs: whatever first uses it runs on the backend tfjs picks by itself (cpu, the only
  // one registered), and the report says so from then on.
  if (done.tfjsBackend === TFJS_NOT_LOADED) {
    onFirstTfjsUse((core) => {
      core.backend(); // initialises the backend tfjs picks, so that getBackend() can name it
      done.tfjsBackend = core.getBackend();
    });
  }
  return done;
}

/**
 * Under the native engine with tfjs deferred (SelectOptions.deferTfjs), loads tfjs now as
 * selection would have (wasm, else cpu), for work known to run on tfjs (a residual model), and
 * writes the backend into `report`. Does nothing when tfjs is already loaded.
 */
export async function readyTfjsUnderNative(report: BackendReport, importer: ModuleImporter = defaultImporter): Promise<void> {
  if (report.name !== 'native' || report.tfjsBackend !== TFJS_NOT_LOADED) return;
  onFirstTfjsUse(null);
  const reason = await tryTfjsUnderNative(importer, () => ({ reason: 'not needed', file: '' }));
  if (reason) throw new Error(`The native engine declines this model and tfjs cannot run it: ${reason}.`);
  report.tfjsBackend = tf.getBackend();
}

/**
 * Activates the best backend that loads and reports the choice. With a forced backend, only that
 * one is tried, and failure is an error naming the reason and the alternatives.
 */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const importer = options.importer ?? defaultImporter;
  const native = options.nativeLoader ?? (() => loadNativeAddon());
  const forcedRaw = options.forced ?? env.STEERLAB_BACKEND;
  const skipped: BackendReport['skipped'] = [];
  // Deferring helps only while nothing in this process has loaded tfjs yet.
  const defer = options.deferTfjs === true && !tfjsLoaded();
  const tfjsBackendOf = (name: BackendName) => (name === 'native' && defer ? TFJS_NOT_LOADED : tf.getBackend());
  if (forcedRaw) {
    const name = parseBackendName(forcedRaw);
    const reason = await tryBackend(name, importer, native, defer);
    if (reason) {
      throw new Error(`The ${name} backend was requested but ${reason}. Drop --backend/STEERLAB_BACKEND to pick automatically, or choose another of: ${BACKEND_NAMES.join(', ')}.`);
    }
    return finish({ name, tfjsBackend: tfjsBackendOf(name), skipped, forced: true }, native, env);
  }
  for (const name of BACKEND_NAMES) {
    const reason = await tryBackend(name, importer, native, defer);
    if (reason === null) return finish({ name, tfjsBackend: tfjsBackendOf(name), skipped, forced: false }, native, env);
    skipped.push({ name, reason });
  }
  throw new Error(`No tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}.`);
}

/** One line per backend, for `steerlab doctor` and result headers. */
export function describeBackend(report: BackendReport): string[] {
  const lines = [`backend: ${report.name}${report.forced ? ' (forced)' : ''}`];
  if (report.native) {
    // Flush-to-zero keeps Adam's steps as fast late in training as early (native/addon/src/float_mode.h).
    const subnormals = report.native.flushesSubnormals ? 'subnormals flushed to zero on every kernel thread' : 'subnormals kept (later epochs run slower)';
    lines.push(`  native engine: ${report.native.blas}, ${subnormals}, ${countOf(report.native.threads, 'BLAS thread')}; ${tfjsUnderneathText(report)}`);
  }
  for (const s of report.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  return lines;
}
