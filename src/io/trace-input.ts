import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { TRACE_LIMITS, TraceReader, checkTraceSize } from '../fit/trace-file.js';
import type { LossTrace, TraceLimits, TraceOptions } from '../fit/trace-file.js';
import { decodeText, isSystemError, systemErrorWords } from './files.js';

const WHAT = 'trace file';

/**
 * The text is read and decoded this many bytes at a time: the first piece is what the format
 * is told from, and no piece is held longer than it takes to read.
 */
export const TRACE_PIECE_BYTES = 16 * 2 ** 20;

/** Limits and piece size of a reading; tests lower them to reach them with small files. */
export interface TraceReading extends TraceLimits {
  readonly pieceBytes: number;
  /** How much text the format is told from (TraceReader's default if not given). */
  readonly detectChars?: number;
}

const READING: TraceReading = { ...TRACE_LIMITS, pieceBytes: TRACE_PIECE_BYTES };

/**
 * Reads a trace file as it streams in, never holding it whole: a file over the byte limit is
 * refused from its size before a byte is read, and one with too many packets as soon as the
 * count passes the limit, its rest unread.
 */
export function readLossTrace(path: string, options: TraceOptions, reading: TraceReading = READING): LossTrace {
  const reader = new TraceReader(options, reading.packets, reading.detectChars);
  forEachTracePiece(path, (text) => reader.push(text), reading);
  return reader.finish();
}

/**
 * The decoded text of a trace file, piece by piece, for what needs all of it (the scenario's
 * digest of its files): the same checks and errors as a reading, and the pieces joined are
 * the file's text.
 */
export function forEachTracePiece(path: string, take: (text: string) => void, reading: TraceReading = READING): void {
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
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const block = Buffer.allocUnsafe(reading.pieceBytes);
    let total = 0;
    for (;;) {
      const n = fill(fd, block);
      if (n === 0) break;
      const bytes = block.subarray(0, n);
      // A pipe or a file still growing says nothing true of its size beforehand.
      checkTraceSize(total + n, path, reading.bytes);
      // decodeText names what such bytes are (UTF-16, binary) and throws.
      if ((total === 0 && isUtf16Mark(bytes)) || bytes.includes(0)) decodeText(bytes, path, WHAT);
      total += n;
      const text = decode(decoder, bytes, path);
      if (text) take(text);
    }
    const rest = decode(decoder, undefined, path);
    if (rest) take(rest);
  } catch (error) {
    if (isSystemError(error)) throw new UsageError(path, `cannot read the ${WHAT}: ${systemErrorWords(error)}`);
    throw error;
  } finally {
    closeSync(fd);
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

/** The next characters, a character cut between blocks kept for the next; a UTF-8 byte-order mark dropped. */
function decode(decoder: TextDecoder, bytes: Buffer | undefined, path: string): string {
  try {
    return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
  } catch {
    throw new UsageError(path, `not a text file: the ${WHAT} is not valid UTF-8`);
  }
}
