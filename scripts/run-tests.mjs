#!/usr/bin/env node
/**
 * `npm test`'s test run: `node --test` over dist/test/*.test.js, two files at a time, with the spec
 * reporter (arguments given to this script go before the files). Every test file runs in a
 * process of its own, without NODE_EXTRA_CA_CERTS: no test opens a connection, and with it set,
 * every Node start reads and parses the bundle it names (about 50 ms of CPU a process where it was
 * measured, for each of the suite's test files). test/helpers.ts drops it for the processes the
 * tests start. Plain JavaScript, like build-if-stale.mjs beside it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(join(ROOT, 'dist', 'test'))
  .filter((name) => name.endsWith('.test.js'))
  .sort()
  .map((name) => join('dist', 'test', name));
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...process.argv.slice(2), ...files], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
});
if (run.error) throw run.error;
process.exitCode = run.status ?? 1;
