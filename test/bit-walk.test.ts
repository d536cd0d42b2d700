import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAutomaton } from '../src/engine/accelerators/automaton.js';
import { bitWalkFor } from '../src/engine/accelerators/bit-walk.js';
import { kernelFor } from '../src/engine/accelerators/kernel.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { samplingTable } from '../src/rng/sampler.js';
import { blockState } from '../src/rng/streams.js';
import { addTally } from '../src/engine/tally.js';
import { generatorAt, stateOf, stateWithFirstOutput } from './helpers.js';

const cell = (protocol: string, params: Record<string, number>) => buildCellModel({ protocol, channel: 'bernoulli', params });

/** The bit walk of a cell on its own, with scratch accumulators, or null where it does not apply. */
function walkOf(protocol: string, params: Record<string, number>) {
  const model = cell(protocol, params);
  const automaton = buildAutomaton(model, 400);
  const highOf = (id: number): number => Math.min(samplingTable((automaton.nodes[id] as { probabilities: Float64Array }).probabilities).high[0]!, 2 ** 31 - 1);
  const scratch = { E: new Float64Array(model.outcomes.names.length * (automaton.maxMessages + 1)), DV: new Float64Array(3), sums: new Float64Array(7) };
  return bitWalkFor(automaton, model.deliveryValues.length, highOf, scratch);
}

describe('bit walk', () => {
  // Cells whose trials mispredict often: the specialized kernel runs them on the bit walk.
  const walked: [string, Record<string, number>][] = [
    ['retransmit', { loss: 0.3, redundancy: 1, rounds: 16 }], // the W2 workload
    ['retransmit', { loss: 0.6, redundancy: 2, rounds: 9 }],
    ['handshake', { loss: 0.5, redundancy: 1, rounds: 7 }],
    ['handshake', { loss: 0.8, redundancy: 3, rounds: 30 }],
  ];

  for (const [protocol, params] of walked) {
    it(`${protocol} ${JSON.stringify(params)}: the same tallies and end state as the generic engine`, () => {
      const model = cell(protocol, params);
      const kernel = kernelFor(model, true)!;
      assert.equal(kernel.engine, 'bit walk');
      for (const [block, trials] of [
        [0, 65536],
        [1, 57600],
        [2, 4096],
        [3, 4095],
        [4, 40001],
      ] as const) {
        const stream = blockState('walk', protocol, block);
        const rng = generatorAt(stream);
        const generic = runBlockGeneric(model, rng, trials);
        assert.deepEqual(kernel.run(stream, trials), generic, `block ${block}, ${trials} trials`);
        assert.deepEqual(Array.from(stream), stateOf(rng), 'the stream ends where the generic engine leaves it');
      }
    });
  }

  for (const [protocol, params] of walked) {
    it(`${protocol} ${JSON.stringify(params)}: two blocks walked at once tally as the generic engine runs them one by one`, () => {
      const model = cell(protocol, params);
      const runPair = kernelFor(model, true)!.runPair!;
      for (const [a, b] of [
        [65536, 65536],
        [57600, 4096],
        [4096, 40001],
        [4095, 65536],
      ] as const) {
        const streams = [blockState('pair', protocol, 2 * a), blockState('pair', protocol, 2 * b + 1)];
        const generic = addTally(runBlockGeneric(model, generatorAt(streams[0]!), a), runBlockGeneric(model, generatorAt(streams[1]!), b));
        assert.deepEqual(runPair(streams[0]!, a, streams[1]!, b), generic, `${a} and ${b} trials`);
      }
    });
  }

  it('walks the other block of a pair on when one meets a tie, and runs the tied one one trial at a time', () => {
    const model = cell('retransmit', { loss: 0.3, redundancy: 1, rounds: 16 });
    const runPair = kernelFor(model, true)!.runPair!;
    const high = Math.floor(Math.ceil(0.3 * 2 ** 53) / 2 ** 22);
    for (let seed = 1; seed <= 2; seed++) {
      const tied = stateWithFirstOutput(high * 2, seed);
      const other = blockState('pair', 'tie', seed);
      const generic = (first: Int32Array, second: Int32Array) =>
        addTally(runBlockGeneric(model, generatorAt(first), 20000), runBlockGeneric(model, generatorAt(second), 30000));
      assert.deepEqual(runPair(tied.slice(), 20000, other.slice(), 30000), generic(tied, other), 'the first tied');
      assert.deepEqual(runPair(other.slice(), 20000, tied.slice(), 30000), generic(other, tied), 'the second tied');
    }
  });

  it('gives a block up, stream untouched, at a draw that ties the threshold; the kernel then runs it one trial at a time', () => {
    const model = cell('retransmit', { loss: 0.3, redundancy: 1, rounds: 16 });
    const high = Math.floor(Math.ceil(0.3 * 2 ** 53) / 2 ** 22);
    const walk = walkOf('retransmit', { loss: 0.3, redundancy: 1, rounds: 16 })!;
    for (let seed = 1; seed <= 4; seed++) {
      const state = stateWithFirstOutput(high * 2, seed);
      const before = Array.from(state);
      assert.equal(walk.run(state, 20000), false);
      assert.deepEqual(Array.from(state), before);
      const generic = runBlockGeneric(model, generatorAt(state), 20000);
      assert.deepEqual(kernelFor(model, true)!.run(state.slice(), 20000), generic);
    }
  });

  it('applies only where every draw compares against one threshold, with two outcomes each', () => {
    assert.notEqual(walkOf('retransmit', { loss: 0.3, redundancy: 1, rounds: 16 }), null);
    assert.equal(walkOf('retransmit', { lossAtoB: 0.3, lossBtoA: 0.5, redundancy: 1, rounds: 16 }), null, 'two thresholds');
    assert.equal(walkOf('handshake', { loss: 0, redundancy: 1, rounds: 4 }), null, 'nothing drawn');
  });

  it('is left to the compiled kernel where branches are predictable or the cell is small', () => {
    assert.equal(kernelFor(cell('handshake', { loss: 0.05, redundancy: 2, rounds: 4 }), true)!.engine, 'compiled');
    assert.equal(kernelFor(cell('handshake', { loss: 0.3, redundancy: 1, rounds: 6 }), false)!.engine, 'compiled');
    assert.equal(kernelFor(cell('messenger', { loss: 0.5, redundancy: 2, rounds: 1 }), true)!.engine, 'one-draw lanes');
  });

  it('walks the first cells of a large shape in a thread, small or not, then leaves its later cells to the shared kernel', () => {
    // Retransmission over 19 rounds: 95 nodes, a shape no other test here builds; every loss the same shape.
    const models = Array.from({ length: 10 }, (_, i) => cell('retransmit', { loss: 0.3 + i / 100, redundancy: 1, rounds: 19 }));
    assert.deepEqual(
      models.map((model) => kernelFor(model, false)!.engine),
      [...Array(8).fill('bit walk'), 'compiled', 'compiled'],
    );
    // The same counts whichever runs a cell.
    const state = blockState('7', 'large', 0);
    for (const model of [models[0]!, models[9]!])
      assert.deepEqual(kernelFor(model, false)!.run(state.slice(), 20000), runBlockGeneric(model, generatorAt(state), 20000));
  });
});
