/**
 * Measured packet-loss traces, from text: the 0/1 digits a script writes, a column of a CSV, or
 * the output of `ping` (Linux iputils, macOS and BSD, busybox). The text comes in pieces cut
 * anywhere (io/trace-input.ts streams a file through a TraceReader, so no file is ever held
 * whole) or in one piece (parseLossTrace); this module does no I/O.
 *
 * A trace is the delivered/lost outcome of successive packets in the order they were sent —
 * exactly the sequence of copies the Gilbert–Elliott channel draws — so `fit.ts` can fit the
 * channel's parameters to it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { thousands } from '../io/text.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { LineScanner } from './trace-scan.js';
import type { LineKind } from './trace-scan.js';
import { BUSYBOX, NO_ROW, REPLY, SCAN_LAYOUT, TIMEOUT, isOpenLine } from './trace-scan-layout.js';
import { counted, nounFor } from '../io/wording.js';

export type TraceFormat = 'digits' | 'csv' | 'ping-linux' | 'ping-macos' | 'ping-busybox';

/** The sequence numbers a ping log's trace covers: from the first the log shows to the last it counts. */
export interface SequenceRange {
  readonly first: number;
  readonly last: number;
}

/** A trace as read: its packets' fates packed a bit each, and what the reader found. */
export interface PackedLossTrace {
  /**
   * The fates in the order sent, eight to a byte (bit i % 8 of byte i / 8: 1 lost, 0 delivered),
   * in memory worker threads share: a thread handed the trace reads these bytes, no copy.
   */
  readonly bits: Uint8Array;
  readonly packets: number;
  readonly format: TraceFormat;
  /** For a ping log: the sequence numbers counted (unwrapped past 65,535). */
  readonly range?: SequenceRange;
  /** What the reader doubts, each one sentence (a ping summary that disagrees with the log). */
  readonly warnings: readonly string[];
}

export interface LossTrace extends PackedLossTrace {
  /**
   * 1 = lost, 0 = delivered, a byte per packet in the order sent: made from `bits` when first
   * asked for (the fits read it), never for a replay or a summary, which read the bits.
   */
  readonly lost: Uint8Array;
}

/** A trace from its packed fates (a reader's, or what a worker thread was handed). */
export function lossTrace(packed: PackedLossTrace): LossTrace {
  return new PackedTrace(packed);
}

class PackedTrace implements LossTrace {
  readonly bits: Uint8Array;
  readonly packets: number;
  readonly format: TraceFormat;
  readonly range?: SequenceRange;
  readonly warnings: readonly string[];
  #lost: Uint8Array | undefined;

  constructor({ bits, packets, format, range, warnings }: PackedLossTrace) {
    this.bits = bits;
    this.packets = packets;
    this.format = format;
    if (range) this.range = range;
    this.warnings = warnings;
  }

  get lost(): Uint8Array {
    this.#lost ??= unpackBits(this.bits, this.packets);
    return this.#lost;
  }
}

/** What a trace is handed to a worker thread as: its packed fates and the rest, no byte array. */
export function packedOf(trace: LossTrace): PackedLossTrace {
  const { bits, packets, format, range, warnings } = trace;
  return { bits, packets, format, warnings, ...(range ? { range } : {}) };
}

/** A byte a fate from fates packed eight to a byte, a byte at a time. */
function unpackBits(bits: Uint8Array, packets: number): Uint8Array {
  const lost = new Uint8Array(packets);
  const whole = packets >> 3;
  for (let j = 0, i = 0; j < whole; j++, i += 8) {
    const b = bits[j]!;
    lost[i] = b & 1;
    lost[i + 1] = (b >> 1) & 1;
    lost[i + 2] = (b >> 2) & 1;
    lost[i + 3] = (b >> 3) & 1;
    lost[i + 4] = (b >> 4) & 1;
    lost[i + 5] = (b >> 5) & 1;
    lost[i + 6] = (b >> 6) & 1;
    lost[i + 7] = b >> 7;
  }
  for (let i = whole << 3; i < packets; i++) lost[i] = (bits[i >> 3]! >> (i & 7)) & 1;
  return lost;
}

export interface TraceOptions {
  /** The file's name as the user gave it: every error message starts with it. */
  readonly file: string;
  /** The CSV column holding the 0/1 (or true/false) outcomes; required for CSV. */
  readonly column?: string;
  /** How the user names the column where they read the message: `column:` in a scenario (the default), `--column` for `fit`. */
  readonly columnOption?: string;
}

/**
 * A trace the user can fix. A UsageError, so the CLI prints it as one line (`file:line: problem`)
 * and exits 2 without further wiring.
 */
export class TraceError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
  ) {
    super(line === undefined ? file : `${file}:${line}`, problem);
    this.name = 'TraceError';
  }
}

/**
 * Larger files are refused from their size, before a byte is read. The limit bounds the time a
 * file takes to read, not memory (a file is streamed, never held whole): 2 GiB of ping output
 * is about 30 million lines, read in a few seconds; digits and CSV rows meet the packet limit
 * long before it.
 */
export const MAX_TRACE_BYTES = 2 * 2 ** 30;

/**
 * Packets in one trace: a bit a packet, shared by the threads of a run, and the fit's byte a
 * packet and working arrays (a Gilbert–Elliott fit of 4·10^7 packets takes over a minute).
 * Counted while reading,
 * so a file with more is refused as soon as the count passes the limit, its rest unread: the
 * first 64 Mi digits take a fraction of a second. A ping log's numbers may span more packets
 * than it has lines; their span is checked line by line too.
 */
export const MAX_TRACE_PACKETS = 64 * 2 ** 20;

/** The limits a reading enforces; tests lower them to reach them with small inputs. */
export interface TraceLimits {
  readonly bytes: number;
  readonly packets: number;
}

export const TRACE_LIMITS: TraceLimits = { bytes: MAX_TRACE_BYTES, packets: MAX_TRACE_PACKETS };

/** Refuses a file larger than the byte limit; call it with the size from `stat` before reading. */
export function checkTraceSize(bytes: number, file: string, limit = MAX_TRACE_BYTES): void {
  if (bytes > limit) {
    throw new TraceError(file, undefined, `the file has ${thousands(bytes)} bytes; a trace file may have at most ${thousands(limit)} (${binarySize(limit)})`);
  }
}

function binarySize(bytes: number): string {
  return bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(2)} GiB` : bytes >= 2 ** 20 ? `${+(bytes / 2 ** 20).toFixed(2)} MiB` : `${thousands(bytes)} bytes`;
}

function tooManyPackets(file: string, line: number | undefined, limit: number): TraceError {
  return new TraceError(
    file,
    line,
    `more than ${thousands(limit)} packets, the most a trace may hold (a bit a packet, and the fit's byte a packet and working arrays): cut the trace`,
  );
}

/**
 * Parses a whole trace given as one string (TraceReader reads one in pieces); see TraceReader
 * for how the format is detected.
 */
export function parseLossTrace(text: string, options: TraceOptions, limits: TraceLimits = TRACE_LIMITS): LossTrace {
  // A file's bytes are checked before it is read; the characters are at most as many, so this
  // only bounds a string made some other way.
  checkTraceSize(text.length, options.file, limits.bytes);
  const reader = new TraceReader(options, limits.packets);
  reader.push(text);
  return reader.finish();
}

/**
 * Reads a trace from pieces of text cut anywhere, in order, detecting its format from the first
 * piece: ping output by its unmistakable lines (`icmp_seq`, busybox's `bytes from … seq=`,
 * `packets transmitted`, a `PING` header); CSV when a column is named or the first line that is
 * not blank or a `#` comment contains a letter or a quote (a header); otherwise 0/1 digits.
 * Windows ping output is recognized only to be refused with a reason. The format is told from
 * the first `detectChars` characters (all of a shorter text): what the whole text would show,
 * its first 64 Ki characters show. Every pass
 * is linear in the text, with no regular expression run over more than a line of bounded length:
 * a trace may be one line of 67 million digits. Packets are counted as they are read, and the
 * reading refused the moment they pass the limit.
 */
