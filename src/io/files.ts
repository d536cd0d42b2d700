import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { heldInput } from './held-inputs.js';

/**
 * The largest inputs `twogenerals` reads (README, "Input limits"). Larger files are refused at
 * once, before they are read: a scenario is a few hundred bytes, and a shard or CSV of the
 * largest sweep (100,000 cells) stays well under its limit; a saved results.json of such a sweep
 * does not (tooLargeToReadBack).
 */
export const INPUT_LIMITS = {
  scenario: 1024 * 1024,
  shard: 64 * 1024 * 1024,
  csv: 64 * 1024 * 1024,
  /** A protocol file: a state machine, not a data set. */
  protocol: 1024 * 1024,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/**
 * Why a file just written cannot be read back as an input of its kind (larger than its limit),
 * or null where it can: a saved results.json holds every row beside its counts, about 1.1 kB a
 * cell, so one of a sweep past some 60,000 cells is larger than `merge` and a baseline read.
 */
export function tooLargeToReadBack(bytes: number, kind: InputKind): string | null {
  const limit = INPUT_LIMITS[kind];
  if (bytes <= limit) return null;
  const mb = (n: number): string => `${Math.ceil(n / (1024 * 1024))} MB`;
  return `it is ${mb(bytes)}, more than the ${mb(limit)} twogenerals reads (README, "Input limits")`;
}

/** What each kind of input is called where it is named. */
export const KIND_WORDS: Record<InputKind, string> = {
  scenario: 'scenario file',
  shard: 'results file',
  csv: 'CSV file',
  protocol: 'protocol file',
};

/**
 * `-` given as an input file: it means standard input to many tools, which twogenerals does not
 * read in its place; named as such rather than as a file `-` that does not exist.
 */
export function refuseStdinName(path: string, what: string): void {
  if (path === '-')
    throw new UsageError('-', `the ${what} is not read from standard input: name the file${process.platform === 'win32' ? '' : ' (/dev/stdin reads a pipe)'}`);
}

/** Words for what the operating system said, never its raw code (ENOENT, EACCES…). */
export function systemErrorWords(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
      return 'it already exists';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EFBIG':
      return 'the file is too large';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENOMEM':
      return 'not enough memory';
    case 'EIO':
      return 'an input/output error';
    case 'EBUSY':
      return 'it is busy';
    case 'ENXIO':
    case 'ENODEV':
      return 'no such device';
    case 'EINVAL':
      return 'the operating system refused it (invalid argument)';
    case 'EPIPE':
      return 'the reader closed the pipe';
    case 'EAGAIN':
      return 'it is not ready (try again)';
    default: {
      // A message such as "ENOSYS: function not implemented, open 'x'": keep the words only.
      const words = String(e?.message ?? error)
        .replace(/^[A-Z][A-Z0-9_]+:\s*/, '')
        .replace(/,\s*\w+\s+'.*'$/, '');
      return words || 'the operating system refused it';
    }
  }
}

/** Whether an error is one the operating system raised (a file, a path, a device). */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | undefined;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/**
 * Reads a text input of a kind with a size limit: refused before reading when the file says it
 * is larger, and while reading when it turns out larger (a pipe, /dev/zero). UTF-16 and binary
 * files are named as such instead of being parsed into nonsense. A UTF-8 byte order mark is dropped.
 * An input that streams is read here only where no command read it ahead (readAheadIfStream).
 */
export function readTextInput(path: string, kind: InputKind): string {
  const limit = INPUT_LIMITS[kind];
  const what = KIND_WORDS[kind];
  refuseStdinName(path, what);
  const tooLarge = (): UsageError =>
    new UsageError(path, `the ${what} is larger than ${limit / (1024 * 1024)} MB, the most twogenerals reads (see README, "Input limits")`);
  // A pipe or a terminal the command read ahead, through the event loop (io/stream-input.ts).
  const held = heldInput(path);
  if (held !== undefined) {
    if (held.length > limit) throw tooLarge();
    return decodeText(held, path, what);
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(path, `cannot read the ${what}: ${systemErrorWords(error)}`);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(path, `cannot read the ${what}: it is a directory`);
    if (stat.size > limit) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooLarge();
    }
    bytes = Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(path, `cannot read the ${what}: ${systemErrorWords(error)}`);
  } finally {
    closeSync(fd);
  }
  return decodeText(bytes, path, what);
}

/** UTF-8 text from bytes, or one clear line on what the bytes are instead. */
export function decodeText(bytes: Buffer, path: string, what: string): string {
  // UTF-32's byte order marks first: FF FE 00 00 also starts as UTF-16's.
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) ||
    (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)
  ) {
    throw new UsageError(path, `the ${what} is UTF-32 text; save it as UTF-8`);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new UsageError(path, `the ${what} is UTF-16 text; save it as UTF-8`);
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  if (body.includes(0)) {
    // Every other byte zero, the others not: UTF-16 without a byte order mark. Zeros anywhere
    // else (a file of NUL bytes, say) are binary data, not text of any encoding.
    const zerosAt = [0, 0];
    for (let i = 0; i < body.length; i++) if (body[i] === 0) zerosAt[i & 1]!++;
    const half = [Math.ceil(body.length / 2), Math.floor(body.length / 2)];
    const utf16 = [0, 1].some((p) => zerosAt[p]! >= 0.9 * half[p]! && zerosAt[1 - p]! <= 0.1 * half[1 - p]!) && body.length >= 2;
    // Three bytes of every four zero, the fourth not: UTF-32 without a byte order mark (whose
    // zeros fall at both parities, so it is no UTF-16).
    const zerosAt4 = [0, 0, 0, 0];
    for (let i = 0; i < body.length; i++) if (body[i] === 0) zerosAt4[i & 3]!++;
    const quarter = (r: number): number => Math.floor((body.length - r + 3) / 4);
    const utf32 =
      body.length >= 4 &&
      [0, 3].some((text) => zerosAt4[text]! <= 0.1 * quarter(text) && [0, 1, 2, 3].every((r) => r === text || zerosAt4[r]! >= 0.9 * quarter(r)));
    throw new UsageError(
      path,
      utf32
        ? `the ${what} looks like UTF-32 text; save it as UTF-8`
        : utf16
          ? `the ${what} looks like UTF-16 text; save it as UTF-8`
          : `not a text file: the ${what} holds binary data (${zerosAt[0]! + zerosAt[1]! === body.length ? 'nothing but NUL bytes' : 'NUL bytes'})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new UsageError(path, `not a text file: the ${what} is not valid UTF-8`);
  }
  return text;
}

/**
 * Why a path a scenario names was not found, as said after it: relative to the scenario file, whose
 * folder is /dev where the scenario came through a pipe (`run /dev/stdin`), which "relative to the
 * scenario file" did not tell (`protocol file /dev/p.mjs: does not exist`).
 */
export function scenarioPathHint(resolved: string): string {
  const folder = dirname(resolved);
  return /^\/(dev(\/fd)?|proc\/[^/]+\/fd)$/.test(folder)
    ? `(a scenario read through a pipe, such as /dev/stdin, has no folder of its own: its paths are relative to ${folder}; write the full path, or save the scenario to a file)`
    : '(a path in a scenario is relative to the scenario file)';
}
