/**
 * "Show this view": a request any view can make (a thumbnail clicked in the Sweep view opens
 * Draw & steer), applied by the shell, which owns the tabs. Numbered so the same request twice
 * still counts. Nothing else lives here.
 */
class Navigation {
  request = $state<{ view: string; seq: number } | null>(null);
  private seq = 0;

  go(view: string): void {
    this.request = { view, seq: ++this.seq };
  }
}

export const navigation = new Navigation();

/**
 * The view a tab was on, kept in its sessionStorage: a reload opens on it again (a second tab
 * starts on the default). Storage that is unavailable (a locked-down browser) just forgets.
 */
const VIEW_KEY = 'steerlab.view';

export function rememberedView(): string | null {
  try {
    return sessionStorage.getItem(VIEW_KEY);
  } catch {
    return null;
  }
}

export function rememberView(view: string): void {
  try {
    sessionStorage.setItem(VIEW_KEY, view);
  } catch {
    // Not kept: the next reload opens on the default view.
  }
}
