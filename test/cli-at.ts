import { Writable } from 'node:stream';
import { ROOT } from './helpers.js';
import type { CliResult } from './helpers.js';

/**
 * `cli` in this process, run from `cwd` (the package's folder unless given), with `cliIn`'s
 * environment: for tests about where a command finds its files from the folder it runs in (a
 * baseline, shards, a trace, a saved scenario.yaml), not about the process around it, which a
 * Node start-up each would add nothing to. The folder is the package's again once it returns.
 */
export async function cliAt(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  const { runCli } = await import('../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  process.chdir(cwd);
  try {
    const status = await runCli(['node', 'twogenerals', ...args], {
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
      env: { NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', ...env },
    });
    return { status, stdout, stderr };
  } finally {
    process.chdir(ROOT);
  }
}