export class TraceReader {
  private reader: DigitsReader | CsvReader | PingReader | undefined;
  /** The text so far, until there is enough to tell the format from. */
  private head = '';
  /** The bytes of that text, where bytes were pushed (a reader that takes bytes is handed them). */
  private headBytes: Uint8Array[] | undefined;
  private readonly counter: ByteCounter;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly options: TraceOptions,
    private readonly maxPackets = MAX_TRACE_PACKETS,
    private readonly detectChars = 1 << 16,
  ) {
    this.counter = new ByteCounter(options.file, maxPackets);
  }

  /** The next text (a string's whole text, or its pieces); not mixed with pushBytes. */
  push(text: string): void {
    if (!this.reader) {
      this.head += text;
      if (this.head.length < this.detectChars) return;
      this.start();
      return;
    }
    this.reader.push(text);
  }

  /**
   * The next bytes of a file, cut anywhere. A ping log's and a CSV's are read from their bytes
   * (trace-scan.ts) where WebAssembly runs; other text is decoded here, TEXT_PIECE_BYTES at a
   * time. The bytes may be reused once this returns.
   */
  pushBytes(bytes: Uint8Array): void {
    let at = 0;
    for (; !this.reader && at < bytes.length; at += TEXT_PIECE_BYTES) {
      const piece = bytes.subarray(at, at + TEXT_PIECE_BYTES);
      (this.headBytes ??= []).push(new Uint8Array(piece)); // a copy: the caller reuses its block
      this.head += decodePiece(this.decoder, piece, this.options.file);
      if (this.head.length >= this.detectChars) this.start();
    }
    if (at >= bytes.length) return;
    const reader = this.reader!;
    if (reader.takesBytes()) reader.pushBytes(bytes.subarray(at));
    else for (; at < bytes.length; at += TEXT_PIECE_BYTES) reader.push(decodePiece(this.decoder, bytes.subarray(at, at + TEXT_PIECE_BYTES), this.options.file));
  }

  finish(): LossTrace {
    const decoded = this.headBytes !== undefined && !this.reader?.takesBytes();
    // A character cut at the end of the file is refused here.
    const rest = decoded ? decodePiece(this.decoder, undefined, this.options.file) : '';
    if (!this.reader) {
      this.head += rest;
      this.start();
    } else if (rest) this.reader.push(rest);
    return this.reader!.finish();
  }

  /**
   * Counts the packets in a file's raw bytes, block by block from its first (once the format is
   * told), ahead of reading them: a loop over bytes costs a fraction of decoding and reading
   * them, so a file with too many packets is refused well within a second. It counts what the
   * reading will, or fewer: the digits outside comment lines; the lines of a CSV that hold a
   * row, and from the block of its first quote on its records, by their quotes (ByteCounter).
   * Returns whether it counts on: nothing is counted in a ping log, nor in a CSV past a line
   * whose start the count cannot tell as the reading does, or one too long for a CSV.
   */
  count(bytes: Uint8Array): boolean {
    if (!(this.reader instanceof DigitsReader || this.reader instanceof CsvReader)) return false;
    return this.counter.count(bytes, this.reader instanceof CsvReader);
  }

  /**
   * Where `count` takes a block of up to `length` bytes without copying it, for a file read in
   * such blocks (WebAssembly's memory, where it runs).
   */
  countBuffer(length: number): Uint8Array {
    return this.counter.buffer(length);
  }

  /** Whether the format has been told. */
  started(): boolean {
    return this.reader !== undefined;
  }

  private start(): void {
    let text = this.head;
    this.head = '';
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark from a Windows editor
    const reader = this.detect(text);
    this.reader = reader;
    const bytes = this.headBytes;
    if (bytes && reader.takesBytes()) {
      const all = Buffer.concat(bytes);
      reader.pushBytes(all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf ? all.subarray(3) : all);
    } else reader.push(text);
  }

  private detect(text: string): DigitsReader | CsvReader | PingReader {
    const { file, column } = this.options;
    const columnOption = this.options.columnOption ?? 'column:';
    // A CSV made from a ping log may name a column icmp_seq: with a column given, a first line of fields, no ping line, says CSV.
    if (looksLikePing(text) && !(column !== undefined && startsWithCsvHeader(text))) {
      if (column !== undefined)
        throw new TraceError(file, undefined, `${columnOption} "${column}" was given, but this is ping output, not a CSV; leave ${columnOption} out`);
      // Read as one line, such a log shows no packet (it was "the ping log has no packets: nothing was transmitted").
      if (text.includes('\r') && !text.includes('\n'))
        throw new TraceError(file, 1, 'its lines end with a carriage return alone (classic Mac OS text): save it with LF or CRLF line ends');
      // a CSV with ping's words in it (a column icmp_seq), if no line names a packet, is refused as a CSV
      const header = startsWithCsvHeader(text) ? firstContentLine(text) : undefined;
      return new PingReader(file, this.maxPackets, header && csvHint(file, header, columnOption));
    }
    // Without a column named, an excerpt of Windows replies is no CSV either.
    const windows = windowsHeader(text) ?? (column === undefined ? windowsLine(text) : undefined);
    if (windows !== undefined) {
      // Windows prints no sequence numbers, so a reply cannot be matched to its packet.
      throw new TraceError(
        file,
        windows,
        'Windows ping output has no sequence numbers to place losses by; record the trace with a Linux, macOS, BSD or busybox ping, or as 0/1 digits',
      );
    }
    if (column !== undefined) {
      // A file of 0/1 digits has no header to name a column in: its first line was listed as the columns.
      const first = firstContentLine(text);
      if (first && /^[01\s]+$/.test(first.text) && first.text.split(/\s+/).every((field) => field !== column.trim()))
        throw new TraceError(
          file,
          first.line,
          `${columnOption} "${column}" was given, but this is a trace of 0/1 digits, not a CSV; leave ${columnOption} out`,
        );
      // Lines ended by a carriage return alone (classic Mac OS text) read as one line of fields.
      if (text.includes('\r') && !text.includes('\n'))
        throw new TraceError(file, 1, 'its lines end with a carriage return alone (classic Mac OS text): save it with LF or CRLF line ends');
      return new CsvReader(file, column, this.maxPackets);
    }
    const header = firstContentLine(text);
    if (header && /[A-Za-z"]/.test(header.text)) throw otherKindOfFile(file, header) ?? csvHint(file, header, columnOption);
    return new DigitsReader(file, this.maxPackets);
  }
}

/**
 * Another of the files twogenerals reads or writes, given as a trace: named as what it is, not as
 * a CSV whose column is missing (`this looks like a CSV (header "name: bursty-5pct")`).
 */
function otherKindOfFile(file: string, header: { text: string; line: number }): TraceError | undefined {
  const what = /^scenario,protocol,channel(,|$)/.test(header.text)
    ? 'results as CSV from `twogenerals run`, not a loss trace: chart them with `twogenerals plot FILE`'
    : /^(\/\/|\/\*|import\s|export\s|'use strict'|"use strict")/.test(header.text)
      ? 'JavaScript (a protocol file?), not a loss trace: check a protocol file with `twogenerals check FILE`'
      : /^(---\s*$|[A-Za-z_$][\w$-]*:(\s|$))/.test(header.text) && !header.text.includes(',')
        ? 'YAML (a scenario?), not a loss trace: run a scenario with `twogenerals run FILE`'
        : undefined;
  if (what === undefined) return undefined;
  return new TraceError(file, header.line, `this is ${what}; a trace is 0/1 digits, a CSV with a column of them, or ping output`);
}

/** A CSV given without its column: the refusal names its header. */
function csvHint(file: string, header: { text: string; line: number }, columnOption: string): TraceError {
  return new TraceError(
    file,
    header.line,
    `this looks like a CSV (header ${JSON.stringify(header.text.length > 60 ? `${header.text.slice(0, 57)}...` : header.text)}): give ${columnOption} to name the column of 0/1 outcomes`,
  );
}

/**
 * Bytes are decoded and read this many at a time. A piece's text is short-lived, and a short
 * piece's dies young: the collector frees it within a few pieces. Texts of megabytes were
 * strings outside the heap (Node's, over about a megabyte), freed only by a full collection,
 * which came every 64 MB of them — a ping log's reading held ten bytes a packet, for texts
 * read long before. Short pieces also stay in the cache while they are read.
 */
const TEXT_PIECE_BYTES = 2 ** 16;

/**
 * The next characters of UTF-8 bytes cut anywhere (the decoder flushed where `bytes` is
 * undefined), a character cut between pieces kept for the next. A piece of ASCII (a trace's
 * usual piece) is its characters byte for byte, read as such at several times the decoder's
 * speed: it cannot end a character the piece before began, so a cut character is still refused
 * when the decoder is flushed.
 */
function decodePiece(decoder: TextDecoder, bytes: Uint8Array | undefined, file: string): string {
  if (bytes && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
  } catch {
    throw notUtf8(file);
  }
}

/**
 * Digits are read (and a file's digits or rows counted) this many characters a call: short enough that a call ends before its loop is
 * compiled while it runs (on-stack replacement, which V8 compiled without knowing the code after
 * the loop and threw away on leaving it, every piece), so the whole function is compiled once
 * it is known.
 */
const SLICE_CHARS = 4096;

/** TraceReader.count's state, carried from block to block. */
class ByteCounter {
  private packets = 0;
  private line = 1;
  private lineStart = true; // only blanks so far on this line
  private inComment = false; // a comment line (of digits, of a quoted CSV) runs on into the next block
  private quoted = false; // a quote seen: a CSV's lines are no longer its rows, which are counted by its quotes from then on
  private inQuote = false; // a quoted CSV's field runs on into the next block
  private pending = 0; // what a quoted CSV's bytes so far leave untold (SCAN_LAYOUT's QUOTED_OPENED …), told by the next
  private lineUnsure = false; // a CSV's line without quotes started by a blank but a space, or past ASCII: a count by quotes from it stops
  private stopped = false; // a quoted CSV's line the count cannot tell a row of as the reading does: the reading counts
  private lineBytes = 0; // a CSV's bytes since its last newline
  private longLine = false; // a CSV's line longer than any it has: the reading refuses it at its line, so counting stops
  private first = true;
  private scanner: LineScanner | null | undefined;

  constructor(
    private readonly file: string,
    private readonly maxPackets: number,
  ) {}

  buffer(length: number): Uint8Array {
    if (this.scanner === undefined) this.scanner = LineScanner.create();
    return this.scanner?.input(length) ?? new Uint8Array(length);
  }

  count(bytes: Uint8Array, csv: boolean): boolean {
    if (this.stopped || this.longLine) return false;
    // The lines before the first quote's count as a quoted CSV's lines do (the reading differs only for a line
    // starting with a tab, where the count stops).
    if (csv && !this.quoted && bytes.indexOf(QUOTE) >= 0) this.quoted = true;
    let from = 0;
    if (this.first) {
      this.first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) from = 3;
    }
    if (!csv) {
      this.countDigits(bytes, from);
      return true;
    }
    if (this.quoted) {
      // The count by quotes takes on from where the lines before left it: at a line's start, in a comment line.
      if (this.lineUnsure) this.stopped = true;
      else this.countQuotedRows(bytes, from);
      if (this.stopped) return false;
    } else {
      const lineStart = this.lineStart;
      this.countRows(bytes, from);
      this.followLastLine(bytes, from, lineStart);
    }
    // A line past the limit a CSV's line has, which the reading refuses at once: counting on
    // would read the rest of the file first (docs/benchmarks.md, "Figures behind the code").
    const last = bytes.lastIndexOf(NEWLINE);
    this.lineBytes = last < 0 ? this.lineBytes + bytes.length - from : bytes.length - last - 1;
    if (this.lineBytes > MAX_LINE_BYTES) this.longLine = true;
    return !this.longLine;
  }

  /**
   * Where a CSV's lines without quotes leave its last line, for a count by quotes to take on:
   * in a `#` comment line (whose quotes count for nothing), or unsure, the line started by a
   * blank but a space (which a quoted CSV's reading may take for a field, a tab) or by a
   * character past ASCII (a blank the reading skips, maybe before a `#`).
   */
  private followLastLine(bytes: Uint8Array, from: number, lineStartBefore: boolean): void {
    const last = bytes.lastIndexOf(NEWLINE);
    if (last < from && !lineStartBefore) return; // the line goes on as it was
    if (last >= from) {
      this.inComment = false;
      this.lineUnsure = false;
    }
    let i = last >= from ? last + 1 : from;
    while (i < bytes.length && bytes[i] === 0x20) i++;
    if (i === bytes.length) return;
    if (bytes[i] === HASH) this.inComment = true;
    else if (isBlank(bytes[i]!) || bytes[i]! >= 0x80) this.lineUnsure = true;
  }

  /**
   * Rows: lines whose first character but blanks is not `#`, the first such line (the header)
   * aside. A line whose first is past ASCII is no row here: the reading skips one blank but for
   * blanks past ASCII (U+00A0, U+2028, U+FEFF), or a comment after them, which bytes do not tell.
   */
  private countRows(bytes: Uint8Array, from: number): void {
    // Thirty-two bytes at a time on WebAssembly where it runs; in JavaScript where it does not, and
    // for the block where the count passes the limit, whose line the refusal names.
    if (this.scanner === undefined) this.scanner = LineScanner.create();
    if (this.scanner) {
      const part = bytes.subarray(from);
      const { rows, newlines } = this.scanner.rows(part, this.lineStart);
      if (this.packets + rows <= this.maxPackets + 1) {
        this.packets += rows;
        this.line += newlines;
        this.lineStart = startsLineAfter(part, this.lineStart);
        return;
      }
    }
    for (let i = from; i < bytes.length; i += SLICE_CHARS) this.countRowsIn(bytes, i, Math.min(bytes.length, i + SLICE_CHARS));
  }

  /** countRows over bytes[from … to − 1] (in slices, as DigitsReader reads: SLICE_CHARS). */
  private countRowsIn(bytes: Uint8Array, from: number, to: number): void {
    let { packets, line, lineStart } = this;
    const limit = this.maxPackets + 1;
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      if (c === NEWLINE) {
        line++;
        lineStart = true;
      } else if (lineStart && !isBlank(c)) {
        lineStart = false;
        if (c !== HASH && c < 0x80 && ++packets > limit) throw tooManyPackets(this.file, line, this.maxPackets);
      }
    }
    this.packets = packets;
    this.line = line;
    this.lineStart = lineStart;
  }

  /**
   * A quoted CSV's rows (RFC 4180, as readQuotedCsv reads them): records, which start at a line
   * start outside quotes, end at a newline outside quotes; blank lines, `#` comment lines (whose
   * quotes count for nothing) and a record of one empty field (`""`) are no rows. Where a
   * record's start cannot be told as the reading tells it (a tab, a control byte or a byte past
   * ASCII first), counting stops and the reading counts. On WebAssembly where it runs, in
   * JavaScript where it does not and for the block where the count passes the limit.
   */
  private countQuotedRows(bytes: Uint8Array, from: number): void {
    if (this.scanner === undefined) this.scanner = LineScanner.create();
    if (this.scanner) {
      const part = bytes.subarray(from);
      const state =
        (this.lineStart ? QUOTED_LINE_START : 0) |
        (this.inQuote ? QUOTED_IN_QUOTE : 0) |
        (this.inComment ? QUOTED_IN_COMMENT : 0) |
        (this.pending * QUOTED_PENDING);
      const counted = this.scanner.quotedRows(part, state);
      // Rows past the limit before a stop are refused too (below, at their line).
      if (this.packets + counted.rows <= this.maxPackets + 1) {
        if (counted.state === QUOTED_STOP) {
          this.stopped = true;
          return;
        }
        this.packets += counted.rows;
        this.line += counted.newlines;
        this.lineStart = (counted.state & QUOTED_LINE_START) !== 0;
        this.inQuote = (counted.state & QUOTED_IN_QUOTE) !== 0;
        this.inComment = (counted.state & QUOTED_IN_COMMENT) !== 0;
        this.pending = Math.floor(counted.state / QUOTED_PENDING);
        return;
      }
    }
    for (let i = from; i < bytes.length && !this.stopped; i += SLICE_CHARS) this.countQuotedRowsIn(bytes, i, Math.min(bytes.length, i + SLICE_CHARS));
  }

  /** countQuotedRows over bytes[from … to − 1], a byte at a time (trace-scan.wat quotedRows, its twin). */
  private countQuotedRowsIn(bytes: Uint8Array, from: number, to: number): void {
    let { packets, line, lineStart, inQuote, inComment, pending } = this;
    const limit = this.maxPackets + 1;
    for (let i = from; i < to; i++) {
      const c = bytes[i]!;
      if (c === NEWLINE) line++;
      if (inComment) {
        if (c === NEWLINE) {
          inComment = false;
          lineStart = true;
        }
        continue;
      }
      if (pending !== 0) {
        // What a byte before left untold: whether a record is a row, whether a line is blank.
        if (pending === QUOTED_AFTER_CR) {
          if (c !== NEWLINE) {
            this.stopped = true;
            return;
          }
          pending = 0;
          continue;
        }
        if (pending === QUOTED_OPENED && c === QUOTE) {
          pending = QUOTED_EMPTY;
          inQuote = false;
          continue;
        }
        if (pending === QUOTED_EMPTY && (c === 0x20 || c === 0x09)) continue;
        if (pending === QUOTED_EMPTY && c === 0x0d) {
          pending = QUOTED_EMPTY_CR;
          continue;
        }
        if (pending !== QUOTED_OPENED && c === NEWLINE) {
          // `""`, blanks, the line's end: a record of one empty field, no row
          pending = 0;
          lineStart = true;
          continue;
        }
        pending = 0;
        if (++packets > limit) throw tooManyPackets(this.file, line, this.maxPackets);
      }
      if (inQuote) {
        if (c === QUOTE) inQuote = false;
      } else if (!lineStart) {
        if (c === QUOTE) inQuote = true;
        else if (c === NEWLINE) lineStart = true;
      } else if (c === 0x20 || c === NEWLINE) {
        // blanks before a record, or a blank line
      } else if (c === 0x0d) pending = QUOTED_AFTER_CR;
      else if (c === HASH) {
        inComment = true;
        lineStart = false;
      } else if (c < 0x20 || c >= 0x80) {
        this.stopped = true;
        return;
      } else {
        lineStart = false;
        // a record opening with a quote is a row unless it is `""` alone (the bytes after tell)
        if (c === QUOTE) {
          inQuote = true;
          pending = QUOTED_OPENED;
        } else if (++packets > limit) throw tooManyPackets(this.file, line, this.maxPackets);
      }
    }
    this.packets = packets;
    this.line = line;
    this.lineStart = lineStart;
    this.inQuote = inQuote;
    this.inComment = inComment;
    this.pending = pending;
  }

  private countDigits(bytes: Uint8Array, from: number): void {
    // Sixteen bytes at a time on WebAssembly where it runs (a byte at a time in JavaScript took
    // about a second to pass the limit in a file of one digit a line).
    if (this.scanner === undefined) this.scanner = LineScanner.create();
    if (this.scanner) {
      const counted = this.scanner.digits(bytes.subarray(from), (this.lineStart ? 1 : 0) | (this.inComment ? 2 : 0));
      this.packets += counted.packets;
      this.lineStart = (counted.state & 1) !== 0;
      this.inComment = (counted.state & 2) !== 0;
      if (this.packets > this.maxPackets) throw tooManyPackets(this.file, undefined, this.maxPackets);
      return;
    }
    let i = from;
    if (this.inComment) {
      i = bytes.indexOf(NEWLINE, i);
      if (i < 0) return;
      this.inComment = false;
    }
    while (i < bytes.length) i = this.countDigitsIn(bytes, i, Math.min(bytes.length, i + SLICE_CHARS));
    if (this.packets > this.maxPackets) throw tooManyPackets(this.file, undefined, this.maxPackets);
  }

  /** countDigits over bytes[from … to − 1] (on to the end of a comment line that starts there); returns where it stopped. */
  private countDigitsIn(bytes: Uint8Array, from: number, to: number): number {
    let { packets, lineStart } = this;
    let i = from;
    for (; i < to; i++) {
      const c = bytes[i]!;
      if ((c | 1) === ONE) {
        packets++;
        lineStart = false;
      } else if (c === NEWLINE) lineStart = true;
      else if (isBlank(c)) {
      } else if (c === HASH && lineStart) {
        const end = bytes.indexOf(NEWLINE, i);
        if (end < 0) {
          this.inComment = true;
          i = bytes.length;
          break;
        }
        i = end - 1; // the newline is seen on the next turn
      } else lineStart = false;
    }
    this.packets = packets;
    this.lineStart = lineStart;
    return i;
  }
}

