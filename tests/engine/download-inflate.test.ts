/**
 * The MNIST download checks its files by inflating them as a stream (issue 20 item 7): the hash
 * is the SHA-256 of the content, as computed directly on the raw bytes; a bomb stops at the
 * 128 MiB cap; a cancel mid-inflate stops at the next 1 MiB chunk (counted, not timed); and a
 * cancel as the last byte of a download from a local mirror on 127.0.0.1 arrives (where fetch used
 * to wait for ever) ends the download at once with nothing in the cache.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { contentSha256, downloadMnist } from '../../native/data/download.js';
import { DataFileError } from '../../native/data/idx.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MiB = 2 ** 20;

describe('streamed inflate of a downloaded file', () => {
  it('hashes the content of gzip and plain bytes alike', async () => {
    const content = Uint8Array.from({ length: 3 * MiB + 17 }, (_, i) => (i * 31) % 251);
    expect(await contentSha256(gzipSync(content), 'x.gz')).toBe(sha(content));
    expect(await contentSha256(content, 'x')).toBe(sha(content));
  });

  it('stops a gzip bomb at the 128 MiB cap with a sentence naming the file', async () => {
    const bomb = gzipSync(Buffer.alloc(129 * MiB));
    const inflated: number[] = [];
    const err = await contentSha256(bomb, 'bomb.gz', undefined, (n) => inflated.push(n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toMatch(/^bomb\.gz: decompresses to more than 128 MiB, more than any MNIST file; /);
    expect(inflated.at(-1)).toBeLessThanOrEqual(128 * MiB);
  });

  it('a cancel during the inflate stops it at the next chunk', async () => {
    const big = gzipSync(Buffer.alloc(100 * MiB, 7));
    const controller = new AbortController();
    const inflated: number[] = [];
    const err = await contentSha256(big, 'big.gz', controller.signal, (n) => {
      inflated.push(n);
      controller.abort();
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    // One 1 MiB chunk of the 100 came out before the cancel was seen; none after.
    expect(inflated).toEqual([MiB]);
  });

  it('a cancel as the last byte arrives from a local mirror ends the download, leaving nothing in the cache', async () => {
    const body = gzipSync(Buffer.alloc(64 * MiB, 3));
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mnist/`;
    const cache = mkdtempSync(path.join(tmpdir(), 'steerlab-download-cancel-'));
    const controller = new AbortController();
    try {
      const err = await downloadMnist(cache, {
        mirrors: [url],
        files: [{ name: 'train-images-idx3-ubyte', sha256: sha(Buffer.alloc(64 * MiB, 3)) }],
        signal: controller.signal,
        // All bytes received: the next step is the inflate.
        onProgress: (p) => p.receivedBytes === p.totalBytes && controller.abort(),
      }).catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      // fetch keeps its connection alive; close it so the server can stop.
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});
