/**
 * Serving the built renderer (dist/renderer) as files, without letting a URL reach outside it.
 * Shared by the server mode and Electron's app:// protocol handler.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** dist/renderer, found relative to this file whether it runs from native/ (tsx) or dist/native/. */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const fromSource = path.resolve(here, '../../dist/renderer');
  const fromDist = path.resolve(here, '../../renderer');
  return here.split(path.sep).includes('dist') ? fromDist : fromSource;
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
  isPage: boolean;
}

/**
 * Reads the file a URL path names inside `root` ("/" is index.html). Returns null when there is
 * no such file or the path tries to leave `root`.
 */
export async function readRendererFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    if (!(await stat(file)).isFile()) return null;
    const ext = path.extname(file).toLowerCase();
    return { body: await readFile(file), contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream', isPage: ext === '.html' };
  } catch {
    return null;
  }
}
