import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseLossTrace } from '../src/fit/trace-file.js';
import type { TraceOptions } from '../src/fit/trace-file.js';
import { LineScanner } from '../src/fit/trace-scan.js';
import { readLossTrace } from '../src/io/trace-input.js';
import { countingCalls, tempFiles } from './helpers.js';

/**
 * The line scanners on WebAssembly (src/fit/trace-scan.wat) against the readers' own JavaScript,
 * which reads every line from its text where WebAssembly does not run (`node --jitless`): on
 * generated ping logs and CSVs with and without quotes (fast-check, fixed seed) of lines made from the tokens the
 * readers look for, cut and mixed, the two read the same trace or refuse with the same line.
 * Read here from a string and from a file in blocks of a few bytes, there from a string.
 */

const READER = fileURLToPath(new URL('../src/fit/trace-file.js', import.meta.url));

/** Reads each input of a JSON file of [text, options] in a process without WebAssembly; prints each outcome. */
const CHILD = `
const { readFileSync } = await import('node:fs');
const { parseLossTrace } = await import(process.argv[1]);
if (typeof WebAssembly !== 'undefined') throw new Error('WebAssembly runs here');
/** The packets and a hash of their fates (FNV-1a): a trace may span a million packets. */
function fingerprint(lost) {
  let h = 0x811c9dc5;
  for (let i = 0; i < lost.length; i++) h = Math.imul(h ^ lost[i], 0x01000193) >>> 0;
  return lost.length + ':' + h;
}
const out = JSON.parse(readFileSync(process.argv[2], 'utf8')).map(([text, options]) => {
  try {
    const t = parseLossTrace(text, options);
    return { format: t.format, lost: fingerprint(t.lost), range: t.range ?? null, warnings: t.warnings };
  } catch (error) {
    return { error: String(error.message) };
  }
});
console.log(JSON.stringify(out));
`;

/** The packets and a hash of their fates (FNV-1a): a trace may span a million packets. */
function fingerprint(lost: Uint8Array): string {
  let h: number = 0x811c9dc5;
  for (let i = 0; i < lost.length; i++) h = Math.imul(h ^ lost[i]!, 0x01000193) >>> 0;
  return lost.length + ':' + h;
}

type Outcome = { format: string; lost: string; range: unknown; warnings: readonly string[] } | { error: string };

