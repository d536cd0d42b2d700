import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TraceError, TraceReader, parseLossTrace } from '../src/fit/trace-file.js';
import type { TraceOptions } from '../src/fit/trace-file.js';
import { LineScanner } from '../src/fit/trace-scan.js';
import { readLossTrace } from '../src/io/trace-input.js';
import { countingCalls, tempFiles } from './helpers.js';

/**
 * The early packet count (TraceReader.count) on its own: raw bytes in blocks cut anywhere, held
 * to packet counts written by hand, so that a count that is wrong, or that never happens, is seen
 * here rather than hidden behind the parse refusing the same file later with the same words.
 */

const DIGITS: TraceOptions = { file: 'd.txt' };
const CSV: TraceOptions = { file: 'c.csv', column: 'lost' };

/** A reader whose format is told from `head` (its first character), its packet limit `limit`; the count is fed the whole file apart. */
function startedReader(options: TraceOptions, limit: number, head: string): TraceReader {
  const reader = new TraceReader(options, limit, 1);
  reader.push(head);
  assert.ok(reader.started());
  return reader;
}

/** Counts `bytes` in blocks of `size`; returns what the last block's count said. */
function countInBlocks(reader: TraceReader, bytes: Uint8Array, size: number): boolean {
  try {
    let goesOn = true;
    for (let at = 0; at < bytes.length; at += size) goesOn = reader.count(bytes.subarray(at, at + size));
    return goesOn;
  } finally {
    if (spareScanners) {
      const scanner = (reader as unknown as { counter?: { scanner?: LineScanner | null } }).counter?.scanner;
      if (scanner) spareScanners.push(scanner);
    }
  }
}

/**
 * The scanners of readers a test is done with, where it runs `sweep`: handed to the readers it
 * makes next. A reader makes its own WebAssembly instance, whose memory (a MiB and more) took
 * nine tenths of a sweep over every block size (some 50,000 readers, 20 s); a scanner keeps
 * nothing from one call to the next (each places its bytes at its input and is given its state),
 * and bytes another reader left in its memory past the input would be counted, not hidden. The
 * first reader of each sweep has a new one.
 */
let spareScanners: LineScanner[] | undefined;
function withSpareScanners(sweep: () => void): void {
  const create = LineScanner.create;
  spareScanners = [];
  LineScanner.create = () => spareScanners?.pop() ?? create();
  try {
    sweep();
  } finally {
    LineScanner.create = create;
    spareScanners = undefined;
  }
}

function refusal(count: () => unknown): string {
  try {
    count();
  } catch (error) {
    assert.ok(error instanceof TraceError, String(error));
    return error.message;
  }
  assert.fail('expected the count to refuse');
}

const tooMany = (where: string, limit: number) =>
  `${where}: more than ${limit.toLocaleString('en-US')} packets, the most a trace may hold (a bit a packet, and the fit's byte a packet and working arrays): cut the trace`;

const BOM = '\ufeff';

// [what, text, packets]: the packets counted by hand (digits outside comment lines).
const DIGIT_FILES: [string, string, number][] = [
  ['digits, blanks, CRLF and comments', '0101\n  # 1111 a comment\n\t01 10\r\n#\n1', 9],
  ['a comment line that runs on past any block', `# ${'01'.repeat(20)}\n0\n#1\n1`, 2],
  ['a # after a digit, which comments nothing', '01#11\n', 4],
  ['other characters, counted past', 'a01 x1\n', 3],
  ['a byte-order mark before a comment', `${BOM}# 11\n0`, 1],
  ['a comment at the very end', '0\n1\n# 111', 2],
  // Counted 4,096 bytes a call: a comment over that edge, and digits either side of it.
  ["a comment over the edge of the count's slices", `${'0\n'.repeat(2046)}1\n# ${'1'.repeat(5000)}\n${'01'.repeat(3000)}`, 2047 + 6000],
  ["digits and a line start at the edge of the count's slices", `${'0'.repeat(4095)}\n#1\n${'1 '.repeat(4096)}`, 4095 + 4096],
];

