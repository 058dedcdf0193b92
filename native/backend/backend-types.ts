/**
 * The backend names and the selection report, as plain data (no tfjs import), so the API contract
 * and the renderer can name them.
 */
import { countOf } from '../util/plural.js';
export const BACKEND_NAMES = ['tensorflow-gpu', 'native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** BackendReport.tfjsBackend under the native engine while tfjs has not been loaded (SelectOptions.deferTfjs). */
export const TFJS_NOT_LOADED = 'none';

/** What was chosen, and why each faster backend was not. Goes into `doctor` and every result file. */
export interface BackendReport {
  name: BackendName;
  /**
   * The tfjs backend id actually active (`tensorflow`, `wasm`, `cpu`), or `none` under the native
   * engine while tfjs has not been loaded (a command whose model the addon runs defers it; the
   * field is filled in when something first uses tfjs).
   */
  tfjsBackend: string;
  skipped: { name: BackendName; reason: string }[];
  forced: boolean;
  /** With the native backend: its BLAS and threads (tfjsBackend then runs only the few remaining tfjs ops). */
  native?: { blas: string; threads: number; flushesSubnormals?: boolean };
}

/** One sentence on the native engine: in use (with its BLAS), or why not and how to get it. */
export function nativeStatus(report: BackendReport): string {
  if (report.name === 'native') {
    const blas = report.native ? `${report.native.blas.split(' ').slice(0, 2).join(' ')}, ${countOf(report.native.threads, 'BLAS thread')}` : 'system BLAS';
    return `native engine in use (${blas}; ${report.tfjsBackend === TFJS_NOT_LOADED ? 'tfjs not loaded' : `tfjs ${report.tfjsBackend} runs the few remaining tfjs operations`})`;
  }
  const skipped = report.skipped.find((s) => s.name === 'native');
  if (skipped) return `native engine not used: ${skipped.reason}`;
  return `native engine not used: ${report.forced ? `the ${report.name} backend was forced` : `${report.name} comes first in the selection order`}`;
}

/** What runs the tfjs operations outside the native engine, for the backend report's native line. */
export function tfjsUnderneathText(report: Pick<BackendReport, 'tfjsBackend'>): string {
  if (report.tfjsBackend === TFJS_NOT_LOADED) return 'tfjs not loaded (the addon runs this model; tfjs is loaded only if an operation outside it needs it)';
  return `tfjs ${report.tfjsBackend} runs the remaining tfjs operations`;
}
