/**
 * Benchmark result files: `<YYYY-MM-DD>-<backend>-<host>.json` and `.md` in the results folder,
 * `latest.md` after a full run, and the newest PyTorch reference (`pytorch-*.json`) to compare with.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import path from 'node:path';
import { hostSlug } from './machine.js';
import { renderMarkdown } from './markdown.js';
import type { BenchResult } from './types.js';

/** The base name (no extension) of a result's files; quick runs carry `-quick`. */
export function resultBaseName(result: BenchResult): string {
  const backend = String(result.runtime.backend ?? 'unknown').replace(/[^a-z0-9-]+/gi, '-');
  return `${result.timestamp.slice(0, 10)}-${backend}-${hostSlug(result.machine.hostname)}${result.quick ? '-quick' : ''}`;
}


/** Reads a result file, or null (with the reason) when it is not a result of the expected shape. */
async function readResult(file: string): Promise<BenchResult | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<BenchResult>;
    if (parsed.schema !== 1 || typeof parsed.timestamp !== 'string' || typeof parsed.figures !== 'object' || !parsed.sizes) return null;
    return parsed as BenchResult;
  } catch {
    return null;
  }
}

/**
 * The newest PyTorch result in `dir` of the same kind (quick or full), by its timestamp; null if
 * there is none.
 */
export async function newestReference(dir: string, quick: boolean): Promise<{ result: BenchResult; file: string } | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  let best: { result: BenchResult; file: string } | null = null;
  for (const name of names.filter((n) => /^pytorch-.*\.json$/.test(n))) {
    const result = await readResult(path.join(dir, name));
    if (!result || result.tool !== 'pytorch' || Boolean(result.quick) !== quick) continue;
    if (!best || result.timestamp > best.result.timestamp) best = { result, file: name };
  }
  return best;
}

export interface WrittenFiles {
  json: string;
  markdown: string;
  /** Set when latest.md was updated (full runs only). */
  latest?: string;
  /** The PyTorch result compared with, if any. */
  reference?: string;
}

/** Writes the JSON and Markdown of `result` into `dir` (created if needed), comparing with PyTorch. */
export async function writeResultFiles(dir: string, result: BenchResult): Promise<WrittenFiles> {
  await mkdir(dir, { recursive: true });
  const base = resultBaseName(result);
  const json = path.join(dir, `${base}.json`);
  const markdown = path.join(dir, `${base}.md`);
  const reference = await newestReference(dir, result.quick);
  const page = renderMarkdown(result, reference?.result ?? null, `${base}.json`, reference?.file);
  await writeFileAtomic(json, JSON.stringify(result, null, 1) + '\n');
  await writeFileAtomic(markdown, page);
  const written: WrittenFiles = { json, markdown, reference: reference ? path.join(dir, reference.file) : undefined };
  if (!result.quick) {
    written.latest = path.join(dir, 'latest.md');
    await writeFileAtomic(written.latest, page);
  }
  return written;
}
