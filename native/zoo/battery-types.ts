/**
 * The battery's results as plain data: per model, per hidden hook, the numbers docs/zoo-plan.md
 * defines. Written as one JSON file per model beside its session (the zoo's resume unit).
 */
import type { HookPoint } from '../model/weights.js';
import type { DatasetName } from '../data/dataset-names.js';
import type { ZooCell } from './plan.js';

/**
 * Where a hook sits: affine in the input (adding there is image arithmetic), after the last
 * nonlinearity (the logits move by the same W v for every input), or between the two (where
 * steering says something about representations).
 */
export type HookKind = 'input-affine' | 'between' | 'logit-affine';

export interface HookBattery {
  hook: HookPoint;
  hookName: string;
  kind: HookKind;
  /** The post's three findings: share of the 90 pairs a != b where each holds. */
  shareCeRises: number;
  sharePARises: number;
  sharePBFalls: number;
  /** Mean over a != b of CE[a][b] / unpatched CE[b] (test images not b). */
  meanCeRatio: number;
  /** Mean over a != b of P(a | images of b), patched. */
  meanPA: number;
  /** Mean over a != b of the share of images of b predicted a after and not before (coefficient 1). */
  meanShareFlipped: number;
  /** The same per pair, [a][b] (diagonal 0). */
  shareFlipped: number[][];
  /** Images of the other eight digits: mean change of accuracy, mean KL(unpatched || patched) in nats. */
  sideAccuracyChange: number;
  sideKl: number;
  /** Mean CE rise (patched - unpatched) over a != b, for the vectors and for random ones of the same norms. */
  meanCeRise: number;
  randomMeanCeRise: number;
  /** meanCeRise / randomMeanCeRise (null when the random rise is 0). */
  overRandom: number | null;
  /** Mean over a != b of |v| / mean activation norm at the hook. */
  normRatio: number;
  /** Relative coefficient at which half of the images of b flip to a (mean over pairs; interpolated on the grid), null if never on the grid. */
  halfFlipCoefficient: number | null;
  /** Mean share flipped at each relative coefficient of the grid. */
  flipCurve: { coefficient: number; meanShareFlipped: number }[];
  /** At input-affine hooks: the table from adding x_a - x_b to the pixels against this hook's table. */
  inputArithmetic: { largestRelativeDifference: number; holds: boolean } | null;
}

export interface ModelBattery {
  format: 'steerlab-zoo-battery';
  version: 1;
  cellId: string;
  cell: ZooCell;
  dataset: DatasetName;
  modelSha256: string;
  testCeNats: number;
  testAccuracy: number;
  trainSeconds: number;
  batterySeconds: number;
  hooks: HookBattery[];
}
