/**
 * The session's sweeps as the view knows them: the engine's list (`sweep.list`) and the records
 * fetched so far (`sweep.get`). Records never change once made, so a fetched one is kept until it
 * leaves the list (deleted, or another session opened).
 */
import type { SweepSummary } from '../../../../native/service/workbench-types.js';
import type { CoeffSweepRecord, LayerSweepRecord, PairSweepRecord, SweepRecord } from '../../../../native/steer/record-types.js';
import type { ApiClient } from '../../lib/api.js';
import { coeffSweepMatches, layerSweepMatches } from './sweep-metrics.js';

export class SweepLibrary {
  list = $state.raw<SweepSummary[]>([]);
  private records = new Map<string, SweepRecord>();

  constructor(readonly api: ApiClient) {}

  async refresh(): Promise<void> {
    const list = await this.api.call('sweep.list', {});
    const ids = new Set(list.map((s) => s.id));
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
    this.list = list;
  }

  has(id: string): boolean {
    return this.list.some((s) => s.id === id);
  }

  async get(id: string): Promise<SweepRecord> {
    const known = this.records.get(id);
    if (known) return known;
    const record = await this.api.call('sweep.get', { id });
    this.records.set(id, record);
    return record;
  }

  /** The newest saved layer sweep made for cell (a, b) of `pairs`, if any. */
  async findLayerSweep(pairs: PairSweepRecord, a: number, b: number): Promise<LayerSweepRecord | null> {
    for (const s of [...this.list].reverse().filter((s) => s.kind === 'layers')) {
      const record = await this.get(s.id);
      if (layerSweepMatches(pairs, a, b, record)) return record;
    }
    return null;
  }

  /** The newest saved coefficient sweep made for cell (a, b) of `pairs`, if any. */
  async findCoeffSweep(pairs: PairSweepRecord, a: number, b: number): Promise<CoeffSweepRecord | null> {
    for (const s of [...this.list].reverse().filter((s) => s.kind === 'coeffs')) {
      const record = await this.get(s.id);
      if (coeffSweepMatches(pairs, a, b, record)) return record;
    }
    return null;
  }
}