/** Whether the byte after `bytes` starts a line but for blanks (`before`: whether its first does). */
function startsLineAfter(bytes: Uint8Array, before: boolean): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    const c = bytes[i]!;
    if (c === NEWLINE) return true;
    if (!isBlank(c)) return false;
  }
  return before;
}

/**
 * Outcomes, a bit each (bit i % 8 of byte i / 8: 1 lost), in an array grown by doubling up to
 * the packet limit. A bit, not a byte: the trace is kept so (PackedLossTrace), and an array grown
 * by doubling leaves its smaller copies behind until the collector runs (at a byte a packet,
 * two or three bytes a packet more).
 */
class Outcomes {
  bits: Uint8Array;
  count = 0;

  constructor(
    private readonly file: string,
    private readonly limit: number,
  ) {
    this.bits = new Uint8Array(Math.min(1 << 9, bytesOfBits(limit)));
  }

  /** Room for `more` outcomes (or up to the limit, which the writer checks), the array doubled at least. */
  reserve(more: number): void {
    const wanted = bytesOfBits(Math.min(this.count + more, this.limit));
    if (wanted <= this.bits.length) return;
    const grown = new Uint8Array(Math.min(Math.max(wanted, 2 * this.bits.length), bytesOfBits(this.limit)));
    grown.set(this.bits.subarray(0, bytesOfBits(this.count)));
    this.bits = grown;
  }

  add(x: number, line: number | undefined): void {
    const n = this.count;
    if (n === this.limit) throw tooManyPackets(this.file, line, this.limit);
    if (n >> 3 === this.bits.length) this.reserve(1);
    this.bits[n >> 3]! |= x << (n & 7);
    this.count = n + 1;
  }

  /** The outcomes packed, in memory shared with worker threads (PackedLossTrace.bits). */
  result(): Uint8Array {
    const bits = sharedBytes(bytesOfBits(this.count));
    bits.set(this.bits.subarray(0, bits.length));
    return bits;
  }
}

