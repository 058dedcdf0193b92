#!/usr/bin/env node
/**
 * `npm run scan`: Electronegativity (Doyensec's Electron security linter) over the Electron shell,
 * compared with the reviewed allow-list in build/electronegativity-allowlist.json. Exits non-zero
 * on any finding the list does not explain, on allow-list entries that no longer match anything
 * (remove them), on files the scanner could not parse, and when dist/electron is missing or older
 * than electron/ (run `npm run build`).
 *
 * What is scanned: the compiled dist/electron/*.js (what ships), with preload.cjs staged as
 * preload.js because Electronegativity only reads .js/.ts/.html/.json and would silently skip
 * .cjs/.cts. Compiled ES2022 is parsed reliably by its Babel/esprima parsers, while its bundled
 * TypeScript parsers (typescript-estree 4 / TS 4.2) lag behind our TypeScript. Findings are mapped
 * back to electron/*.ts lines through the source maps.
 *
 * Offline and fast (~1 s): the network lookups Electronegativity makes (translations, Electron's
 * release feed) are stubbed out, and the release-feed check is excluded (see the allow-list).
 *
 * Usage: node build/electronegativity-scan.mjs [--json report.json] [--csv report.csv] [--allowlist other.json]
 */
import { createRequire, SourceMap } from 'node:module';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const compiledDir = path.join(root, 'dist/electron');
const sourceDir = path.join(root, 'electron');

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Blocks every network request Electronegativity would make: it only uses `got`. */
function stubNetwork() {
  const Module = require('node:module');
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'got' && parent?.filename?.includes(`${path.sep}@doyensec${path.sep}electronegativity${path.sep}`)) {
      const offline = () => Promise.reject(new Error('offline: SteerLab scans without network'));
      offline.head = offline;
      return offline;
    }
    return load.call(this, request, parent, isMain);
  };
}

/** dist/electron/<name>.js -> electron/<name>.ts; preload.cjs -> preload.cts. */
function sourceOf(compiledName) {
  return `electron/${compiledName.replace(/\.cjs$/, '.cts').replace(/\.js$/, '.ts')}`;
}

/** Compiled files to scan, staged with names Electronegativity reads. Fails when dist is stale. */
function stage() {
  if (!existsSync(compiledDir)) throw new Error('dist/electron is missing: run `npm run build` first.');
  const compiled = readdirSync(compiledDir).filter((f) => f.endsWith('.js') || f.endsWith('.cjs'));
  const stale = compiled.filter((f) => {
    const src = path.join(root, sourceOf(f));
    return existsSync(src) && statSync(src).mtimeMs > statSync(path.join(compiledDir, f)).mtimeMs + 1000;
  });
  if (stale.length) throw new Error(`dist/electron is older than its sources (${stale.join(', ')}): run \`npm run build\` first.`);
  const sources = readdirSync(sourceDir).filter((f) => /\.c?ts$/.test(f));
  const missing = sources.filter((f) => !compiled.includes(f.replace(/\.cts$/, '.cjs').replace(/\.ts$/, '.js')));
  if (missing.length) throw new Error(`dist/electron lacks ${missing.join(', ')}: run \`npm run build\` first.`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steerlab-scan-'));
  const staged = new Map();
  for (const f of compiled) {
    const name = f.replace(/\.cjs$/, '.js');
    copyFileSync(path.join(compiledDir, f), path.join(dir, name));
    staged.set(name, f);
  }
  return { dir, staged };
}

/** The electron/*.ts line of a compiled position, through the .map tsc wrote beside it. */
function sourceLine(compiledName, line, column) {
  const mapFile = path.join(compiledDir, `${compiledName}.map`);
  if (!existsSync(mapFile) || !line) return line;
  const entry = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))).findEntry(line - 1, Math.max(0, column ?? 0));
  return entry && typeof entry.originalLine === 'number' ? entry.originalLine + 1 : line;
}

async function main() {
  const allowListFile = path.resolve(argValue('--allowlist') ?? path.join(root, 'build/electronegativity-allowlist.json'));
  const allowList = JSON.parse(readFileSync(allowListFile, 'utf8'));
  const unreasoned = allowList.allow.filter((e) => typeof e.reason !== 'string' || e.reason.trim().length < 20);
  if (unreasoned.length) throw new Error(`Allow-list entries without a reason: ${unreasoned.map((e) => e.id).join(', ')}`);

  stubNetwork();
  process.env.LANG = 'en-US'; // its messages; the default locale ships with the package
  const run = require('@doyensec/electronegativity/dist/runner.js');
  const { dir, staged } = stage();
  const started = performance.now();
  const log = console.log;
  console.log = () => undefined; // "Could not retrieve updated translations" (we are offline on purpose)
  let result;
  try {
    result = await run({
      input: dir,
      output: argValue('--csv') ? path.resolve(argValue('--csv')) : undefined,
      isRelative: true,
      electronVersionOverride: allowList.electronVersion,
      excludeFromScan: Object.keys(allowList.excludedChecks ?? {}),
      customScan: [],
    });
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  const elapsedMs = Math.round(performance.now() - started);

  const findings = result.issues.map((issue) => {
    const compiledName = staged.get(path.basename(issue.file));
    return {
      id: issue.id,
      file: compiledName ? sourceOf(compiledName) : issue.file,
      line: compiledName ? sourceLine(compiledName, issue.location?.line, issue.location?.column) : issue.location?.line ?? 0,
      severity: issue.severity?.name,
      confidence: issue.confidence?.name,
      manualReview: Boolean(issue.manualReview),
      description: issue.description,
    };
  });
  const explained = (f) => allowList.allow.find((e) => e.id === f.id && (e.file === f.file || f.file === 'N/A'));
  const unexplained = findings.filter((f) => !explained(f));
  const stale = allowList.allow.filter((e) => !findings.some((f) => f.id === e.id && (e.file === f.file || f.file === 'N/A')));
  const parseErrors = result.errors.filter((e) => !e.tolerable);

  const report = {
    scanned: [...staged.values()].map((f) => `dist/electron/${f}`),
    checks: result.globalChecks + result.atomicChecks,
    elapsedMs,
    findings: findings.map((f) => ({ ...f, allowed: Boolean(explained(f)), reason: explained(f)?.reason })),
    unexplained,
    staleAllowListEntries: stale,
    parseErrors,
  };
  if (argValue('--json')) writeFileSync(path.resolve(argValue('--json')), JSON.stringify(report, null, 2) + '\n');

  console.log(`Electronegativity: ${report.checks} checks over ${report.scanned.length} files of dist/electron in ${elapsedMs} ms; ${findings.length} findings, ${findings.length - unexplained.length} explained by ${path.relative(root, allowListFile)}.`);
  for (const f of unexplained) console.log(`  UNEXPLAINED ${f.id} ${f.file}:${f.line} (${f.severity}, ${f.confidence}) ${f.description}`);
  for (const e of stale) console.log(`  STALE allow-list entry ${e.id} ${e.file}: nothing matches it any more; remove it.`);
  for (const e of parseErrors) console.log(`  PARSE ERROR ${e.file}: ${e.message}`);
  const failed = unexplained.length + stale.length + parseErrors.length > 0;
  if (failed) console.log('Scan failed: fix the finding, or add a reviewed entry with a reason to build/electronegativity-allowlist.json (and docs/security.md).');
  else console.log('Scan passed.');
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(`Scan could not run: ${error.message}`);
  process.exitCode = 2;
});
