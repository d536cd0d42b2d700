import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baumWelchStep } from '../src/fit/fit.js';

/**
 * Baum–Welch past 4 million runs (docs/mutation.md, ninth round): the forward vectors are then not
 * kept; the backward pass starts each block of 4,096 runs from a checkpoint and recomputes the
 * rest. Its step must be the one the kept vectors give: on a periodic trace the expected counts
 * per period are the same at any length, up to the ends (a few runs in millions).
 */

/** Runs 0, 1, 00, 1, 0, 11: six runs every eight packets, repeated to at least `runs` runs. */
function periodic(runs: number): Uint8Array {
  const pattern = [0, 1, 0, 0, 1, 0, 1, 1];
  const lost = new Uint8Array(Math.ceil(runs / 6) * pattern.length);
  for (let i = 0; i < lost.length; i++) lost[i] = pattern[i % pattern.length]!;
  return lost;
}

describe('Baum–Welch past 4 million runs (checkpoints, the forward pass recomputed)', () => {
  it('takes the same step as on a short trace of the same period, which keeps every forward vector', () => {
    const from = { goodToBad: 0.3, badToGood: 0.4, lossGood: 0.2, lossBad: 0.7 };
    const long = baumWelchStep(periodic(4_000_002), from);
    const short = baumWelchStep(periodic(600_000), from);
    for (const name of ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const) {
      assert.ok(Math.abs(short.next[name] - from[name]) > 0.005, `${name} moves: ${from[name]} → ${short.next[name]}`);
      assert.ok(Math.abs(long.next[name] - short.next[name]) < 1e-6, `${name}: ${long.next[name]} past 4 million runs, ${short.next[name]} on 600,000`);
    }
  });
});
