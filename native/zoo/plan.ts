/**
 * A zoo plan (docs/zoo-plan.md): factors with levels, crossed into a grid, plus optional extra
 * cells; each cell is one model to train and measure. Parsing refuses, with one sentence naming
 * the field and the fix, anything that is not a known factor or a valid level, before any work.
 *
 * Plain data and pure functions: the CLI, the tests and (later) the Zoo view read the same cells.
 */
import { ACTIVATIONS, MAX_HIDDEN_LAYERS, MAX_WIDTH, type Activation } from '../model/spec.js';
import { DATASET_NAMES, type DatasetName } from '../data/dataset-names.js';

export const OPTIMIZERS = ['adam', 'sgd', 'adamw'] as const;
export type Optimizer = (typeof OPTIMIZERS)[number];

/** One model of the zoo: every factor fixed. */
export interface ZooCell {
  dataset: DatasetName;
  /** Hidden widths in order; depth = hidden.length. */
  hidden: number[];
  activation: Activation;
  layernorm: boolean;
  dropout: number;
  weightDecay: number;
  optimizer: Optimizer;
  epochs: number;
  seed: number;
}

/** Settings shared by every cell (not factors). */
export interface ZooTraining {
  batchSize: number;
  learningRate: number;
  /** Train on only the first N training images (quick plans and tests); absent: all. */
  trainImages?: number;
}

/** How the battery is run (the same for every model). */
export interface ZooBatterySettings {
  /** Relative coefficients on which the half-flip point is looked for (empty: not looked for). */
  flipGrid: number[];
  /** Score the battery on only the first N test images (absent: all). */
  testImages?: number;
}

export const DEFAULT_FLIP_GRID = [0.25, 0.5, 1, 2, 4, 8];

export interface ZooPlan {
  name: string;
  cells: ZooCell[];
  training: ZooTraining;
  battery: ZooBatterySettings;
  /** The factor names the plan varies (more than one level, or set in extra cells): the summary's axes. */
  varied: FactorName[];
}

/** The factors a plan may name; `depth` and `width` together, or `hidden`, give the widths. */
export const FACTOR_NAMES = ['dataset', 'depth', 'width', 'hidden', 'activation', 'layernorm', 'dropout', 'weightDecay', 'optimizer', 'epochs', 'seed'] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

/** The seed's model and training: what a factor the plan leaves out stays at. */
export const DEFAULT_CELL: ZooCell = { dataset: 'mnist', hidden: [512, 512], activation: 'relu', layernorm: false, dropout: 0, weightDecay: 0, optimizer: 'adam', epochs: 3, seed: 0 };
export const DEFAULT_TRAINING: ZooTraining = { batchSize: 64, learningRate: 0.001 };

/** A grid larger than this needs --yes (a typo in a plan should not start hours of training). */
export const GRID_LIMIT = 64;

export class ZooPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZooPlanError';
  }
}

type Level = unknown;
type Checker = (value: Level, where: string) => unknown;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function intIn(lo: number, hi: number, what: string): Checker {
  return (v, where) => {
    if (!isInt(v) || v < lo || v > hi) throw new ZooPlanError(`${where} is ${JSON.stringify(v)}; it must be a whole number from ${lo} to ${hi} (${what}).`);
    return v;
  };
}

function numberIn(lo: number, hi: number, what: string, closedHigh = true): Checker {
  return (v, where) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (closedHigh ? v > hi : v >= hi)) {
      throw new ZooPlanError(`${where} is ${JSON.stringify(v)}; it must be a number from ${lo} to ${closedHigh ? '' : 'below '}${hi} (${what}).`);
    }
    return v;
  };
}

function oneOf<T extends string>(options: readonly T[]): Checker {
  return (v, where) => {
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new ZooPlanError(`${where} is ${JSON.stringify(v)}; use one of ${options.join(', ')}.`);
    return v;
  };
}

