/**
 * "1 epoch", "3 epochs": a count with its noun in the right number, for every sentence the app and
 * the CLI print (never "epoch(s)"). `plural` is for nouns that do not just take an s.
 */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
