import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { roundedOnce } from '../src/engine/exact/figures.js';
import { roundedRatio, roundedSquareRootOfRatio, unitsOf } from '../src/stats/exact-rounding.js';
import { cliIn } from './in-process.js';

/**
 * Every exact figure is the exact value rounded once to the nearest double, where the engine's
 * own path masses are exact (dyadic losses, few enough factors): an independent oracle in exact
 * rationals (BigInt), rounded through a decimal string of every digit (Number() rounds a decimal
 * correctly; a last digit 1 stands for a remainder, so that no false tie is broken the wrong way).
 */
interface Q {
  readonly n: bigint;
  readonly d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
const pow = (a: Q, e: number): Q => Array.from({ length: e }).reduce<Q>((r) => mul(r, a), q(1n));
const ONE = q(1n);
const ZERO = q(0n);

/** The double nearest a/b ≥ 0, from its decimal expansion to 1,200 places (every digit of a dyadic), plus a sticky digit. */
function nearestDouble(x: Q): number {
  const places = 1200n;
  const scaled = x.n * 10n ** places;
  const whole = scaled / x.d;
  const digits = whole.toString().padStart(Number(places) + 1, '0');
  const text = `${digits.slice(0, -Number(places))}.${digits.slice(-Number(places))}${scaled % x.d === 0n ? '' : '1'}`;
  return Number(text);
}

/** √(a/b) rounded to the nearest double: the integer root of a/b·4^s, with a sticky digit, as above. */
function nearestSqrt(x: Q): number {
  if (x.n === 0n) return 0;
  const s = 1300n;
  const scaled = (x.n * 4n ** s) / x.d;
  let r = 1n << BigInt(Math.ceil(scaled.toString(2).length / 2));
  for (;;) {
    const next = (r + scaled / r) >> 1n;
    if (next >= r) break;
    r = next;
  }
  const exact = r * r === scaled && (x.n * 4n ** s) % x.d === 0n;
  return nearestDouble(q(r * 2n + (exact ? 0n : 1n), 2n ** (s + 1n)));
}

/** The handshake's exact values (SPEC: leg i dispatched iff leg i−1 arrived; each side attacks iff it got every leg addressed to it). */
function handshakeOracle(loss: Q, k: number, R: number) {
  const lost = pow(loss, k);
  const got = sub(ONE, lost);
  const both = pow(got, R);
  const lastLost = mul(pow(got, R - 1), lost); // the last leg lost: its sender attacks alone
  const neither = sub(sub(ONE, both), lastLost);
  // M legs dispatched: M = j < R when leg j is the first lost, else R.
  const pM = (j: number): Q => (j < R ? mul(pow(got, j - 1), lost) : pow(got, R - 1));
  let mean = ZERO;
  let second = ZERO;
  for (let j = 1; j <= R; j++) {
    mean = add(mean, mul(q(BigInt(j)), pM(j)));
    second = add(second, mul(q(BigInt(j * j)), pM(j)));
  }
  const K = q(BigInt(k));
  return {
    both,
    neither,
    onlyA: R % 2 === 1 ? lastLost : ZERO,
    onlyB: R % 2 === 0 ? lastLost : ZERO,
    messengers: mul(K, mean),
    messengersSd: mul(mul(K, K), sub(second, mul(mean, mean))),
    rounds: mean,
    delivered: mul(mul(K, sub(ONE, loss)), mean),
  };
}

/** Significant bits of a dyadic's numerator (its odd part). */
function oddBits(x: Q): number {
  let n = x.n;
  while (n > 0n && n % 2n === 0n) n /= 2n;
  return n.toString(2).length;
}

/** Losses of a few bits each (every k/16), so that the engine multiplies exactly. */
const LOSSES: Record<string, Q> = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [String((i + 1) / 16), q(BigInt(i + 1), 16n)]));

