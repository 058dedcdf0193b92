/**
 * The vector analyses as plain data (no tfjs or Node import): how a vector is applied, and the
 * records the engine returns, sessions keep and the renderer shows. Shared by the engine, the API
 * contract and the renderer.
 */
import type { HookPoint } from '../model/weights.js';
import type { InputRef, OneVectorSource, PairSource, VectorRecipe } from '../steer/steer-types.js';
import type { Provenance } from '../steer/record-types.js';

/** How a vector acts at its hook: add coeff * v, or remove the activation's component along v. */
export type InterventionMode = 'add' | 'ablate';

/**
 * How a coefficient is read. absolute: coeff * v (the seed's). relative: the added vector has
 * norm coeff x the mean activation norm at the hook over the test set, i.e.
 * coeff * meanActivationNorm * v / |v|, so layers with different scales can be compared.
 */
export type CoeffScale = 'absolute' | 'relative';

/** Replace each vector by a random direction of the same norm, seeded (ActAdd's control). */
export interface RandomControl {
  kind: 'random';
  seed: number;
}

/** Everything that says how a sweep or steer applies its vectors beyond the seed's recipe. */
export interface InterventionSpec {
  mode: InterventionMode;
  scale: CoeffScale;
  control: RandomControl | null;
}

export const SEED_INTERVENTION: InterventionSpec = { mode: 'add', scale: 'absolute', control: null };

/** Per (a, b): what the vector does to the images of the other eight digits. Tables [a][b]. */
export interface SideEffectTables {
  /** Accuracy and mean cross-entropy (nats) on test images whose label is neither a nor b. */
  accuracy: number[][];
  ce: number[][];
  /** The same for the unpatched model, so a cell reads as a change. */
  normalAccuracy: number[][];
  normalCe: number[][];
  /** Mean KL(unpatched || patched) over those images, in nats: how far their predictions moved. */
  kl: number[][];
}

/** What a pair sweep record adds when it was run with an intervention spec (extra record fields). */
export interface InterventionFields {
  intervention: InterventionSpec & {
    /** Mean L2 norm of the activation at the hook over the test set (for relative coefficients). */
    meanActivationNorm: number;
    /** The coefficient actually multiplied into each vector, [a][b] (relative: differs per cell). */
    absoluteCoeffs: number[][];
    /** The norm of each vector actually used, [a][b] (the random control's equals the real one's). */
    vectorNorms: number[][];
  };
  sideEffects: SideEffectTables;
}

/** Geometry of the pair vectors at one hook. */
export interface GeometryRecord {
  id: string;
  kind: 'geometry';
  layer: HookPoint;
  source: PairSource;
  /** Mean L2 norm of the activation at this hook over the test set. */
  meanActivationNorm: number;
  /** |act(a) - act(b)| and that over meanActivationNorm, [a][b]. */
  norms: number[][];
  ratios: number[][];
  /**
   * Cosines between the ten digits' activations after subtracting their mean (act(d) - mean over
   * the ten): every a-b vector is a difference of two of these, so this matrix is their geometry.
   */
  digitCosines: (number | null)[][];
  /** Cosines between the vectors kept in the session at this hook (absent when fewer than two). */
  keptCosines: { ids: string[]; names: string[]; matrix: (number | null)[][] } | null;
  /** Effect against norm over the 90 pairs a != b, from a pair sweep at this hook (null: none run). */
  scatter: { sweepId: string; coeff: number; points: { a: number; b: number; norm: number; ce: number; pA: number }[] } | null;
  provenance: Provenance;
}

/** Per-example steerability of one vector on the test images of b. */
export interface SteerabilityRecord {
  id: string;
  kind: 'steerability';
  a: number;
  b: number;
  layer: HookPoint;
  coeff: number;
  /** A pair's recipe, or a kept vector (by id and name) used as it is at its hook. */
  source: OneVectorSource;
  intervention: InterventionSpec;
  /** Test-set indices of the images of b, and for each the change in logit(a) - logit(b). */
  indices: number[];
  deltas: number[];
  histogram: { edges: number[]; counts: number[] };
  meanDelta: number;
  /** Share of the images of b predicted a after steering and not before. */
  shareFlipped: number;
  /** Share whose logit(a) - logit(b) went down: pushed away from a. */
  shareWrongWay: number;
  /**
   * True when every image's change is the same number: the vector is added at a hook after the
   * last nonlinearity, so the rest of the network is affine and every input's logits move by the
   * same W v. The histogram and the resistant lists are then only float rounding, not a finding.
   */
  sameForEveryImage: boolean;
  /** The images that moved least and most toward a (test index, delta), 8 each. */
  mostResistant: { index: number; delta: number }[];
  leastResistant: { index: number; delta: number }[];
  provenance: Provenance;
}

