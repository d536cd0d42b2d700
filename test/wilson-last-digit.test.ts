import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { wilsonInterval } from '../src/stats/wilson.js';
import { succeeded } from './assert-cli.js';
import { cliIn } from './in-process.js';

/**
 * Wilson interval ends to the last digit: the formula at the critical value of the decimal
 * level written, z = −Φ⁻¹((1 − c)/2), rounded once to the nearest double. Each expected pair was
 * computed outside the tool with mpmath at 60 digits (z = −√2·erfinv(2·tail − 1); the ends
 * (p + z²/2n ± z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n), 0 and 1 at none and all). In doubles the
 * lower end lost up to a thousand units in the last place to cancellation where few events were
 * seen, and AS 241's critical value for 0.95 is 1.9599639845400536, 3 units below the nearest
 * double of 1.95996398454005423…, which moved the last digits of most other ends.
 */
const CASES: readonly (readonly [number, number, number, number, number])[] = [
  [1, 1e9, 0.95, 1.7652455495696314e-10, 5.664934243297439e-9], // 1.765245549569631317414e-10, 5.664934243297439400344e-9
  [0, 1000, 0.95, 0, 0.0038267584855551243], // 0.003826758485555124131768
  [1000, 1000, 0.95, 0.9961732415144449, 1], // 0.9961732415144448758682
  [1, 876452227822, 0.999999, 4.407050896683503e-14, 2.953897595171572e-11], // 4.407050896683503292197e-14, 2.953897595171572509689e-11
  [3, 1e6, 0.95, 1.0202712409681227e-6, 8.821149774312436e-6], // 1.020271240968122698792e-6, 8.821149774312435945527e-6
  [1, 2, 0.95, 0.09453120573423071, 0.9054687942657693], // 0.09453120573423071311109, 0.9054687942657692868889
  [5, 7, 0.9, 0.40866754551119755, 0.900434156437713], // 0.4086675455111975292363, 0.9004341564377129552283
  [999999999, 1e9, 0.99, 0.999999991482509, 0.9999999998825946], // 0.9999999914825089203935, 0.999999999882594535877
  [1, 1, 0.95, 0.2065493143772374, 1], // 0.2065493143772373879675
  [0, 1, 0.5, 0, 0.3126847440825833], // 0.3126847440825833092792
];

describe('Wilson interval ends are the formula rounded once', () => {
  for (const [successes, trials, confidence, low, high] of CASES) {
    it(`${successes} of ${trials} at ${confidence}: [${low}, ${high}]`, () => {
      assert.deepEqual(wilsonInterval(successes, trials, confidence), { low, high });
    });
  }

  it('the CSV and JSON print those digits: 1 trial, and 1,000 trials without a loss', async () => {
    const one = parseCsv(succeeded(await cliIn(['run', '--trials', '1', '--set', 'loss=0', '-f', 'csv', '--no-exact'])), { columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(one[0]!['success_low'], '0.2065493143772374');
    assert.equal(one[0]!['disagreement_high'], '0.7934506856227627'); // 0.79345068562276261203…
    const json = JSON.parse(succeeded(await cliIn(['run', '--trials', '1000', '--set', 'loss=0', '-f', 'json', '--no-exact']))) as {
      rows: Record<string, number>[];
    };
    assert.equal(json.rows[0]!['success_low'], 0.9961732415144449);
    assert.equal(json.rows[0]!['disagreement_high'], 0.0038267584855551243);
  });
});
