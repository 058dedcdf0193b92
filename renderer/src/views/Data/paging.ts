/**
 * Paging arithmetic for the dataset browser: which images a page shows and where the previous
 * and next pages start. Pure, so it is unit-tested.
 */
export interface PageInfo {
  /** "1–60 of 10,000" (or "none" for an empty result). */
  text: string;
  hasPrevious: boolean;
  hasNext: boolean;
  previousOffset: number;
  nextOffset: number;
}

export function pageInfo(offset: number, pageSize: number, total: number): PageInfo {
  const first = Math.min(offset, total);
  const last = Math.min(offset + pageSize, total);
  const fmt = (n: number) => n.toLocaleString('en-US');
  return {
    text: total === 0 ? 'none' : `${fmt(first + 1)}–${fmt(last)} of ${fmt(total)}`,
    hasPrevious: offset > 0,
    hasNext: offset + pageSize < total,
    previousOffset: Math.max(0, offset - pageSize),
    nextOffset: offset + pageSize,
  };
}
