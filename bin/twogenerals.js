#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS entry point without its ES module loader.
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');
const { codeCacheFile } = require('./code-cache.js');

// The CLI is one script (dist/bundle/cli.cjs: an ASCII function expression) run with V8's code
// cache, which the build saves beside it (scripts/bundle.ts): V8 then skips compiling nearly all
// that a run needs. A cache is read only by the Node.js that saved it (./code-cache.js); under
// any other the script compiles as it would without one.
const dir = join(__dirname, '..', 'dist', 'bundle');
const file = join(dir, 'cli.cjs');
let source;
try {
  source = readFileSync(file, 'latin1');
} catch {
  // A checkout of the source before its build (the npm package comes built): one line, no stack trace.
  process.stderr.write('twogenerals: not built yet: run `npm run build` in the checkout first (README, "Two commands")\n');
  process.exit(2);
}
const cacheFile = codeCacheFile(dir, source);
const script = new Script(source, {
  filename: file,
  cachedData: cacheFile !== null && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
});
const cli = { exports: {} };
script.runInThisContext()(cli.exports, require, cli, file, dir, (specifier) => import(specifier));
if (process.env.TWOGENERALS_SAVE_CODE_CACHE && cacheFile !== null) process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
// Pool threads boot while the CLI reads its scenario (see src/cli/early.ts).
cli.exports.startEarly(process.argv);
cli.exports.main(process.argv);
