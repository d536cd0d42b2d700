/**
 * Measured packet-loss traces, from text: the 0/1 digits a script writes, a column of a CSV, or
 * the output of `ping` (Linux iputils or macOS). The caller reads the file (after
 * `checkTraceSize` on its size) and passes its text; this module does no I/O.
 *
 * A trace is the delivered/lost outcome of successive packets in the order they were sent —
 * exactly the sequence of copies the Gilbert–Elliott channel draws — so `fit.ts` can fit the
 * channel's parameters to it.
 */
import { thousands } from '../io/text.js';
import { UsageError } from '../errors.js';
import { INPUT_LIMITS } from '../io/files.js';
import { didYouMean } from '../suggest.js';

export type TraceFormat = 'digits' | 'csv' | 'ping-linux' | 'ping-macos';

export interface LossTrace {
  /** 1 = lost, 0 = delivered, one entry per packet in the order sent. */
  readonly lost: Uint8Array;
  readonly format: TraceFormat;
}

export interface TraceOptions {
  /** The file's name as the user gave it: every error message starts with it. */
  readonly file: string;
  /** The CSV column holding the 0/1 (or true/false) outcomes; required for CSV. */
  readonly column?: string;
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

/** Larger files are refused before reading: 64 MiB of digits is already 67 million packets. */
export const MAX_TRACE_BYTES = INPUT_LIMITS.channel;

/**
 * Packets in one trace. Bounds the memory of a ping log whose summary (or a corrupt sequence
 * number) claims an enormous count — 50 MB for the trace array — and the fit's working arrays.
 */
export const MAX_TRACE_PACKETS = 50_000_000;

/** Refuses a file larger than MAX_TRACE_BYTES; call it with the size from `stat` before reading. */
export function checkTraceSize(bytes: number, file: string): void {
  if (bytes > MAX_TRACE_BYTES) {
    throw new TraceError(file, undefined, `the file is ${mebibytes(bytes)}; a trace may be at most ${mebibytes(MAX_TRACE_BYTES)}`);
  }
}

function mebibytes(bytes: number): string {
  return `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function checkPacketCount(count: number, file: string, line: number | undefined): void {
  if (count > MAX_TRACE_PACKETS) {
    throw new TraceError(file, line, `more than ${thousands(MAX_TRACE_PACKETS)} packets; the limit keeps the fit within memory — cut the trace`);
  }
}

/**
 * Parses a trace, detecting its format: ping output by its unmistakable lines (`icmp_seq`,
 * `packets transmitted`, a `PING` header); CSV when a column is named or the first line that is
 * not blank or a `#` comment contains a letter or a quote (a header); otherwise 0/1 digits.
 * Windows ping output is recognized only to be refused with a reason.
 */
export function parseLossTrace(text: string, options: TraceOptions): LossTrace {
  const { file } = options;
  // The caller should have checked the bytes; the characters are at most as many, so this only
  // catches a caller that did not.
  checkTraceSize(text.length, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark from a Windows editor
  if (looksLikePing(text)) {
    if (options.column !== undefined)
      throw new TraceError(file, undefined, `column: "${options.column}" was given, but this is ping output, not a CSV; leave column: out`);
    return parsePing(text, file);
  }
  const windows = /^Pinging \S.* with \d+ bytes of data/m.exec(text);
  if (windows) {
    // Windows prints no sequence numbers, so a reply cannot be matched to its packet.
    throw new TraceError(
      file,
      lineOf(text, windows.index),
      'Windows ping output has no sequence numbers to place losses by; record the trace with a Linux or macOS ping, or as 0/1 digits',
    );
  }
  const header = firstContentLine(text);
  if (options.column !== undefined) return { lost: parseCsv(text, file, options.column), format: 'csv' };
  if (header && /[A-Za-z"]/.test(header.text)) {
    throw new TraceError(
      file,
      header.line,
      `this looks like a CSV (header ${JSON.stringify(header.text.length > 60 ? `${header.text.slice(0, 57)}...` : header.text)}): give column: to name the column of 0/1 outcomes`,
    );
  }
  return { lost: parseDigits(text, file), format: 'digits' };
}

const PING_SIGNATURE = /^PING6?[\s(]|icmp_(?:seq|req)[= ]\d|\d+ packets transmitted/m;

function looksLikePing(text: string): boolean {
  return PING_SIGNATURE.test(text);
}

/** The 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
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
const NEWLINE = 0x0a;
const HASH = 0x23;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** One pass over the characters: the trace can be tens of millions of digits. */
function parseDigits(text: string, file: string): Uint8Array {
  const lost = new Uint8Array(text.length);
  let n = 0;
  let line = 1;
  let lineStart = true; // only blanks so far on this line, so a `#` starts a comment
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === ZERO || c === ONE) {
      lost[n++] = c - ZERO;
      lineStart = false;
    } else if (c === NEWLINE) {
      line++;
      lineStart = true;
    } else if (isBlank(c)) {
    } else if (c === HASH && lineStart) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1; // the newline is counted on the next turn
    } else {
      const character = String.fromCodePoint(text.codePointAt(i)!);
      throw new TraceError(file, line, `unexpected character ${JSON.stringify(character)}: a trace is 0 (delivered) or 1 (lost)`);
    }
  }
  if (n === 0) throw new TraceError(file, undefined, 'the trace is empty: no 0 (delivered) or 1 (lost) in it');
  checkPacketCount(n, file, undefined);
  return lost.slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * RFC 4180 records, one at a time, with the line each starts on: a quoted field may hold commas,
 * doubled quotes and newlines. Only one column is kept, so a 50-million-row trace costs no
 * per-row objects.
 */
class CsvReader {
  private i = 0;
  private line = 1;
  constructor(
    private readonly text: string,
    private readonly delimiter: number,
  ) {}

  /** The next record's fields and its first line, skipping blank and `#` lines; undefined at the end. */
  next(): { fields: string[]; line: number } | undefined {
    const text = this.text;
    for (;;) {
      if (this.i >= text.length) return undefined;
      // Skip a blank line or a comment, which no CSV writer emits as data.
      let j = this.i;
      while (j < text.length && isBlank(text.charCodeAt(j))) j++;
      if (j >= text.length) return undefined;
      const c = text.charCodeAt(j);
      if (c === NEWLINE || c === HASH) {
        const end = text.indexOf('\n', j);
        this.i = end < 0 ? text.length : end + 1;
        this.line++;
        continue;
      }
      break;
    }
    const line = this.line;
    const fields: string[] = [];
    // Unquoted fields are sliced whole; only a quoted one is built character by character.
    let fieldStart = this.i;
    let quotedValue: string | undefined;
    for (;;) {
      if (this.i >= text.length) {
        fields.push(quotedValue ?? text.slice(fieldStart, this.i));
        break;
      }
      const c = text.charCodeAt(this.i);
      if (c === 0x22 && quotedValue === undefined && text.slice(fieldStart, this.i).trim() === '') {
        quotedValue = this.readQuoted();
      } else if (c === this.delimiter || c === NEWLINE) {
        fields.push(quotedValue ?? text.slice(fieldStart, this.i));
        this.i++;
        if (c === NEWLINE) {
          this.line++;
          break;
        }
        fieldStart = this.i;
        quotedValue = undefined;
      } else {
        // Text after a closing quote (`"a"b`) is kept, as spreadsheets do.
        if (quotedValue !== undefined && c !== 0x0d) quotedValue += String.fromCharCode(c);
        this.i++;
      }
    }
    return { fields: fields.map((f) => (f.endsWith('\r') ? f.slice(0, -1) : f)), line };
  }

  /** From an opening quote to its closing one: doubled quotes are one, newlines are kept. */
  private readQuoted(): string {
    const text = this.text;
    let value = '';
    this.i++;
    while (this.i < text.length) {
      const close = text.indexOf('"', this.i);
      const chunk = text.slice(this.i, close < 0 ? text.length : close);
      for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) this.line++;
      value += chunk;
      if (close < 0) {
        this.i = text.length;
        break;
      }
      if (text.charCodeAt(close + 1) === 0x22) {
        value += '"';
        this.i = close + 2;
      } else {
        this.i = close + 1;
        break;
      }
    }
    return value;
  }
}

/** The delimiter the header uses most: comma, semicolon (European spreadsheets) or tab. */
function detectDelimiter(header: string): number {
  let best = 0x2c;
  let bestCount = 0;
  for (const d of [0x2c, 0x3b, 0x09]) {
    let count = 0;
    for (let i = 0; i < header.length; i++) if (header.charCodeAt(i) === d) count++;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function parseCsv(text: string, file: string, column: string): Uint8Array {
  const first = firstContentLine(text);
  if (!first) throw new TraceError(file, undefined, 'the trace is empty: no CSV header and no rows');
  const reader = new CsvReader(text, detectDelimiter(first.text));
  const header = reader.next()!;
  const names = header.fields.map((name) => name.trim());
  const index = names.indexOf(column.trim());
  if (index < 0) {
    const listed = names.map((name) => JSON.stringify(name)).join(', ');
    throw new TraceError(file, header.line, `no column "${column}"${didYouMean(column, names)}; the columns are ${listed}`);
  }
  // Rows are at most one per line, so the text's newlines bound the array.
  let capacity = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) capacity++;
  const lost = new Uint8Array(capacity);
  let n = 0;
  for (let row = reader.next(); row; row = reader.next()) {
    const raw = row.fields[index];
    if (raw === undefined) {
      throw new TraceError(
        file,
        row.line,
        `the row has ${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, so no column "${column}" (field ${index + 1})`,
      );
    }
    const value = raw.trim().toLowerCase();
    if (value === '0' || value === 'false') lost[n++] = 0;
    else if (value === '1' || value === 'true') lost[n++] = 1;
    else throw new TraceError(file, row.line, `${JSON.stringify(raw.trim())} in column "${column}": a trace is 0 or false (delivered), 1 or true (lost)`);
  }
  if (n === 0) throw new TraceError(file, undefined, `the trace is empty: the CSV has a header but no rows`);
  checkPacketCount(n, file, undefined);
  return lost.slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// ping

/**
 * What ping prints, by dialect. Linux (iputils) numbers packets from 1 and says `N packets
 * transmitted, M received`; macOS (BSD) numbers from 0 and says `M packets received`. A reply
 * line is the same in both; `icmp_req` is older iputils.
 */
const REPLY = /\bbytes from\b.*?\bicmp_(?:seq|req)[= ](\d+)/;
const LINUX_ERROR = /^(?:\[[\d.]+\]\s*)?From\s.*?\bicmp_(?:seq|req)=(\d+)/; // Destination Host Unreachable, Time to live exceeded, ...
const LINUX_NO_ANSWER = /no answer yet for icmp_(?:seq|req)=(\d+)/; // ping -O
const MACOS_TIMEOUT = /Request timeout for icmp_seq[= ](\d+)/;
const SUMMARY = /(\d+) packets transmitted, (\d+) (packets )?received/;
const HEADER = /^PING6?[\s(]/;
const LINUX_HEADER = /bytes of data|\)\s+\d+ data bytes/; // IPv4 `56(84) bytes of data`; ping6 `(::1) 56 data bytes`
const MACOS_HEADER = /:\s*\d+ data bytes|^PING6\(/;

const SEQ_SPACE = 65536; // icmp_seq is 16 bits and wraps

/**
 * Reconstructs the lost/delivered sequence of a ping run. A sequence number with a reply line is
 * delivered — even after a macOS `Request timeout` for it, as the summary counts it received —
 * and every other number from the dialect's first (1 on Linux, 0 on macOS) up to the summary's
 * transmitted count is lost: unreplied numbers in the middle, at the start (the host was not
 * answering yet) and at the end (the summary counts packets sent after the last reply).
 * Duplicate replies (DUP!) mark the same packet twice and so count once. A log with neither the
 * `PING` header nor the summary is taken as an excerpt: it starts at its lowest number and ends at
 * its highest, since what was sent outside it is unknown.
 */
function parsePing(text: string, file: string): LossTrace {
  let dialect: 'linux' | 'macos' | undefined;
  let headerLine: number | undefined;
  let summaryLine: number | undefined;
  let transmitted: number | undefined;
  let received: number | undefined;
  const seqs: number[] = []; // unwrapped sequence numbers, in line order
  const replied: boolean[] = [];
  let reference: { raw: number; unwrapped: number } | undefined;

  // Unwraps a 16-bit sequence number to the value nearest the highest seen so far, so a log
  // longer than 65,536 packets keeps counting and a reply arriving out of order (or late, after
  // later packets were answered) lands on its own packet.
  const unwrap = (raw: number): number => {
    if (!reference) {
      reference = { raw, unwrapped: raw };
      return raw;
    }
    let delta = (raw - reference.raw + SEQ_SPACE) % SEQ_SPACE;
    if (delta >= SEQ_SPACE / 2) delta -= SEQ_SPACE;
    const unwrapped = reference.unwrapped + delta;
    if (delta > 0) reference = { raw, unwrapped };
    return unwrapped;
  };

  let line = 0;
  let start = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const content = text.slice(start, end);
    start = end + 1;
    let match: RegExpExecArray | null;
    if (HEADER.test(content)) {
      if (headerLine !== undefined) throw new TraceError(file, line, `a second ping run starts here (the first at line ${headerLine}); give one run per file`);
      headerLine = line;
      if (MACOS_HEADER.test(content)) dialect = 'macos';
      else if (LINUX_HEADER.test(content)) dialect = 'linux';
    } else if ((match = REPLY.exec(content))) {
      seqs.push(unwrap(Number(match[1])));
      replied.push(true);
    } else if ((match = LINUX_ERROR.exec(content) ?? LINUX_NO_ANSWER.exec(content))) {
      dialect ??= 'linux';
      seqs.push(unwrap(Number(match[1])));
      replied.push(false);
    } else if ((match = MACOS_TIMEOUT.exec(content))) {
      dialect ??= 'macos';
      seqs.push(unwrap(Number(match[1])));
      replied.push(false);
    } else if ((match = SUMMARY.exec(content))) {
      if (summaryLine !== undefined) throw new TraceError(file, line, `a second ping summary (the first at line ${summaryLine}); give one run per file`);
      summaryLine = line;
      transmitted = Number(match[1]);
      received = Number(match[2]);
      dialect ??= match[3] ? 'macos' : 'linux';
    }
  }

  if (transmitted === 0 || (transmitted === undefined && seqs.length === 0)) {
    throw new TraceError(file, summaryLine, 'the ping log has no packets: nothing was transmitted');
  }
  if (!replied.includes(true)) {
    if (received !== undefined && received > 0) {
      throw new TraceError(
        file,
        summaryLine,
        `the summary counts ${received} replies but no reply line is in the log (ping -q?): the trace needs one line per packet`,
      );
    }
    throw new TraceError(file, summaryLine, 'the ping log has no replies at all: every packet was lost, so there is no loss pattern to fit');
  }

  // Without a header or a dialect-specific line, a packet numbered 0 can only be macOS's first.
  let lowest = Infinity;
  for (const s of seqs) lowest = Math.min(lowest, s);
  dialect ??= lowest === 0 ? 'macos' : 'linux';
  // A header or a summary says the log holds the whole run, so packets before the first line with
  // a number were sent and lost; a bare excerpt may start anywhere, so it starts at its first number.
  const whole = headerLine !== undefined || summaryLine !== undefined;
  const firstSeq = whole ? Math.min(dialect === 'macos' ? 0 : 1, lowest) : lowest;
  let highest = -Infinity;
  for (const s of seqs) highest = Math.max(highest, s);
  // The summary is the authority on how many were sent; an interrupted log without one ends at
  // its last numbered line, and losses after it cannot be known.
  const packets = Math.max(transmitted ?? 0, highest - firstSeq + 1);
  checkPacketCount(packets, file, summaryLine);

  const lost = new Uint8Array(packets).fill(1);
  for (let k = 0; k < seqs.length; k++) if (replied[k]) lost[seqs[k]! - firstSeq] = 0;
  return { lost, format: dialect === 'macos' ? 'ping-macos' : 'ping-linux' };
}

// ---------------------------------------------------------------------------------------------
// Summaries

export interface TraceStats {
  readonly packets: number;
  readonly losses: number;
  /** losses / packets. */
  readonly lossRate: number;
  /** Mean length of a run of consecutive losses; NaN if nothing was lost. */
  readonly meanBurst: number;
  /** Mean length of a run of consecutive deliveries; NaN if everything was lost. */
  readonly meanGap: number;
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
  const packets = lost.length;
  return {
    packets,
    losses,
    lossRate: packets ? losses / packets : NaN,
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
