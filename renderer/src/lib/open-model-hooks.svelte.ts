/**
 * The open model's hook list for the components that show or choose a hook: read from the app
 * state's session (the engine's summary), so it changes exactly when the engine says the model
 * changed. One reader over the one store, instead of passing the list through every view.
 */
import type { AppState } from './app-state.svelte.js';
import { hookLabel as labelIn, type ModelHooks } from './hook-label.js';

class OpenModelHooks {
  private app = $state<AppState | null>(null);

  /** Called once by AppState: the list follows its session from then on. */
  follow(app: AppState): void {
    this.app = app;
  }

  /** The hooks in forward order; empty while no model is open. */
  get list(): ModelHooks {
    return this.app?.session?.model?.hooks ?? [];
  }
}

export const openModelHooks = new OpenModelHooks();

/** "3 · after GELU 2": the open model's name for hook `index`. */
export function hookLabel(index: number): string {
  return labelIn(openModelHooks.list, index);
}