// [what, text, rows, line of the last row's start]: the header aside, blank and # lines skipped.
const CSV_FILES: [string, string, number, number][] = [
  ['comments, blank lines, blanks before a row', '# c\n\n time,lost\n0,1\n  \r\n  # 1,1\n\t1,0\r\n2,1\n', 3, 8],
  ['a byte-order mark before a comment', `${BOM}# c\ntime,lost\n0,1\n1,1`, 2, 4],
  ['rows without a newline at the end', 'time,lost\n0,1\n1,0\n2,1', 3, 4],
  // The reading skips a line blank but for blanks past ASCII, or a comment after them.
  ['lines of blanks past ASCII (U+00A0, U+2028, U+FEFF), a comment after one', 'time,lost\n0,1\n\u00a0\n \u2028# 1,1\n\ufeff\r\n1,0\n', 2, 6],
  // Quoted: a record ends at a newline outside quotes.
  ['quoted fields over lines, doubled quotes', 'time,lost\n"0\n0",1\n1,"1"\n"2 ""a\n""\n\nb",0\n3,0', 4, 9],
  ['quotes in comments, records of one empty field, CRLF', '"time","lost"\r\n# "\r\n""\r\n"0","1"\r\n  ""  \n# """\n"1","0"\r\n', 2, 7],
  ['a quoted header, blanks before a quote, a blank line inside quotes', '  "time" , "lost"\n\n  "0"," 1\n\n"\n"1",0', 2, 6],
  ['32-byte runs of plain rows around the quotes', `${'t,lost\n'}${'1,0\n'.repeat(20)}"a\n${'1,0\n'.repeat(9)}",1\n${'1,"0"\n'.repeat(12)}`, 33, 44],
];

/** Block sizes 1 to the whole text; a mark's 3 bytes are in the first block (which the reading makes 1 MiB). */
const sizes = (bytes: Uint8Array) => Array.from({ length: bytes.length }, (_, i) => i + 1).filter((size) => bytes[0] !== 0xef || size >= 3);

