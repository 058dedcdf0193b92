/**
 * The desktop window's sizes. The minimum is the size the workbench's layout is tested to fit
 * (tests/e2e/layout.test.ts: one-line navigation, no view scrolling sideways, the status bar
 * whole), so a user cannot shrink the window into a layout nobody has checked.
 */
export const MIN_WINDOW = { width: 1024, height: 700 } as const;
export const DEFAULT_WINDOW = { width: 1200, height: 800 } as const;
