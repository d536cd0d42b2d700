/**
 * The memory of the line scanners (trace-scan.wat), in bytes: trace-scan.ts reads it here and
 * the .wat names the values as {{NAME}} (scripts/generate-wasm.ts fills them in).
 */
export const SCAN_LAYOUT = {
  /** A scan writes a record a line here, up to MAX_RECORDS of them a call. */
  RECORDS_BYTE: 0,
  MAX_RECORDS: 65536,
  /** The tokens the ping scanner looks for past a line's number: `icmp_req=`, `Request timeout`, ` ttl=`. */
  REQ_TOKEN_BYTE: 262144,
  TIMEOUT_TOKEN_BYTE: 262160,
  TTL_TOKEN_BYTE: 262176,
  /** The byte before the input: a newline (a token is told by the byte before it). */
  BEFORE_INPUT_BYTE: 262207,
  /** The lines scanned: carried bytes, then the block read (the memory grows to hold them). */
  INPUT_BYTE: 262208,
  /** Readable bytes past the input's end (a scan reads 16 at a time). */
  SLACK: 64,
  /** A line longer than this is left to the reader, which refuses it (trace-file.ts MAX_LINE_BYTES). */
  MAX_LINE_BYTES: 16 * 2 ** 20,
  /**
   * A quoted CSV's row count carried from bytes to bytes (quotedRows): a record starts here but
   * for blanks; inside a quoted field; inside a `#` comment line; and, times QUOTED_PENDING, what
   * the bytes before left untold: after a record's opening quote (a row unless `""` alone
   * follows), after `""` and blanks, after `""` and a carriage return, after a carriage return
   * at a line's start (a blank line if a newline follows).
   */
  QUOTED_LINE_START: 1,
  QUOTED_IN_QUOTE: 2,
  QUOTED_IN_COMMENT: 4,
  QUOTED_PENDING: 8,
  QUOTED_OPENED: 1,
  QUOTED_EMPTY: 2,
  QUOTED_EMPTY_CR: 3,
  QUOTED_AFTER_CR: 4,
  /** The count met a line whose start it cannot tell as the reader does (a tab, a control byte, a byte past ASCII): it stops. */
  QUOTED_STOP: 64,
  /** The pages the module starts with: the records and tokens and a block of 2 MiB. */
  PAGES: 36,
} as const;

/** A line a scan leaves to the reader's own code (a header, a summary, anything unusual): this bit and the line's offset from INPUT_BYTE. */
export const OTHER_LINE = 0x80000000;
/**
 * A CSV line a quote leaves open (its record runs on into the next line): these two bits and the
 * line's offset; the scan stops there, and the reader reads on from the line's text.
 */
export function isOpenLine(record: number): boolean {
  return record >>> 30 === 3;
}
/** A CSV line with no row (blank, a `#` comment, a record of one empty field). */
export const NO_ROW = 2;
/** A ping line's record, past its number's low 16 bits: a reply; busybox's ` seq=`; a `Request timeout`. */
export const REPLY = 0x10000;
export const BUSYBOX = 0x20000;
export const TIMEOUT = 0x40000;