/** Where a drawing stands with respect to the current vector. */
export interface DrawingPlacement {
  hook: HookPoint;
  /** act(drawing) . u, u = v / |v|: the drawing's coordinate along the vector. */
  projection: number;
  /** The same coordinate for test images of the drawing's predicted digit: mean and percentile. */
  digitMeanProjection: number;
  projectionPercentile: number;
  predicted: number;
  target: number;
  /** Change in logit(target) - logit(predicted) the steer caused on the drawing. */
  delta: number;
  /** The same change on the test images the model predicts as `predicted` (their distribution). */
  digitDeltas: { count: number; histogram: { edges: number[]; counts: number[] }; mean: number };
  /** Share of those test images whose change is below the drawing's (mid-rank). */
  percentile: number;
}

/**
 * What a steer did with one addition, as the engine applied it: the legend, caption and exported
 * picture of Draw & steer say this, so they name the intervention that made the chart.
 */
export interface AppliedAddition {
  hook: HookPoint;
  mode: InterventionMode;
  scale: CoeffScale;
  /** The coefficient asked for (relative: a multiple of `meanActivationNorm`). */
  coeff: number;
  /** The coefficient multiplied into the vector used (0 when ablating: the coefficient plays no part). */
  absoluteCoeff: number;
  /** Mean L2 norm of the activation at the hook over the test set (relative scale only, else null). */
  meanActivationNorm: number | null;
  control: RandomControl | null;
  /** Norm of the vector used (a random control's equals the real vector's). */
  vectorNorm: number;
}

/** Numbers in legends: three significant figures, no trailing zeros (0.741, 12.3, 1). */
const short = (x: number) => String(Number(x.toPrecision(3)));

/**
 * The intervention in a few words for a legend or file name, `vector` naming the vector ("3 − 1")
 * and `hookName` the hook as the model names it ("0 · after Linear 1"):
 * "ablated along 3 − 1, layer 0 · after Linear 1"; "random direction of the same norm as 3 − 1, seed 7,
 * layer 0 · after Linear 1, ×1"; "3 − 1, layer 3 · after GELU 2, 0.5× the mean activation size = coefficient 0.741".
 */
export function describeApplied(applied: AppliedAddition, vector: string, hookName: (index: number) => string): string {
  const direction = applied.control ? `random direction of the same norm as ${vector}, seed ${applied.control.seed}` : vector;
  if (applied.mode === 'ablate') return `ablated along ${direction}, layer ${hookName(applied.hook)}`;
  const coefficient = applied.scale === 'relative'
    ? `${short(applied.coeff)}× the mean activation size = coefficient ${short(applied.absoluteCoeff)}`
    : `×${applied.coeff}`;
  return `${direction}, layer ${hookName(applied.hook)}, ${coefficient}`;
}

/** A kept or imported vector (session `vectors`). */
export interface KeptVector {
  id: string;
  name: string;
  hook: HookPoint;
  values: number[];
  /** How it was made, or null for a vector imported without one. */
  recipe: VectorRecipe | null;
  description: string;
  norm: number;
  createdAt: string;
  /** The model it was computed on (null: unknown, e.g. from PyTorch). */
  modelSha256: string | null;
}

/** What `vector.import` did: the vector added, or the one already kept with the same values. */
export interface ImportedVector {
  vector: KeptVector;
  /** True when nothing was added because `vector` was already kept (same hook, values and model). */
  alreadyKept: boolean;
  /** One sentence for the user: what was added or why not, with any warning (another model's file). */
  message: string;
  /** Set when the file was made for another model (its model.sha256 is not this session's). */
  warning: string | null;
}

/**
 * How a live steer applies one addition beyond the seed's "add coeff x vector" (all optional, so a
 * plain addition reads as before): ablate instead of add, a relative coefficient, a random control.
 */
export interface SteerInterventionFields {
  mode?: InterventionMode;
  scale?: CoeffScale;
  control?: RandomControl | null;
}

/** A drawing's placement, kept with its pixels and the steer it was measured under. */
export interface PlacementRecord {
  id: string;
  kind: 'placement';
  name: string;
  pixels: number[];
  /** The addition (recipe, hook, coefficient and intervention fields) the placement is about. */
  addition: SteerAddition;
  placement: DrawingPlacement;
  provenance: Provenance;
}

