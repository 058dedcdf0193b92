/**
 * The backend names and the selection report, as plain data (no tfjs import), so the API contract
 * and the renderer can name them.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What was chosen, and why each faster backend was not. Goes into `doctor` and every result file. */
export interface BackendReport {
  name: BackendName;
  /** The tfjs backend id actually active (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  skipped: { name: BackendName; reason: string }[];
  forced: boolean;
  /** With the native backend: its BLAS and threads (tfjsBackend then runs only the few remaining tfjs ops). */
  native?: { blas: string; threads: number };
}
