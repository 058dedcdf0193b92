/**
 * The addon's entry points never crash the process: every argument of every call replaced by a
 * hostile value (wrong type, wrong length, NaN, out-of-range numbers, labels past 9, indices past
 * the end), one at a time and then several at random from a fixed seed. Each call must either
 * work or fail with a one-sentence "steerlab native: ..." error; a crash would end this test run.
 */
import { describe, it, expect } from 'vitest';
import { NATIVE_BUILT, nativeAddon } from './backends.js';
import { seededRandom } from '../../native/model/random.js';
import { initWeights } from '../../native/model/weights.js';
import { nativeParams } from '../../native/backend/native-model.js';
import type { NativeModel } from '../../native/backend/native-addon.js';

const SIZES = [784, 8, 6, 10];

function hostileValues(): unknown[] {
  const nanF32 = new Float32Array(8 * 784).fill(0.5);
  nanF32[3] = Number.NaN;
  return [
    undefined, null, Number.NaN, -1, 0, 1.5, 2 ** 31, 1e300, -Infinity, '', 'x', {}, [], [null], () => 1, Symbol('s'), true,
    new Float32Array(0), new Float32Array(3), new Float64Array(784), new Uint8Array(784).fill(255), new Int32Array(2), new Uint32Array([1e9]),
    nanF32, new Uint8Array(10).fill(200), [1, 2, 3, 4, 5], [new Float32Array(7), null, null, null, null], new Array(5).fill(new Float32Array(1)),
  ];
}

/** Calls `call(args)` and checks the outcome is a value or a one-sentence addon error. */
async function outcome(call: () => unknown): Promise<'ok' | 'error'> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    // The addon's own checks, or its cancel; nothing else (no "std::..." and no engine internals).
    expect(message).toMatch(/^(steerlab native: [^\n]+[.]|cancelled)$/);
    return 'error';
  }
}

