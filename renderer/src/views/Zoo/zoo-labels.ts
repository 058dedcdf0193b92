/** Words of the Zoo view: the example plan a new page starts with, factor and hook-kind names. */
import type { FactorName } from '../../../../native/zoo/plan.js';
import type { HookKind } from '../../../../native/zoo/battery-types.js';

/** A small plan that runs in about a minute: two widths, one seed, one epoch on 3,000 images. */
export const EXAMPLE_PLAN = JSON.stringify({ name: 'widths', factors: { width: [16, 32], seed: [0], epochs: [1] }, training: { trainImages: 3000 }, battery: { flipGrid: [1, 4] } }, null, 2);

const FACTOR_LABELS: Record<FactorName, string> = {
  dataset: 'dataset', depth: 'depth', width: 'width', hidden: 'hidden widths', activation: 'activation', layernorm: 'LayerNorm',
  dropout: 'dropout', weightDecay: 'weight decay', optimizer: 'optimiser', epochs: 'epochs', seed: 'training seed',
};
export const factorLabel = (factor: FactorName) => FACTOR_LABELS[factor];

const HOOK_KIND_LABELS: Record<HookKind, string> = {
  'input-affine': 'hooks affine in the input (image arithmetic)',
  between: 'hooks between the first and last nonlinearity',
  'logit-affine': 'hooks after the last nonlinearity (same W v for every input)',
};
export const hookKindLabel = (kind: HookKind) => HOOK_KIND_LABELS[kind];

/** Model names the plan check lists before it says how many more there are. */
export const LISTED_MODELS = 6;

/** "2 models: a, b"; a large plan: "48 models: a, b, c, d, e, f and 42 more" (the whole list goes in the line's tooltip). */
export function modelsLine(cells: readonly string[]): string {
  const count = `${cells.length} ${cells.length === 1 ? 'model' : 'models'}`;
  if (cells.length <= LISTED_MODELS) return `${count}: ${cells.join(', ')}`;
  return `${count}: ${cells.slice(0, LISTED_MODELS).join(', ')} and ${cells.length - LISTED_MODELS} more`;
}
