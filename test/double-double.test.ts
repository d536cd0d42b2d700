import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DoubleDouble } from '../src/stats/double-double.js';
import { dd, ddAdd, ddDivide, ddMultiply } from '../src/stats/double-double.js';

/**
 * Double-double arithmetic against exact binary rationals: a double is n·2^e for whole n and e,
 * so sums and products of doubles are held exactly as BigInt numerators over a common power of 2.
 */
interface Binary {
  readonly n: bigint;
  readonly e: number;
}

/** The finite double x as n·2^e, exactly. */
function binaryOf(x: number): Binary {
  let v = x;
  let e = 0;
  while (!Number.isInteger(v)) {
    v *= 2;
    e--;
  }
  return { n: BigInt(v), e };
}

function sum(...terms: readonly Binary[]): Binary {
  const e = Math.min(...terms.map((t) => t.e));
  return { n: terms.reduce((s, t) => s + (t.n << BigInt(t.e - e)), 0n), e };
}

const product = (a: Binary, b: Binary): Binary => ({ n: a.n * b.n, e: a.e + b.e });
const negated = (a: Binary): Binary => ({ n: -a.n, e: a.e });
const valueOf = (x: DoubleDouble): Binary => sum(binaryOf(x.hi), binaryOf(x.lo));

function same(a: Binary, b: Binary): boolean {
  return sum(a, negated(b)).n === 0n;
}

/** log2 |a| (a ≠ 0), to a fraction of a bit. */
function log2Of(a: Binary): number {
  const bits = (a.n < 0n ? -a.n : a.n).toString(2);
  return bits.length + a.e + Math.log2(Number.parseInt(bits.slice(0, 40).padEnd(40, '0'), 2) / 2 ** 40);
}

describe('double-double arithmetic (against exact binary rationals)', () => {
  for (const [a, b] of [
    [0.1, 0.3],
    [1 / 3, 3],
    [0.7, 0.45],
    [123456.789, 1e-5],
    [0.95, 0.95],
    [0.05 / 0.5, 0.9999999999999999],
  ] as const) {
    it(`holds ${a} · ${b} exactly, its rounded product as hi`, () => {
      const p = ddMultiply(dd(a), dd(b));
      assert.ok(same(valueOf(p), product(binaryOf(a), binaryOf(b))), `hi ${p.hi}, lo ${p.lo}`);
      assert.equal(p.hi, a * b);
    });
  }

  it('keeps both low parts in a sum whose high parts cancel: (1 + 2^-54) + (−1 + 2^-54·(1 + 2^-52)) is 2^-53 + 2^-106, exactly', () => {
    const x = { hi: 1, lo: 2 ** -54 };
    const y = { hi: -1, lo: 2 ** -54 * (1 + 2 ** -52) };
    const s = ddAdd(x, y);
    assert.deepEqual(s, { hi: 2 ** -53, lo: 2 ** -106 });
    assert.ok(same(valueOf(s), sum(valueOf(x), valueOf(y))));
  });

  it('adds two doubles exactly where the sum fits: 0.1 + 0.2 as hi 0.30000000000000004 and its error', () => {
    const s = ddAdd(dd(0.1), dd(0.2));
    assert.equal(s.hi, 0.1 + 0.2);
    assert.ok(same(valueOf(s), sum(binaryOf(0.1), binaryOf(0.2))), `lo ${s.lo}`);
  });

  for (const [x, y] of [
    [
      { hi: 0.35975242422882114, lo: 6.092699494256033e-18 },
      { hi: 0.06972872329397535, lo: -5.125766572981742e-18 },
    ],
    [ddAdd(dd(1), dd(1e-17)), ddAdd(dd(3), dd(-1e-16))],
  ] as const) {
    it(`divides ${x.hi} + ${x.lo} by ${y.hi} + ${y.lo} to within 2^-105 of the dividend (three quotient digits)`, () => {
      const q = ddDivide(x, y);
      const error = sum(valueOf(x), negated(product(valueOf(y), valueOf(q))));
      assert.ok(error.n === 0n || log2Of(error) - log2Of(valueOf(x)) < -105, `x − y·q is 2^${(log2Of(error) - log2Of(valueOf(x))).toFixed(1)} of x`);
    });
  }
});