/** A trace's packed fates, in memory worker threads share rather than copy (PackedLossTrace.bits). */
function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

function bytesOfBits(bits: number): number {
  return (bits + 7) >> 3;
}

/** Whole lines from pieces of text cut anywhere: what follows a piece's last newline waits for the next. */
class LineCarry {
  private rest = '';

  take(text: string): string {
    const all = this.rest + text;
    const cut = all.lastIndexOf('\n') + 1;
    this.rest = all.slice(cut);
    return all.slice(0, cut);
  }

  end(): string {
    const rest = this.rest;
    this.rest = '';
    return rest;
  }

  /**
   * As take, but hands `read` the whole lines as ranges of the piece itself: only the line
   * joining the last piece's rest and this piece's first line is a new string. Joining the rest
   * to the whole piece copied every piece once more (a fifth of reading a ping log).
   */
  each(text: string, read: (text: string, from: number, to: number) => void): void {
    const cut = text.lastIndexOf('\n') + 1;
    if (cut === 0) {
      this.rest += text;
      return;
    }
    let from = 0;
    if (this.rest) {
      from = text.indexOf('\n') + 1;
      const joined = this.rest + text.slice(0, from);
      this.rest = '';
      read(joined, 0, joined.length);
    }
    if (from < cut) read(text, from, cut);
    this.rest = text.slice(cut);
  }
}

/** A `PING` header at the start of a line: `PING host`, `PING host(addr)` or ping6's `PING6(`. */
function hasPingHeader(text: string): boolean {
  if (isPingHeaderAt(text, 0)) return true;
  for (let at = text.indexOf('\nPING'); at >= 0; at = text.indexOf('\nPING', at + 1)) if (isPingHeaderAt(text, at + 1)) return true;
  return false;
}

function isPingHeaderAt(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 0x50 /* P */ || !text.startsWith('PING', at)) return false;
  const after = text.charCodeAt(at + 4);
  return after === 0x20 || after === 0x28 || after === 0x36 || after === 0x09;
}

/** Each test stops at its first find; the commonest come first, as one that finds nothing reads the whole text. */
function looksLikePing(text: string): boolean {
  return (
    isPingHeaderAt(text, 0) ||
    text.includes('icmp_seq') ||
    (text.includes(' seq=') && text.includes(' bytes from ')) ||
    text.includes('icmp_req') ||
    text.includes(' packets transmitted') ||
    hasPingHeader(text)
  );
}

/** The line of a Windows ping header (`Pinging host with 32 bytes of data:`), if there is one. */
function windowsHeader(text: string): number | undefined {
  for (let at = text.indexOf('Pinging '); at >= 0; at = text.indexOf('Pinging ', at + 1)) {
    if (at > 0 && text.charCodeAt(at - 1) !== NEWLINE) continue;
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, Math.min(end, at + 300));
    if (/^Pinging \S.* with \d+ bytes of data/.test(line)) return lineOf(text, at);
  }
  return undefined;
}

/**
 * The first line of Windows ping output in an excerpt without its header: a reply
 * (`Reply from 192.0.2.1: bytes=32 time=12ms TTL=57`, in any language: `bytes=` and `TTL=`, which
 * no ping with sequence numbers prints) or `Request timed out.`; if there is one.
 */
function windowsLine(text: string): number | undefined {
  const lines: number[] = [];
  const reply = text.indexOf('TTL=');
  if (reply >= 0) {
    const start = text.lastIndexOf('\n', reply) + 1;
    if (/bytes=\d+ .*TTL=\d+/i.test(text.slice(Math.max(start, reply - 200), reply + 10))) lines.push(lineOf(text, reply));
  }
  const timeout = text.indexOf('Request timed out.');
  if (timeout >= 0 && (timeout === 0 || text.charCodeAt(timeout - 1) === NEWLINE)) lines.push(lineOf(text, timeout));
  return lines.length ? Math.min(...lines) : undefined;
}

/** The 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Whether the first line that is neither blank nor a `#` comment is a CSV header: two fields or
 * more, and none of a ping line's words (a header line, a reply's or a loss's number, a summary).
 */
function startsWithCsvHeader(text: string): boolean {
  const header = firstContentLine(text)?.text;
  if (header === undefined || isPingHeaderAt(header, 0)) return false;
  if (/seq[= ]\d|icmp_req=|bytes from |packets transmitted|Request timeout|no answer yet/.test(header)) return false;
  return header.split(detectDelimiter(header)).length >= 2;
}

/** The first line that is neither blank nor a `#` comment, trimmed, with its 1-based number. */
function firstContentLine(text: string): { text: string; line: number } | undefined {
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    line++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const content = text.slice(start, end).trim();
    if (content && !content.startsWith('#')) return { text: content, line };
    start = end + 1;
  }
  return undefined;
}

const ZERO = 0x30;
const ONE = 0x31;
const NINE = 0x39;
const NEWLINE = 0x0a;
const HASH = 0x23;
const QUOTE = 0x22;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

/**
 * One pass over the characters: the trace can be tens of millions of digits, in any layout, and
 * one line of them may span many pieces.
 */
class DigitsReader {
  private readonly outcomes: Outcomes;
  private line = 1;
  private lineStart = true; // only blanks so far on this line, so a `#` starts a comment
  private inComment = false; // a comment line runs on into the next piece

  constructor(
    private readonly file: string,
    private readonly maxPackets: number,
  ) {
    this.outcomes = new Outcomes(file, maxPackets);
  }

  /** Digits are read from their text (TraceReader decodes it). */
  takesBytes(): boolean {
    return false;
  }

  pushBytes(_bytes: Uint8Array): void {
    throw new Error('a digits trace is read from its text');
  }

  push(text: string): void {
    this.outcomes.reserve(text.length);
    let i = 0;
    if (this.inComment) {
      const end = text.indexOf('\n');
      if (end < 0) return;
      this.inComment = false;
      i = end;
    }
    while (i < text.length) i = this.scan(text, i, Math.min(text.length, i + SLICE_CHARS));
  }

  /** Reads text[from … to − 1] (on to the end of a comment line that starts there); returns where it stopped. */
  private scan(text: string, from: number, to: number): number {
    const { outcomes, maxPackets } = this;
    const bits = outcomes.bits;
    let n = outcomes.count;
    let { line, lineStart } = this;
    let i = from;
    for (; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c === ZERO || c === ONE) {
        if (n === maxPackets) throw tooManyPackets(this.file, undefined, maxPackets);
        bits[n >> 3]! |= (c - ZERO) << (n & 7);
        n++;
        lineStart = false;
      } else if (c === NEWLINE) {
        line++;
        lineStart = true;
      } else if (isBlank(c)) {
      } else if (c === HASH && lineStart) {
        const end = text.indexOf('\n', i);
        if (end < 0) {
          this.inComment = true;
          i = text.length;
          break;
        }
        i = end - 1; // the newline is counted on the next turn
      } else {
        const character = String.fromCodePoint(text.codePointAt(i)!);
        throw new TraceError(this.file, line, `unexpected character ${JSON.stringify(character)}: a trace is 0 (delivered) or 1 (lost)`);
      }
    }
    outcomes.count = n;
    this.line = line;
    this.lineStart = lineStart;
    return i;
  }

  finish(): LossTrace {
    if (this.outcomes.count === 0) throw new TraceError(this.file, undefined, 'the trace is empty: no 0 (delivered) or 1 (lost) in it');
    return lossTrace({ bits: this.outcomes.result(), packets: this.outcomes.count, format: 'digits', warnings: [] });
  }
}

// ---------------------------------------------------------------------------------------------
// CSV

