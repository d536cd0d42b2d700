import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { join } from 'node:path';
import { TraceError, parseLossTrace } from '../src/fit/trace-file.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * The trace reader's RFC 4180 loop against csv-parse (the oracle it replaced for speed): on
 * generated CSVs with quoted fields holding delimiters, doubled quotes and newlines, blanks
 * around fields, blank and comment lines and CRLF endings, both read the same column the same way.
 */
const SEED = 20261202;

/** A field as written: plain text, or quoted with what quoting allows inside; blanks around it. */
const filler = fc.constantFrom('x', 'a b', 'ok, fine', 'say ""hi""', 'two\nlines', '', '3.5', 'é');
const cell = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(value, fc.boolean(), fc.constantFrom('', ' ', '  '), fc.constantFrom('', ' '))
    .map(([v, quoted, before, after]) => (quoted || /[",\n]/.test(v) ? `${before}"${v}"${after}` : `${before}${v}${after}`))
    .filter((text) => !/^\s*#/.test(text));
const outcome = fc.constantFrom('0', '1', 'true', 'false', 'TRUE', ' 1 ');
const row = (width: number, lost: number) =>
  fc.tuple(...Array.from({ length: width }, (_, i) => (i === lost ? cell(outcome) : cell(filler)))).map((fields) => fields.join(','));
const csv = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.integer({ min: 0, max: width - 1 }).chain((lost) =>
    fc
      .tuple(
        fc.array(fc.tuple(row(width, lost), fc.constantFrom('\n', '\r\n', '\n\n', '\n# a note\n', '\n  \n')), { minLength: 1, maxLength: 30 }),
        fc.constantFrom('', '\n', '\r\n'),
      )
      .map(([rows, end]) => ({
        lost,
        text: [Array.from({ length: width }, (_, i) => (i === lost ? '"lost"' : `c${i}`)).join(','), ...rows.map(([r, sep]) => `${sep}${r}`)].join('') + end,
      })),
  ),
);

function oracle(text: string, lost: number): number[] {
  const records = parse(text, {
    record_delimiter: ['\r\n', '\n'],
    ltrim: true,
    rtrim: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as string[][];
  return records
    .slice(1)
    .filter((r) => !(r.length === 1 && r[0]!.trim() === ''))
    .map((r) => (['1', 'true'].includes(r[lost]!.trim().toLowerCase()) ? 1 : 0));
}

describe('quoted CSV traces', () => {
  it('read the column csv-parse reads, on generated files', () => {
    fc.assert(
      fc.property(csv, ({ text, lost }) => {
        assert.deepEqual([...parseLossTrace(text, { file: 't.csv', column: 'lost' }).lost], oracle(text, lost), JSON.stringify(text));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('refuse broken quoting and rows without the column, naming the line', () => {
    const cases: [string, RegExp][] = [
      // Named at the line where the quote opens (the lines after it are the quote's), not the file's end.
      ['t,lost\n1,"0\n2,1\n', /^t\.csv:2: a quote is opened and never closed/],
      ['t,lost\n1,0\n2,"1\n3,0\n\n\n', /^t\.csv:3: a quote is opened and never closed/],
      ['t,lost\n1,"0"x\n', /^t\.csv:2: text follows a closing quote/],
      ['t,lost\n1,0"\n', /^t\.csv:2: the CSV cannot be read \(CSV_INVALID_OPENING_QUOTE\)/],
      ['"t","lost"\n1\n', /^t\.csv:2: the row has 1 field, so no column "lost" \(field 2\)/],
      ['"t","lost"\n"a\nb",2\n', /^t\.csv:3: "2" in column "lost"/],
      ['"t","lost"\n\n# only a note\n', /^t\.csv: the trace is empty: the CSV has a header but no rows/],
    ];
    for (const [text, expected] of cases) {
      assert.throws(
        () => parseLossTrace(text, { file: 't.csv', column: 'lost' }),
        (error: unknown) => error instanceof TraceError && expected.test(error.message),
        text,
      );
    }
  });

  it('name a quote never closed in a long file at the line where it opens, read in blocks', async () => {
    // 300,000 rows (2.4 MB, past a 1 MiB block), then row 300,002 opens a quote that the 3 lines after it never close.
    const dir = tempFiles({ 'long.csv': `t,lost\n${'1,0\n'.repeat(300_000)}2,"1\n3,0\n\n\n` });
    const r = await cliIn(['fit', join(dir, 'long.csv'), '--column', 'lost']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /long\.csv:300002: a quote is opened and never closed, so the rows after it cannot be read\n$/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
