/** Before the open session is replaced: true when it has no unsaved changes or the user agrees to drop them. */
export function confirmDiscard(session: { dirty: boolean } | null): boolean {
  return !session?.dirty || confirm('The session has unsaved changes. Discard them?');
}
