import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computableConfidence, misheldTail } from '../src/stats/confidence.js';
import { criticalValue } from '../src/stats/normal.js';
import { refusal, succeeded } from './assert-cli.js';
import { cliIn } from './in-process.js';

// Intervals at a --confidence near 1 printed other numbers than the level's, exit 0: the critical
// value was the quantile of 1 − tail/2, which keeps only the digits of the tail a number near 1
// holds (z at 0.999999 was 4.5e-12 off), and 0.9999999999999998, which a double holds as
// 1 − 2.22e-16, gave the intervals of that other level (the lower end 0.1292 for 10 successes
// in 10, where 1 − 2e-16 gives 0.1289).
describe('confidence levels near 1', () => {
  // z = Φ⁻¹(1 − (1 − c)/2) for the decimal c, to 25 digits (mpmath: sqrt(2)·erfinv(c)), and its nearest double.
  const exactZ: readonly (readonly [number, number])[] = [
    [0.95, 1.9599639845400543], // 1.959963984540054235524594
    [0.99, 2.575829303548901], // 2.575829303548900760978577
    [0.999, 3.290526731491895], // 3.290526731491894793221627
    [0.997, 2.9677379253417833], // 2.967737925341783325804057
    [0.999999, 4.89163847569859], // 4.891638475698590386231122
    [0.99999999999, 6.806502490740626], // 6.806502490740626278291213
  ];

  it('computes the critical value of the decimal written, rounded once to a double', () => {
    for (const [c, z] of exactZ) assert.equal(criticalValue(c), z, String(c));
  });

  it('prints the Wilson interval of the level asked for', async () => {
    const csv = succeeded(await cliIn(['run', '--trials', '10', '--set', 'loss=0', '--confidence', '0.999999', '-f', 'csv', '--no-exact']));
    const row = csv.trim().split('\n')[1]!.split(',');
    const header = csv.split('\n')[0]!.split(',');
    const low = Number(row[header.indexOf('success_low')]);
    // 10 of 10: the lower end is n / (n + z²), z for 0.999999 (mpmath: 0.29474070309858969704…).
    assert.equal(low, 0.2947407030985897);
  });

  it('refuses a level whose distance from 1 a double holds as another number', async () => {
    for (const level of ['0.9999999999999998', '0.999999999999', '0.9999999999999999']) {
      const line = refusal(await cliIn(['run', '--trials', '10', '--confidence', level]), level);
      assert.match(
        line,
        new RegExp(
          `${level.replace('.', '\\.')} is too close to 1 for its intervals to be computed in double precision \\(a double holds its distance from 1, `,
        ),
      );
    }
    assert.match(refusal(await cliIn(['run', '--trials', '10', '--confidence', '0.9999999999999998'])), /distance from 1, 2e-16, as 2\.220446049250313e-16;/);
    succeeded(await cliIn(['run', '--trials', '10', '--confidence', '0.99999999999', '-f', 'csv']));
    assert.deepEqual(misheldTail(0.999999999999), { written: 1e-12, held: 9.999778782798785e-13 });
    for (const level of [0.5, 0.9, 0.95, 0.99, 0.9973, 0.999999, 0.99999995, 0.99999999999]) assert.ok(computableConfidence(level), String(level));
    for (const level of [0, 1, Number.NaN, 0.9999999999999998, 0.9999999999999]) assert.ok(!computableConfidence(level), String(level));
  });
});
