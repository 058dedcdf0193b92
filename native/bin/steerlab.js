#!/usr/bin/env node
// The `steerlab` command: runs the compiled CLI (npm install builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../../dist/native/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('SteerLab is not built yet: run `npm install` (or `npm run build`) in the project folder.\n');
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