describe('exact figures rounded once, against exact rationals', () => {
  it('the handshake: every outcome, success, disagreement, messengers mean and sd, rounds, on every cell the engine holds exactly', async () => {
    // Only the cells whose path masses are exact products are checked: each (loss, k)'s rounds up
    // to the last such R, swept in one command (a sweep of every R to 60 computed 7,200 cells, 778 of them checked).
    const rows: Record<string, string>[] = [];
    for (const [text, loss] of Object.entries(LOSSES))
      for (let k = 1; k <= 8; k++) {
        const lost = pow(loss, k);
        const lastExact = Math.min(60, Math.floor((53 - oddBits(lost)) / oddBits(sub(ONE, lost))));
        if (lastExact < 1) continue;
        const r = await cliIn([
          'exact',
          '--set',
          'protocol=handshake',
          '--set',
          `loss=${text}`,
          '--set',
          `redundancy=${k}`,
          '--sweep',
          `rounds=1:${lastExact}`,
          '--format',
          'csv',
        ]);
        assert.equal(r.status, 0, r.stderr);
        rows.push(...(parseCsv(r.stdout, { columns: true }) as Record<string, string>[]));
      }
    let checked = 0;
    const wrong: string[] = [];
    for (const row of rows) {
      const loss = LOSSES[row['loss']!]!;
      const k = Number(row['redundancy']);
      const R = Number(row['rounds']);
      const lost = pow(loss, k);
      // The engine's path masses are exact products while their odd parts fit in 53 bits.
      if (R * oddBits(sub(ONE, lost)) + oddBits(lost) > 53) continue;
      checked++;
      const o = handshakeOracle(loss, k, R);
      const expected: Record<string, number> = {
        both_exact: nearestDouble(o.both),
        neither_exact: nearestDouble(o.neither),
        onlyA_exact: nearestDouble(o.onlyA),
        onlyB_exact: nearestDouble(o.onlyB),
        success_exact: nearestDouble(o.both),
        disagreement_exact: nearestDouble(add(o.onlyA, o.onlyB)),
        messengers_exact: nearestDouble(o.messengers),
        messengers_sd_exact: nearestSqrt(o.messengersSd),
        rounds_mean_exact: nearestDouble(o.rounds),
      };
      for (const [column, value] of Object.entries(expected)) {
        if (Number(row[column]) !== value) wrong.push(`loss ${row['loss']}, k ${k}, R ${R}: ${column} ${row[column]}, nearest ${value}`);
      }
      // Copies delivered given a message arrived is a rounded table entry (k(1 − p)/(1 − p^k)): within a few ulps.
      const delivered = nearestDouble(o.delivered);
      if (Math.abs(Number(row['delivered_mean_exact']) - delivered) > 4 * Number.EPSILON * delivered)
        wrong.push(`loss ${row['loss']}, k ${k}, R ${R}: delivered_mean_exact ${row['delivered_mean_exact']}, nearest ${delivered}`);
    }
    assert.ok(checked > 500, `only ${checked} cells checked`);
    assert.deepEqual(wrong, []);
  });

  it('a distribution of messages: the messengers mean and sd are its exact moments times the copies, rounded once (not the mean rounded, then times k)', () => {
    // Seeded draws: masses of 53 bits at exponents far apart, so that the mean needs more than 53.
    let seed = 2026;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const set = { names: ['both', 'onlyA'], success: [0], disagreement: [1], labels: ['success', 'disagreement'] as const, shown: [] };
    let naiveWrong = 0;
    for (let cell = 0; cell < 400; cell++) {
      const k = 1 + Math.floor(next() * 9);
      const masses = Array.from({ length: 2 + Math.floor(next() * 12) }, () => (next() < 0.3 ? 0 : next() * 2 ** -Math.floor(next() * 40)));
      const units = masses.map(unitsOf);
      const whole = units.reduce((a, b) => a + b, 0n);
      if (whole === 0n || units.filter((u) => u !== 0n).length < 2) continue;
      const s1 = units.reduce((a, u, m) => a + u * BigInt(m), 0n);
      const s2 = units.reduce((a, u, m) => a + u * BigInt(m * m), 0n);
      const r = roundedOnce({ outcomes: [whole, 0n], messages: units, delivered: 0n, rounds: 0n }, set, k);
      const K = BigInt(k);
      assert.equal(r.figures.messengersMean, nearestDouble(q(K * s1, whole)), `cell ${cell}: mean`);
      assert.equal(r.figures.messengersSd, nearestSqrt(q(K * K * (whole * s2 - s1 * s1), whole * whole)), `cell ${cell}: sd`);
      assert.equal(r.messagesMean, nearestDouble(q(s1, whole)));
      if (nearestDouble(q(s1, whole)) * k !== r.figures.messengersMean) naiveWrong++;
    }
    // The defect this guards against: the mean rounded and then multiplied by k is an ulp off in some of these cells.
    assert.ok(naiveWrong > 0);
  });

  it('a ratio and a square root rounded once, as the oracle rounds them, down to the least subnormal', () => {
    let seed = 7;
    const next = (): bigint => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return BigInt(seed);
    };
    for (let i = 0; i < 2000; i++) {
      const n = (next() << BigInt(Number(next() % 64n))) + 1n;
      const d = (next() << BigInt(Number(next() % 64n))) + 1n;
      assert.equal(roundedRatio(n, d), nearestDouble(q(n, d)), `${n}/${d}`);
      assert.equal(roundedSquareRootOfRatio(n, d), nearestSqrt(q(n, d)), `√${n}/${d}`);
      const tiny = d << 1074n;
      assert.equal(roundedRatio(n, tiny), nearestDouble(q(n, tiny)), `${n}/(${d}·2^1074)`);
    }
    assert.equal(roundedRatio(3n, 1n << 1075n), 1e-323); // a tie below the normal range, to even
    assert.equal(roundedRatio(1n, 1n << 1075n), 0);
  });
});
