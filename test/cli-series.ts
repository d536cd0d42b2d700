import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { BIN, CLI_TIMEOUT_MS, ROOT, cli } from './helpers.js';
import type { CliResult } from './helpers.js';

const CHILD = fileURLToPath(new URL('./cli-series-child.js', import.meta.url));

/**
 * Several commands on one protocol file in one CLI process (in `cwd`, the package's folder unless given; `bin`, an installed
 * package's, in place of this checkout's), one after another, each with its own
 * exit code and output, as `cli` gives them: for tests that hold every engine to one refusal, where
 * a process each would start Node, load the tool and check the file again for every command. The
 * commands share what a process keeps (the file loaded and quick-checked once, its pool threads),
 * so they must not depend on each other (a file that counts its calls across commands); anything
 * about the process itself (a signal, a callback of the file's that throws after the command, its
 * own writes to the process's stdout, a built-in it changes) is `cli`'s.
 */
export function cliSeries(commands: readonly (readonly string[])[], env: Record<string, string> = {}, cwd = ROOT, bin = BIN): CliResult[] {
  const r = spawnSync(process.execPath, [CHILD, bin, JSON.stringify(commands)], {
    cwd,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: seriesEnv(env),
  });
  const results = seriesResults(commands, r.status ?? r.signal, (r.output as (string | null)[])[3] ?? '', r.stderr);
  checkAlone(commands, results, env, cwd);
  return results;
}

/**
 * `cliSeries` run at the first call and its results kept for the later ones: for a file whose tests
 * each assert on one command of the same series (each its own test, one process for them all).
 */
export function cliSeriesOnce(commands: readonly (readonly string[])[], env: Record<string, string> = {}): () => CliResult[] {
  let results: CliResult[] | undefined;
  return () => (results ??= cliSeries(commands, env));
}

/**
 * `cliSeries` without blocking this process: for series that mostly wait (a watchdog's deadline
 * in a child that blocks), so that the test runner can run others meanwhile.
 */
export function cliSeriesAsync(commands: readonly (readonly string[])[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult[]> {
  const child = spawn(process.execPath, [CHILD, BIN, JSON.stringify(commands)], {
    cwd,
    timeout: CLI_TIMEOUT_MS,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: seriesEnv(env),
  });
  let stderr = '';
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (text: string) => (out += text));
  return new Promise((resolve, reject) =>
    child.on('close', (code, signal) => {
      try {
        const results = seriesResults(commands, code ?? signal, out, stderr);
        checkAlone(commands, results, env, cwd);
        resolve(results);
      } catch (error) {
        reject(error);
      }
    }),
  );
}

const seriesEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', ...env });

/** The series' results from what its process wrote on descriptor 3, one for each command, or an error saying why there are none. */
function seriesResults(commands: readonly (readonly string[])[], status: number | string | null, out: string, stderr: string): CliResult[] {
  if (status !== 0 || !out) throw new Error(`the series ended without its results (status ${status}): ${stderr}`);
  const results = JSON.parse(out) as CliResult[];
  if (results.length !== commands.length) throw new Error(`${results.length} results for ${commands.length} commands`);
  return results;
}

/**
 * TWOGENERALS_TEST_SERIES_CHECK=1: each command also in a process of its own, which must give the same
 * (a refusal by two worker threads may name either thread's block, alone as in the series).
 */
function checkAlone(commands: readonly (readonly string[])[], results: readonly CliResult[], env: Record<string, string>, cwd: string): void {
  if (process.env['TWOGENERALS_TEST_SERIES_CHECK'] === '1')
    for (const [i, args] of commands.entries()) assert.deepEqual(cli(args, env, cwd), results[i], `${args.join(' ')}: alone, not as in the series`);
}