export type AnalysisRecord = GeometryRecord | SteerabilityRecord | PlacementRecord;

/** One line of the session's analysis list. */
export interface AnalysisSummary {
  id: string;
  kind: AnalysisRecord['kind'];
  title: string;
  createdAt: string;
}

/** A sweep run with an intervention spec: which of the three, and its own fields. */
export type InterventionSweepRequest =
  | { over: 'pairs'; hook: HookPoint; coeff: number; source: PairSource; intervention: InterventionSpec }
  | { over: 'layers'; a: number; b: number; coeff: number; source: PairSource; intervention: InterventionSpec }
  | { over: 'coeffs'; a: number; b: number; hook: HookPoint; coeffs: number[]; source: OneVectorSource; intervention: InterventionSpec };

/** What the intervention spec says, in words (lists, titles, reports). */
export function describeIntervention(spec: InterventionSpec): string {
  const parts = [spec.mode === 'ablate' ? 'ablation' : spec.scale === 'relative' ? 'relative coeff' : 'addition'];
  if (spec.control) parts.push(`random control (seed ${spec.control.seed})`);
  return parts.join(', ');
}

/**
 * What a steerability record whose images all change alike (`sameForEveryImage`) says instead of
 * a histogram and resistant lists, which would be float rounding drawn as a finding. The CLI
 * prints it and the Sweep view shows it.
 */
export function describeSameChange(r: Pick<SteerabilityRecord, 'b' | 'layer' | 'deltas' | 'meanDelta'>): string {
  const lo = Math.min(...r.deltas);
  const hi = Math.max(...r.deltas);
  return (
    `Every one of the ${r.deltas.length} test images of ${r.b} changes by the same ${r.meanDelta.toPrecision(6)} logits: ` +
    `after layer ${r.layer} the rest of the network is affine (no nonlinearity follows), so the vector moves every input's ` +
    `logits by the same W·v. The ${lo.toPrecision(8)}..${hi.toPrecision(8)} spread across images is float rounding, so there is ` +
    'no distribution and no "most resistant" image to show.'
  );
}

export interface SteerabilitySpec {
  a: number;
  b: number;
  hook: HookPoint;
  coeff: number;
  source: OneVectorSource;
  intervention: InterventionSpec;
}

export interface PlacementRequest {
  name: string;
  pixels: number[];
  addition: SteerAddition;
  target?: number;
  /** Keep the placement in the session (otherwise it is only returned). */
  keep?: boolean;
}

/** One addition for a live steer: a recipe (vector made on the fly) at a hook, times a coefficient. */
// The intervention fields (ablate, relative coefficient, random control) are optional: see SteerInterventionFields.
export interface RecipeAddition extends SteerInterventionFields {
  plus: InputRef;
  minus: InputRef;
  hook: HookPoint;
  coeff: number;
}

/**
 * One addition of a vector kept in the session (kept or imported), by id. It applies only at the
 * hook it was made at (its activations mean nothing elsewhere), so `hook` must be that hook.
 */
export interface KeptAddition extends SteerInterventionFields {
  kept: { id: string };
  hook: HookPoint;
  coeff: number;
}

export type SteerAddition = RecipeAddition | KeptAddition;

/** An addition as the engine worker gets it: a kept vector comes with its values (the session is not there). */
export type EngineAddition = RecipeAddition | (SteerInterventionFields & { vector: { id: string; values: number[]; name: string }; hook: HookPoint; coeff: number });

export interface SteerResult {
  /** Softmax probabilities of the unpatched and the steered model, 10 each. */
  unpatched: number[];
  steered: number[];
  unpatchedLogits: number[];
  steeredLogits: number[];
  /**
   * The vector actually added for each addition (before the coefficient), in words and values,
   * and what was applied with it (mode, coefficient used, random control). `applied` is absent
   * only in drawings kept before the engine reported it.
   */
  vectors: { values: number[]; description: string; applied?: AppliedAddition }[];
  /**
   * What each addition's two sources look like as images (a class mean is the mean image); null
   * for a kept vector, which is used as it is (its recipe's images are not what is added).
   */
  sources: ({ plus: number[]; minus: number[] } | null)[];
}

/** A drawing kept in the session, with what the model said about it. */
export interface DrawingRecord {
  id: string;
  name: string;
  createdAt: string;
  /** The 28x28 input (784 values in [0, 1]). */
  pixels: number[];
  additions: SteerAddition[];
  /** The engine's predictions when the drawing was kept (null only if there was no model). */
  result: SteerResult | null;
}
