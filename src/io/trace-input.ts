import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { UsageError } from '../errors.js';
import { TRACE_LIMITS, TraceReader, checkTraceSize } from '../fit/trace-file.js';
import type { LossTrace, TraceLimits, TraceOptions } from '../fit/trace-file.js';
import { decodeText, isSystemError, refuseStdinName, systemErrorWords } from './files.js';
import { heldInput } from './held-inputs.js';
import { openInTurns, readAheadIfStream } from './stream-input.js';
import type { InputInTurns } from './stream-input.js';

const WHAT = 'trace file';

/** The file is read this many bytes at a time: no block is held longer than it takes to read. */
export const TRACE_PIECE_BYTES = 2 ** 20;

/** Limits and block size of a reading; tests lower them to reach them with small files. */
export interface TraceReading extends TraceLimits {
  readonly pieceBytes: number;
  /** How much text the format is told from (TraceReader's default if not given). */
  readonly detectChars?: number;
}

const READING: TraceReading = { ...TRACE_LIMITS, pieceBytes: TRACE_PIECE_BYTES };

/**
 * Reads a trace file as it streams in, never holding it whole. A file over the byte limit is
 * refused from its size before a byte is read. A regular file of digits or a CSV larger in
 * bytes than the packet limit, which may hold more packets, is first counted through in raw
 * bytes (TraceReader.count: a loop over bytes costs a fraction of decoding and reading them),
 * and refused as soon as the count passes the limit, its text never decoded.
 */
export function readLossTrace(path: string, options: TraceOptions, reading: TraceReading = READING, hash?: { update(data: Uint8Array): unknown }): LossTrace {
  const reader = new TraceReader(options, reading.packets, reading.detectChars);
  let first = true;
  forEachTraceBlock(path, reading, (bytes, fd, size) => {
    reader.pushBytes(bytes);
    if (first && size > reading.packets && reader.started())
      prescan(
        fd,
        bytes,
        () => reader.countBuffer(reading.pieceBytes),
        (block) => reader.count(block),
      );
    if (hash) hash.update(first && hasUtf8Mark(bytes) ? bytes.subarray(3) : bytes);
    first = false;
  });
  return reader.finish();
}

/**
 * readLossTrace with the file read asynchronously and the event loop turning after each block:
 * a signal (Ctrl-C) is handled while a long trace is read — 64 Mi packets take seconds — or
 * while a pipe keeps the reading waiting (`fit <(ssh host cat log)`), where a synchronous read
 * holds the handler off until the writer closes. The same blocks, limits and refusals, so the
 * same trace or the same line.
 */
export async function readLossTraceInTurns(path: string, options: TraceOptions, reading: TraceReading = READING): Promise<LossTrace> {
  const reader = new TraceReader(options, reading.packets, reading.detectChars);
  let first = true;
  await forEachTraceBlockInTurns(path, reading, async (bytes, readAt, size) => {
    reader.pushBytes(bytes);
    if (first && size > reading.packets && reader.started())
      await prescanInTurns(
        readAt,
        bytes,
        () => reader.countBuffer(reading.pieceBytes),
        (block) => reader.count(block),
      );
    first = false;
  });
  return reader.finish();
}

/**
 * A trace file that streams (a named pipe), read ahead through the event loop for the trace
 * channel, whose reading is synchronous (io/stream-input.ts): held whole, to the byte limit.
 */
export async function readTraceAheadIfStream(path: string): Promise<void> {
  await readAheadIfStream(path, READING.bytes, WHAT);
}

/** A turn of the event loop, where a signal's handler runs. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Feeds a trace file's text into a hash, as its UTF-8 bytes without a byte-order mark: the
 * hash of the text the file holds (the reading checks that it is text).
 */
export function hashTraceFile(path: string, hash: { update(data: Uint8Array): unknown }): void {
  let first = true;
  forEachTraceBlock(path, READING, (bytes) => {
    hash.update(first && hasUtf8Mark(bytes) ? bytes.subarray(3) : bytes);
    first = false;
  });
}

function hasUtf8Mark(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * A trace file's bytes, block by block, refused from its size over the byte limit (and while
 * reading, for a pipe or a file still growing); UTF-16 and binary data named as such.
 */