/** The delimiter the header uses most: comma, semicolon (European spreadsheets) or tab. */
function detectDelimiter(header: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const count = header.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** The outcome a CSV cell says: 0 delivered, 1 lost, −1 neither. */
function outcomeOf(raw: string): number {
  if (raw === '0') return 0;
  if (raw === '1') return 1;
  const value = raw.trim().toLowerCase();
  if (value === '0' || value === 'false') return 0;
  if (value === '1' || value === 'true') return 1;
  return -1;
}

/** Collects one column's outcomes, with the errors every reader words alike. */
class ColumnCollector {
  private readonly outcomes: Outcomes;
  /** The column's field, once the header has been read. */
  index = -1;
  /** The header's number of fields, which every row has (a row with another number is misaligned: its column is a guess). */
  fields = -1;

  constructor(
    private readonly file: string,
    private readonly column: string,
    maxPackets: number,
  ) {
    this.outcomes = new Outcomes(file, maxPackets);
  }

  header(fields: readonly string[], line: number): void {
    const names = fields.map((name) => name.trim());
    this.fields = fields.length;
    this.index = names.indexOf(this.column.trim());
    if (this.index < 0) {
      const listed = names.map((name) => JSON.stringify(name)).join(', ');
      throw new TraceError(this.file, line, `no column "${this.column}"${didYouMean(this.column, names)}; the columns are ${listed}`);
    }
    // Two columns of that name: either could be the trace, and taking one would be a guess.
    const again = names.indexOf(this.column.trim(), this.index + 1);
    if (again >= 0) throw new TraceError(this.file, line, `the column "${this.column}" appears twice (fields ${this.index + 1} and ${again + 1})`);
  }

  missing(fields: number, line: number): never {
    throw new TraceError(this.file, line, `the row has ${fields} field${fields === 1 ? '' : 's'}, so no column "${this.column}" (field ${this.index + 1})`);
  }

  /** Refuses a row of other than the header's number of fields. */
  count(fields: number, line: number): void {
    if (fields !== this.fields)
      throw new TraceError(
        this.file,
        line,
        `the row has ${fields} field${fields === 1 ? '' : 's'} but the header has ${this.fields}: a row has one field per column`,
      );
  }

  add(raw: string, line: number): void {
    const x = outcomeOf(raw);
    if (x < 0)
      throw new TraceError(this.file, line, `${JSON.stringify(raw.trim())} in column "${this.column}": a trace is 0 or false (delivered), 1 or true (lost)`);
    this.addOutcome(x, line);
  }

  addOutcome(x: number, line: number): void {
    this.outcomes.add(x, line);
  }

  result(): LossTrace {
    if (this.index < 0) throw new TraceError(this.file, undefined, 'the trace is empty: no CSV header and no rows');
    if (this.outcomes.count === 0) throw new TraceError(this.file, undefined, 'the trace is empty: the CSV has a header but no rows');
    return lossTrace({ bits: this.outcomes.result(), packets: this.outcomes.count, format: 'csv', warnings: [] });
  }
}

/**
 * A CSV's column of outcomes. A file without a quote character has no quoting to interpret, so
 * its records are its lines and its fields what lies between delimiters: read that way in one
 * pass, at tens of millions of rows a second. A file with quotes is read by RFC 4180's rules
 * (readQuotedCsv). Blank lines and lines starting with `#` are skipped in both.
 */
class CsvReader {
  private readonly collector: ColumnCollector;
  private readonly lines = new LineCarry();
  private delimiter: string | undefined;
  /** A record whose quoted field runs on past the piece read, waiting for the rest. */
  private unfinished = '';
  private linesRead = 0;
  /**
   * Lines are scanned from their bytes on WebAssembly where it runs (trace-scan.ts): by the plain
   * rules up to the line of the first quote, by RFC 4180's from there on (as `read` reads text),
   * a line at a time. A line a quote leaves open (a record running on into the next)
   * ends the scanning: the bytes from it on are decoded here and read as text.
   */
  private readonly scanner = LineScanner.create();
  private quoted = false;
  private asText = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    private readonly file: string,
    column: string,
    maxPackets: number,
  ) {
    this.collector = new ColumnCollector(file, column, maxPackets);
  }

  takesBytes(): boolean {
    return this.scanner !== null;
  }

  push(text: string): void {
    if (this.scanner) this.pushBytes(Buffer.from(text, 'utf8'));
    else this.pushText(text);
  }

  pushBytes(bytes: Uint8Array): void {
    if (!this.asText && !this.quoted) {
      const quote = bytes.indexOf(QUOTE);
      if (quote >= 0) {
        // RFC 4180's rules from the line of the first quote on (as `read` reads text).
        const from = bytes.lastIndexOf(NEWLINE, quote) + 1;
        if (from > 0) {
          this.scanner!.append(bytes.subarray(0, from));
          this.scan(false);
          bytes = bytes.subarray(from);
        }
        this.quoted = true;
      }
    }
    if (this.asText) {
      const rest = this.pushDecoded(bytes, true);
      if (rest === undefined) return;
      bytes = rest;
    }
    this.scanner!.append(bytes);
    this.scan(false);
  }

  finish(): LossTrace {
    if (this.scanner && !this.asText) this.scan(true);
    if (!this.scanner || this.asText) {
      if (this.scanner) this.pushText(decodePiece(this.decoder, undefined, this.file));
      this.read(this.lines.end(), true);
    }
    if (this.delimiter === undefined) throw new TraceError(this.file, undefined, 'the trace is empty: no CSV header and no rows');
    return this.collector.result();
  }

  private pushText(text: string): void {
    this.read(this.lines.take(text), false);
  }

  /**
   * Bytes read as text, from a line a quote left open. Where `resume`, the scan takes the bytes
   * on again once a piece's records have all ended (the line begun at its end carried back as
   * bytes; the piece ends with a whole character, so the decoder holds none): one record over
   * lines early in a file had the rest of it read as text, at under half the scan's speed.
   */
  private pushDecoded(bytes: Uint8Array, resume = false): Uint8Array | undefined {
    for (let at = 0; at < bytes.length; ) {
      const piece = bytes.subarray(at, at + TEXT_PIECE_BYTES);
      this.pushText(decodePiece(this.decoder, piece, this.file));
      at += piece.length;
      if (resume && at < bytes.length && !this.unfinished && piece[piece.length - 1]! < 0x80) {
        // The bytes after the piece are the scan's again (the caller's to append and scan).
        this.asText = false;
        this.scanner!.append(Buffer.from(this.lines.end(), 'utf8'));
        return bytes.subarray(at);
      }
    }
    return undefined;
  }

  private scan(final: boolean): void {
    const scanner = this.scanner!;
    for (;;) {
      const index = this.collector.index;
      const lines: LineKind = { kind: 'csv', delimiter: this.delimiter?.charCodeAt(0) ?? 0, index, fields: this.collector.fields, quoted: this.quoted };
      if (!scanner.scan(lines, final, this.take)) throw notUtf8(this.file);
      if (this.asText) {
        // The open line starts a line, so the decoder starts at a character. The scan goes on
        // from where the text's records end, but for the last bytes of the file.
        const rest = this.pushDecoded(scanner.takeCarried(), !final);
        if (rest === undefined) return;
        scanner.append(rest);
        continue;
      }
      // Scanned up to the header: on, now that its field is known.
      if (index >= 0 || this.collector.index < 0) break;
    }
    if (scanner.pending > MAX_LINE_BYTES) throw lineTooLong(this.file, this.linesRead + 1, 'a CSV');
  }

  /** A scan's records (trace-scan.ts): a row's outcome, a line with none, a line to read here, or an open line. */
  private readonly take = (records: Int32Array, count: number): void => {
    const { collector } = this;
    let line = this.linesRead;
    for (let i = 0; i < count; i++) {
      const record = records[i]!;
      if (isOpenLine(record)) {
        this.asText = true;
        break;
      }
      line++;
      if (record < 0) {
        const text = this.scanner!.otherLine(record);
        if (text === undefined) throw lineTooLong(this.file, line, 'a CSV');
        if (this.delimiter === undefined) {
          // The header, whose delimiter is told from the first line not blank once trimmed (of
          // every kind of blank) nor a comment, as firstContentLine tells it.
          if (skipsAsBlank(text, 0, text.length)) continue;
          this.delimiter = detectDelimiter(text.trim());
        }
        if (this.quoted) readQuotedCsv(text, this.file, this.delimiter, collector, line - 1, true);
        else readPlainCsv(text, this.delimiter, collector, line - 1);
      } else if (record !== NO_ROW) collector.addOutcome(record, line);
    }
    this.linesRead = line;
  };

  /** Whole lines (the last piece may end without a newline). */
  private read(piece: string, final: boolean): void {
    if (this.unfinished) {
      piece = this.unfinished + piece;
      this.unfinished = '';
    }
    if (this.delimiter === undefined) {
      const first = firstContentLine(piece);
      if (!first) {
        this.linesRead += newlinesIn(piece, 0, piece.length);
        return;
      }
      this.delimiter = detectDelimiter(first.text);
    }
    if (!this.quoted) {
      const quote = piece.indexOf('"');
      if (quote < 0) {
        this.linesRead = readPlainCsv(piece, this.delimiter, this.collector, this.linesRead);
        return;
      }
      // RFC 4180's rules from the line of the first quote on, wherever the text was cut.
      const from = piece.lastIndexOf('\n', quote) + 1;
      if (from > 0) this.linesRead = readPlainCsv(piece.slice(0, from), this.delimiter, this.collector, this.linesRead);
      piece = piece.slice(from);
      this.quoted = true;
    }
    const read = readQuotedCsv(piece, this.file, this.delimiter, this.collector, this.linesRead, final);
    this.linesRead = read.lines;
    if (read.consumed < piece.length) this.unfinished = piece.slice(read.consumed);
  }
}

/** Reads whole lines after `linesBefore` lines; returns the lines read in all. */
function readPlainCsv(text: string, delimiter: string, collector: ColumnCollector, linesBefore: number): number {
  const d = delimiter.charCodeAt(0);
  let line = linesBefore;
  let start = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let s = start;
    while (s < end && isBlank(text.charCodeAt(s))) s++;
    if (s < end && text.charCodeAt(s) !== HASH && !(text.charCodeAt(s) > 0x7f && skipsAsBlank(text, s, end))) {
      let e = end;
      if (text.charCodeAt(e - 1) === 0x0d) e--;
      if (collector.index < 0) collector.header(text.slice(start, e).split(delimiter), line);
      else {
        // Only the wanted field is sliced: a row costs no array.
        let field = 0;
        let from = start;
        while (field < collector.index) {
          const next = text.indexOf(delimiter, from);
          if (next < 0 || next >= e) break;
          from = next + 1;
          field++;
        }
        if (field < collector.index) collector.missing(field + 1, line);
        let to = from;
        while (to < e && text.charCodeAt(to) !== d) to++;
        let fields = field + 1;
        for (let at = to; at < e; at++) if (text.charCodeAt(at) === d) fields++;
        collector.count(fields, line);
        const c = text.charCodeAt(from);
        if (to - from === 1 && (c === ZERO || c === ONE)) collector.addOutcome(c - ZERO, line);
        else collector.add(text.slice(from, to), line);
      }
    }
    start = end + 1;
  }
  return line;
}

/**
 * RFC 4180 quoting, read in one pass: a field may be quoted (delimiters, newlines and doubled
 * quotes inside), blanks around a field are dropped, text after a closing quote or a quote inside
 * an unquoted field is refused, and so is a quote never closed. csv-parse reads the same records
 * at a few hundred thousand a second; a trace of millions of packets needs this loop's speed.
 * Only the wanted column's field is made into a string. Reads from line `linesBefore` + 1 to the
 * end of the text, or, unless `final`, to the start of a record whose quote the text does not
 * close: that record waits for more text. Returns how much was read and the lines read in all.
 */
