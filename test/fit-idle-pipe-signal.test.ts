import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, closed, tempFiles } from './helpers.js';

/** Bytes a process has read so far (Linux's /proc/PID/io), or undefined where that is not to be had. */
function bytesRead(pid: number): number | undefined {
  try {
    return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/**
 * Whether the process waits on the named pipe `pipe` (Linux's /proc): it holds it open, or one of
 * its threads waits in the kernel for a writer to open it (`wait_for_partner`). Undefined where
 * /proc does not tell.
 */
function waitsOnPipe(pid: number, pipe: string): boolean | undefined {
  try {
    const held = readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === realpathSync(pipe);
      } catch {
        return false;
      }
    });
    return held || readdirSync(`/proc/${pid}/task`).some((task) => readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8') === 'wait_for_partner');
  } catch {
    return undefined;
  }
}

/** `fit` of a new named pipe `name` in a folder of its own: the process (killed if the test is aborted), its exit code, its stderr so far. */
function fitOfNewPipe(name: string, abort: AbortSignal): { pipe: string; child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const dir = tempFiles({});
  const pipe = join(dir, name);
  execFileSync('mkfifo', [pipe]);
  const child = spawn(process.execPath, [BIN, 'fit', pipe], { cwd: dir });
  abort.addEventListener('abort', () => child.kill('SIGKILL'));
  const exited = closed(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { pipe, child, exited, stderr: () => stderr };
}

/**
 * `fit` of a pipe whose writer keeps it open and idle (`fit <(ssh host tail -f log)`): Ctrl-C
 * printed `twogenerals: interrupted` and then the process hung until the writer closed. The
 * reading waited in one of the file system's threads, in the kernel, and a process exits only
 * once those threads are done; a pipe is now read through the event loop. The signal goes once
 * the reader has taken every byte written (its bytes read, where Linux counts them) and waits
 * for more, whatever the machine's speed. The test's timeout only turns the old hang into a
 * failure; a passing run never waits on it.
 */
describe('fit reading a pipe that its writer keeps open and idle', { skip: process.platform === 'win32' }, () => {
  it('ends on SIGINT with one line and exit 130, the writer still open', { timeout: 120_000 }, async (t) => {
    const { pipe, child, exited, stderr } = fitOfNewPipe('idle.pipe', t.signal);
    // Opened once the reader has opened the pipe: what it read before is its start, not the trace.
    const writer = await open(pipe, 'w');
    try {
      const before = bytesRead(child.pid!);
      const trace = '0001000100'.repeat(400_000); // 4 MB: more than a pipe holds, and than a block of the reading
      await writer.write(trace);
      if (before !== undefined)
        while ((bytesRead(child.pid!) ?? Number.POSITIVE_INFINITY) < before + trace.length) await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill('SIGINT');
      assert.equal(await exited, 130, stderr());
      assert.equal(stderr(), 'twogenerals: interrupted\n');
    } finally {
      await writer.close();
    }
  });

  it('ends on SIGINT with one line and exit 130 while no writer has opened the pipe yet', { timeout: 120_000 }, async (t) => {
    // Opening a named pipe waits for its writer: that wait too was on a file-system thread.
    const { pipe, child, exited, stderr } = fitOfNewPipe('unopened.pipe', t.signal);
    let ended = false;
    void exited.then(() => (ended = true));
    while (!ended && waitsOnPipe(child.pid!, pipe) === false) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr());
    assert.equal(stderr(), 'twogenerals: interrupted\n');
  });
});
