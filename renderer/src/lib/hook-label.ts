/**
 * The one name of a hook point in every view: its number and the module it follows, from the
 * model's description (native/model/weights.ts HOOK_NAMES: Linear 1, ReLU 1, Linear 2, ReLU 2,
 * logits). Views showed three spellings ("0 · after Linear 1", "0 Linear 1", "0 · Linear 1").
 */
import { HOOK_NAMES } from '../../../native/model/weights.js';

/** "0 · Linear 1": the activation right after that module, where a vector is added. */
export function hookLabel(hook: number): string {
  return `${hook} · ${HOOK_NAMES[hook]}`;
}