const CHECKS: Record<FactorName, Checker> = {
  dataset: oneOf(DATASET_NAMES),
  depth: intIn(1, MAX_HIDDEN_LAYERS, 'hidden layers'),
  width: intIn(1, MAX_WIDTH, 'units per hidden layer'),
  hidden: (v, where) => {
    if (!Array.isArray(v) || v.length < 1 || v.length > MAX_HIDDEN_LAYERS) {
      throw new ZooPlanError(`${where} is ${JSON.stringify(v)}; it must be a list of 1 to ${MAX_HIDDEN_LAYERS} hidden widths, e.g. [512, 512].`);
    }
    v.forEach((w, i) => intIn(1, MAX_WIDTH, 'units')(w, `${where}[${i}]`));
    return v;
  },
  activation: oneOf(ACTIVATIONS),
  layernorm: (v, where) => {
    if (typeof v !== 'boolean') throw new ZooPlanError(`${where} is ${JSON.stringify(v)}; it must be true or false.`);
    return v;
  },
  dropout: numberIn(0, 1, 'the share of units dropped in training', false),
  weightDecay: numberIn(0, 1, 'the decoupled weight decay per step'),
  optimizer: oneOf(OPTIMIZERS),
  epochs: intIn(1, 1000, 'passes over the training images'),
  seed: intIn(0, 2 ** 32 - 1, 'the training seed'),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function knownKey(key: string, where: string): FactorName {
  if ((FACTOR_NAMES as readonly string[]).includes(key)) return key as FactorName;
  throw new ZooPlanError(`${where}.${key} is not a factor SteerLab knows; use ${FACTOR_NAMES.join(', ')}.`);
}

/** A partial cell from factor values, checked; `depth`/`width` and `hidden` exclude each other. */
function cellValues(values: Partial<Record<FactorName, Level>>, where: string): Partial<ZooCell> & { depth?: number; width?: number } {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(values)) out[key] = CHECKS[knownKey(key, where)](v, `${where}.${key}`);
  if (out.hidden !== undefined && (out.depth !== undefined || out.width !== undefined)) {
    throw new ZooPlanError(`${where} gives both hidden and depth/width; give the widths either as hidden: [w1, w2, ...] or as depth and width.`);
  }
  return out as Partial<ZooCell> & { depth?: number; width?: number };
}

/** A full cell from a partial one: depth/width become hidden, the rest defaults to the seed's. */
function completeCell(partial: Partial<ZooCell> & { depth?: number; width?: number }): ZooCell {
  const { depth, width, ...rest } = partial;
  const hidden = rest.hidden ?? (depth !== undefined || width !== undefined ? new Array(depth ?? DEFAULT_CELL.hidden.length).fill(width ?? DEFAULT_CELL.hidden[0]) : DEFAULT_CELL.hidden);
  return { ...DEFAULT_CELL, ...rest, hidden: [...hidden] };
}

/** The cell's name in file names and tables, from its values: "mnist-h16x16-relu-e1-s0" (defaults left out but the essentials). */
export function cellId(cell: ZooCell): string {
  const parts = [cell.dataset, `h${cell.hidden.join('x')}`, cell.activation];
  if (cell.layernorm) parts.push('ln');
  if (cell.dropout > 0) parts.push(`do${cell.dropout}`);
  if (cell.weightDecay > 0) parts.push(`wd${cell.weightDecay}`);
  if (cell.optimizer !== 'adam') parts.push(cell.optimizer);
  parts.push(`e${cell.epochs}`, `s${cell.seed}`);
  return parts.join('-');
}

/** Every combination of the levels, in order (the last factor varies fastest). */
function crossed(levels: [FactorName, Level[]][]): Partial<Record<FactorName, Level>>[] {
  return levels.reduce<Partial<Record<FactorName, Level>>[]>(
    (rows, [name, values]) => rows.flatMap((row) => values.map((v) => ({ ...row, [name]: v }))),
    [{}],
  );
}

/**
 * Parses a plan's JSON text (docs/zoo-plan.md). `limit`: the most cells accepted without `yes`.
 * Throws ZooPlanError naming the field and the fix.
 */
