import { isAscii, isUtf8 } from 'node:buffer';
import wasm from './trace-scan.generated.js';
import { SCAN_LAYOUT, isOpenLine } from './trace-scan-layout.js';

/**
 * The lines of a ping log or of a CSV, scanned from their bytes on WebAssembly (trace-scan.wat):
 * a record a line, which the readers in trace-file.ts take in JavaScript, the unusual lines
 * (headers, summaries, errors) from their text; and a CSV's rows counted. Bytes are never made
 * into text but for those lines: decoding and reading a log's text in JavaScript costs several
 * times the scan a line (docs/benchmarks.md, "Figures behind the code").
 */
const { RECORDS_BYTE, MAX_RECORDS, BEFORE_INPUT_BYTE, INPUT_BYTE, SLACK, MAX_LINE_BYTES } = SCAN_LAYOUT;
const PAGE = 65536;
const NEWLINE = 0x0a;

interface ScanExports {
  readonly memory: WebAssembly.Memory;
  ping(from: number, to: number, final: number): number;
  csv(from: number, to: number, final: number, delimiter: number, index: number, fields: number, quoted: number): number;
  rows(from: number, to: number, start: number): number;
  digits(from: number, to: number, state: number): number;
  digitState(): number;
  quotedRows(from: number, to: number, state: number): number;
  quotedState(): number;
  records(): number;
  newlines(): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The module, compiled once; null where WebAssembly SIMD is unavailable (e.g. node --jitless). */
function scanModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(wasm, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Which lines a scan reads: a ping log's, or a CSV's with its delimiter and the wanted field (−1 before the header is read). */
export type LineKind =
  | { readonly kind: 'ping' }
  | { readonly kind: 'csv'; readonly delimiter: number; readonly index: number; readonly fields: number; readonly quoted: boolean };

/**
 * Takes a batch of records, one a line in order: `records[0 … count − 1]`. An other line's text
 * is `scanner.otherLine(record)`.
 */
export type TakeRecords = (records: Int32Array, count: number) => void;

/**
 * Bytes of a trace, scanned a line at a time. What follows the last newline waits for the next
 * bytes, at the start of the input. The bytes scanned are checked to be UTF-8 a batch of whole
 * lines at a time (a line never ends inside a character), so no decoder's state is carried.
 */
export class LineScanner {
  private readonly exports: ScanExports;
  private memory!: Uint8Array;
  private records!: Int32Array;
  /** Bytes at INPUT_BYTE not yet scanned: the start of a line. */
  private carried = 0;

  private constructor(exports: ScanExports) {
    this.exports = exports;
    this.views();
  }

  /** A scanner with its own memory, or null where WebAssembly SIMD is unavailable. */
  static create(): LineScanner | null {
    const module = scanModule();
    if (!module) return null;
    return new LineScanner(new WebAssembly.Instance(module).exports as unknown as ScanExports);
  }

  /** The bytes carried, not yet scanned (a line without its newline). */
  get pending(): number {
    return this.carried;
  }

  /** Adds bytes after those carried. */
  append(bytes: Uint8Array): void {
    const end = INPUT_BYTE + this.carried + bytes.length + SLACK;
    if (end > this.memory.length) {
      this.exports.memory.grow(Math.ceil((end - this.memory.length) / PAGE));
      this.views();
    }
    this.memory.set(bytes, INPUT_BYTE + this.carried);
    this.carried += bytes.length;
  }

  /** The bytes carried, taken out (to be read some other way). */
  takeCarried(): Uint8Array {
    const bytes = this.memory.slice(INPUT_BYTE, INPUT_BYTE + this.carried);
    this.carried = 0;
    return bytes;
  }

  /**
   * Scans the whole lines held (all of them where `final`), handing their records to `take` a
   * batch at a time; what follows the last newline is carried. Returns false, scanning nothing,
   * if the lines are not UTF-8.
   */
  scan(lines: LineKind, final: boolean, take: TakeRecords): boolean {
    const to = INPUT_BYTE + this.carried;
    const end = final ? to : this.memory.lastIndexOf(NEWLINE, to - 1) + 1;
    if (end <= INPUT_BYTE) return true;
    const whole = this.memory.subarray(INPUT_BYTE, end);
    if (!isAscii(whole) && !isUtf8(whole)) return false;
    this.memory[to] = NEWLINE;
    this.memory[BEFORE_INPUT_BYTE] = NEWLINE;
    let from: number = INPUT_BYTE;
    const fin = final ? 1 : 0;
    for (;;) {
      from =
        lines.kind === 'ping'
          ? this.exports.ping(from, end, fin)
          : this.exports.csv(from, end, fin, lines.delimiter, lines.index, lines.fields, lines.quoted ? 1 : 0);
      const count = this.exports.records();
      if (count > 0) take(this.records, count);
      // A CSV's scan stops at its header (`take` reads it, and the caller scans on with its field)
      // and at a line a quote leaves open (the caller reads on from it as text).
      if (count === 0 || from >= end || (lines.kind === 'csv' && (lines.index < 0 || isOpenLine(this.records[count - 1]!)))) break;
    }
    return this.keep(from, to);
  }

  /** Carries [from, to) to the start of the input. */
  private keep(from: number, to: number): true {
    this.carried = Math.max(0, to - from);
    if (this.carried > 0) this.memory.copyWithin(INPUT_BYTE, from, to);
    return true;
  }

  /** Room for `length` bytes where `rows` counts them: bytes read into it are counted in place. */
  input(length: number): Uint8Array {
    this.carried = 0;
    const end = INPUT_BYTE + length + SLACK;
    if (end > this.memory.length) {
      this.exports.memory.grow(Math.ceil((end - this.memory.length) / PAGE));
      this.views();
    }
    // A Buffer: its searches (a quote in a CSV's block) are native ones.
    return Buffer.from(this.memory.buffer, INPUT_BYTE, length);
  }

  /** The text of an other line (OTHER_LINE and its offset), without its newline; undefined for a line longer than MAX_LINE_BYTES. */
  otherLine(record: number): string | undefined {
    const start = INPUT_BYTE + (record & 0x3fffffff);
    const end = this.memory.indexOf(NEWLINE, start);
    if (end - start > MAX_LINE_BYTES) return undefined;
    return Buffer.from(this.memory.buffer, start, end - start).toString('utf8');
  }

  /**
   * The rows in `bytes` (lines whose first byte but blanks is not `#`), a line starting at its
   * first byte where `lineStart`; `newlines` says how many newlines it holds.
   */
  rows(bytes: Uint8Array, lineStart: boolean): { rows: number; newlines: number } {
    this.placeInput(bytes);
    const rows = this.exports.rows(INPUT_BYTE, INPUT_BYTE + bytes.length, lineStart ? 1 : 0);
    return { rows, newlines: this.exports.newlines() };
  }

  /**
   * The rows in `bytes` of a CSV with quotes, counted from `state` (SCAN_LAYOUT's QUOTED_ bits);
   * `state` is what follows them, QUOTED_STOP where the count cannot go on.
   */
  quotedRows(bytes: Uint8Array, state: number): { rows: number; newlines: number; state: number } {
    this.placeInput(bytes);
    const rows = this.exports.quotedRows(INPUT_BYTE, INPUT_BYTE + bytes.length, state);
    return { rows, newlines: this.exports.newlines(), state: this.exports.quotedState() };
  }

  /**
   * The 0/1 digits in `bytes` outside `#` comment lines, counted from `state` (bit 0: a line
   * started but for blanks; bit 1: a comment line runs on into these bytes); `state` is what
   * follows them.
   */
  digits(bytes: Uint8Array, state: number): { packets: number; state: number } {
    this.placeInput(bytes);
    const packets = this.exports.digits(INPUT_BYTE, INPUT_BYTE + bytes.length, state);
    return { packets, state: this.exports.digitState() };
  }

  /** Puts `bytes` at the input's start to be counted (nothing carried): bytes read into `input()` are there already, no copy. */
  private placeInput(bytes: Uint8Array): void {
    this.carried = 0;
    if (bytes.buffer !== this.memory.buffer || bytes.byteOffset !== INPUT_BYTE) this.append(bytes);
    this.carried = 0;
  }

  private views(): void {
    const { buffer } = this.exports.memory;
    this.memory = new Uint8Array(buffer);
    this.records = new Int32Array(buffer, RECORDS_BYTE, MAX_RECORDS);
  }
}
