/**
 * A drawing as a file: a JSON array of 784 numbers in [0, 1] (28x28, row-major), as `steerlab
 * place --pixels FILE` reads it. Read through util/regular-file.ts like every file a user names, so
 * a FIFO, a device or a huge file is refused before a byte is read, and no message quotes the file.
 */
import { INPUT_SIZE } from '../model/weights.js';
import { jsonSyntaxWhere } from '../util/json-limits.js';
import { readUserText, USER_FILES } from '../util/regular-file.js';

const FIX = `${USER_FILES.pixels.fix}.`;

/** A value in words without repeating a file's text back. */
function described(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : typeof value;
}

/** The 784 pixels in `text`; every refusal is one sentence naming `source` and the fix. */
export function decodePixelsFile(text: string, source: string): number[] {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    const where = jsonSyntaxWhere(error, text);
    throw new Error(`${source} is not valid JSON${where ? ` (${where})` : ''}; ${FIX}`);
  }
  if (!Array.isArray(values)) throw new Error(`${source} holds ${described(values)}, not a list of pixels; ${FIX}`);
  if (values.length !== INPUT_SIZE) throw new Error(`${source} holds ${values.length} values, not ${INPUT_SIZE}; ${FIX}`);
  const bad = values.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 1));
  if (bad >= 0) throw new Error(`${source}: pixel ${bad + 1} (index ${bad}) is ${described(values[bad])}, not a number in [0, 1]; ${FIX}`);
  return values as number[];
}

/** Reads and checks a pixels file the user named. */
export async function readPixelsFile(file: string, source = file): Promise<number[]> {
  return decodePixelsFile(await readUserText(file, 'pixels'), source);
}
