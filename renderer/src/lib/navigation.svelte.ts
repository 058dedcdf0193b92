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
