/**
 * Keeping error messages short and free of what the client sent (issue 11.14). An error that
 * quotes a 1 KB session name or an unknown key verbatim hands the page back its own input, makes
 * the banner unreadable and, in server mode, lets a page probe what the engine echoes. Messages
 * keep naming the input (its first characters) so the user still sees what was wrong.
 */
import type { ApiError } from './contract.js';

/** Longest piece of client input an error message quotes; longer input is cut with "…". */
export const MAX_ECHOED_INPUT = 40;
/** Longest error message (and issue message) sent to a page. */
export const MAX_ERROR_MESSAGE = 400;
/** How many long strings of one request are looked for in its error message. */
const MAX_LONG_STRINGS = 32;

/** `text` cut to `MAX_ECHOED_INPUT` characters, with "…" when it was longer. */
export function shortInput(text: string): string {
  return text.length <= MAX_ECHOED_INPUT ? text : `${text.slice(0, MAX_ECHOED_INPUT)}…`;
}

/** `text` cut to `max` characters, with "…" when it was longer. */
function capLength(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The strings (values and keys) in `payload` longer than `MAX_ECHOED_INPUT`, longest first. Walks
 * with its own stack and a budget: the payload can be a megabyte of anything, nested 100,000 deep.
 */
function longStringsIn(payload: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [payload];
  let budget = 100_000;
  while (stack.length > 0 && budget-- > 0 && found.size < MAX_LONG_STRINGS) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.length > MAX_ECHOED_INPUT) found.add(node);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        stack.push(key, value);
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** `message` with every long string of the client's `payload` shortened, and the whole capped. */
export function withoutEchoedInput(message: string, payload: unknown): string {
  let text = message;
  for (const long of longStringsIn(payload)) {
    if (text.includes(long)) text = text.split(long).join(shortInput(long));
  }
  return capLength(text, MAX_ERROR_MESSAGE);
}

/** `error` with its message and issues passed through `withoutEchoedInput`. */
export function limitEchoedInput(error: ApiError, payload: unknown): ApiError {
  const limited: ApiError = { code: error.code, message: withoutEchoedInput(error.message, payload) };
  if (error.issues) {
    limited.issues = error.issues.map((issue) => ({
      path: withoutEchoedInput(issue.path, payload),
      message: withoutEchoedInput(issue.message, payload),
    }));
  }
  return limited;
}
