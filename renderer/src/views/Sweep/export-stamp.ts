/**
 * The line a saved figure carries at its foot: which model (or models) made it and when, so a PNG
 * found in a folder weeks later still says where its numbers come from.
 */
export interface ExportStamp {
  /** SHA-256 of each model the figure's numbers come from (shown shortened to 12 digits). */
  models: string[];
  /** When the result was computed (ISO 8601, as records keep it). */
  createdAt: string;
}

/** "2026-12-03 15:49 UTC" from an ISO time; the text as given if it is not one. */
export function stampDate(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "model 1a2b3c4d5e6f · computed 2026-12-03 15:49 UTC" (several models: "models a, b"). */
export function stampText(stamp: ExportStamp): string {
  const ids = stamp.models.map((m) => m.slice(0, 12)).join(', ');
  return `${stamp.models.length === 1 ? 'model' : 'models'} ${ids} · computed ${stampDate(stamp.createdAt)}`;
}

/** Height added under the figure for the stamp line, in the figure's units. */
export const STAMP_HEIGHT = 18;
