import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * A Gilbert–Elliott direction's first copy sees the stationary state: the exact engines take it
 * as such, where stepping the state before it (drawn stationary) rounded the messenger's onlyA of
 * 0.1 to 0.10000000000000003. With lossGood 0 every copy lost is one path: the first copy bad
 * (π = goodToBad / (goodToBad + badToGood)) and lost, then each next one staying bad and lost,
 * π·lossBad^k·(1 − badToGood)^(k−1), here in exact rationals of the parameters' decimals (the
 * values they stand for), rounded once.
 */
interface Q {
  readonly n: bigint;
  readonly d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
const ONE = q(1n);

/** The decimal x ≥ 0 stands for (its shortest round-trip form, as written) as an exact rational. */
function rationalOf(x: number): Q {
  const [digits, exponent] = x.toExponential().split('e') as [string, string];
  const [whole, fraction = ''] = digits.split('.') as [string, string?];
  const shift = Number(exponent) - fraction.length;
  const n = BigInt(whole + fraction);
  return shift >= 0 ? q(n * 10n ** BigInt(shift)) : q(n, 10n ** BigInt(-shift));
}

/** The double nearest x, from its decimal expansion to 1,200 places plus a sticky digit. */
function nearestDouble(x: Q): number {
  const places = 1200n;
  const scaled = x.n * 10n ** places;
  const digits = (scaled / x.d).toString().padStart(Number(places) + 1, '0');
  return Number(`${digits.slice(0, -Number(places))}.${digits.slice(-Number(places))}${scaled % x.d === 0n ? '' : '1'}`);
}

function allLost(goodToBad: number, badToGood: number, lossBad: number, k: number): number {
  const [g, b, lb] = [goodToBad, badToGood, lossBad].map(rationalOf) as [Q, Q, Q];
  let p = mul(div(g, add(g, b)), lb);
  const stay = add(ONE, q(-b.n, b.d));
  for (let c = 1; c < k; c++) p = mul(mul(p, stay), lb);
  return nearestDouble(p);
}

async function exactRows(args: readonly string[]): Promise<Record<string, string>[]> {
  const r = await cliIn(['exact', ...args, '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  return parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
}

describe('exact values over Gilbert–Elliott from the stationary first copy', () => {
  it("prints bursty-redundancy's onlyA and disagreement as the exact value rounded once (0.1, not 0.10000000000000003)", async () => {
    const rows = await exactRows(['scenarios/bursty-redundancy.yaml']);
    assert.equal(rows.length, 6);
    for (const row of rows) {
      const truth = allLost(0.05, 0.45, 1, Number(row['redundancy']));
      assert.equal(Number(row['onlyA_exact']), truth, `k = ${row['redundancy']}: onlyA_exact ${row['onlyA_exact']}, exact ${truth}`);
      assert.equal(Number(row['disagreement_exact']), truth, `k = ${row['redundancy']}`);
    }
    assert.equal(rows[0]!['onlyA_exact'], '0.1');
  });

  for (const [goodToBad, badToGood, lossBad] of [
    [0.3, 0.2, 0.7],
    [0.01, 0.99, 0.9],
    [0.7, 0.05, 0.35],
  ] as const) {
    it(`holds the messenger's all-lost probability at goodToBad ${goodToBad}, badToGood ${badToGood}, lossBad ${lossBad}, 1 to 5 copies`, async () => {
      const channel = `channel={model: gilbert-elliott, goodToBad: ${goodToBad}, badToGood: ${badToGood}, lossGood: 0, lossBad: ${lossBad}}`;
      const rows = await exactRows(['--set', 'protocol=messenger', '--set', channel, '--sweep', 'redundancy=1:5']);
      for (const row of rows) {
        const truth = allLost(goodToBad, badToGood, lossBad, Number(row['redundancy']));
        assert.equal(Number(row['onlyA_exact']), truth, `k = ${row['redundancy']}: onlyA_exact ${row['onlyA_exact']}, exact ${truth}`);
      }
    });
  }

  it('leaves the Monte Carlo counts as they were (the tables it samples are not the exact engines’)', async () => {
    const r = await cliIn(['run', 'scenarios/bursty-redundancy.yaml', '--trials', '20000', '--format', 'csv', '--no-exact']);
    assert.equal(r.status, 0, r.stderr);
    const counts = (parseCsv(r.stdout, { columns: true }) as Record<string, string>[]).map((row) =>
      [row['both'], row['onlyA'], row['delivered_mean']].join(' '),
    );
    assert.deepEqual(counts, [
      '18021 1979 0.90105',
      '18847 1153 1.7938059009009009',
      '19340 660 2.693294870051668',
      '19660 340 3.5983312126497187',
      '19809 191 4.501350197069562',
      '19898 102 5.393529530439712',
    ]);
  });
});
