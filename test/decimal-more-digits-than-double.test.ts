import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { misreadText } from '../src/io/number-literal.js';
import { cliIn } from './in-process.js';

/**
 * The exact engines take a parameter as the rational of the shortest decimal that reads back as
 * its double (decimal-ratio.ts): 0.1 as 1/10. A decimal written with more digits than a double
 * keeps is another rational: `loss: 0.1234567890123456789` ran as 0.12345678901234568, and
 * `exact` printed that loss's values (a randomized cell's neither 0.02695211048466154 where the
 * decimal written gives 0.026952110484661538), exit 0. Such a number is refused where it is
 * written, naming the decimal it would be read as.
 */
const MORE_DIGITS = /has more digits than a double holds \(about 17\), so it would be read as /;

describe('a decimal written with more digits than a double keeps', () => {
  it('is refused, naming the shortest decimal of its double; one written as that decimal, or as the same number, is not', () => {
    assert.match(misreadText('0.1234567890123456789')!, /^0\.1234567890123456789 has more digits .* read as 0\.12345678901234568: write 0\.12345678901234568$/);
    for (const text of ['0.30000000000000001', '0.1000000000000000055511151231257827', '1.00000000000000001', '1000.0000000000000001', '-0.99999999999999999'])
      assert.match(misreadText(text) ?? '', MORE_DIGITS, text);
    for (const text of [
      '0.12345678901234568',
      '0.1',
      '0.10',
      '1e-1',
      '100e-3',
      '0.9999999999999999',
      '1.0000000000000002',
      '0.30000000000000004',
      '1e21',
      '1.7976931348623157e308',
    ])
      assert.equal(misreadText(text), null, text);
  });

  it('in a scenario file, a --set and a --sweep: one line, exit 2, nothing printed', async () => {
    for (const args of [
      ['--set', 'protocol=randomized', '--set', 'loss=0.1234567890123456789', '--set', 'rounds=2'],
      ['--set', 'protocol=two-phase-commit', '--set', 'abortRate=0.05000000000000000001'],
      ['--set', 'protocol=handshake', '--sweep', 'loss=0.1,0.30000000000000001'],
    ]) {
      const { status, stdout, stderr } = await cliIn(['exact', '--format', 'csv', ...args]);
      assert.equal(status, 2, stderr);
      assert.equal(stdout, '');
      assert.match(stderr, MORE_DIGITS);
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    }
  });
});