describe('TraceReader.count: the packets of a file counted from its raw bytes', () => {
  for (const [what, text, packets] of DIGIT_FILES) {
    it(`counts ${what} in blocks cut anywhere: ${packets} packets`, () => {
      const bytes = Buffer.from(text);
      withSpareScanners(() => {
        for (const size of sizes(bytes)) {
          assert.equal(
            countInBlocks(startedReader(DIGITS, packets, ' '), bytes, size),
            true,
            `${packets} packets pass a limit of ${packets}, blocks of ${size}`,
          );
          assert.equal(
            refusal(() => countInBlocks(startedReader(DIGITS, packets - 1, ' '), bytes, size)),
            tooMany('d.txt', packets - 1),
            `blocks of ${size}`,
          );
        }
      });
    });
  }

  for (const [what, text, rows, line] of CSV_FILES) {
    it(`counts a CSV's rows with ${what}: ${rows} rows, the last on line ${line}`, () => {
      const bytes = Buffer.from(text);
      withSpareScanners(() => {
        for (const size of sizes(bytes)) {
          assert.equal(countInBlocks(startedReader(CSV, rows, 't'), bytes, size), true, `blocks of ${size}`);
          assert.equal(
            refusal(() => countInBlocks(startedReader(CSV, rows - 1, 't'), bytes, size)),
            tooMany(`c.csv:${line}`, rows - 1),
            `blocks of ${size}`,
          );
        }
      });
    });
  }

  it("counts a quoted CSV's rows by its quotes from the block of its first quote on, and stops where a record's start cannot be told", () => {
    const reader = startedReader(CSV, 4, 't');
    assert.equal(reader.count(Buffer.from('t,lost\n0,1\n')), true);
    assert.equal(reader.count(Buffer.from('1,"1\n2\n3"\n')), true, 'one row over three lines');
    assert.equal(reader.count(Buffer.from('# a "comment\n""\n2,1\n')), true, "a comment's quote counts for nothing, nor does a record of one empty field");
    assert.equal(
      refusal(() => reader.count(Buffer.from('3,1\n4,1\n'))),
      tooMany('c.csv:10', 4),
    );
    // A record starting at a tab (a field or a blank, as the delimiter says), a control byte or a byte past ASCII: the reading counts.
    for (const start of ['\t', '\v', '\u00a0', '\r1']) {
      const stopped = startedReader(CSV, 2, 't');
      assert.equal(stopped.count(Buffer.from(`t,lost\n"0",1\n${start},1\n`)), false, JSON.stringify(start));
      assert.equal(stopped.count(Buffer.from('0,1\n'.repeat(10))), false, 'for good');
    }
    // Rows past the limit before such a line, in the same block: refused at the row past it, as in JavaScript.
    assert.equal(
      refusal(() => startedReader(CSV, 10, 't').count(Buffer.from(`t,lost\n${'0,"1"\n'.repeat(50)}\t0,1\n`))),
      tooMany('c.csv:12', 10),
    );
  });

  it('stops a count by quotes that would take on a line started by a character past ASCII, which may be a comment', () => {
    // U+00A0 then `#`: a comment line the reading skips, whose quote counts for nothing; counted by
    // its quotes, the newlines inside the next record's quotes were taken for rows.
    const cuts: [string, string][] = [
      ['t,lost\n0,1\n\u00a0# c', ' "\n"a\nb\nc\nd",1\n'],
      ['t,lost\n0,1\n\u00a0', ' # "\n"a\nb\nc\nd",1\n'],
    ];
    for (const [before, after] of cuts) {
      assert.equal(parseLossTrace(before + after, CSV).lost.length, 2);
      const reader = startedReader(CSV, 2, 't');
      assert.equal(reader.count(Buffer.from(before)), true, JSON.stringify(before));
      assert.equal(reader.count(Buffer.from(after)), false, JSON.stringify(after));
    }
  });

  it("stops counting a CSV at a line longer than a CSV's, which the reading refuses at once", () => {
    // Without the stop, a file of one 1.5 GB line was counted through (1.3 s) before the reading refused its line.
    const long = Buffer.alloc(2 ** 23, 0x61);
    const reader = startedReader(CSV, 5, 't');
    assert.equal(reader.count(Buffer.from('t,lost\n0,1\n1,')), true);
    assert.equal(reader.count(long), true, '8 MiB of a line');
    assert.equal(reader.count(long.subarray(2)), true, '16 MiB of a line, `1,` and all');
    assert.equal(reader.count(Buffer.from('a')), false, 'a byte past 16 MiB');
    assert.equal(reader.count(Buffer.from('\n0,1\n'.repeat(10))), false, 'rows after the line are not counted');
    // A line of 16 MiB and a few bytes that ends does not stop the count: the line after it starts afresh.
    const ended = startedReader(CSV, 5, 't');
    assert.equal(ended.count(Buffer.from('t,lost\n0,')), true);
    assert.equal(ended.count(long), true);
    assert.equal(ended.count(Buffer.concat([long.subarray(0, 2 ** 23 - 8), Buffer.from('\n1,1\n2,')])), true);
    assert.equal(ended.count(long), true);
    assert.equal(
      refusal(() => ended.count(Buffer.from('1\n0,1\n0,1\n0,1\n0,1\n'))),
      tooMany('c.csv:7', 5),
    );
  });

  it('counts nothing in a ping log, nor before the format is told', () => {
    const ping = startedReader(DIGITS, 1, 'PING h (192.0.2.1) 56(84) bytes of data.\n');
    assert.equal(ping.count(Buffer.from('0101\n'.repeat(10))), false);
    const unstarted = new TraceReader(DIGITS, 1);
    unstarted.push('0101');
    assert.equal(unstarted.started(), false);
    assert.equal(unstarted.count(Buffer.from('0101\n'.repeat(10))), false);
  });

  it('skips no first character but the mark, however many of its bytes it shares', () => {
    // Three-byte characters that share one or two bytes with the mark (EF BB BF), or its last byte.
    for (const shared of ['\ueeff', '\u0fff', '\uf000', '\u0ec0', '\uf03f', '\ufec0']) {
      // A CSV's line started past ASCII is no row to the count: its header is counted only if the character were skipped.
      const header = Buffer.from(`${shared}t,lost\n0\n1\n`);
      assert.equal(startedReader(CSV, 1, 't').count(header), true, `a CSV header after ${JSON.stringify(shared)}`);
      const digits = Buffer.from(`${shared}# 11\n0`);
      assert.equal(
        refusal(() => startedReader(DIGITS, 2, ' ').count(digits)),
        tooMany('d.txt', 2),
        `digits after ${JSON.stringify(shared)}`,
      );
    }
    assert.equal(
      refusal(() => startedReader(CSV, 1, 't').count(Buffer.from(`${BOM}t,lost\n0\n1\n`))),
      tooMany('c.csv:3', 1),
      'a CSV header after the mark',
    );
  });

  it('skips a byte-order mark only at the start of the file', () => {
    // U+FEFF inside the text is not a mark: the # after it comments nothing.
    const reader = startedReader(DIGITS, 1, ' ');
    assert.equal(reader.count(Buffer.from('0\n')), true);
    assert.equal(
      refusal(() => reader.count(Buffer.from(`${BOM}#1`))),
      tooMany('d.txt', 1),
    );
  });
});