function forEachTraceBlock(path: string, reading: TraceReading, take: (bytes: Buffer, fd: number, size: number) => void): void {
  refuseStdinName(path, WHAT);
  const held = heldInput(path);
  if (held !== undefined) {
    forEachHeldBlock(held, path, reading, take);
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`);
  }
  try {
    const size = checkedSize(fstatSync(fd), path, reading);
    const block = Buffer.allocUnsafe(reading.pieceBytes);
    let total = 0;
    for (;;) {
      const n = fill(fd, block);
      if (n === 0) break;
      take(checkedBlock(block, n, total, path, reading), fd, size);
      total += n;
    }
  } catch (error) {
    throw readingError(error, path);
  } finally {
    closeSync(fd);
  }
}

/** A trace a command read ahead from a pipe (io/stream-input.ts), block by block, held to the same limits as one read from it. */
function forEachHeldBlock(held: Buffer, path: string, reading: TraceReading, take: (bytes: Buffer, fd: number, size: number) => void): void {
  for (let at = 0; at < held.length; at += reading.pieceBytes) {
    const block = held.subarray(at, at + reading.pieceBytes);
    take(checkedBlock(block, block.length, at, path, reading), -1, 0);
  }
}

/** Reads `block.length` bytes of a regular file from `at` into `block`, or fewer where the file ends first. */
type ReadAt = (block: Uint8Array, at: number) => Promise<number>;

/** forEachTraceBlock read asynchronously, with a turn of the event loop after each block. */
async function forEachTraceBlockInTurns(
  path: string,
  reading: TraceReading,
  take: (bytes: Buffer, readAt: ReadAt, size: number) => Promise<void>,
): Promise<void> {
  refuseStdinName(path, WHAT);
  let input: InputInTurns;
  try {
    input = await openInTurns(path);
  } catch (error) {
    throw new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`);
  }
  try {
    const size = checkedSize(input.stat, path, reading);
    const block = Buffer.allocUnsafe(reading.pieceBytes);
    let total = 0;
    for (;;) {
      const n = await input.fill(block);
      if (n === 0) break;
      await take(checkedBlock(block, n, total, path, reading), input.readAt, size);
      total += n;
      await turn();
    }
  } catch (error) {
    throw readingError(error, path);
  } finally {
    await input.close();
  }
}

/** The file's size in bytes where it is a regular file (0 for a pipe), refused if a directory or over the byte limit. */
function checkedSize(stat: Stats, path: string, reading: TraceReading): number {
  if (stat.isDirectory()) throw new UsageError(path, `cannot read the ${WHAT}: it is a directory`);
  checkTraceSize(stat.size, path, reading.bytes);
  return stat.isFile() ? stat.size : 0;
}

/** The block's first n bytes, refused where they pass the byte limit or are not text. */
function checkedBlock(block: Buffer, n: number, total: number, path: string, reading: TraceReading): Buffer {
  const bytes = block.subarray(0, n);
  checkTraceSize(total + n, path, reading.bytes);
  // decodeText names what such bytes are (UTF-16, binary) and throws.
  if ((total === 0 && isUtf16Mark(bytes)) || bytes.includes(0)) decodeText(bytes, path, WHAT);
  return bytes;
}

/** A system error while reading as the one line that names the file; any other error as it is. */
function readingError(error: unknown, path: string): unknown {
  return isSystemError(error) ? new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`) : error;
}

/**
 * Gives `count` the first block, then the rest of the file, read by position into `blockFor()` (the
 * reading's own place in the file stays where it was), until it says it needs no more.
 */
function prescan(fd: number, first: Uint8Array, blockFor: () => Uint8Array, count: (bytes: Uint8Array) => boolean): void {
  if (!count(first)) return;
  // Made once the count goes on (never for a ping log, which is not counted ahead).
  const block = blockFor();
  for (let at = first.length; ; ) {
    const n = readSync(fd, block, 0, block.length, at);
    if (n === 0 || !count(block.subarray(0, n))) return;
    at += n;
  }
}

/** prescan read asynchronously, with a turn of the event loop after each block. */
async function prescanInTurns(readAt: ReadAt, first: Uint8Array, blockFor: () => Uint8Array, count: (bytes: Uint8Array) => boolean): Promise<void> {
  if (!count(first)) return;
  const block = blockFor();
  for (let at = first.length; ; ) {
    const bytesRead = await readAt(block, at);
    if (bytesRead === 0 || !count(block.subarray(0, bytesRead))) return;
    at += bytesRead;
    await turn();
  }
}

/** Reads until the block is full or the file ends (a pipe gives a little at a time). */
function fill(fd: number, block: Buffer): number {
  let n = 0;
  while (n < block.length) {
    const got = readSync(fd, block, n, block.length - n, null);
    if (got === 0) break;
    n += got;
  }
  return n;
}

function isUtf16Mark(bytes: Buffer): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}
