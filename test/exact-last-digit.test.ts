import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * Exact values right to the last digit printed: each the double nearest the exact rational, the
 * parameters taken as the decimals written (loss 0.999 is 999/1000, not the double 8.9e-19 below
 * it). The expected strings were computed outside the tool, in Python's fractions.Fraction: every
 * state of each protocol as SPEC §1 defines it (levels, records, the key's knowledge and the
 * crashes for the randomized protocol; the legs for the handshake; a Gilbert–Elliott direction's
 * good or bad state copy by copy, its first copy stationary), the key summed out at 1/R each,
 * each figure then rounded once to the nearest double and written as the CSV writes it. The
 * tool printed every one of them a few ulps off before its exact engines carried their masses
 * in double-double (R 128 at loss 0.999: both 15 ulps off; 1.8 copies as 1.7999999999999998).
 */
const sets = (...values: string[]): string[] => values.flatMap((value) => ['--set', value]);
const halfLoss = 'channel={model: gilbert-elliott, goodToBad: 0.05, badToGood: 0.45, lossGood: 0.5, lossBad: 0.5}';

const CELLS: { name: string; args: string[]; printed: Record<string, string> }[] = [
  {
    name: 'randomized, loss 0.999, k 3, R 128 (levels)',
    args: sets('protocol=randomized', 'loss=0.999', 'redundancy=3', 'rounds=128'),
    printed: { both: '0.0009044169676144478', success: '0.0009044169676144478' },
  },
  {
    name: 'randomized, loss 0.999, k 2, R 97 (levels)',
    args: sets('protocol=randomized', 'loss=0.999', 'redundancy=2', 'rounds=97'),
    printed: { onlyA: '0.001656986231206932', both: '0.00034201376879306806' },
  },
  {
    name: 'randomized, loss 0.0001 A to B and 0.9999 B to A, k 3, R 20 (levels)',
    args: sets('protocol=randomized', 'loss.AtoB=0.0001', 'loss.BtoA=0.9999', 'redundancy=3', 'rounds=20'),
    printed: {
      both: '0.0005697810801705506',
      neither: '0.9494302189198295',
      onlyA: '0.00001499400229913033',
      onlyB: '0.04998500599770087',
      disagreement: '0.05',
      delivered_mean: '60',
    },
  },
  {
    name: 'randomized over Gilbert–Elliott, k 2, R 8 (levels)',
    args: sets(
      'protocol=randomized',
      'channel={model: gilbert-elliott, goodToBad: 0.3, badToGood: 0.45, lossGood: 0.01, lossBad: 0.6}',
      'redundancy=2',
      'rounds=8',
    ),
    printed: {
      both: '0.871756012261781',
      neither: '0.0386128320044635',
      onlyA: '0.04481557786687772',
      disagreement: '0.08963115573375544',
      delivered_mean: '24.128',
    },
  },
  {
    name: 'randomized with crashes, loss 0.3, k 2, R 6 (every state; the key 1/6 each)',
    args: sets('protocol=randomized', 'loss=0.3', 'redundancy=2', 'rounds=6', 'crash={A: 0.01, B: 0.2}'),
    printed: {
      both: '0.21105534329006434',
      neither: '0.5592785733590051',
      onlyA: '0.2103819014938997',
      onlyB: '0.01928418185703086',
      disagreement: '0.22966608335093056',
      messengers: '17.489778418602',
      delivered_mean: '8.030234815489061',
      rounds_mean: '5.876948203769192',
    },
  },
  {
    name: 'handshake over Gilbert–Elliott with equal losses, k 2, R 3',
    args: sets('protocol=handshake', halfLoss, 'redundancy=2', 'rounds=3'),
    printed: { neither: '0.4375', onlyA: '0.140625', both: '0.421875', delivered_mean: '2.3125' },
  },
  {
    name: 'handshake over Gilbert–Elliott with equal losses, k 2, R 4',
    args: sets('protocol=handshake', halfLoss, 'redundancy=2', 'rounds=4'),
    printed: { neither: '0.578125', onlyB: '0.10546875', disagreement: '0.10546875', delivered_mean: '2.734375' },
  },
  {
    name: 'handshake, loss 0.999, k 4, R 3',
    args: sets('protocol=handshake', 'loss=0.999', 'redundancy=4', 'rounds=3'),
    printed: { both: '0.00000006371262316076751', onlyA: '0.000015888355320867226', messengers: '4.016039824267776', delivered_mean: '0.004016039824267776' },
  },
  {
    name: 'messenger over bursty-redundancy’s Gilbert–Elliott channel, k 2 and 6: the copies delivered',
    args: ['scenarios/bursty-redundancy.yaml', '--sweep', 'redundancy=2,6'],
    printed: { delivered_mean: '1.8', onlyA: '0.055' },
  },
  {
    name: 'messenger, loss 0.1, k 4',
    args: sets('protocol=messenger', 'loss=0.1', 'redundancy=4'),
    printed: { onlyA: '0.0001', both: '0.9999', delivered_mean: '3.6' },
  },
];

describe('exact values to the last digit printed', () => {
  for (const { name, args, printed } of CELLS) {
    it(name, async () => {
      const r = await cliIn(['exact', ...args, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      for (const [figure, expected] of Object.entries(printed)) assert.equal(row![`${figure}_exact`], expected, figure);
    });
  }

  it('prints the Gilbert–Elliott messenger’s copies delivered at 6 copies as 5.4', async () => {
    const r = await cliIn(['exact', 'scenarios/bursty-redundancy.yaml', '--sweep', 'redundancy=6', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(row!['delivered_mean_exact'], '5.4');
    assert.equal(row!['onlyA_exact'], '0.00503284375');
  });
});