function outcome(read: () => ReturnType<typeof parseLossTrace>): Outcome {
  try {
    const t = read();
    return { format: t.format, lost: fingerprint(t.lost), range: t.range ?? null, warnings: t.warnings };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

/** The outcomes of the inputs read without WebAssembly. */
function withoutWasm(inputs: readonly [string, TraceOptions][], dir: string): Outcome[] {
  const file = join(dir, 'inputs.json');
  writeFileSync(file, JSON.stringify(inputs));
  return JSON.parse(execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', CHILD, READER, file], { encoding: 'utf8', maxBuffer: 2 ** 26 }));
}

const seq = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom(0, 1, 65_535, 65_536, 999_999_999_999, 1_234_567_890_123));
const host = fc.constantFrom('192.0.2.1', 'dns.google (8.8.8.8)', 'seq.example (192.0.2.7)', 'fe80::1%eth0', 'h_seq=1');
const stamp = fc.constantFrom('', '[1764600000.123456] ', '[1764600000.5]  ', '[x] ', '[1764600000.123456]');
const ending = fc.constantFrom('', ' (DUP!)', '\r', ' é');

/** A line of a ping log: one of the kinds the readers know, or pieces of their tokens. */
const pingLine = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(stamp, fc.constantFrom('64', '1480', ''), host, fc.constantFrom('icmp_seq=', 'seq=', 'icmp_req=', 'icmp_seq ', 'icmp_seq='), seq, ending)
      .map(([s, size, h, token, n, e]) => `${s}${size} bytes from ${h}: ${token}${n} ttl=64 time=0.101 ms${e}`),
  },
  {
    // a reply cut anywhere before its end (a log cut mid-line, `tail -c`): its ` ttl=` tells it
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('icmp_seq=', 'seq=', 'icmp_seq '), seq, fc.nat(60), fc.constantFrom(' ttl=64 time=0.101 ms', ' ttl=', ' ttl', ' tt=64'))
      .map(([token, n, cut, rest]) => `64 bytes from 192.0.2.1: ${token}${n}${rest}`.slice(cut)),
  },
  {
    // a reply cut anywhere after its start (a log cut mid-line, `head -c`): one ending at its number is no reply
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('icmp_seq=', 'seq=', 'icmp_req='), seq, fc.nat(60), fc.constantFrom('', '\r'))
      .map(([token, n, cut, end]) => `64 bytes from 192.0.2.1: ${token}${n} ttl=64 time=0.101 ms`.slice(0, 25 + cut) + end),
  },
  { weight: 2, arbitrary: seq.map((n) => `Request timeout for icmp_seq ${n}`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(' bytes from ', ' bytes fromx', ' bytes from', ' bytes_from '), fc.constantFrom('icmp_seq=', '_seq=', ' seq=', 'seq='), seq)
      .map(([from, token, n]) => `64${from}${token}${n}`),
  },
  { weight: 2, arbitrary: fc.tuple(stamp, seq).map(([s, n]) => `${s}no answer yet for icmp_seq=${n}`) },
  { weight: 1, arbitrary: seq.map((n) => `From 192.0.2.9 icmp_seq=${n} Destination Host Unreachable`) },
  { weight: 1, arbitrary: fc.constantFrom('PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.', 'PING 192.0.2.1 (192.0.2.1): 56 data bytes', 'PINGS x', '') },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(40), fc.nat(40)).map(([t, r]) => `${t} packets transmitted, ${r} ${t % 2 ? 'packets ' : ''}received, 0% packet loss`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', '--- 192.0.2.1 ping statistics ---', 'rtt min/avg/max/mdev = 0.1/0.2/0.3/0.0 ms', '\r') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.constantFrom(
          'seq',
          '_seq=',
          ' seq=',
          'icmp_seq',
          '=',
          ' ',
          '7',
          '64',
          ' bytes from ',
          ' bytes fromx',
          ' bytes fro',
          'x',
          '[',
          ']',
          'é',
          'icmp_req=',
          'Request timeout',
          ' ttl=',
          'PING ',
          '\r',
        ),
        { maxLength: 8 },
      )
      .map((parts) => parts.join('')),
  },
);

const pingLog = fc.array(pingLine, { minLength: 1, maxLength: 30 }).map((lines) => lines.join('\n'));

/** A CSV without quotes (mostly): a header naming `lost` among others, rows of values that are and are not outcomes. */
const csvValue = fc.constantFrom('0', '1', ' 1 ', 'true', 'FALSE', ' True\t', 'fals', 'yes', '', '\u00a00', '2', '10', '0\r');
const csv = fc
  .tuple(
    fc.constantFrom(',', ';', '\t'),
    fc.nat(2),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.tuple(csvValue, fc.nat(3)) },
        { weight: 1, arbitrary: fc.constantFrom<[string, number]>(['', -1], ['# c', -1], ['  ', -1], ['"1"', -2]) },
      ),
      {
        minLength: 1,
        maxLength: 30,
      },
    ),
    fc.constantFrom('', '\n', '\r\n'),
  )
  .map(([d, at, rows, end]) => {
    const names = ['t', 'host', 'rtt'];
    names.splice(at, 0, 'lost');
    const lines = [names.join(d)];
    for (const [value, fields] of rows) {
      if (fields < 0) lines.push(fields === -1 ? value : [value, 'x', 'y', 'z'].join(d));
      else lines.push(Array.from({ length: Math.min(fields + at, 4) }, (_, i) => (i === at ? value : 'a b')).join(d) + (fields + at >= 4 ? '' : ''));
    }
    return lines.join('\n') + end;
  });

