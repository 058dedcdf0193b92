/**
 * Comparing a zoo run with the committed study (docs/zoo/summary.json, battery.csv), number by
 * number within STUDY_TOLERANCE, everything else exactly. Returns the differences as sentences,
 * so a failing test names each field that moved and by how much.
 *
 * Why a tolerance and this one: OpenBLAS picks its kernels per CPU (DYNAMIC_ARCH), so another CPU
 * may round the sums of a product in another order, which changes the last bits of a float32
 * (relative 6e-8) and, through 469 training steps, the weights by a little more. The committed
 * numbers were made on this machine type, where a rerun matches them to the bit; the tolerance
 * lets last-bit differences through (relative 1e-4 is 1,000 float32 ulps) and catches anything a
 * change of definition or a bug would move. Counts move in steps: one image of the 2,000 the
 * battery scores is 5e-4 of a share, so shares and accuracies get an absolute 1e-3 (two images),
 * which is far below the differences the study reports between levels (0.03 and up).
 */
export const STUDY_TOLERANCE = { relative: 1e-4, absolute: 1e-3 } as const;

/** Numbers in a text (the answer's sentences): "7.7", "95.0%", "4.5e-7". */
const NUMBER = /-?\d+(?:\.\d+)?(?:e-?\d+)?/g;

function close(x: number, y: number, isShare: boolean): boolean {
  if (x === y) return true;
  const limit = Math.max(STUDY_TOLERANCE.relative * Math.abs(y), isShare ? STUDY_TOLERANCE.absolute : 0);
  return Math.abs(x - y) <= limit;
}

/** A metric that is a share or accuracy (a count over images or pairs), which moves in steps. */
const isShareMetric = (name: string) => /share|Accuracy|Flipped/.test(name);

/** The smallest change a number printed as `text` shows: one unit of its last digit ("95.0" 0.1, "4.5e-7" 1e-8). */
function lastDigit(text: string): number {
  const [mantissa, exponent] = text.split('e');
  return 10 ** -(mantissa.split('.')[1]?.length ?? 0) * 10 ** Number(exponent ?? 0);
}

function compareText(x: string, y: string, where: string, out: string[]): void {
  if (x.replace(NUMBER, '#') !== y.replace(NUMBER, '#')) return void out.push(`${where}: "${x}" here, "${y}" committed`);
  const xs = x.match(NUMBER) ?? [];
  const ys = y.match(NUMBER) ?? [];
  xs.forEach((v, i) => {
    // A number in e-notation is the input-arithmetic difference, float32 rounding itself: held to the check's bound.
    const bad = ys[i].includes('e') ? !(Number(v) <= 1e-3) : Math.abs(Number(v) - Number(ys[i])) > lastDigit(ys[i]) + STUDY_TOLERANCE.relative * Math.abs(Number(ys[i]));
    if (bad) out.push(`${where}: ${v} here, ${ys[i]} committed in "${y}"`);
  });
}

function compareValues(x: unknown, y: unknown, where: string, isShare: boolean, out: string[]): void {
  if (typeof x === 'number' && typeof y === 'number') {
    if (!close(x, y, isShare)) out.push(`${where}: ${x} here, ${y} committed`);
  } else if (typeof x === 'string' && typeof y === 'string') {
    compareText(x, y, where, out);
  } else if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) return void out.push(`${where}: ${x.length} entries here, ${y.length} committed`);
    x.forEach((v, i) => compareValues(v, y[i], `${where}[${i}]`, isShare, out));
  } else if (x && y && typeof x === 'object' && typeof y === 'object') {
    const metric = (y as { metric?: unknown }).metric;
    const share = typeof metric === 'string' ? isShareMetric(metric) : isShare;
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
    for (const k of keys) compareValues((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${where}.${k}`, share, out);
  } else if (x !== y) {
    out.push(`${where}: ${JSON.stringify(x)} here, ${JSON.stringify(y)} committed`);
  }
}

/** Differences between a zoo's summary.json and the committed one. */
export function compareStudySummary(run: unknown, committed: unknown): string[] {
  const out: string[] = [];
  compareValues(run, committed, 'summary', false, out);
  return out;
}

/** battery.csv as rows of named fields (no field of it is quoted or holds a comma). */
export function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i], v])));
}

/** Columns of battery.csv that are not measurements (compared exactly). */
const LABELS = new Set(['cell', 'dataset', 'hidden', 'activation', 'layernorm', 'dropout', 'weightDecay', 'optimizer', 'epochs', 'seed', 'hook', 'hookName', 'hookKind']);

/**
 * Differences between two battery.csv tables, matched by model and hook (the row order follows
 * the order models finished in, which depends on the jobs). The input-arithmetic difference is
 * float32 rounding itself (1e-7), so it is only held to the check's own bound.
 */
export function compareStudyCsv(run: Record<string, string>[], committed: Record<string, string>[]): string[] {
  const out: string[] = [];
  const key = (r: Record<string, string>) => `${r.cell} hook ${r.hook}`;
  const mine = new Map(run.map((r) => [key(r), r]));
  for (const want of committed) {
    const got = mine.get(key(want));
    if (!got) {
      out.push(`${key(want)}: missing here`);
      continue;
    }
    for (const [name, value] of Object.entries(want)) {
      const where = `${key(want)} ${name}`;
      if (LABELS.has(name) || value === '' || got[name] === '') {
        if (got[name] !== value) out.push(`${where}: "${got[name]}" here, "${value}" committed`);
      } else if (name === 'inputArithmeticDifference') {
        if (!(Number(got[name]) <= 1e-3)) out.push(`${where}: ${got[name]} here, above the check's bound 1e-3`);
      } else if (!close(Number(got[name]), Number(value), isShareMetric(name))) {
        out.push(`${where}: ${got[name]} here, ${value} committed`);
      }
    }
  }
  if (run.length !== committed.length) out.push(`${run.length} rows here, ${committed.length} committed`);
  return out;
}

/** The largest relative difference |x - y| / |y| over the measurement columns (input arithmetic apart), matched by model and hook. */
export function largestCsvDifference(run: Record<string, string>[], committed: Record<string, string>[]): number {
  const mine = new Map(run.map((r) => [`${r.cell} ${r.hook}`, r]));
  let worst = 0;
  for (const want of committed) {
    const got = mine.get(`${want.cell} ${want.hook}`);
    for (const [name, value] of Object.entries(want)) {
      if (!got || LABELS.has(name) || name === 'inputArithmeticDifference' || value === '') continue;
      const y = Number(value);
      worst = Math.max(worst, Math.abs(Number(got[name]) - y) / Math.max(Math.abs(y), 1e-12));
    }
  }
  return worst;
}
