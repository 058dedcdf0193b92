/**
 * "1 epoch", "3 epochs": a count with its noun in the right number, for every sentence the app and
 * the CLI print (never "epoch(s)"). `plural` is for nouns that do not just take an s.
 */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${groupedNumber(n)} ${n === 1 ? singular : plural}`;
}

/**
 * `n.toLocaleString('en')`: "60,000". Whole numbers are grouped here, since the first
 * toLocaleString of a process loads the ICU locale data (tens of ms of a command's start-up).
 */
function groupedNumber(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}