function readQuotedCsv(
  text: string,
  file: string,
  delimiter: string,
  collector: ColumnCollector,
  linesBefore: number,
  final: boolean,
): { consumed: number; lines: number } {
  const d = delimiter.charCodeAt(0);
  const blank = (c: number): boolean => c === 0x20 || (c === 0x09 && d !== 0x09);
  const n = text.length;
  let at = 0;
  let line = linesBefore + 1;
  const fail = (code: string): never => {
    throw new TraceError(file, line, csvProblem(code));
  };
  while (at < n) {
    // A record: skip a blank line or a comment line whole.
    let s = at;
    while (s < n && blank(text.charCodeAt(s))) s++;
    const first = s < n ? text.charCodeAt(s) : NEWLINE;
    // A line blank but for other blanks (a form feed, blanks past ASCII), or a comment after them, is skipped too.
    const otherBlank = first === 0x0b || first === 0x0c || first === 0x0d || first > 0x7f;
    const end = text.indexOf('\n', s);
    if (
      first === NEWLINE ||
      (first === 0x0d && text.charCodeAt(s + 1) === NEWLINE) ||
      first === HASH ||
      (otherBlank && skipsAsBlank(text, s, end < 0 ? n : end))
    ) {
      if (end < 0) break;
      at = end + 1;
      line++;
      continue;
    }
    const recordStart = at;
    const recordLine = line;
    const fields: string[] | null = collector.index < 0 ? [] : null;
    let field = 0;
    let wanted: string | undefined;
    let outcome = -1;
    let firstEmpty = false;
    let ended = false;
    while (!ended) {
      while (at < n && blank(text.charCodeAt(at))) at++;
      let value: string | undefined;
      let empty: boolean;
      const keep = fields !== null || field === collector.index;
      if (at < n && text.charCodeAt(at) === QUOTE) {
        let from = ++at;
        const opened = from;
        let parts = '';
        for (;;) {
          const q = text.indexOf('"', at);
          if (q < 0 && !final) return { consumed: recordStart, lines: recordLine - 1 };
          // Never closed: named at the line where it opens (the lines after it are the quote's).
          if (q < 0) throw new TraceError(file, line, csvProblem('CSV_QUOTE_NOT_CLOSED'));
          line += newlinesIn(text, at, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            if (keep) parts += text.slice(from, q + 1);
            at = q + 2;
            from = at;
            continue;
          }
          if (keep) value = parts + text.slice(from, q);
          // `""` alone: a doubled quote inside is a character, kept or not (`""""` is no empty field)
          empty = q === opened;
          at = q + 1;
          break;
        }
        while (at < n && blank(text.charCodeAt(at))) at++;
        const c = at < n ? text.charCodeAt(at) : NEWLINE;
        if (c !== d && c !== NEWLINE && !(c === 0x0d && (at + 1 >= n || text.charCodeAt(at + 1) === NEWLINE))) fail('CSV_INVALID_CLOSING_QUOTE');
      } else {
        const from = at;
        let c = 0;
        while (at < n && (c = text.charCodeAt(at)) !== d && c !== NEWLINE) {
          if (c === QUOTE) fail('CSV_INVALID_OPENING_QUOTE');
          at++;
        }
        let to = at;
        while (to > from && (blank(text.charCodeAt(to - 1)) || text.charCodeAt(to - 1) === 0x0d)) to--;
        empty = to === from;
        if (keep) {
          const c0 = text.charCodeAt(from);
          if (to - from === 1 && (c0 === ZERO || c0 === ONE) && fields === null && field === collector.index) outcome = c0 - ZERO;
          else value = text.slice(from, to);
        }
      }
      if (field === 0) firstEmpty = empty;
      if (fields !== null) fields.push(value ?? '');
      else if (field === collector.index) wanted = value;
      field++;
      const c = at < n ? text.charCodeAt(at) : NEWLINE;
      if (c === d) at++;
      else {
        if (c === 0x0d) at++;
        at++; // the newline, or past the end
        ended = true;
      }
    }
    // The record ended on this line; the next starts on the next.
    const endLine = line;
    line++;
    if (field === 1 && firstEmpty) continue; // a record of one empty field ("")
    if (fields !== null) {
      collector.header(fields, endLine);
      continue;
    }
    if (field <= collector.index) collector.missing(field, endLine);
    collector.count(field, endLine);
    if (outcome >= 0) collector.addOutcome(outcome, endLine);
    else collector.add(wanted!, endLine);
  }
  return { consumed: n, lines: line - 1 };
}

/**
 * Whether text[from, to) is blank once trimmed of every kind of blank, or a `#` comment after
 * them: what the delimiter's detection (firstContentLine) skips, so no row or header either.
 */
function skipsAsBlank(text: string, from: number, to: number): boolean {
  const content = text.slice(from, to).trim();
  return content === '' || content.charCodeAt(0) === HASH;
}

/** How many newlines text[from, to) holds. */
function newlinesIn(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === NEWLINE) count++;
  return count;
}

/** What is wrong with a CSV's quoting, in words and without echoing the file's bytes. */
function csvProblem(code: string | undefined): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote is opened and never closed, so the rows after it cannot be read';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text follows a closing quote in the same field; double a quote inside a quoted field ("")';
    default:
      return `the CSV cannot be read (${code ?? 'malformed'})`;
  }
}

// ---------------------------------------------------------------------------------------------
// ping

/** Past the end of any string (V8's longest has 2^29 − 24 characters), and a small integer. */
const NOT_FOUND = 2 ** 30 - 1;

/**
 * The next place a token occurs, remembered, so that asking line by line costs one pass over
 * the text in all: a search that found nothing in this line is not repeated for the next.
 */
class Occurrences {
  private at = -1;
  constructor(
    private readonly text: string,
    private readonly token: string,
  ) {}

  /** The first occurrence in [start, end), or −1. */
  within(start: number, end: number): number {
    if (this.at < start) {
      const at = this.text.indexOf(this.token, start);
      // Not found: past every line, as a small integer (Infinity made every offset read from
      // here a boxed double, and the reader's optimized code gave up on it).
      this.at = at < 0 ? NOT_FOUND : at;
    }
    return this.at < end ? this.at : -1;
  }
}

/** The decimal number at `at` (at most 12 digits, as no counter prints more), or −1. */
function numberAt(text: string, at: number): number {
  let value = 0;
  let digits = 0;
  for (let c = text.charCodeAt(at); c >= ZERO && c <= NINE && digits < 12; c = text.charCodeAt(++at)) {
    value = value * 10 + (c - ZERO);
    digits++;
  }
  return digits ? value : -1;
}

/** Whether the line ending at `end` ends with the number at `at` (its twelve digits, as numberAt reads, and a carriage return). */
function endsAfterNumber(text: string, at: number, end: number): boolean {
  let p = at;
  for (let digits = 0; digits < 12 && p < end; digits++, p++) {
    const c = text.charCodeAt(p);
    if (!(c >= ZERO && c <= NINE)) break;
  }
  return p >= end || (text.charCodeAt(p) === 0x0d && p + 1 >= end);
}

/** The decimal number ending just before `end` (at most 12 digits), or −1. */
function numberBefore(text: string, end: number, from: number): number {
  let at = end;
  while (at > from && end - at < 12 && text.charCodeAt(at - 1) >= ZERO && text.charCodeAt(at - 1) <= NINE) at--;
  return at < end ? numberAt(text, at) : -1;
}

const SEQ_SPACE = 65536; // icmp_seq is 16 bits and wraps
const ESCAPE = 0x1b; // a terminal colour code's first character

/** What the lines of a ping log say; sequence numbers unwrapped. */
interface PingLines {
  /** The numbers that had a reply: bit (n − base) for number n (a bit a number, not a record a line: a log of 10^7 lines takes 1.2 MiB here). */
  replies: Uint8Array;
  /** The number of bit 0: half the number space below the first number seen, which unwrapping never goes under. */
  base: number;
  anyReply: boolean;
  /** Lines that name a number. */
  count: number;
  headerLine?: number;
  macHeader: boolean;
  linuxHeader: boolean;
  summaryLine?: number;
  transmitted?: number;
  received?: number;
  busybox: boolean;
  macLines: boolean;
  linuxLines: boolean;
  /** An iputils summary (`M received`, where BSD and busybox say `M packets received`). */
  linuxSummary: boolean;
}

/**
 * Reads a ping log in pieces of whole lines; the trace is built from what it found at the end
 * (buildPingTrace). Its bytes are scanned on WebAssembly where it runs (trace-scan.ts), a record
 * a line, and only the lines the scan leaves (headers, summaries) are read from their text here;
 * elsewhere every line is read from its text (scanPing).
 */
class PingReader {
  private readonly lines = new LineCarry();
  private readonly scanner = LineScanner.create();
  private readonly found: PingLines = {
    replies: new Uint8Array(1024),
    base: 0,
    anyReply: false,
    count: 0,
    macHeader: false,
    linuxHeader: false,
    busybox: false,
    macLines: false,
    linuxLines: false,
    linuxSummary: false,
  };
  private readonly state: ScanState = { referenceRaw: -1, referenceUnwrapped: 0, lowest: 0, highest: 0, line: 0 };

  constructor(
    private readonly file: string,
    private readonly maxPackets: number,
    /** What to refuse the text with if no line names a packet: a CSV's header hint, where the first line is one. */
    private readonly notPing?: TraceError,
  ) {}

  takesBytes(): boolean {
    return this.scanner !== null;
  }

  push(text: string): void {
    if (this.scanner) this.pushBytes(Buffer.from(text, 'utf8'));
    else this.lines.each(text, (piece, from, to) => scanPing(piece, from, to, this.file, this.found, this.state, this.maxPackets));
  }

  pushBytes(bytes: Uint8Array): void {
    this.scanner!.append(bytes);
    this.scan();
  }

  finish(): LossTrace {
    // A last line without its newline (a log cut at its end, `head -c`) is read here, from its
    // text, both ways: a number it ends at may be cut (scanLines).
    let rest: string;
    if (this.scanner) {
      const bytes = this.scanner.takeCarried();
      if (!isUtf8(bytes)) throw notUtf8(this.file);
      rest = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    } else rest = this.lines.end();
    if (rest) scanPing(rest, 0, rest.length, this.file, this.found, this.state, this.maxPackets, true);
    if (this.notPing && this.found.count === 0 && this.found.transmitted === undefined) throw this.notPing;
    return buildPingTrace(this.found, this.state, this.file, this.maxPackets);
  }

  /** Scans the whole lines held; what follows the last newline waits (finish reads a last line without one). */
  private scan(): void {
    const scanner = this.scanner!;
    if (!scanner.scan(PING_LINES, false, this.take)) throw notUtf8(this.file);
    if (scanner.pending > MAX_LINE_BYTES) throw lineTooLong(this.file, this.state.line + 1, 'a ping log');
  }

  /** A scan's records (trace-scan.ts): a line's number and what it is, or a line to read here. */
  private readonly take = (records: Int32Array, count: number): void => {
    const { found, state, file, maxPackets } = this;
    for (let i = 0; i < count; i++) {
      const record = records[i]!;
      if (record < 0) {
        const text = this.scanner!.otherLine(record);
        if (text === undefined) throw lineTooLong(file, state.line + 1, 'a ping log');
        // scanPing counts the line it reads (none in an empty text)
        if (text) scanPing(text, 0, text.length, file, found, state, maxPackets);
        else state.line++;
        continue;
      }
      state.line++;
      placeNumber(record & (SEQ_SPACE - 1), (record & REPLY) !== 0, (record & BUSYBOX) !== 0, (record & TIMEOUT) !== 0, found, state, file, maxPackets);
    }
  };
}

