/**
 * Numbers as the app shows them in words and titles: a negative sign is the true minus "−"
 * (U+2212), not the hyphen JavaScript prints ("coeff −2", not "coeff -2"; issue 20.18). Files
 * and JSON keep the plain ASCII form; this is for text a person reads.
 */
export function shownNumber(value: number): string {
  return String(value).replace(/-/g, '\u2212');
}
