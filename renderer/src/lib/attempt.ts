/**
 * A view's action that may fail: the problem is cleared first, and a failure becomes the one
 * sentence the view shows (the engine's errors are sentences for users).
 */
export async function attempt(action: () => Promise<void>, setProblem: (problem: string | null) => void): Promise<void> {
  try {
    setProblem(null);
    await action();
  } catch (error) {
    setProblem(error instanceof Error ? error.message : String(error));
  }
}
