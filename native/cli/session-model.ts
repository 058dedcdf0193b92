/**
 * Opening a session's model for a command that analyses it: output files checked first (before
 * any long work), the session read, the engine opened, and the model ready in an experiment
 * context. The caller disposes `ctx.model` when done.
 */
import { readSessionFile } from '../session/store.js';
import type { Session } from '../session/format.js';
import { Mlp } from '../model/mlp.js';
import { modelSha256 } from '../model/fingerprint.js';
import type { Engine } from '../engine/open.js';
import type { ExperimentContext } from '../steer/experiments.js';
import { openEngineForCli, type EngineFlags } from './common.js';
import { prepareOutputs } from './output-files.js';
import { datasetOfHeader } from '../data/dataset-names.js';

export async function openSessionModel(file: string, flags: EngineFlags & { json?: string; csv?: string }): Promise<{ session: Session; engine: Engine; ctx: ExperimentContext }> {
  await prepareOutputs({ '--json': flags.json, '--csv': flags.csv });
  const session = await readSessionFile(file);
  const engine = await openEngineForCli(flags, false, datasetOfHeader(session.header));
  const model = Mlp.fromWeights(session.weights);
  const ctx: ExperimentContext = { model, modelSha256: modelSha256(session.weights), data: { ...engine.data }, backend: engine.backend, pool: engine.sweepPool };
  return { session, engine, ctx };
}
