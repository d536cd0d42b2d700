import type { Stats } from 'node:fs';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { UsageError } from '../errors.js';
import { INPUT_LIMITS, KIND_WORDS, systemErrorWords } from './files.js';
import type { InputKind } from './files.js';
import { heldInput, heldStream, holdInput } from './held-inputs.js';

/**
 * Inputs that stream (a pipe, a named pipe, a socket, a terminal or another device), read through
 * the event loop. A synchronous read of one waits in the kernel until its writer writes or closes,
 * and a signal's handler runs only once the event loop turns, so Ctrl-C or SIGTERM did nothing
 * while a writer kept the input open and idle (`run <(ssh host cat s.yaml)`, a named pipe, a
 * terminal as /dev/stdin). A regular file never waits: it is read as it always was.
 */

/** Whether `path` is an input that streams: neither a regular file nor a folder (stat only: opening a named pipe waits for its writer). */
export function isStreamPath(path: string): boolean {
  return streamIdentity(path) !== undefined;
}

/** The device and inode (`device:inode`) of the input that streams at `path`, whatever its name; undefined for a regular file, a folder or no file. */
function streamIdentity(path: string): string | undefined {
  try {
    const stat = fs.statSync(path, { bigint: true });
    return stat.isFile() || stat.isDirectory() ? undefined : `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined; // reading it says what is wrong
  }
}

/** An input opened to be read in turns of the event loop. */
export interface InputInTurns {
  readonly stat: Stats;
  /** Reads until the block is full or the input ends: the bytes read, 0 at its end. */
  fill(block: Buffer): Promise<number>;
  /** Reads a regular file's bytes from `at`, the reading's own place left where it is. */
  readAt(block: Uint8Array, at: number): Promise<number>;
  close(): Promise<void>;
}

const openFile = promisify(fs.open);
const statFile = promisify(fs.fstat);
const readFile = promisify(fs.read);
const closeFile = promisify(fs.close);

/**
 * Opens `path` to be read in turns of the event loop. A named pipe is opened without waiting for
 * its writer (opening it waits otherwise on a file-system thread, which the process's exit then
 * waits for) and read, as a socket or a terminal is, as a stream of the event loop; the reading
 * then waits for the writer there. Other files are read by position (fs.read), which never waits
 * on a writer. System errors are thrown as they are: the caller names the input.
 */
export async function openInTurns(path: string): Promise<InputInTurns> {
  const fd = await openFile(path, (await isNamedPipe(path)) ? fs.constants.O_RDONLY | fs.constants.O_NONBLOCK : 'r');
  let stream: Readable | undefined;
  try {
    const stat = await statFile(fd);
    stream = streamOn(fd, stat);
    const fill = stream ? streamFiller(stream) : (block: Buffer) => fillFromFile(fd, block);
    const opened = stream;
    return {
      stat,
      fill,
      readAt: async (block, at) => (await readFile(fd, block, 0, block.length, at)).bytesRead,
      // A stream's descriptor is the stream's to close; a file's is closed here.
      close: async () => (opened ? void opened.destroy() : closeFile(fd)),
    };
  } catch (error) {
    if (stream) stream.destroy();
    else await closeFile(fd);
    throw error;
  }
}

/**
 * A stream of the event loop on the descriptor where it is a pipe, a socket or a terminal;
 * undefined for a regular file or a device that never waits (/dev/null, /dev/zero). node:net and
 * node:tty load only here: a command that reads no pipe starts without them (start-up.test.ts).
 */
function streamOn(fd: number, stat: Stats): Readable | undefined {
  const load = createRequire(resolve('twogenerals.js'));
  if (stat.isFIFO() || stat.isSocket()) {
    const { Socket } = load('node:net') as typeof import('node:net');
    return new Socket({ fd, readable: true, writable: false });
  }
  if (stat.isCharacterDevice()) {
    const tty = load('node:tty') as typeof import('node:tty');
    if (tty.isatty(fd)) return new tty.ReadStream(fd);
  }
  return undefined;
}

/** The names of this process's standard input. */
const STANDARD_INPUT = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Whether opening `path` failed as /dev/stdin fails where standard input is a socket, which
 * Linux opens by no name: a Node.js parent's pipe (`spawn(…, { stdio: 'pipe' })`) is one, so
 * `run /dev/stdin` with a scenario written by such a parent was refused as `no such device`.
 */
function isSocketAsStandardInput(path: string, error: unknown): boolean {
  if (!STANDARD_INPUT.has(resolve(path)) || (error as NodeJS.ErrnoException | undefined)?.code !== 'ENXIO') return false;
  try {
    return fs.fstatSync(0).isSocket();
  } catch {
    return false;
  }
}

/** Standard input, a socket, read through the event loop from its descriptor (process.stdin). */
function standardInputInTurns(): InputInTurns {
  const stdin = process.stdin;
  return {
    stat: fs.fstatSync(0),
    fill: streamFiller(stdin),
    readAt: async () => 0,
    close: async () => void stdin.destroy(),
  };
}

async function isNamedPipe(path: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(path)).isFIFO();
  } catch {
    return false; // opening it says what is wrong
  }
}

/**
 * A stream's chunks as they come, into blocks: read through the event loop, not by the file
 * system's threads. A thread's read waits in the kernel until the writer writes or closes, and a
 * process exits only once its threads are done, so Ctrl-C while a writer kept a pipe open and
 * idle printed `interrupted` and then hung until the writer closed.
 */
function streamFiller(stream: Readable): (block: Buffer) => Promise<number> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let rest: Buffer = Buffer.alloc(0);
  return async (block) => {
    let n = 0;
    while (n < block.length) {
      if (rest.length === 0) {
        const next = await chunks.next();
        if (next.done) break;
        rest = next.value;
      }
      const taken = rest.copy(block, n, 0, Math.min(rest.length, block.length - n));
      n += taken;
      rest = rest.subarray(taken);
    }
    return n;
  };
}

async function fillFromFile(fd: number, block: Buffer): Promise<number> {
  let n = 0;
  while (n < block.length) {
    const { bytesRead } = await readFile(fd, block, n, block.length - n, null);
    if (bytesRead === 0) break;
    n += bytesRead;
  }
  return n;
}

/**
 * Reads an input that streams through the event loop, up to one byte past `limit` (its reader
 * then refuses it as too large, in its own words), and holds its bytes for the synchronous
 * readers (readTextInput, the trace reader), which take them from here: a signal ends the
 * command while the writer is idle, and an input read twice (a trace hashed and parsed) gets the
 * same bytes. A regular file, a folder or a path that is not there is left to those readers.
 * `what` names the input where reading it fails (`cannot read the scenario file: …`).
 */
export async function readAheadIfStream(path: string, limit: number, what: string): Promise<void> {
  if (path === '-' || heldInput(path) !== undefined) return;
  const identity = streamIdentity(path);
  if (identity === undefined) return;
  // The same stream by another name (a symbolic link to it): its bytes were read once, and are here.
  const read = heldStream(identity);
  if (read !== undefined) {
    holdInput(path, read, identity);
    return;
  }
  let input: InputInTurns;
  try {
    input = await openInTurns(path);
  } catch (error) {
    if (!isSocketAsStandardInput(path, error)) return; // the reading names what is wrong, as for any file
    input = standardInputInTurns();
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= limit) {
      const block = Buffer.allocUnsafe(Math.min(2 ** 20, limit + 1 - total));
      const n = await input.fill(block);
      if (n === 0) break;
      chunks.push(block.subarray(0, n));
      total += n;
    }
    holdInput(path, Buffer.concat(chunks, total), identity);
  } catch (error) {
    throw new UsageError(path, `cannot read the ${what}: ${systemErrorWords(error)}`);
  } finally {
    await input.close();
  }
}

/** readAheadIfStream for an input of a kind, to its limit (README, "Input limits"). */
export async function readInputAheadIfStream(path: string, kind: InputKind): Promise<void> {
  await readAheadIfStream(path, INPUT_LIMITS[kind], KIND_WORDS[kind]);
}
