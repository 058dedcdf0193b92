/**
 * Limits on the shape of JSON text read from files, checked on the text before JSON.parse.
 *
 * JSON.parse copes with deep nesting, but JSON.stringify, zod and structured clone recurse: a
 * header with a field nested 100,000 deep parses, then overflows the stack the first time the
 * session is sent or saved. Many tiny containers (`[{},{},...]`) cost ~50 bytes of memory per
 * text byte. One linear scan (no recursion) bounds both before anything is allocated.
 */

export interface JsonLimits {
  /** Deepest allowed nesting of arrays and objects (the top-level value is depth 1). */
  maxDepth: number;
  /** Most arrays and objects allowed in total. */
  maxContainers: number;
}

export type JsonShapeProblem =
  | { kind: 'depth'; depth: number; path: string }
  | { kind: 'containers'; count: number };

/**
 * The first limit `text` breaks, or null. For depth it returns the path of keys down to where the
 * limit was crossed (e.g. `drawings[0].additions[0][0]`), so a message can name the field.
 */
export function jsonShapeProblem(text: string, limits: JsonLimits): JsonShapeProblem | null {
  // The stack holds, per open container, the key or index being read inside it.
  const stack: (string | number)[] = [];
  const isArray: boolean[] = [];
  let containers = 0;
  let lastString = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip a string, remembering it: when a ':' follows, it was the key of the next value.
      const start = i + 1;
      i = start;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      lastString = text.slice(start, Math.min(i, start + 64));
      i++;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length + 1 > limits.maxDepth) return { kind: 'depth', depth: stack.length + 1, path: pathText(stack, isArray) };
      if (++containers > limits.maxContainers) return { kind: 'containers', count: containers };
      stack.push(c === 0x5b ? 0 : '');
      isArray.push(c === 0x5b);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      isArray.pop();
    } else if (c === 0x3a /* : */ && stack.length > 0) {
      stack[stack.length - 1] = lastString;
    } else if (c === 0x2c /* , */ && stack.length > 0 && isArray[isArray.length - 1]) {
      stack[stack.length - 1] = (stack[stack.length - 1] as number) + 1;
    }
    i++;
  }
  return null;
}

function pathText(stack: (string | number)[], isArray: boolean[]): string {
  let out = '';
  stack.forEach((part, k) => {
    if (isArray[k]) out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  });
  return out;
}

/**
 * Where JSON.parse gave up on `text`, as words for a message ("at line 3, column 7", "it ends too
 * early"), or '' when V8 does not say. V8's own message quotes the text around the problem, which
 * for a file named by mistake (or a symlink to a private file) would print its contents.
 */
export function jsonSyntaxWhere(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input/.test(message)) return 'it ends too early';
  const at = /at position (\d+)/.exec(message);
  if (!at) return '';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `at line ${line}, column ${column}`;
}
