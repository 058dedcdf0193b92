/**
 * The backend names and the selection report, as plain data (no tfjs import), so the API contract
 * and the renderer can name them.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What was chosen, and why each faster backend was not. Goes into `doctor` and every result file. */
export interface BackendReport {
  name: BackendName;
  /** The tfjs backend id actually active (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  skipped: { name: BackendName; reason: string }[];
  forced: boolean;
}
