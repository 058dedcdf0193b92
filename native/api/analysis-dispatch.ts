/**
 * The vector analyses' channels (issue 14) on the workbench's analysis service. dispatch.ts
 * spreads these beside its own handlers; validation has already happened there.
 */
import type { Job, Workbench } from '../service/workbench-types.js';
import type { AnalysisWorkbench } from '../service/workbench-types.js';
import type { SweepProgress } from '../steer/steer-types.js';
import { ApiFailure, type Handler, type HandlerArgs } from './dispatch-context.js';

type AnalysisChannel =
  | 'analysis.geometry' | 'sweep.intervention' | 'analysis.steerability' | 'analysis.place' | 'analysis.list' | 'analysis.get'
  | 'analysis.delete' | 'vector.keep' | 'vector.list' | 'vector.delete' | 'vector.export' | 'vector.import';

/** The workbench's analyses, or a sentence saying this front end has none. */
function analyses(workbench: Workbench): AnalysisWorkbench {
  if (!workbench.analyses) throw new ApiFailure('unsupported', 'This engine does not offer the vector analyses; use the SteerLab app or the steerlab command line.');
  return workbench.analyses;
}

/** `startSweep` is dispatch's: a job with progress events, then the sweep id. */
export function analysisHandlers(
  startSweep: (args: HandlerArgs, start: (onProgress: (p: SweepProgress) => void) => Job<{ sweepId: string }>) => { jobId: string },
): { [C in AnalysisChannel]: Handler<C> } {
  return {
    'analysis.geometry': ({ workbench }, spec) => analyses(workbench).geometry(spec),
    'sweep.intervention': (args, request) => startSweep(args, (onProgress) => analyses(args.workbench).interventionSweep(request, onProgress)),
    'analysis.steerability': ({ workbench }, spec) => analyses(workbench).steerability(spec),
    'analysis.place': ({ workbench }, request) => analyses(workbench).placement(request),
    'analysis.list': ({ workbench }) => analyses(workbench).listAnalyses(),
    'analysis.get': ({ workbench }, { id }) => analyses(workbench).getAnalysis(id),
    'analysis.delete': ({ workbench }, { id }) => analyses(workbench).deleteAnalysis(id),
    'vector.keep': ({ workbench }, request) => analyses(workbench).keepVector(request),
    'vector.list': ({ workbench }) => analyses(workbench).listVectors(),
    'vector.delete': ({ workbench }, { id }) => analyses(workbench).deleteVector(id),
    'vector.export': ({ workbench }, { id }) => analyses(workbench).exportVector(id),
    'vector.import': ({ workbench }, { text, fileName }) => analyses(workbench).importVector(text, fileName),
  };
}