/** A CSV with quotes: fields quoted or not, doubled quotes, records over lines, quotes misplaced, the header quoted. */
const quotedField = fc.oneof(
  { weight: 6, arbitrary: csvValue },
  { weight: 6, arbitrary: csvValue.map((v) => `"${v}"`) },
  { weight: 1, arbitrary: fc.constantFrom('" 1 "', ' "0" ', '"tr""ue"', '"a\nb"', '"1"x', 'x"1"', '"1', '""', '"1"\r', '"x,y"', '"#"') },
);
const quotedCsv = fc
  .tuple(
    fc.constantFrom(',', ';', '\t'),
    fc.nat(2),
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.array(quotedField, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.constantFrom(['# c'], [''], ['""'], ['  ']) },
      ),
      {
        minLength: 1,
        maxLength: 30,
      },
    ),
    fc.constantFrom('', '\n', '\r\n'),
  )
  .map(([d, at, quotedHeader, rows, end]) => {
    const names = ['t', 'host', 'rtt'];
    names.splice(at, 0, 'lost');
    const lines = [names.map((n) => (quotedHeader ? `"${n}"` : n)).join(d)];
    for (const fields of rows) lines.push(fields.join(d));
    return lines.join('\n') + end;
  });

describe('line scanners on WebAssembly: the same traces as the JavaScript readers', () => {
  const inputs: [string, TraceOptions][] = [
    ...fc.sample(pingLog, { seed: 20261203, numRuns: 400 }).map((text): [string, TraceOptions] => [text, { file: 'p' }]),
    ...fc.sample(csv, { seed: 20261204, numRuns: 300 }).map((text): [string, TraceOptions] => [text, { file: 'c', column: 'lost' }]),
    ...fc.sample(quotedCsv, { seed: 20261205, numRuns: 300 }).map((text): [string, TraceOptions] => [text, { file: 'q', column: 'lost' }]),
  ];

  it('reads generated ping logs and CSVs as JavaScript reads them, from a string and from a file in blocks', () => {
    const dir = tempFiles({});
    {
      const expected = withoutWasm(inputs, dir);
      let read = 0;
      inputs.forEach(([text, options], i) => {
        const mine = outcome(() => parseLossTrace(text, options));
        assert.deepEqual(mine, expected[i], `input ${i}: ${JSON.stringify(text)}`);
        if (!('error' in mine)) read++;
        const file = join(dir, `${i}.txt`);
        writeFileSync(file, text);
        for (const pieceBytes of [1, 5, 64])
          assert.deepEqual(
            outcome(() => readLossTrace(file, options, { pieceBytes, packets: 2 ** 26, bytes: 2 ** 20, detectChars: 1 << 16 })),
            mine,
            `input ${i} in blocks of ${pieceBytes}`,
          );
      });
      // The generators reach both: traces read, and refusals.
      assert.ok(read > 100 && read < inputs.length - 100, `${read} of ${inputs.length} read`);
    }
  });

  it('reads hand-written inputs the generators do not reach as JavaScript reads them', () => {
    const dir = tempFiles({});
    const reply = (n: number): string => `64 bytes from 192.0.2.1: icmp_seq=${n} ttl=64 time=0.1 ms`;
    const hand: [string, TraceOptions][] = [
      // ` bytes from ` told by five of its characters, a character past ASCII among the others:
      // counted in characters (JavaScript) it is or is not there where counted in bytes it is not or is
      [[reply(1), '64 b\u00e9  s f  m icmp_seq=2', reply(3)].join('\n'), { file: 'p' }],
      [[reply(1), '64 b\u00e9 sxfxxm icmp_seq=2', reply(3)].join('\n'), { file: 'p' }],
      // busybox's ` seq=` without a number, the number `icmp_req=`'s: busybox still
      [[reply(1), '64 bytes from 192.0.2.1:  seq= icmp_req=2 ttl=64'].join('\n'), { file: 'p' }],
      // before the header, a line the text's reading skips in finding the delimiter (it trims
      // blanks past ASCII, and a form feed where quotes are read), though not in reading rows
      ['\u00a0#,lost,x;lost\n0;1;;\n1;0;;\n', { file: 'c', column: 'lost' }],
      ['#\n\u3000\n\u00a0#,lost,x;lost\n"0";1;;\n1;0;;\n', { file: 'c', column: 'lost' }],
      ['\f#,lost,x;lost\n"0";1;;\n1;0;;\n', { file: 'c', column: 'lost' }],
      // the plain rules up to the line of the first quote, RFC 4180's from there: a tab-only line
      // of a TSV before it is blank, and one after it a record
      ['t\tlost\tx\na\t0\tb\n\t\t\na\t0\tb\na\t"1"\tb\n', { file: 'c', column: 'lost' }],
      ['t\tlost\tx\na\t"0"\tb\n\t\t\na\t0\tb\n', { file: 'c', column: 'lost' }],
      ['"lost",t\r\n0, 1 ,a\r\n\r#', { file: 'c', column: 'lost' }],
      // a comment or a blank line after blanks past ASCII, among rows, quoted or not
      ['lost,x\n\u00a0#,1\n1,2\n\u3000\n0,1\n', { file: 'c', column: 'lost' }],
      ['lost,x\n"1",2\n\u00a0#,1\n\u000b\n0,1\n', { file: 'c', column: 'lost' }],
      // doubled quotes in a field not read, at its start, its end, alone; in the field read; misplaced
      ['t,lost,n\n"a ""b"" c",1,""""\n"""x",0,"y"""\n"""""",1, "" "" \n', { file: 'c', column: 'lost' }],
      ['t,lost\n"a""b",1\n"c""",0\n"d",""\n', { file: 'c', column: 'lost' }],
      ['t,lost\n"a""b",1\n"c""","1"""\n', { file: 'c', column: 'lost' }],
      ['t,lost\n"a""b",1\n"c""x,0\n', { file: 'c', column: 'lost' }],
      ['t,lost\n"a""b",1\n"c""" x,0\n', { file: 'c', column: 'lost' }],
    ];
    const expected = withoutWasm(hand, dir);
    hand.forEach(([text, options], i) => {
      const mine = outcome(() => parseLossTrace(text, options));
      assert.deepEqual(mine, expected[i], `input ${i}: ${JSON.stringify(text)}`);
      const file = join(dir, `hand-${i}.txt`);
      writeFileSync(file, text);
      for (const pieceBytes of [1, 3, 16, 17])
        assert.deepEqual(
          outcome(() => readLossTrace(file, options, { pieceBytes, packets: 2 ** 26, bytes: 2 ** 20, detectChars: 1 << 16 })),
          mine,
          `input ${i} in blocks of ${pieceBytes}`,
        );
    });
  });
});

