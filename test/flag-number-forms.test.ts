import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { literalNumber, misreadText } from '../src/io/number-literal.js';
import { cliInProcess, STACK_LINE } from './in-process.js';

// A flag's number is written as a scenario file and `--set` write numbers (decimal, or YAML's 0x and
// 0o). JavaScript's Number also reads 0b10, Infinity and '' (as 0): `--workers 0b10` ran with two
// threads, `trace --trial 0b1` replayed trial 1 and `fit --lengths 0b11` showed three lengths, where
// `--set rounds=0b11` is refused. An octal with a digit past 7 (`--workers 0o19`) was an internal error.
describe('numbers in flags, written as a scenario file writes them', () => {
  it('reads decimal, 0x and 0o, and nothing else Number() would read', () => {
    for (const [text, value] of [
      ['2', 2],
      [' 2 ', 2],
      ['+3', 3],
      ['0.95', 0.95],
      ['.5', 0.5],
      ['1e3', 1000],
      ['0x1F', 31],
      ['0o17', 15],
    ] as const)
      assert.equal(literalNumber(text), value, text);
    for (const text of ['0b10', '0B1', 'Infinity', '-Infinity', '', '  ', '0o19', '0o8', '0x', '0X1F', '1_000', '0x1p-2', 'NaN', '1e', '--1', '-0x2'])
      assert.ok(Number.isNaN(literalNumber(text)), `'${text}' read as ${literalNumber(text)}`);
  });

  it('an octal digit past 7 is no number, not a crash', () => {
    for (const text of ['0o19', '0o8', '-0o9']) assert.equal(misreadText(text), null, text);
    assert.match(misreadText('0o400000000000000001') ?? '', /past 2\^53/);
    assert.match(misreadText('0x20000000000001') ?? '', /past 2\^53/);
  });

  const refusals: [string[], RegExp][] = [
    [['run', '--workers', '0b10'], /option '--workers <n>' argument '0b10' is invalid\. expected a whole number, at least 1$/],
    [['run', '--workers', '0o19'], /option '--workers <n>' argument '0o19' is invalid\. expected a whole number, at least 1$/],
    [['run', '--workers', ''], /option '--workers <n>' argument '' is invalid\. expected a whole number, at least 1$/],
    [['run', '--confidence', '0o9'], /option '--confidence <level>' argument '0o9' is invalid\. expected a number strictly between 0 and 1/],
    [['run', '--confidence', 'Infinity'], /argument 'Infinity' is invalid\. expected a number strictly between 0 and 1/],
    [['trace', '--trial', '0b1'], /option '--trial <n>' argument '0b1' is invalid\. expected a whole number, 1 or more$/],
    [['trace', '--trial', '1', '--cell', '0b1'], /option '--cell <k>' argument '0b1' is invalid\. expected a whole number, 1 or more$/],
    [['fit', 'examples/traces/radio-link-ping.txt', '--lengths', '0b11'], /--lengths 0b11: expected a whole number from 1 to 100$/],
  ];
  for (const [args, message] of refusals)
    it(`refuses ${args.join(' ')} in one line, exit 2`, async () => {
      const r = await cliInProcess(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, STACK_LINE);
    });

  it('runs the forms a file takes: 0x2 workers and trial 0o1 are 2 and 1', async () => {
    const decimal = await cliInProcess(['run', '--trials', '1000', '--workers', '2', '-f', 'csv']);
    const hex = await cliInProcess(['run', '--trials', '1000', '--workers', '0x2', '-f', 'csv']);
    assert.equal(hex.status, 0, hex.stderr);
    assert.equal(hex.stdout, decimal.stdout);
    const first = await cliInProcess(['trace', '--trial', '1']);
    const octal = await cliInProcess(['trace', '--trial', '0o1']);
    assert.equal(octal.status, 0, octal.stderr);
    assert.equal(octal.stdout, first.stdout);
  });
});
