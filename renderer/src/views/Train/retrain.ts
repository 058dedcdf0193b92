/**
 * What retraining costs, in one question for the user. The engine replaces the model and removes
 * the sweeps made with it (their numbers belong to the old model); drawings and notes stay.
 */
import type { SessionSummary } from '../../../../native/service/workbench-types.js';
import { countOf } from '../../../../native/util/plural.js';

/** The question to ask before training over an existing model, or null when there is none. */
export function retrainQuestion(session: SessionSummary): string | null {
  if (!session.model) return null;
  const model = `${session.model.sizes.join('-')} · ${session.model.sha256.slice(0, 8)}`;
  const sweeps = session.sweepIds.length;
  const dropped = sweeps === 0 ? '' : ` Its ${countOf(sweeps, 'sweep')} will be removed from this session.`;
  const kept = session.dirty || !session.path
    ? ' The old model is lost unless you save the session first.'
    : ` The saved file ${session.name} keeps the old model${sweeps === 0 ? '' : ' and its sweeps'} until you save again.`;
  return `Training replaces the current model (${model}).${dropped}${kept} Drawings and notes are kept. Train a new model?`;
}