describe.skipIf(!NATIVE_BUILT)('fuzzing the native addon entry points', () => {
  const addon = NATIVE_BUILT ? nativeAddon() : (null as never);
  const params = () => nativeParams(initWeights(SIZES, seededRandom(1)));
  const count = 12;
  const pixels = () => new Uint8Array(count * 784).map((_, i) => (i * 37) % 256);
  const labels = () => Uint8Array.from({ length: count }, (_, i) => i % 10);
  const control = () => new Int32Array(new SharedArrayBuffer(8));
  const model = () => new addon.Model(SIZES, params());
  const trainer = () => new addon.Trainer(SIZES, params(), { learningRate: 0.01 });
  // Any network with every option: 784-8-6-10 GELU with LayerNorm, SGD with momentum, decay and dropout.
  const anyModules = ['linear', 'layernorm', 'gelu', 'linear', 'layernorm', 'tanh', 'linear'];
  const anyParams = () => {
    const p = params();
    return [p[0], p[1], new Float32Array(8).fill(1), new Float32Array(8), p[2], p[3], new Float32Array(6).fill(1), new Float32Array(6), p[4], p[5]];
  };
  const anyOptions = () => ({ learningRate: 0.01, optimizer: 'sgd', momentum: 0.9, weightDecay: 0.01, dropout: 0.2, dropoutSeed: 7, modules: anyModules });
  const anyTrainer = () => new (addon.Trainer as unknown as new (...x: unknown[]) => { run: (...x: unknown[]) => unknown })(SIZES, anyParams(), anyOptions());

  // Each entry point with a valid argument list.
  const entries: { name: string; args: () => unknown[]; call: (args: unknown[]) => unknown }[] = [
    { name: 'new Model', args: () => [SIZES, params()], call: (a) => new (addon.Model as unknown as new (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.forward', args: () => [new Float32Array(2 * 784).fill(0.5), 2, [null, new Float32Array(8), null, null, null], 3, false], call: (a) => (model().forward as (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.steer', args: () => [new Float32Array(784).fill(0.25), [new Float32Array(8), null, null, new Float32Array(6), null]], call: (a) => (model().steer as (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.evaluate', args: () => [pixels(), labels(), count, null, 0, new Float32Array(2 * 8), 2, 5, control()], call: (a) => (model().evaluate as (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.evaluate (a hook per vector)', args: () => [pixels(), labels(), count, null, [0, 3, 4], new Float32Array(8 + 6 + 10), 3, 5, control()], call: (a) => (model().evaluate as (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.evaluateSync', args: () => [pixels(), labels(), count, null, 2, new Float32Array(6), 1, 4], call: (a) => (model().evaluateSync as (...x: unknown[]) => unknown)(...a) },
    { name: 'Model.lossAndGradients', args: () => [new Float32Array(3 * 784), Uint8Array.from([1, 2, 3]), 3], call: (a) => (model().lossAndGradients as (...x: unknown[]) => unknown)(...a) },
    { name: 'new Trainer', args: () => [SIZES, params(), { learningRate: 0.01 }], call: (a) => new (addon.Trainer as unknown as new (...x: unknown[]) => unknown)(...a) },
    { name: 'Trainer.run', args: () => [pixels(), labels(), Uint32Array.from({ length: count }, (_, i) => i), 0, 2, 5, control()], call: (a) => (trainer().run as (...x: unknown[]) => unknown)(...a) },
    { name: 'new Trainer (any network)', args: () => [SIZES, anyParams(), anyOptions()], call: (a) => new (addon.Trainer as unknown as new (...x: unknown[]) => unknown)(...a) },
    { name: 'Trainer.run (any network)', args: () => [pixels(), labels(), Uint32Array.from({ length: count }, (_, i) => i), 0, 2, 5, control()], call: (a) => anyTrainer().run(...a) },
    { name: 'setThreads', args: () => [1], call: (a) => (addon.setThreads as (...x: unknown[]) => unknown)(...a) },
    { name: 'sgemmGflops', args: () => [8, 8, 8, 0.001], call: (a) => (addon.sgemmGflops as (...x: unknown[]) => unknown)(...a) },
  ];

  it('valid calls work', async () => {
    for (const entry of entries) expect(await outcome(() => entry.call(entry.args())), entry.name).toBe('ok');
  });

  it('every argument replaced by every hostile value: a result or a one-sentence error, never a crash', async () => {
    let errors = 0;
    for (const entry of entries) {
      const arity = entry.args().length;
      for (let position = 0; position <= arity; position++) {
        for (const bad of hostileValues()) {
          const args = entry.args();
          args[position] = bad;
          if ((await outcome(() => entry.call(args))) === 'error') errors++;
        }
      }
    }
    // Most substitutions must be refused (an accepted one is a coincidentally valid value).
    expect(errors).toBeGreaterThan(500);
  });

  it('every training option replaced by every hostile value: a trainer or a one-sentence error', async () => {
    let errors = 0;
    for (const key of Object.keys(anyOptions())) {
      for (const bad of hostileValues()) {
        const options: Record<string, unknown> = { ...anyOptions(), [key]: bad };
        if ((await outcome(() => new (addon.Trainer as unknown as new (...x: unknown[]) => unknown)(SIZES, anyParams(), options))) === 'error') errors++;
      }
    }
    // undefined is the default for every key, and a few numbers are in range; the rest are refused.
    expect(errors).toBeGreaterThan(150);
  });

  it('random combinations of hostile arguments (seeded, 400 calls)', async () => {
    const random = seededRandom(20261126);
    const values = hostileValues();
    for (let i = 0; i < 400; i++) {
      const entry = entries[Math.floor(random() * entries.length)];
      const args = entry.args();
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes; c++) args[Math.floor(random() * args.length)] = values[Math.floor(random() * values.length)];
      await outcome(() => entry.call(args));
    }
    // Still healthy afterwards.
    expect(model().forward(new Float32Array(784), 1, null, 4, false)).toHaveLength(10);
  });

  it('random module lists with residual blocks anywhere (seeded, 300 lists): a model that runs every entry point at every hook, or a one-sentence refusal', async () => {
    const random = seededRandom(18);
    // Single modules, or a whole block's flattened f and its residual (valid where the widths match).
    const pieces = [['linear'], ['relu'], ['gelu'], ['layernorm'], ['residual'], ['linear', 'relu', 'linear', 'residual'], ['linear', 'gelu', 'linear', 'residual'], ['relu', 'linear', 'residual']];
    let built = 0;
    let builtWithBlocks = 0;
    for (let i = 0; i < 300; i++) {
      // linear first and last; hidden widths 1..4, half the time all the same (else a block keeps its width only by chance).
      const inner = Array.from({ length: Math.floor(random() * 4) }, () => pieces[Math.floor(random() * pieces.length)]).flat();
      const modules = ['linear', ...inner, 'linear'];
      const linears = modules.filter((m) => m === 'linear').length;
      const same = random() < 0.5 ? 1 + Math.floor(random() * 4) : 0;
      const sizes = [784, ...Array.from({ length: linears - 1 }, () => same || 1 + Math.floor(random() * 4)), 10];
      let width = 784;
      let at = 0;
      const params: Float32Array[] = [];
      for (const m of modules) {
        if (m === 'linear') {
          params.push(Float32Array.from({ length: sizes[at + 1] * width }, () => random() - 0.5), new Float32Array(sizes[at + 1]));
          width = sizes[++at];
        } else if (m === 'layernorm') params.push(new Float32Array(width).fill(1), new Float32Array(width));
      }
      let candidate: NativeModel | undefined;
      if ((await outcome(() => (candidate = new (addon.Model as unknown as new (...x: unknown[]) => NativeModel)(sizes, params, modules)))) === 'error') continue;
      built++;
      if (modules.includes('residual')) builtWithBlocks++;
      const m = candidate!;
      const hooks = modules.length;
      const widths = Array.from({ length: hooks }, (_, k) => (m.forward(new Float32Array(784), 1, null, k, false) as Float32Array).length);
      for (let hook = 0; hook < hooks; hook++) {
        const additions = widths.map((w, k) => (k === hook ? new Float32Array(w).fill(0.3) : null));
        expect(await outcome(() => m.forward(new Float32Array(2 * 784).fill(0.2), 2, additions, hooks - 1, false, [{ hook, direction: new Float32Array(widths[hook]).fill(1) }])), `forward ${modules.join(',')}`).toBe('ok');
        expect(await outcome(() => m.steer(new Float32Array(784).fill(0.1), additions)), `steer ${modules.join(',')}`).toBe('ok');
        expect(await outcome(() => m.intervene(pixels(), labels(), count, null, hook, new Float32Array(2 * widths[hook]).fill(0.5), 2, 5, control(), Uint8Array.from([0, 1]))), `intervene ${modules.join(',')} at ${hook}`).toBe('ok');
      }
      expect(await outcome(() => m.lossAndGradients(new Float32Array(3 * 784).fill(0.5), Uint8Array.from([1, 2, 3]), 3)), `lossAndGradients ${modules.join(',')}`).toBe('ok');
    }
    // Some lists were valid (so the entry points above ran), and most were refused.
    expect(built).toBeGreaterThan(10);
    expect(builtWithBlocks, 'valid lists with a residual block').toBeGreaterThan(3);
    expect(built).toBeLessThan(250);
  });

  it('a trainer refuses a second run while one is in flight, and its weights until it settles', async () => {
    const t = trainer();
    const order = Uint32Array.from({ length: count }, (_, i) => i);
    const first = t.run(pixels(), labels(), order, 0, 2, 5, control());
    expect(() => t.run(pixels(), labels(), order, 0, 1, 5, control())).toThrow('steerlab native: the trainer is already running; await the previous run() first.');
    expect(() => t.weights()).toThrow('steerlab native: the trainer is running; read its weights after run() settles.');
    await first;
    expect(t.weights()).toHaveLength(6);
    expect(t.steps).toBe(2);
  });
});
