/**
 * Starts a worker thread from a module next to the caller: the compiled `.js` file when it exists
 * (an installed app, the CLI), otherwise the `.ts` source loaded through tsx (the test suite runs
 * the engine from its TypeScript sources, and Node cannot load .ts workers by itself).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function startWorker(jsUrl: URL, workerData: unknown): Worker {
  if (existsSync(fileURLToPath(jsUrl))) return new Worker(jsUrl, { workerData });
  const tsUrl = new URL(jsUrl.href.replace(/\.js$/, '.ts'));
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(tsUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