const PING_LINES: LineKind = { kind: 'ping' };

/**
 * A ping log's or a CSV's line longer than this is refused, where it ends in the block read or
 * runs on past it: no such line is that long, and what waits for its end is held in memory.
 * (Read from text, without WebAssembly, lines are not measured.)
 */
const {
  MAX_LINE_BYTES,
  QUOTED_LINE_START,
  QUOTED_IN_QUOTE,
  QUOTED_IN_COMMENT,
  QUOTED_PENDING,
  QUOTED_OPENED,
  QUOTED_EMPTY,
  QUOTED_EMPTY_CR,
  QUOTED_AFTER_CR,
  QUOTED_STOP,
} = SCAN_LAYOUT;

function lineTooLong(file: string, line: number, what: string): TraceError {
  return new TraceError(file, line, `a line longer than ${MAX_LINE_BYTES / 2 ** 20} MiB, which ${what} does not have`);
}

function notUtf8(file: string): TraceError {
  return new TraceError(file, undefined, 'not a text file: the trace file is not valid UTF-8');
}

/** What scanning carries from one piece of a log to the next. */
interface ScanState {
  referenceRaw: number;
  referenceUnwrapped: number;
  /** The span of the numbers seen, unwrapped. */
  lowest: number;
  highest: number;
  /** Lines read. */
  line: number;
}

/**
 * Scans whole lines of a ping log (Linux iputils, macOS and BSD, busybox; `ping -D` timestamps
 * and `ping -O` lines included), keeping the sequence number of every line that names one and
 * whether it is a reply. Each token is looked for once through the text (Occurrences), so the
 * scan is linear however the lines are laid out. Refused at the line where the numbers come to
 * span more packets than the limit.
 */
function scanPing(text: string, from: number, to: number, file: string, found: PingLines, state: ScanState, maxPackets: number, cutAtEnd = false): void {
  const searches: PingSearches = {
    seqToken: new Occurrences(text, 'seq'),
    reqToken: new Occurrences(text, 'icmp_req='),
    timeout: new Occurrences(text, 'Request timeout'),
    summary: new Occurrences(text, ' packets transmitted, '),
    stamps: new Occurrences(text, ']'),
    ttl: new Occurrences(text, ' ttl='),
  };
  for (let start = from; start < to; ) start = scanLines(text, start, Math.min(start + SCAN_CHARS, to), to, file, found, state, searches, maxPackets, cutAtEnd);
}

/** The searches of one piece of a log, remembered from line to line (Occurrences). */
interface PingSearches {
  readonly seqToken: Occurrences;
  readonly reqToken: Occurrences;
  readonly timeout: Occurrences;
  readonly summary: Occurrences;
  /** A `ping -D` timestamp's closing `]`. */
  readonly stamps: Occurrences;
  /** A reply's ` ttl=`, which tells a reply whose `bytes from` was cut off. */
  readonly ttl: Occurrences;
}

/**
 * A piece of a log is scanned a run of lines of about this many characters at a time: a call
 * over a whole piece (16 MiB) ran in on-stack-replacement code, thrown away at the first line
 * or return its compiler had not seen and compiled again, three or four times a piece, each
 * taking as long as reading a tenth of a million lines; calls over short runs are compiled
 * whole, once they are known.
 */
const SCAN_CHARS = 1 << 16;

/** Scans the lines starting in [start, limit) (the last may run on to `to`); returns where the next starts. */
function scanLines(
  text: string,
  start: number,
  limit: number,
  to: number,
  file: string,
  found: PingLines,
  state: ScanState,
  searches: PingSearches,
  maxPackets: number,
  cutAtEnd: boolean,
): number {
  const { seqToken, reqToken, timeout, summary, stamps, ttl } = searches;
  while (start < limit) {
    const line = ++state.line;
    let end = text.indexOf('\n', start);
    if (end < 0 || end > to) end = to;
    if (isPingHeaderAt(text, start)) {
      pingHeader(text.slice(start, Math.min(end, start + 400)), line, file, found);
      start = end + 1;
      continue;
    }
    // A reply names its number after `bytes from`: the search for it starts there.
    const replyFrom = replyBody(text, start, end, stamps);
    const reply = replyFrom >= 0;
    let raw = -1;
    let numberFrom = -1;
    let busybox = false;
    let coloured = false;
    let at = seqToken.within(reply ? replyFrom : start, end);
    for (; at >= 0; at = seqToken.within(at + 1, end)) {
      if (isSeqToken(text, at)) {
        numberFrom = at + 4;
        raw = numberAt(text, numberFrom);
        busybox = text.charCodeAt(at - 1) === 0x20;
        if (raw >= 0) break;
        if (text.charCodeAt(numberFrom) === ESCAPE) coloured = true;
      }
    }
    if (raw < 0) {
      const at = reqToken.within(start, end);
      numberFrom = at + 9;
      if (at >= 0) raw = numberAt(text, numberFrom);
    }
    // No ping prints a sequence number past 16 bits: placed modulo 2^16, such a line (a corrupt or
    // edited log) would make up thousands of lost packets, so it is refused at its line.
    if (raw >= SEQ_SPACE) {
      const more = text.charCodeAt(numberFrom + 12);
      // twelve digits read, and more after them
      const cut = raw >= 1e11 && more >= ZERO && more <= NINE;
      throw new TraceError(file, line, `sequence number ${raw}${cut ? '…' : ''} is past 65535: a ping's sequence numbers are 16 bits`);
    }
    if (raw >= 0) {
      // a reply whose `bytes from` was cut off (a log cut mid-line, `tail -c`) still has its ` ttl=`
      const replied = reply || ttl.within(start, end) >= 0;
      // a reply ending at its number was cut there (a log cut mid-line, `head -c`): its number may be cut too;
      // so may a loss line's that ends the log without its newline (`Request timeout for icmp_seq 12` of 1234),
      // read only where it cannot be a cut one: at a number the trace holds, or the next
      const cut = endsAfterNumber(text, numberFrom, end) && (replied || (cutAtEnd && end === to && !continuesRange(raw % SEQ_SPACE, found, state)));
      if (!cut) placeNumber(raw % SEQ_SPACE, replied, busybox, !replied && timeout.within(start, end) >= 0, found, state, file, maxPackets);
    } else if (coloured) {
      // read without it, the line's packet would be lost, or the trace start elsewhere
      throw new TraceError(
        file,
        line,
        "a terminal colour code (ESC[…m) hides the line's sequence number: give ping's own output, without colour (or strip the codes: sed 's/\\x1b\\[[0-9;]*m//g')",
      );
    } else {
      const at = summary.within(start, end);
      if (at >= 0) pingSummary(text, start, at, line, file, found);
    }
    start = end + 1;
  }
  return start;
}

/** A `PING` header line (its first 400 characters), at line `line`. */
function pingHeader(head: string, line: number, file: string, found: PingLines): void {
  if (found.headerLine !== undefined)
    throw new TraceError(file, line, `a second ping run starts here (the first at line ${found.headerLine}); give one run per file`);
  found.headerLine = line;
  if (/:\s*\d+ data bytes|^PING6\(/.test(head)) found.macHeader = true;
  else if (/bytes of data|\)\s+\d+ data bytes/.test(head)) found.linuxHeader = true;
}

/** A summary line (`N packets transmitted, M received`), its ` packets transmitted, ` at `at`. */
function pingSummary(text: string, start: number, at: number, line: number, file: string, found: PingLines): void {
  if (found.summaryLine !== undefined)
    throw new TraceError(file, line, `a second ping summary (the first at line ${found.summaryLine}); give one run per file`);
  const transmitted = numberBefore(text, at, start);
  const rest = at + ' packets transmitted, '.length;
  const received = numberAt(text, rest);
  if (transmitted >= 0 && received >= 0) {
    found.summaryLine = line;
    found.transmitted = transmitted;
    found.received = received;
    // BSD's and busybox's summary says `M packets received`, iputils' `M received`: Linux numbering, from 1
    const after = rest + String(received).length;
    if (text.startsWith(' packets received', after)) found.macLines = true;
    else if (text.startsWith(' received', after)) found.linuxSummary = true;
  }
}

/**
 * A line's sequence number (`raw`, below 2^16), at line `state.line`: unwrapped, its span
 * checked, its reply marked. Unwrapping takes each number nearest the highest seen so far, so a
 * log longer than 65,536 packets keeps counting and a reply arriving late lands on its own
 * packet. `timeout`: a line with no reply is macOS's `Request timeout` (else a Linux line:
 * `From … Destination Host Unreachable`, `no answer yet`).
 */
function placeNumber(
  raw: number,
  reply: boolean,
  busybox: boolean,
  timeout: boolean,
  found: PingLines,
  state: ScanState,
  file: string,
  maxPackets: number,
): void {
  const count = found.count;
  let unwrapped = raw;
  if (count === 0) state.referenceRaw = raw;
  else {
    let delta = (raw - state.referenceRaw) & (SEQ_SPACE - 1); // both below 2^16: a mask, not a division
    if (delta >= SEQ_SPACE / 2) delta -= SEQ_SPACE;
    unwrapped = state.referenceUnwrapped + delta;
  }
  if (unwrapped > state.referenceUnwrapped || count === 0) {
    state.referenceRaw = raw;
    state.referenceUnwrapped = unwrapped;
  }
  if (count === 0) {
    state.lowest = state.highest = unwrapped;
    found.base = unwrapped - SEQ_SPACE / 2;
  } else if (unwrapped < state.lowest) state.lowest = unwrapped;
  else if (unwrapped > state.highest) state.highest = unwrapped;
  if (state.highest - state.lowest >= maxPackets) throw tooManyPackets(file, state.line, maxPackets);
  found.count = count + 1;
  if (reply) {
    const bit = unwrapped - found.base;
    let replies = found.replies;
    if (bit >> 3 >= replies.length) {
      replies = new Uint8Array(Math.max(2 * replies.length, (bit >> 3) + 1));
      replies.set(found.replies);
      found.replies = replies;
    }
    replies[bit >> 3]! |= 1 << (bit & 7);
    found.anyReply = true;
    if (busybox) found.busybox = true;
  } else if (timeout) found.macLines = true;
  else found.linuxLines = true;
}

