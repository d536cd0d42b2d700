import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { cell } from './exact-helpers.js';
import { tempFiles } from './helpers.js';

/**
 * The replayed trace's copies delivered from each position, against a count written here from
 * the packets: from 16 copies a message they are counted a byte of the packed fates at a time,
 * with the ends' packets bit by bit and a message that wraps past the trace's end packet by packet.
 */
describe('the replayed trace: copies delivered from every position', () => {
  const packets = (n: number, seed: number): string => {
    const rng = new Xoshiro128(seed, 11, 13, 17);
    return Array.from({ length: n }, () => (rng.nextUint32() % 3 === 0 ? '1' : '0')).join('\n');
  };
  // Past 20,000 packets (a trace is replayed, not made channel states), lengths no multiple of 8, so that the last byte is partly empty.
  const [A, B] = [20_001, 20_011];
  const dir = tempFiles({ 'a.txt': packets(A, 1), 'b.txt': packets(B, 2) });
  const a = Array.from(packets(A, 1).replaceAll('\n', ''), Number);
  const b = Array.from(packets(B, 2).replaceAll('\n', ''), Number);
  const byHand = (lost: number[], position: number, copies: number): number => {
    let delivered = 0;
    for (let c = 0; c < copies; c++) delivered += 1 - lost[(position + c) % lost.length]!;
    return delivered;
  };

  for (const copies of [1, 7, 15, 16, 17, 100, 1000]) {
    it(`at ${copies} copies a message, each direction its own trace`, () => {
      const model = cell('messenger', 'trace', { file: join(dir, 'a.txt'), AtoB: join(dir, 'a.txt'), BtoA: join(dir, 'b.txt'), redundancy: copies, rounds: 1 });
      const replay = model.replay!;
      // Every position at either end (a message there wraps), every third between.
      const checked = (position: number, n: number): boolean => position < 64 || position >= n - copies - 64 || position % 3 === 0;
      for (let position = 0; position < B; position++) {
        if (position < A && checked(position, A)) assert.equal(replay.delivered(position, 0), byHand(a, position, copies), `A to B from ${position}`);
        if (checked(position, B)) assert.equal(replay.delivered(position, 1), byHand(b, position, copies), `B to A from ${position}`);
      }
    });
  }
});
