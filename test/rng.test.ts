import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { jump, jumpPowerOfTwo } from '../src/rng/jump.js';
import { sample, samplingTable } from '../src/rng/sampler.js';
import { blockState } from '../src/rng/streams.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { generatorAt, stateOf } from './helpers.js';

/** A generator that replays given 32-bit words, to drive the sampler through exact cases. */
class Replay {
  private i = 0;
  constructor(private readonly words: readonly number[]) {}
  nextUint32(): number {
    return this.words[this.i++]!;
  }
  get used(): number {
    return this.i;
  }
}

describe('xoshiro128**', () => {
  it('matches the reference implementation from state (1, 2, 3, 4)', () => {
    // Outputs of the authors' C code (prng.di.unimi.it/xoshiro128starstar.c) seeded with s = {1, 2, 3, 4}.
    const rng = new Xoshiro128(1, 2, 3, 4);
    const first = Array.from({ length: 8 }, () => rng.nextUint32());
    assert.deepEqual(first, [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
    for (let i = 0; i < 992; i++) rng.nextUint32();
    assert.equal(rng.nextUint32(), 136054147);
  });

  it('refuses the all-zero state', () => {
    assert.throws(() => new Xoshiro128(0, 0, 0, 0), RangeError);
  });
});

describe('sampler', () => {
  const asRng = (words: number[]) => new Replay(words) as unknown as Xoshiro128;

  it('decides on the first word unless it ties a threshold', () => {
    const table = samplingTable([0.25, 0.75]); // T = 2^51: high part 2^29, compared with word >>> 1
    const rng = new Replay([2 ** 30 - 1]);
    assert.equal(sample(rng as unknown as Xoshiro128, table), 0);
    assert.equal(rng.used, 1);
    assert.equal(sample(asRng([2 ** 30 + 3]), table), 1);
  });

  it('draws the low word only on a tie, and compares all 53 bits exactly', () => {
    const p = 0.05 ** 10; // 9.765625e-14: far below 32-bit resolution
    const table = samplingTable([p, 1 - p]);
    const t = Math.ceil(p * 2 ** 53); // u < p  ⇔  m < t
    const hi = Math.floor(t / 2 ** 22);
    const lo = t % 2 ** 22;
    const below = new Replay([hi * 2, (lo - 1) * 2 ** 10]);
    assert.equal(sample(below as unknown as Xoshiro128, table), 0);
    assert.equal(below.used, 2);
    assert.equal(sample(asRng([hi * 2 + 1, lo * 2 ** 10]), table), 1);
  });

  it('never picks an outcome of probability 0, and always one of probability 1', () => {
    const table = samplingTable([0, 1, 0]);
    for (const word of [0, 1, 2 ** 31, 2 ** 32 - 1]) assert.equal(sample(asRng([word, 0, 2 ** 32 - 1]), table), 1);
  });

  it('has the right frequencies', () => {
    const rng = new Xoshiro128(1, 2, 3, 4);
    const table = samplingTable([0.2, 0.5, 0.3]);
    const counts = [0, 0, 0];
    const n = 300_000;
    for (let i = 0; i < n; i++) counts[sample(rng, table)]!++;
    [0.2, 0.5, 0.3].forEach((p, i) => {
      const z = (counts[i]! - n * p) / Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(z) < 3.5, `outcome ${i}: ${counts[i]}, z=${z}`);
    });
  });
});

describe('block streams', () => {
  /** What every block's stream came from before blockState wrote Tyche-i out: seedrandom's own. */
  const seedrandomState = (seed: string, cellKey: string, block: number): number[] => {
    const mixer = seedrandom.tychei(JSON.stringify([seed, cellKey, block]));
    return [mixer.int32(), mixer.int32(), mixer.int32(), mixer.int32()];
  };

  it("seeds every block as seedrandom's Tyche-i does, for any seed and cell text", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(), (seed, cellKey, block) => {
        assert.deepEqual(Array.from(blockState(seed, cellKey, block)), seedrandomState(seed, cellKey, block));
      }),
      { seed: 2026, numRuns: 2000 },
    );
    assert.deepEqual(
      Array.from(blockState('2026', 'messenger|bernoulli|loss=0.5,redundancy=2', 0)),
      seedrandomState('2026', 'messenger|bernoulli|loss=0.5,redundancy=2', 0),
    );
  });
});

describe('jumping a xoshiro128** stream', () => {
  it('lands where drawing n words one by one lands', () => {
    for (const n of [0, 1, 2, 31, 32, 33, 1000, 8192, 12928, 65535]) {
      const state = blockState('jump', 'cell', n);
      const rng = generatorAt(state);
      for (let i = 0; i < n; i++) rng.nextUint32();
      jump(state, n);
      assert.deepEqual(Array.from(state), stateOf(rng), `n = ${n}`);
    }
  });

  it("jumps 2^64 draws as the authors' reference jump() does", () => {
    // xoshiro128starstar.c (prng.di.unimi.it): the jump polynomial for 2^64 steps, applied by
    // xoring together the states at the polynomial's set bits.
    const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    const rng = new Xoshiro128(1, 2, 3, 4);
    const sum = [0, 0, 0, 0];
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) rng.getState().forEach((w, i) => (sum[i]! ^= w));
        rng.nextUint32();
      }
    }
    const state = Int32Array.of(1, 2, 3, 4);
    jumpPowerOfTwo(state, 64);
    assert.deepEqual(
      Array.from(state),
      sum.map((w) => w | 0),
    );
  });

  it('refuses what it cannot jump', () => {
    assert.throws(() => jump(Int32Array.of(1, 2, 3, 4), -1), RangeError);
    assert.throws(() => jump(Int32Array.of(1, 2, 3, 4), 1.5), RangeError);
  });
});
