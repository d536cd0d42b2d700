import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { misreadNumber, misreadText } from '../src/io/number-literal.js';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * The ways of writing a number that a double holds exactly, past 2^53: written out with its
 * trailing zeros (1e21 as 1000000000000000000000, 2^53·1000) or as negative hexadecimal, each is
 * read as written; and of two misread numbers in one file, the first is the one refused.
 */
describe('numbers past 2^53 written out in full, and the first misread number of a file', () => {
  it('reads a whole number written with trailing zeros as the number it is', () => {
    for (const text of ['1000000000000000000000', '100000000000000000000000', '9007199254740992000', '-9007199254740992000', '18014398509481984.000'])
      assert.equal(misreadText(text), null, text);
  });

  it('reads negative hexadecimal as written, and a negative one past 2^53 that a double does not hold as misread', () => {
    assert.equal(misreadNumber('-0x20000000000000', -(2 ** 53)), null);
    assert.equal(misreadNumber('-0x40000000000004', -(2 ** 54) - 4), null);
    assert.match(misreadNumber('-0x20000000000001', -(2 ** 53)) ?? '', /^-0x20000000000001 is past 2\^53 .* read as -9007199254740992$/);
  });

  const dir = tempFiles({ 'two.yaml': 'protocol: messenger\nloss: 1e-400\ntrials: 1000\nseed: 1e400\n' });

  it('refuses the first misread number of a file, at its place', async () => {
    const file = join(dir, 'two.yaml');
    const says = refusal(await cliIn(['validate', file]));
    assert.ok(says.startsWith(`twogenerals: ${file}:2:7: 1e-400 is below the smallest positive number`), says);
  });
});