/** The digits outside comment lines (lines whose first character but blanks is `#`), counted the plain way. */
function digitsByHand(text: string): number {
  let packets = 0;
  for (const line of text.split('\n')) {
    if (/^[ \t\r\v\f]*#/.test(line)) continue;
    for (const c of line) if (c === '0' || c === '1') packets++;
  }
  return packets;
}

describe('TraceReader.count: digits counted sixteen bytes at a time on WebAssembly', () => {
  it('counts on WebAssembly (a byte at a time in JavaScript took about a second to refuse a file of one digit a line)', () => {
    const { calls } = countingCalls(LineScanner.prototype, 'digits', () => {
      const reader = startedReader(DIGITS, 100, ' ');
      assert.equal(reader.count(Buffer.from('0\n1\n'.repeat(40))), true);
      assert.equal(
        refusal(() => reader.count(Buffer.from('0 1 '.repeat(11)))),
        tooMany('d.txt', 100),
      );
    });
    assert.equal(calls, 2);
  });

  it('counts generated texts of digits, blanks, comments and other bytes as counted by hand, in blocks cut anywhere', () => {
    const pieces = [
      '0',
      '1',
      '0',
      '1',
      '01',
      '\n',
      '\n',
      ' ',
      '\t',
      '\r\n',
      '\v',
      '\f',
      '#',
      ' #',
      'x',
      '\u00e9',
      '0'.repeat(40),
      '\n# 0101\n',
      '1 '.repeat(20),
    ];
    // Texts of the pieces, short and long, each with where its blocks are cut (fast-check, fixed seed).
    const texts = (minLength: number, maxLength: number) => fc.array(fc.constantFrom(...pieces), { minLength, maxLength }).map((p) => p.join(''));
    const cases = fc.sample(fc.tuple(fc.oneof({ weight: 14, arbitrary: texts(1, 60) }, { weight: 1, arbitrary: texts(400, 800) }), fc.nat()), {
      seed: 20261203,
      numRuns: 300,
    });
    for (const [text, cut] of cases) {
      const bytes = Buffer.from(text);
      const packets = digitsByHand(text);
      const size = 1 + (cut % bytes.length);
      const where = `${JSON.stringify(text)} in blocks of ${size}`;
      assert.equal(countInBlocks(startedReader(DIGITS, packets, ' '), bytes, size), true, where);
      if (packets > 0)
        assert.equal(
          refusal(() => countInBlocks(startedReader(DIGITS, packets - 1, ' '), bytes, size)),
          tooMany('d.txt', packets - 1),
          where,
        );
    }
  });
});

describe("TraceReader.count: a quoted CSV's rows counted thirty-two bytes at a time on WebAssembly", () => {
  it('counts on WebAssembly (counting stopped at the first quote before: 420 MB of quoted rows took 5.3 s to refuse)', () => {
    const { calls } = countingCalls(LineScanner.prototype, 'quotedRows', () => {
      const reader = startedReader(CSV, 100, 't');
      assert.equal(reader.count(Buffer.from(`t,lost\n${'0,"1"\n'.repeat(60)}`)), true);
      assert.equal(
        refusal(() => reader.count(Buffer.from('"0",1\n'.repeat(41)))),
        tooMany('c.csv:102', 100),
      );
    });
    assert.equal(calls, 2);
  });

  it('counts generated quoted CSVs as the reading reads them (the header and each row), or stops, in blocks cut anywhere', () => {
    const fields = ['0', '1', '"0"', '"1"', ' "1" ', '""', '"a""b"', '"x\ny"', '"\n"', '"#"', '"a,b"', 'z', '  2'];
    const outcomes = ['0', '1', '"1"', ' "0" ', 'true'];
    const rows = fields.flatMap((a) => outcomes.flatMap((v) => [`${a},${v}`, `"${'q'.repeat(40)}${a.replaceAll('"', '""')}",${v}`]));
    // Lines that are no rows, or whose start stops the count (a tab, a lone carriage return), or the reading.
    const others = ['""', '  "" ', '"" \r', '', '  ', '# a "comment', '  # ""', '\t0,1', '1,1\r', '\r', '\u00a0', '\u2028# "', ' \ufeff'];
    const line = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...rows) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
    const csvs = fc
      .tuple(fc.array(line, { minLength: 1, maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.nat())
      .map(([lines, ending, cut]) => ({ text: `t,lost${ending}${lines.join(ending)}`, cut }));
    let counted = 0;
    for (const { text, cut } of fc.sample(csvs, { seed: 20261203, numRuns: 400 })) {
      let rows: number;
      try {
        rows = parseLossTrace(text, CSV).lost.length;
      } catch {
        continue; // the reading refuses it (a missing field, a value that is no outcome): no count to hold it to
      }
      const bytes = Buffer.from(text);
      const size = 1 + (cut % bytes.length);
      const where = `${JSON.stringify(text)} in blocks of ${size}`;
      // The count never passes the reading's: a file of exactly the limit goes on being counted, or stops.
      const goesOn = countInBlocks(startedReader(CSV, rows, 't'), bytes, size);
      if (!goesOn) continue;
      counted++;
      assert.equal(refusal(() => countInBlocks(startedReader(CSV, rows - 1, 't'), bytes, size)).replace(/:\d+:/, ':'), tooMany('c.csv', rows - 1), where);
    }
    assert.ok(counted >= 300, `only ${counted} generated files were counted through`);
  });
});

describe('readLossTrace: a file with too many packets refused before its text is read', () => {
  const reading = (pieceBytes: number, packets: number) => ({ pieceBytes, packets, bytes: 100_000, detectChars: 4 });

  // Each file holds a mistake in its second block, before the packets pass the limit: a reading
  // that did not count ahead would refuse the mistake instead.
  const files: [string, string, TraceOptions, string][] = [
    ['digits', `01010101\n0x\n${'01'.repeat(20)}`, DIGITS, tooMany('d.txt', 20)],
    ['a CSV', `t,lost\n0,1\n1,x\n${'2,1\n'.repeat(20)}`, CSV, tooMany('c.csv:22', 20)],
    // Rows of two lines each from line 4: the 19th of them is the header and 21 rows.
    ['a quoted CSV', `t,lost\n0,"1"\n1,x\n${'2,"1\n"\n'.repeat(20)}`, CSV, tooMany('c.csv:40', 20)],
  ];
  for (const [what, text, options, expected] of files) {
    it(`refuses ${what} from the count, not the mistake the reading would meet first`, () => {
      const dir = tempFiles({ f: text });
      for (const size of [8, 9, 10])
        assert.equal(
          refusal(() => readLossTrace(join(dir, 'f'), options, reading(size, 20))),
          expected,
          `blocks of ${size}`,
        );
    });
  }

  it('counts every block once: a file of exactly the limit, in many blocks, is read', () => {
    const dir = tempFiles({ 'd.txt': '0\n1\n'.repeat(25), 'c.csv': `t,lost\n${'0,1\n'.repeat(50)}` });
    for (const size of [3, 7, 16]) {
      assert.equal(readLossTrace(join(dir, 'd.txt'), DIGITS, reading(size, 50)).lost.length, 50);
      assert.equal(readLossTrace(join(dir, 'c.csv'), CSV, reading(size, 50)).lost.length, 50);
    }
  });
});

describe('a ping log: the span of its numbers checked line by line', () => {
  const header = 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.';
  const reply = (seq: number) => `64 bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=1.0 ms`;
  const limits = { bytes: 100_000, packets: 100 };

  it('refuses the line whose number lies below the lowest so far and takes the span past the limit', () => {
    // 50 … 149 is 100 packets; 49 makes 101, at line 4.
    assert.equal(parseLossTrace([header, reply(50), reply(149)].join('\n'), { file: 'p' }, limits).lost.length, 100);
    assert.equal(
      refusal(() => parseLossTrace([header, reply(50), reply(149), reply(49), reply(60)].join('\n'), { file: 'p' }, limits)),
      tooMany('p:4', 100),
    );
  });
});
