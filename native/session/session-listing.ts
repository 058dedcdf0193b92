/**
 * What a session list shows about a file without opening it (issue 20.18: the Open dialog lists
 * sessions with their date and model, not bare names): the header's `updatedAt` (set on every
 * save) and the model's sizes and test accuracy. Only the header is read, through the user-file
 * reader (regular files only), and nothing is checked beyond the fields used: the listing is a
 * guide; opening the file does the full checks. A file that cannot be read lists with nothing.
 */
import { HEADER_JSON_LIMITS } from './format.js';
import { jsonShapeProblem } from '../util/json-limits.js';
import { openUserFile, readAt } from '../util/regular-file.js';

export interface SessionListing {
  /** ISO time of the last save, or null when unknown. */
  savedAt: string | null;
  /** Layer sizes of the model, e.g. [784, 512, 512, 10], or null. */
  modelSizes: number[] | null;
  /** Test accuracy of the model's training, when SteerLab trained it. */
  testAccuracy: number | null;
}

const NOTHING: SessionListing = { savedAt: null, modelSizes: null, testAccuracy: null };
/** magic "STEERLAB" (8) + version (4) + header length (8), as format.ts writes them. */
const PREAMBLE_BYTES = 20;
/** A listing reads at most this much header; a session with a larger one lists without details. */
const MAX_LISTED_HEADER = 8 * 1024 * 1024;

export async function sessionListing(file: string): Promise<SessionListing> {
  let opened: Awaited<ReturnType<typeof openUserFile>>;
  try {
    opened = await openUserFile(file, 'session');
  } catch {
    return NOTHING;
  }
  try {
    const preamble = await readAt(opened.handle, PREAMBLE_BYTES, 0);
    if (preamble.length < PREAMBLE_BYTES || preamble.toString('ascii', 0, 8) !== 'STEERLAB') return NOTHING;
    const headerLength = Number(preamble.readBigUInt64LE(12));
    if (headerLength > MAX_LISTED_HEADER || PREAMBLE_BYTES + headerLength > opened.size) return NOTHING;
    const text = (await readAt(opened.handle, headerLength, PREAMBLE_BYTES)).toString('utf8');
    if (jsonShapeProblem(text, HEADER_JSON_LIMITS)) return NOTHING;
    return listingOf(JSON.parse(text) as unknown);
  } catch {
    return NOTHING;
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

/** The listed fields of a parsed header, each only when it has the expected type. */
function listingOf(header: unknown): SessionListing {
  const h = (header ?? {}) as { updatedAt?: unknown; model?: { sizes?: unknown }; training?: { testAccuracy?: unknown } };
  const sizes = h.model?.sizes;
  const accuracy = h.training?.testAccuracy;
  return {
    savedAt: typeof h.updatedAt === 'string' && !Number.isNaN(Date.parse(h.updatedAt)) ? h.updatedAt : null,
    modelSizes: Array.isArray(sizes) && sizes.every((n) => Number.isInteger(n)) ? (sizes as number[]) : null,
    testAccuracy: typeof accuracy === 'number' && Number.isFinite(accuracy) ? accuracy : null,
  };
}
