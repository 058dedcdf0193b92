/**
 * The open session's class names ("0".."9" for MNIST; "T-shirt/top", "Trouser", ... for
 * Fashion-MNIST), read from the engine's session summary, so every view labels classes by the
 * dataset the model was trained on. One reader over the one store, like open-model-hooks.
 */
import type { AppState } from './app-state.svelte.js';

const DIGITS: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

class OpenDataset {
  private app = $state<AppState | null>(null);

  /** Called once by AppState: the names follow its session from then on. */
  follow(app: AppState): void {
    this.app = app;
  }

  /** Class k's name, k = 0..9. */
  get names(): readonly string[] {
    return this.app?.session?.dataset?.classNames ?? DIGITS;
  }

  /** "MNIST", "Fashion-MNIST". */
  get title(): string {
    return this.app?.session?.dataset?.title ?? 'MNIST';
  }

  /** True when the classes are MNIST's digits (labels can stay one character wide). */
  get isDigits(): boolean {
    return this.names.every((name, k) => name === DIGITS[k]);
  }
}

export const openDataset = new OpenDataset();

/** Class k's name in the open session's dataset. */
export function className(k: number): string {
  return openDataset.names[k] ?? String(k);
}
