import { existsSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import type { CliResult } from './helpers.js';

/**
 * The process cliSeries (cli-series.ts) starts: the CLI's bundle loaded as bin/twogenerals.js
 * loads it, then each command line given run through it in turn, with its own captured output;
 * the results go back as JSON on file descriptor 3.
 */
const [bin, given] = process.argv.slice(2) as [string, string];
const dir = join(bin, '..', '..', 'dist', 'bundle');
const file = join(dir, 'cli.cjs');
const source = readFileSync(file, 'latin1');
const { codeCacheFile } = createRequire(bin)('./code-cache.js') as { codeCacheFile: (dir: string, source: string) => string };
const cacheFile = codeCacheFile(dir, source);
const script = new Script(source, { filename: file, ...(existsSync(cacheFile) ? { cachedData: readFileSync(cacheFile) } : {}) });
const bundle = { exports: {} as { runCli: (argv: readonly string[], streams: unknown) => Promise<number> } };
(script.runInThisContext() as (...a: unknown[]) => void)(bundle.exports, createRequire(bin), bundle, file, dir, (specifier: string) => import(specifier));
const results: CliResult[] = [];
for (const args of JSON.parse(given) as string[][]) {
  let stdout = '';
  let stderr = '';
  const status = await bundle.exports.runCli(['node', bin, ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env },
  });
  results.push({ status, stdout, stderr });
}
writeSync(3, JSON.stringify(results));
process.exit(0);