export function parsePlan(text: string, options: { yes?: boolean; limit?: number } = {}): ZooPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ZooPlanError(`The plan is not valid JSON (${(error as Error).message}); write it as docs/zoo-plan.md shows.`);
  }
  if (!isObject(json)) throw new ZooPlanError('The plan must be a JSON object with "factors" (and optionally "extraCells", "training", "name"); see docs/zoo-plan.md.');
  for (const key of Object.keys(json)) {
    if (!['name', 'factors', 'extraCells', 'training', 'battery'].includes(key)) throw new ZooPlanError(`The plan's field "${key}" is not one SteerLab knows; use name, factors, extraCells, training and battery.`);
  }
  const name = json.name === undefined ? 'zoo' : json.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new ZooPlanError('The plan\'s "name" must be a short text (1 to 200 characters).');

  const factors = json.factors ?? {};
  if (!isObject(factors)) throw new ZooPlanError('The plan\'s "factors" must be an object mapping each factor to a list of levels, e.g. {"width": [16, 32], "seed": [0, 1]}.');
  const levels: [FactorName, Level[]][] = Object.entries(factors).map(([key, values]) => {
    const factor = knownKey(key, 'factors');
    if (!Array.isArray(values) || values.length === 0) throw new ZooPlanError(`factors.${key} must be a non-empty list of levels, e.g. [${JSON.stringify(DEFAULT_CELL[factor as keyof ZooCell] ?? 1)}].`);
    values.forEach((v, i) => CHECKS[factor](v, `factors.${key}[${i}]`));
    return [factor, values];
  });
  const grid = Object.keys(factors).length === 0 ? [] : crossed(levels).map((row, i) => completeCell(cellValues(row, `grid cell ${i + 1}`)));

  const extras = json.extraCells ?? [];
  if (!Array.isArray(extras)) throw new ZooPlanError('The plan\'s "extraCells" must be a list of cells, each an object of factor values, e.g. [{"depth": 4, "width": 64}].');
  const extraCells = extras.map((e, i) => {
    if (!isObject(e)) throw new ZooPlanError(`extraCells[${i}] must be an object of factor values, e.g. {"activation": "gelu"}.`);
    return completeCell(cellValues(e, `extraCells[${i}]`));
  });

  // A cell given twice (by the grid and an extra cell) is one model.
  const seen = new Set<string>();
  const cells = [...grid, ...extraCells].filter((c) => !seen.has(cellId(c)) && seen.add(cellId(c)) !== undefined);
  if (cells.length === 0) throw new ZooPlanError('The plan has no cells: give at least one factor with levels in "factors", or a cell in "extraCells".');
  const limit = options.limit ?? GRID_LIMIT;
  if (cells.length > limit && !options.yes) throw new ZooPlanError(`The plan has ${cells.length} cells, more than ${limit}; check the factors, or add --yes to train them all.`);

  const training = parseTraining(json.training);
  const varied = FACTOR_NAMES.filter((f) => f !== 'depth' && f !== 'width' && new Set(cells.map((c) => JSON.stringify(c[f as keyof ZooCell]))).size > 1);
  return { name, cells, training, battery: parseBattery(json.battery), varied };
}

function parseBattery(value: unknown): ZooBatterySettings {
  if (value === undefined) return { flipGrid: [...DEFAULT_FLIP_GRID] };
  if (!isObject(value)) throw new ZooPlanError('The plan\'s "battery" must be an object, e.g. {"flipGrid": [0.5, 1, 2, 4]}.');
  for (const key of Object.keys(value)) if (key !== 'flipGrid' && key !== 'testImages') throw new ZooPlanError(`battery.${key} is not a setting SteerLab knows; use flipGrid and testImages.`);
  const grid = value.flipGrid ?? DEFAULT_FLIP_GRID;
  if (!Array.isArray(grid) || grid.length > 20) throw new ZooPlanError('battery.flipGrid must be a list of at most 20 increasing relative coefficients, e.g. [0.5, 1, 2, 4].');
  grid.forEach((c, i) => {
    numberIn(0, 1000, 'times the mean activation norm')(c, `battery.flipGrid[${i}]`);
    if (c <= 0 || (i > 0 && c <= grid[i - 1])) throw new ZooPlanError(`battery.flipGrid[${i}] is ${c}; the coefficients must be above 0 and increasing.`);
  });
  if (value.testImages === undefined) return { flipGrid: [...grid] };
  const testImages = intIn(100, 10000, 'test images the battery scores on')(value.testImages, 'battery.testImages') as number;
  return { flipGrid: [...grid], testImages };
}

function parseTraining(value: unknown): ZooTraining {
  if (value === undefined) return { ...DEFAULT_TRAINING };
  if (!isObject(value)) throw new ZooPlanError('The plan\'s "training" must be an object, e.g. {"batchSize": 64, "learningRate": 0.001}.');
  const out: ZooTraining = { ...DEFAULT_TRAINING };
  for (const [key, v] of Object.entries(value)) {
    if (key === 'batchSize') out.batchSize = intIn(1, 60000, 'images per step')(v, 'training.batchSize') as number;
    else if (key === 'learningRate') out.learningRate = numberIn(0, 10, 'the step size', false)(v, 'training.learningRate') as number;
    else if (key === 'trainImages') out.trainImages = intIn(1, 60000, 'training images used')(v, 'training.trainImages') as number;
    else throw new ZooPlanError(`training.${key} is not a setting SteerLab knows; use batchSize, learningRate and trainImages.`);
  }
  if (out.learningRate <= 0) throw new ZooPlanError('training.learningRate must be above 0.');
  return out;
}
