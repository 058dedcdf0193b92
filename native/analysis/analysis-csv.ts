/**
 * CSV of the analyses, for the CLI and the app's export buttons alike (plain
 * strings, no Node or DOM). One line per cell or per image, with the record's field names. The
 * terminal's text tables are in cli/tables.ts.
 */
import type { GeometryRecord, InterventionFields, SteerabilityRecord, PlacementRecord } from './analysis-types.js';

const csv = (header: string[], rows: (string | number | null)[][]) => [header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';
const digits = Array.from({ length: 10 }, (_, d) => d);

/** One line per (a, b): norm, ratio, and the scatter's effect where there is one. */
export function geometryCsv(g: GeometryRecord): string {
  const effect = new Map((g.scatter?.points ?? []).map((p) => [`${p.a},${p.b}`, p]));
  return csv(
    ['a', 'b', 'layer', 'norm', 'ratio', 'meanActivationNorm', 'ce', 'pA', 'digitCosine', 'coeff', 'modelSha256'],
    digits.flatMap((a) => digits.map((b) => {
      const p = effect.get(`${a},${b}`);
      // coeff: the pair sweep's beside the effect columns (empty without one); the model makes every value.
      return [a, b, g.layer, g.norms[a][b], g.ratios[a][b], g.meanActivationNorm, p?.ce ?? null, p?.pA ?? null, g.digitCosines[a][b], g.scatter?.coeff ?? null, g.provenance.modelSha256];
    })),
  );
}

/** One line per image of b. */
export function steerabilityCsv(s: SteerabilityRecord): string {
  return csv(['testIndex', 'a', 'b', 'layer', 'coeff', 'mode', 'scale', 'deltaLogitGap', 'modelSha256'], s.indices.map((index, i) => [index, s.a, s.b, s.layer, s.coeff, s.intervention.mode, s.intervention.scale, s.deltas[i], s.provenance.modelSha256]));
}

/** One line per (a, b) of an intervention pair sweep: the coefficient used and the side effects. */
export function sideEffectsCsv(r: InterventionFields & { layer: number }): string {
  const t = r.sideEffects;
  const i = r.intervention;
  return csv(
    ['a', 'b', 'layer', 'mode', 'scale', 'control', 'absoluteCoeff', 'vectorNorm', 'otherAccuracy', 'otherAccuracyNormal', 'otherCe', 'otherCeNormal', 'otherKl'],
    digits.flatMap((a) => digits.map((b) => [
      a, b, r.layer, i.mode, i.scale, i.control ? `random:${i.control.seed}` : 'none', i.absoluteCoeffs[a][b], i.vectorNorms[a][b],
      t.accuracy[a][b], t.normalAccuracy[a][b], t.ce[a][b], t.normalCe[a][b], t.kl[a][b],
    ])),
  );
}

/** The placement as one line. */
export function placementCsv(p: PlacementRecord): string {
  const q = p.placement;
  return csv(
    ['name', 'layer', 'projection', 'digitMeanProjection', 'projectionPercentile', 'predicted', 'target', 'delta', 'percentile', 'peers'],
    [[JSON.stringify(p.name), q.hook, q.projection, q.digitMeanProjection, q.projectionPercentile, q.predicted, q.target, q.delta, q.percentile, q.digitDeltas.count]],
  );
}