/**
 * Whether a number (`raw`, below 2^16) lies in the trace so far or just after it: a loss line
 * there, cut or whole, says nothing the trace does not (or the next packet lost). A cut number
 * (`12` of 1234) lies far before the numbers shown, or, unwrapped, far after them.
 */
function continuesRange(raw: number, found: PingLines, state: ScanState): boolean {
  if (found.count === 0) return true;
  let delta = (raw - state.referenceRaw) & (SEQ_SPACE - 1);
  if (delta >= SEQ_SPACE / 2) delta -= SEQ_SPACE;
  const unwrapped = state.referenceUnwrapped + delta;
  return unwrapped >= state.lowest && unwrapped <= state.highest + 1;
}

/** Whether the `seq` at `at` names a sequence number: `icmp_seq=`, macOS's `icmp_seq `, busybox's ` seq=`. */
function isSeqToken(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const sep = text.charCodeAt(at + 3);
  return (before === 0x5f /* _ */ && (sep === 0x3d /* = */ || sep === 0x20)) || (before === 0x20 && sep === 0x3d);
}

/**
 * Where a reply's body starts, after its size (`64 bytes from `, after `ping -D`'s `[timestamp] `
 * if any), or −1: every other line naming a sequence number (`From … Destination Host
 * Unreachable`, `Request timeout for icmp_seq N`, `no answer yet for icmp_seq=N`) reports no
 * reply. The timestamp ends at the line's first `]`.
 */
function replyBody(text: string, start: number, end: number, stamps: Occurrences): number {
  let at = start;
  if (text.charCodeAt(at) === 0x5b /* [ */) {
    const close = stamps.within(start, end);
    if (close < 0) return -1;
    at = close + 1;
    while (text.charCodeAt(at) === 0x20) at++;
  }
  let c = text.charCodeAt(at);
  if (!(c >= ZERO && c <= NINE)) return -1;
  do c = text.charCodeAt(++at);
  while (c >= ZERO && c <= NINE);
  return c === 0x20 && at + 11 < end && isBytesFrom(text, at) ? at + 12 : -1;
}

/**
 * Whether ` bytes from ` is at `at`, told by five of its characters (the space at `at` is the
 * caller's): every line is asked this, and each character read costs as much as the rest of the
 * line's work together — the twelve took half the reading of a log.
 */
function isBytesFrom(text: string, at: number): boolean {
  return (
    text.charCodeAt(at + 1) === 0x62 /* b */ &&
    text.charCodeAt(at + 5) === 0x73 /* s */ &&
    text.charCodeAt(at + 7) === 0x66 /* f */ &&
    text.charCodeAt(at + 10) === 0x6d /* m */ &&
    text.charCodeAt(at + 11) === 0x20
  );
}

/**
 * Reconstructs the lost/delivered sequence of a ping run from what the log says. The trace
 * starts at the first sequence number the log shows — a log may be an excerpt (`tail`, a middle
 * slice), and what was sent before it is unknown — and ends at the highest number shown, or
 * later where the log's own summary counts packets sent after its last line (losses at the end,
 * unanswered). A number with a reply line is delivered — even after a `Request timeout` or
 * `no answer yet` for it, as a late reply is still a reply — and every other number in the
 * range is lost. Duplicate replies (DUP!) mark the same packet twice and so count once;
 * reordered replies are placed by their number. A summary that disagrees with what was read
 * (an excerpt, or lines lost from the log) is named in a warning with both figures.
 */
function buildPingTrace(found: PingLines, span: { readonly lowest: number; readonly highest: number }, file: string, maxPackets: number): LossTrace {
  const { replies, base, count, anyReply, transmitted, received, summaryLine } = found;
  if (transmitted === 0 || (transmitted === undefined && count === 0)) {
    throw new TraceError(file, summaryLine, 'the ping log has no packets: nothing was transmitted');
  }
  const { lowest, highest } = span;
  if (!anyReply) {
    if (received !== undefined && received > 0) {
      throw new TraceError(
        file,
        summaryLine,
        `the summary counts ${received} ${nounFor(received, 'reply', 'replies')} but no reply line with a sequence number is in the log (ping -q?): the trace needs one line per packet`,
      );
    }
    throw new TraceError(file, summaryLine, 'the ping log has no replies at all: every packet was lost, so there is no loss pattern to fit');
  }
  const dialect: 'linux' | 'macos' | 'busybox' = found.busybox
    ? 'busybox'
    : found.macHeader || (!found.linuxHeader && !found.linuxSummary && found.macLines)
      ? 'macos'
      : found.linuxHeader || found.linuxSummary || found.linuxLines
        ? 'linux'
        : lowest === 0
          ? 'macos'
          : 'linux';
  // The summary's count of packets sent names the run's last number: Linux numbers from 1,
  // macOS, BSD and busybox from 0. Taken modulo 2^16 and placed at or after the highest shown.
  let last = highest;
  if (transmitted !== undefined) {
    const lastRaw = ((dialect === 'linux' ? 1 : 0) + transmitted - 1) % SEQ_SPACE;
    const after = (lastRaw - (((highest % SEQ_SPACE) + SEQ_SPACE) % SEQ_SPACE) + SEQ_SPACE) % SEQ_SPACE;
    if (after < SEQ_SPACE / 2) last = highest + after;
  }
  const packets = last - lowest + 1;
  if (packets > maxPackets) throw tooManyPackets(file, summaryLine, maxPackets);
  const bits = sharedBytes(bytesOfBits(packets));
  let delivered = 0;
  // Number lowest + i is bit lowest − base + i (past the last reply's byte, none had a reply).
  const from = lowest - base;
  for (let i = 0; i < packets; i++) {
    const bit = from + i;
    const got = bit >> 3 < replies.length ? (replies[bit >> 3]! >> (bit & 7)) & 1 : 0;
    bits[i >> 3]! |= (1 - got) << (i & 7);
    delivered += got;
  }
  const range = { first: lowest, last };
  const warnings: string[] = [];
  if (transmitted !== undefined && (transmitted !== packets || received !== delivered)) {
    warnings.push(
      `the log's summary (line ${summaryLine}) says ${counted(transmitted, 'packet')} transmitted, ${thousands(received!)} received, but the log shows ${counted(packets, 'packet')} (${describeRange(range)}), ${thousands(delivered)} received; the trace holds what the log shows`,
    );
  }
  return lossTrace({ bits, packets, format: `ping-${dialect}`, range, warnings });
}

/** `icmp_seq 3–10`, as a sentence can say it. */
export function describeRange(range: SequenceRange): string {
  return `icmp_seq ${range.first}–${range.last}`;
}

// ---------------------------------------------------------------------------------------------
// Summaries

export interface TraceStats {
  readonly packets: number;
  readonly losses: number;
  /** losses / packets. */
  readonly lossRate: number;
  /** Runs of consecutive losses. */
  readonly bursts: number;
  /** Runs of consecutive deliveries. */
  readonly gaps: number;
  /** Mean length of a run of consecutive losses; NaN if nothing was lost. */
  readonly meanBurst: number;
  /** Mean length of a run of consecutive deliveries; NaN if everything was lost. */
  readonly meanGap: number;
}

/** The 1 bits of each byte. */
export const BITS_OF_BYTE = Uint8Array.from({ length: 256 }, (_, b) => {
  let count = 0;
  for (let x = b; x !== 0; x >>= 1) count += x & 1;
  return count;
});

/**
 * traceStats of a trace from its packed fates, a byte at a time (no byte array made): a byte's
 * runs start where its bit differs from the bit before it (the first packet starts one).
 */
export function packedTraceStats(trace: PackedLossTrace): TraceStats {
  const { bits, packets } = trace;
  let losses = 0;
  let bursts = 0;
  let gaps = 0;
  let before = packets > 0 ? 1 - (bits[0]! & 1) : 0; // the bit before packet 0: unlike it
  for (let j = 0; j < bits.length; j++) {
    const valid = Math.min(8, packets - 8 * j);
    const mask = (1 << valid) - 1;
    const b = bits[j]! & mask;
    const previous = ((b << 1) | before) & mask; // bit k: the fate of the packet before
    losses += BITS_OF_BYTE[b]!;
    bursts += BITS_OF_BYTE[b & ~previous]!;
    gaps += BITS_OF_BYTE[~b & previous]!;
    before = (b >> (valid - 1)) & 1;
  }
  return statsOf(packets, losses, bursts, gaps);
}

export function traceStats(lost: Uint8Array): TraceStats {
  let losses = 0;
  let bursts = 0;
  let gaps = 0;
  let previous = -1;
  for (let t = 0; t < lost.length; t++) {
    const x = lost[t]!;
    losses += x;
    if (x !== previous) {
      if (x) bursts++;
      else gaps++;
      previous = x;
    }
  }
  return statsOf(lost.length, losses, bursts, gaps);
}

function statsOf(packets: number, losses: number, bursts: number, gaps: number): TraceStats {
  return {
    packets,
    losses,
    lossRate: packets ? losses / packets : NaN,
    bursts,
    gaps,
    meanBurst: bursts ? losses / bursts : NaN,
    meanGap: gaps ? (packets - losses) / gaps : NaN,
  };
}

export interface RunLengthHistograms {
  /** Length of a run of consecutive losses → how many such runs. */
  readonly bursts: Map<number, number>;
  /** Length of a run of consecutive deliveries → how many such runs. */
  readonly gaps: Map<number, number>;
}

/**
 * Every maximal run, the first and last included as they appear although the trace's ends cut
 * them short: dropping them would bias the count as much (one run each end) and lose the only run
 * of a trace that is all one symbol.
 */
export function runLengths(lost: Uint8Array): RunLengthHistograms {
  const bursts = new Map<number, number>();
  const gaps = new Map<number, number>();
  let t = 0;
  while (t < lost.length) {
    const x = lost[t]!;
    let end = t + 1;
    while (end < lost.length && lost[end] === x) end++;
    const histogram = x ? bursts : gaps;
    histogram.set(end - t, (histogram.get(end - t) ?? 0) + 1);
    t = end;
  }
  return { bursts, gaps };
}
