import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock, runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { stateWithFirstOutput } from './helpers.js';

/**
 * The compiled kernel must be the protocol definition, fast: for any cell it has to produce the
 * tally the generic engine produces from the same stream, draw for draw.
 */
describe('compiled kernel', () => {
  const pick = new Xoshiro128(3, 1, 4, 1);
  const uniform = () => pick.nextUint32() / 2 ** 32;
  const cells: [string, Record<string, number>][] = [
    ['messenger', { loss: 0.5, redundancy: 2, rounds: 1 }],
    ['messenger', { loss: 0, redundancy: 1, rounds: 1 }],
    ['handshake', { loss: 1, redundancy: 3, rounds: 4 }],
    ['handshake', { loss: 0.3, redundancy: 7, rounds: 9 }],
    ['retransmit', { lossAtoB: 0.2, lossBtoA: 0.7, redundancy: 3, rounds: 12 }],
    ['retransmit', { loss: 0.8, redundancy: 1, rounds: 10 }], // late rounds are cold: the walker finishes them
    ['handshake', { loss: 0.9, redundancy: 1, rounds: 6 }],
  ];
  for (let i = 0; i < 25; i++) {
    const protocol = ['messenger', 'handshake', 'retransmit'][i % 3]!;
    cells.push([protocol, { loss: Math.round(uniform() * 100) / 100, redundancy: 1 + Math.floor(uniform() * 6), rounds: 1 + Math.floor(uniform() * 20) }]);
  }

  for (const [protocol, params] of cells) {
    it(`${protocol} ${JSON.stringify(params)} matches the generic engine`, () => {
      const model = buildCellModel({ protocol, channel: 'bernoulli', params });
      for (const block of [0, 1]) {
        const generic = runBlockGeneric(model, blockStream('kernel', protocol, block), 20000);
        assert.deepEqual(runBlock(model, blockState('kernel', protocol, block), 20000), generic, 'shared kernel');
        assert.deepEqual(runBlock(model, blockState('kernel', protocol, block), 20000, true), generic, 'specialized kernel');
      }
    });
  }

  it('resolves a threshold tie with the second word, as the generic sampler does', () => {
    // messenger, one copy, loss 0.3: the message is lost iff the 53-bit uniform m is below
    // T = ⌈0.3 · 2^53⌉. A first word whose high 31 bits equal ⌊T / 2^22⌋ ties; the next word decides.
    const model = buildCellModel({ protocol: 'messenger', channel: 'bernoulli', params: { loss: 0.3, redundancy: 1, rounds: 1 } });
    const threshold = Math.ceil(0.3 * 2 ** 53);
    const high = Math.floor(threshold / 2 ** 22);
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const state = stateWithFirstOutput(high * 2, seed);
      const rng = new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!);
      const [first, second] = [rng.nextUint32(), rng.nextUint32()];
      assert.equal(first >>> 1, high, 'the constructed state ties');
      const lost = high * 2 ** 22 + (second >>> 10) < threshold;
      const compiled = runBlockCompiled(model, state, 1);
      const generic = runBlockGeneric(model, new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!), 1);
      assert.deepEqual(compiled, generic);
      assert.deepEqual(runBlockCompiled(model, state, 1, true), generic);
      assert.deepEqual(runBlock(model, state, 1), generic);
      assert.deepEqual(compiled.outcomes, lost ? [0, 0, 1, 0] : [1, 0, 0, 0]);
      outcomes.add(String(lost));
      // A block long enough for the SIMD lanes (one-draw.ts), which give it up at the tie.
      const long = runBlockGeneric(model, new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!), 20000);
      assert.deepEqual(runBlock(model, state, 20000), long);
      assert.deepEqual(runBlock(model, state, 20000, true), long);
    }
    assert.equal(outcomes.size, 2, 'both sides of the tie were exercised');
  });
});
