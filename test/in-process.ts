import { Writable } from 'node:stream';
import { runCli } from '../src/cli/main.js';
import { ROOT } from './helpers.js';
import type { CliResult } from './helpers.js';

/**
 * Runs the CLI in this process, as `bin/twogenerals.js` would but with captured streams: for
 * tests that try hundreds of inputs, where a process each would take minutes. It runs from `cwd`
 * (the package's folder, where `cli` runs its processes, unless given: for tests about where a
 * command finds its files from the folder it runs in); the folder is the package's again after.
 */
export async function cliInProcess(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  process.chdir(cwd);
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(chunk.toString());
        callback();
      },
    });
  try {
    const status = await runCli(['node', 'twogenerals', ...args], {
      stdout: sink((t) => (stdout += t)),
      stderr: sink((t) => (stderr += t)),
      env: { NO_COLOR: '1', ...env },
    });
    return { status, stdout, stderr };
  } finally {
    process.chdir(ROOT);
  }
}

/** A stack trace's telltale line ("    at f (file.js:1:2)"). */
export const STACK_LINE = /^\s+at .*(\.js|\.ts|<anonymous>|node:)[^\n]*\d+:\d+\)?$/m;

/**
 * `cli` without the process: the same arguments and environment, run in this process. For tests
 * whose subject is the command's output or refusal, not the process around it (signals, exit of
 * a hung child, a closed stdout): a process each costs a Node start-up and adds nothing there.
 */
export function cliIn(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): Promise<CliResult> {
  return cliInProcess(args, { NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', ...env }, cwd);
}
