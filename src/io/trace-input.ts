import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { TRACE_LIMITS, TraceReader, checkTraceSize } from '../fit/trace-file.js';
import type { LossTrace, TraceLimits, TraceOptions } from '../fit/trace-file.js';
import { decodeText, isSystemError, refuseStdinName, systemErrorWords } from './files.js';

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
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UsageError(path, `cannot read the ${WHAT}: it is a directory`);
    checkTraceSize(stat.size, path, reading.bytes);
    const size = stat.isFile() ? stat.size : 0;
    const block = Buffer.allocUnsafe(reading.pieceBytes);
    let total = 0;
    for (;;) {
      const n = fill(fd, block);
      if (n === 0) break;
      const bytes = block.subarray(0, n);
      checkTraceSize(total + n, path, reading.bytes);
      // decodeText names what such bytes are (UTF-16, binary) and throws.
      if ((total === 0 && isUtf16Mark(bytes)) || bytes.includes(0)) decodeText(bytes, path, WHAT);
      take(bytes, fd, size);
      total += n;
    }
  } catch (error) {
    if (isSystemError(error)) throw new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`);
    throw error;
  } finally {
    closeSync(fd);
  }
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