describe('line scanners: a doubled quote in a field not read', () => {
  it('is read on WebAssembly, not handed to JavaScript line by line (which read such a CSV at a fifth of the speed)', () => {
    const scanner = LineScanner.create();
    assert.ok(scanner, 'WebAssembly SIMD runs here');
    scanner.append(Buffer.from('"a ""b"" c",1,""""\n"""x",0,"y"""\n"""""",1,"z"\n"w","1"""\n'));
    const records: number[] = [];
    const lines = { kind: 'csv', delimiter: 0x2c, index: 1, fields: 3, quoted: true } as const;
    assert.ok(scanner.scan(lines, true, (batch, count) => records.push(...batch.subarray(0, count))));
    // Three rows' outcomes; the last row's field read holds a doubled quote: its text is read in JavaScript.
    assert.deepEqual(records.slice(0, 3), [1, 0, 1]);
    assert.equal(records.length, 4);
    assert.ok(records[3]! < 0, 'an other line');
    assert.equal(scanner.otherLine(records[3]!), '"w","1"""');
  });
});

describe('line scanners: a CSV record over lines, then rows again', () => {
  // 30,000 rows (about 600 KB, pieces of text 64 KiB) with a note over two lines every 997th row
  // and doubled quotes every 7th: the text read after such a record hands the rest back to the scan.
  const rows = 30_000;
  const lost = Array.from({ length: rows }, (_, i) => ((i * 2654435761) >>> 0) % 23 === 0);
  const note = (i: number): string => (i % 997 === 5 ? '"over\nlines"' : i % 7 === 0 ? '"a ""b"", c"' : 'n');
  const csvOf = (value: (i: number) => string): string => `t,lost,note\n${Array.from({ length: rows }, (_, i) => `${i},${value(i)},${note(i)}`).join('\n')}\n`;
  const text = csvOf((i) => (lost[i] ? '1' : '0'));
  const expected = lost.map((l) => (l ? 1 : 0)).join('');
  const options: TraceOptions = { file: 'c.csv', column: 'lost' };

  it('reads every row, the scan taken on again after each record over lines', () => {
    const { result: trace, calls: scans } = countingCalls(LineScanner.prototype, 'scan', () => parseLossTrace(text, options));
    assert.equal(Array.from(trace.lost).join(''), expected);
    // Read as text from the first record over lines to the end, the scans were three (the
    // header, the rows up to it); taken on again, one more after each 64 KiB piece of text.
    assert.ok(scans >= 6, `${scans} scans`);
    const file = join(tempFiles({}), 'c.csv');
    writeFileSync(file, text);
    for (const pieceBytes of [100_000, 2 ** 20])
      assert.equal(
        Array.from(readLossTrace(file, options, { pieceBytes, packets: 2 ** 26, bytes: 2 ** 30 }).lost).join(''),
        expected,
        `blocks of ${pieceBytes}`,
      );
  });

  it('refuses a value after the scan is taken on again at its line', () => {
    const bad = csvOf((i) => (i === 25_000 ? 'x' : lost[i] ? '1' : '0'));
    // The header, 25,000 rows before, and a line more for each note over lines among them.
    const line = 1 + 25_000 + 1 + Array.from({ length: 25_000 }, (_, i) => i).filter((i) => i % 997 === 5).length;
    assert.deepEqual(
      outcome(() => parseLossTrace(bad, options)),
      {
        error: `c.csv:${line}: "x" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)`,
      },
    );
  });
});

