import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, closed, shellWord, tempFiles } from './helpers.js';

/**
 * Whether the process holds the named pipe `pipe` open at a descriptor other than its standard
 * input (Linux's /proc): it opened it to read it. Undefined where /proc does not tell.
 */
function readsPipe(pid: number, pipe: string): boolean | undefined {
  try {
    const target = realpathSync(pipe);
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fd !== '0' && readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

/** Whether one of the process's threads waits in the kernel for a writer to open a named pipe (Linux's /proc). */
function waitsForWriter(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) => readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8') === 'wait_for_partner');
  } catch {
    return false;
  }
}

/** Whether the process's main thread waits in the event loop (Linux's /proc): it has begun its command. */
function waitsInEventLoop(pid: number): boolean {
  try {
    return /epoll/.test(readFileSync(`/proc/${pid}/wchan`, 'utf8'));
  } catch {
    return false;
  }
}

interface Started {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/**
 * A command on a named pipe `name` in a folder of its own beside `files`, the pipe's writer open
 * and idle (the test's, opened before the command starts, read and write so that opening it waits
 * for no reader): `command(pipe)` gives the process to start.
 */
async function onIdlePipe(
  name: string,
  files: Record<string, string>,
  command: (dir: string, pipe: string) => [string, string[]],
  abort: AbortSignal,
): Promise<Started & { pipe: string; writer: FileHandle }> {
  const dir = tempFiles(files);
  const pipe = join(dir, name);
  execFileSync('mkfifo', [pipe]);
  const writer = await open(pipe, constants.O_RDWR);
  const [file, args] = command(dir, pipe);
  const child = spawn(file, args, { cwd: dir });
  abort.addEventListener('abort', () => child.kill('SIGKILL'));
  const exited = closed(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, exited, stderr: () => stderr, pipe, writer };
}

const cliOn =
  (...args: string[]) =>
  (_dir: string, pipe: string): [string, string[]] => [process.execPath, [BIN, ...args.map((a) => (a === 'PIPE' ? pipe : a))]];

/**
 * Signals the command once it reads the pipe (it holds it open, where /proc tells; a passing run
 * never waits on a clock) and checks that it ends as every command does on that signal: one line,
 * 128 + the signal's number. The test's timeout only turns a hang into a failure.
 */
async function endsOnSignal(started: Started & { pipe: string; writer: FileHandle }, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): Promise<void> {
  const { child, exited, stderr, pipe, writer } = started;
  try {
    let ended = false;
    void exited.then(() => (ended = true));
    while (!ended && readsPipe(child.pid!, pipe) === false) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill(signal);
    const [code, line] = signal === 'SIGINT' ? [130, 'interrupted'] : [143, 'terminated (SIGTERM)'];
    assert.equal(await exited, code, stderr());
    assert.equal(stderr(), `twogenerals: ${line}\n`);
  } finally {
    await writer.close();
  }
}

const TRACE_SCENARIO = 'protocol: messenger\nchannel: { model: trace, file: trace.txt }\nredundancy: 2\ntrials: 1000\n';

/**
 * Every input a command reads, given as a named pipe whose writer keeps it open and idle
 * (`run <(ssh host cat s.yaml)`): the reading waited in the kernel, on the main thread, so the
 * signal's handler never ran and Ctrl-C or SIGTERM did nothing until the writer closed. Such
 * inputs are now read through the event loop.
 */
describe('a command reading a pipe that its writer keeps open and idle', { skip: process.platform !== 'linux', concurrency: 4 }, () => {
  for (const command of ['validate', 'run', 'exact', 'trace --trial 1', 'plan --target success>=0.9 --vary redundancy=1:4']) {
    it(`ends on SIGINT with one line and exit 130: ${command} of a scenario`, { timeout: 60_000 }, async (t) => {
      await endsOnSignal(await onIdlePipe('s.yaml', {}, cliOn(...command.split(' ').slice(0, 1), 'PIPE', ...command.split(' ').slice(1)), t.signal));
    });
  }

  it('ends on SIGTERM with one line and exit 143: run of a scenario', { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('s.yaml', {}, cliOn('run', 'PIPE'), t.signal), 'SIGTERM');
  });

  it("ends on SIGINT with one line and exit 130: run of a scenario whose trace channel's file is the pipe", { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('trace.txt', { 's.yaml': TRACE_SCENARIO }, cliOn('run', 's.yaml'), t.signal));
  });

