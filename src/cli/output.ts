import { fstatSync, statSync, writeSync } from 'node:fs';
import { refuseBuiltInsChangedSinceLoad } from '../protocol-files/built-ins.js';

/** What a command writes to: standard output or error, or a test's stand-in for them. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The only place that knows about the terminal: streams, TTY and colour. */
export interface Streams {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  /** `--quiet`: no progress and no notes, only results and errors. */
  readonly quiet?: boolean;
  /** Under GitHub Actions (unless `--no-github`): annotate failed gates, append the summary to $GITHUB_STEP_SUMMARY. */
  readonly github?: boolean;
  /**
   * Called before results go to a file (`plot -o`, a result folder), as before every write to
   * standard output: refuses results made after a protocol file changed a built-in. The process's
   * own streams only (a test's in-process run shares the built-ins with other tests' files).
   */
  readonly checkResults?: () => void;
}

/** What became of standard output: closed by its reader (EPIPE), or failed (a full disk). */
export interface OutputState {
  closed: boolean;
  failure: NodeJS.ErrnoException | null;
}

/** The process's output, what became of standard output, and a wait until all of it has gone out. */
export interface ProcessOutput {
  readonly streams: Streams;
  readonly stdout: OutputState;
  settle(): Promise<void>;
}

/**
 * Standard output and error as the CLI writes them. To a pipe, a file or /dev/null each write
 * goes straight to the descriptor (fs.writeSync), as Node's own stream does there on Linux, but
 * without loading the stream, net and tty modules that `process.stdout` needs (start-up:
 * docs/benchmarks.md). A terminal, any other device, Windows, or a descriptor that would block
 * (EAGAIN) get Node's stream.
 */
export function processOutput(): ProcessOutput {
  const stdout: OutputState = { closed: false, failure: null };
  const direct = process.platform !== 'win32';
  const out = direct && writesDirectly(1) ? new DirectOutput(1, () => process.stdout, stdout) : guarded(process.stdout, stdout);
  // Results are written only while the built-ins a protocol file might have changed are as it found them.
  // (Every argument passed on: settle() waits on a write's callback.)
  const write = out.write.bind(out) as (...args: unknown[]) => boolean;
  out.write = ((...args: unknown[]) => {
    refuseBuiltInsChangedSinceLoad();
    return write(...args);
  }) as typeof out.write;
  const err = direct && writesDirectly(2) ? new DirectOutput(2, () => process.stderr, null) : guarded(process.stderr, null);
  const settleAll = async (): Promise<void> => {
    const node = out instanceof DirectOutput ? out.stream : out;
    if (node) await settle(node);
  };
  return { streams: { stdout: out, stderr: err, env: process.env, checkResults: refuseBuiltInsChangedSinceLoad }, stdout, settle: settleAll };
}

/** Whether descriptor `fd` is a pipe, socket, regular file or /dev/null: never a terminal. */
export function writesDirectly(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (stats.isFIFO() || stats.isFile() || stats.isSocket()) return true;
    return stats.isCharacterDevice() && stats.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}

/** Node's stream, its errors listened for: into `state` for standard output, nowhere for standard error. */
function guarded(stream: NodeJS.WriteStream, state: OutputState | null): NodeJS.WriteStream {
  if (state) guardStdout(stream, state);
  else stream.on('error', () => undefined); // nowhere left to say anything
  return stream;
}

/**
 * Writes to a descriptor synchronously, all of each text (a pipe may take part of it). A closed
 * reader (EPIPE) or another failure ends the writing: kept in `state` for standard output, as
 * guardStdout keeps a stream's. A descriptor that would block hands the rest, and all that
 * follows, to Node's stream, which waits for it.
 */
export class DirectOutput implements Output {
  /** Node's stream, once writing has been handed to it. */
  stream: NodeJS.WriteStream | null = null;
  private ended = false;

  constructor(
    private readonly fd: number,
    private readonly nodeStream: () => NodeJS.WriteStream,
    private readonly state: OutputState | null,
    private readonly writeBytes: (fd: number, bytes: Uint8Array, offset: number, length: number) => number = writeSync,
  ) {}

  write(text: string): boolean {
    if (this.stream) return this.stream.write(text);
    if (this.ended || text === '') return true;
    const bytes = Buffer.from(text);
    let done = 0;
    try {
      while (done < bytes.length) done += this.writeBytes(this.fd, bytes, done, bytes.length - done);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'EAGAIN') {
        this.stream = guarded(this.nodeStream(), this.state);
        return this.stream.write(bytes.subarray(done));
      }
      this.ended = true;
      if (this.state && e.code === 'EPIPE') this.state.closed = true;
      else if (this.state) this.state.failure ??= e;
    }
    return true;
  }
}

/** Colour on a terminal; NO_COLOR turns it off, FORCE_COLOR (other than 0) on (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return drawsOnTerminal(stream, env);
}

/**
 * Whether the stream is a terminal that takes escape sequences (colour, moving the cursor): not a
 * pipe or a file, and not a terminal whose TERM is `dumb` (an editor's shell, a log viewer), which
 * shows them as text.
 */
export function drawsOnTerminal(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/**
 * Listens for standard output's errors so none is thrown: a closed pipe marks it closed (later
 * writes go nowhere), any other failure is kept for main() to report once the command is done.
 */
export function guardStdout(stream: NodeJS.WritableStream, state: OutputState = { closed: false, failure: null }): OutputState {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || state.closed) state.closed = true;
    else state.failure ??= error;
    if (error.code === 'EPIPE') state.closed = true;
  });
  return state;
}

/** Waits until what was written has gone out (or failed), so that its errors are known. */
export async function settle(stream: NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean }): Promise<void> {
  if (!stream.destroyed && !stream.writableEnded) await new Promise<void>((resolve) => stream.write('', () => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
}
