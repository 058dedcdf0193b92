// Preloaded with `node -r` by tests/cli/start-up.test.ts: at exit, writes the packages whose
// CommonJS modules the process loaded (an ESM import of a CommonJS package loads it here too)
// to the file named by STEERLAB_TEST_LOADED, one package name a line.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const packages = new Set(Object.keys(require.cache).map((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]).filter(Boolean));
  writeFileSync(process.env.STEERLAB_TEST_LOADED, [...packages].sort().join('\n'));
});