  it("ends on SIGINT with one line and exit 130: validate of a scenario whose trace channel's file is the pipe", { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('trace.txt', { 's.yaml': TRACE_SCENARIO }, cliOn('validate', 's.yaml'), t.signal));
  });

  it('ends on SIGINT with one line and exit 130: merge of a shard', { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('shard-1.json', {}, cliOn('merge', 'PIPE'), t.signal));
  });

  it('ends on SIGINT with one line and exit 130: merge of a saved results.json (a re-export)', { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('results.json', {}, cliOn('merge', 'PIPE', '-f', 'csv'), t.signal));
  });

  it('ends on SIGINT with one line and exit 130: plot of results as CSV', { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('results.csv', {}, cliOn('plot', 'PIPE', '-o', 'chart.svg'), t.signal));
  });

  it('ends on SIGINT with one line and exit 130: plot of results as JSON', { timeout: 60_000 }, async (t) => {
    await endsOnSignal(await onIdlePipe('results.json', {}, cliOn('plot', 'PIPE', '-o', 'chart.svg'), t.signal));
  });

  it('ends on SIGINT with one line and exit 130: run of a scenario given as /dev/stdin, a pipe', { timeout: 60_000 }, async (t) => {
    // The shell opens the pipe as the command's standard input, then becomes the command.
    const started = await onIdlePipe(
      'stdin.pipe',
      {},
      (_dir, pipe) => ['sh', ['-c', `exec ${shellWord(process.execPath)} ${shellWord(BIN)} run /dev/stdin < ${shellWord(pipe)}`]],
      t.signal,
    );
    await endsOnSignal(started);
  });

  it("ends on SIGINT with one line and exit 130: validate of a scenario given as /dev/stdin, a socket (a Node.js parent's pipe)", {
    timeout: 60_000,
  }, async (t) => {
    // Linux opens a socket by no name: /dev/stdin was refused as `no such device`. Standard input is
    // now read from its descriptor; the signal goes once the main thread waits in the event loop
    // (its handlers are set before the command's first wait).
    const child = spawn(process.execPath, [BIN, 'validate', '/dev/stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
    t.signal.addEventListener('abort', () => child.kill('SIGKILL'));
    const exited = closed(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.write('protocol: messenger\n');
    let ended = false;
    void exited.then(() => (ended = true));
    while (!ended && !waitsInEventLoop(child.pid!)) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stderr, 'twogenerals: interrupted\n');
    child.stdin.destroy();
  });

  it('ends on SIGINT with one line and exit 130: validate of a scenario whose pipe no writer has opened yet', { timeout: 60_000 }, async (t) => {
    // Opening a named pipe waits for its writer, on the main thread where it was opened synchronously.
    const dir = tempFiles({});
    const pipe = join(dir, 's.yaml');
    execFileSync('mkfifo', [pipe]);
    const child = spawn(process.execPath, [BIN, 'validate', pipe], { cwd: dir });
    t.signal.addEventListener('abort', () => child.kill('SIGKILL'));
    const exited = closed(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let ended = false;
    void exited.then(() => (ended = true));
    while (!ended && readsPipe(child.pid!, pipe) === false && !waitsForWriter(child.pid!)) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.equal(stderr, 'twogenerals: interrupted\n');
  });

  /**
   * A protocol file is read again by every process and thread that runs it: read from a pipe, the
   * quick check's process waited on it for ever after Ctrl-C ended the command, and once the
   * writer closed, the command waited, deaf to Ctrl-C, for a writer gone. It is refused at once.
   */
  for (const [what, files, command] of [
    ['check of a protocol file', {}, cliOn('check', 'PIPE')],
    ['run of a scenario whose protocol file is the pipe', { 's.yaml': 'protocol: ./p.mjs\n' }, cliOn('run', 's.yaml')],
    ['validate of a scenario whose protocol file is the pipe', { 's.yaml': 'protocol: ./p.mjs\n' }, cliOn('validate', 's.yaml')],
  ] as const) {
    it(`refuses a protocol file that is a pipe at once, never reading it: ${what}`, { timeout: 60_000 }, async (t) => {
      const { exited, stderr, pipe, writer } = await onIdlePipe('p.mjs', files, command, t.signal);
      try {
        assert.equal(await exited, 2, stderr());
        assert.match(stderr(), /^twogenerals: [^\n]*protocol file [^\n]*p\.mjs: is a pipe or a device, not a file: [^\n]*save it to a file and name that\n$/);
        assert.equal(stderr().includes(pipe), true);
      } finally {
        await writer.close();
      }
    });
  }
});