describe('line scanners: a line too long to be a trace line', () => {
  const long = 'x'.repeat(16 * 2 ** 20 + 1);
  const cases: [string, string, TraceOptions, string][] = [
    [
      'a CSV row in the middle',
      `t,lost\n1,0\n${long},1\n2,0\n`,
      { file: 'c.csv', column: 'lost' },
      'c.csv:3: a line longer than 16 MiB, which a CSV does not have',
    ],
    [
      'a CSV row at the end, unended',
      `t,lost\n1,0\n${long}`,
      { file: 'c.csv', column: 'lost' },
      'c.csv:3: a line longer than 16 MiB, which a CSV does not have',
    ],
    [
      'a ping line',
      `PING h (192.0.2.1) 56(84) bytes of data.\n64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=1 ms\n${long}\n`,
      { file: 'p.txt' },
      'p.txt:3: a line longer than 16 MiB, which a ping log does not have',
    ],
  ];
  for (const [what, text, options, message] of cases) {
    it(`refuses ${what} at its line, from a string and from a file in blocks`, () => {
      assert.deepEqual(
        outcome(() => parseLossTrace(text, options)),
        { error: message },
      );
      const file = join(tempFiles({}), 'long.txt');
      writeFileSync(file, text);
      assert.deepEqual(
        outcome(() => readLossTrace(file, options)),
        { error: message },
      );
    });
  }
});
