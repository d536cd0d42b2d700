import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Automaton, AutomatonNode } from '../src/engine/accelerators/automaton.js';
import { buildAutomaton } from '../src/engine/accelerators/automaton.js';
import { bitWalkFor } from '../src/engine/accelerators/bit-walk.js';
import { kernelFor } from '../src/engine/accelerators/kernel.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { samplingTable } from '../src/rng/sampler.js';
import { blockState } from '../src/rng/streams.js';
import { generatorAt, stateOf } from './helpers.js';

/**
 * Where the bit walk applies and where it must give a block back (bit-walk.ts). The bit-walk
 * tests compare tallies, which the scalar kernel gives the same whenever the walk declines: these
 * pin that the walk runs where it should, and declines where its table's fields or its memory
 * cannot hold the cell (automata written by hand, past each limit and at it).
 */

const scratch = (ends = 8) => ({ E: new Float64Array(ends), DV: new Float64Array(3), sums: new Float64Array(7) });
const sameHigh = () => 123_456_789;

/** A send of two outcomes: lost (class −1) to `lost`, delivered (class 0) to `delivered`. */
const send = (round: number, lost: number, delivered: number): AutomatonNode => ({
  kind: 'send',
  round,
  probabilities: Float64Array.of(0.5, 0.5),
  deliveryClass: Int32Array.of(-1, 0),
  next: [lost, delivered],
});
/** A send with one outcome (a lossless channel): no draw. */
const sure = (round: number, next: number): AutomatonNode => ({
  kind: 'send',
  round,
  probabilities: Float64Array.of(1),
  deliveryClass: Int32Array.of(0),
  next: [next],
});
const end: AutomatonNode = { kind: 'end', outcome: 0 };

/** `draws` two-outcome sends in a chain (each leads on or ends), the last leading to the end either way. */
function chain(draws: number, round = 1): Automaton {
  const nodes: AutomatonNode[] = [end];
  for (let i = 0; i < draws; i++) nodes.push(send(round, 0, i + 1 < draws ? i + 2 : 0));
  return { nodes, root: 1, maxMessages: draws };
}

/** A draw whose outcomes both go through `sends` lossless sends and then `after`. */
function drawThenSure(sends: number, after: (at: number) => AutomatonNode[]): Automaton {
  const nodes: AutomatonNode[] = [send(1, 1, 1)];
  for (let i = 0; i < sends; i++) nodes.push(sure(1, nodes.length + 1));
  nodes.push(...after(nodes.length));
  return { nodes, root: 0, maxMessages: 64 };
}

describe('the bit walk: where it applies', () => {
  it('takes 256 draw nodes and refuses 257', () => {
    assert.notEqual(bitWalkFor(chain(256), 1, sameHigh, scratch()), null);
    assert.equal(bitWalkFor(chain(257), 1, sameHigh, scratch()), null);
  });

  it('takes two delivery classes and refuses three; takes ENDS_SIZE (1,024) ends and refuses more', () => {
    assert.notEqual(bitWalkFor(chain(3), 2, sameHigh, scratch()), null);
    assert.equal(bitWalkFor(chain(3), 3, sameHigh, scratch()), null);
    assert.notEqual(bitWalkFor(chain(3), 1, sameHigh, scratch(1024)), null);
    assert.equal(bitWalkFor(chain(3), 1, sameHigh, scratch(1025)), null);
  });

  it('refuses a node of three outcomes, even at one threshold', () => {
    const three: AutomatonNode = { kind: 'choose', probabilities: Float64Array.of(0.25, 0.25, 0.5), next: [1, 1, 1] };
    assert.equal(
      bitWalkFor(
        {
          nodes: [
            three,
            ...chain(2)
              .nodes.slice(1)
              .map((n) => n),
          ],
          root: 0,
          maxMessages: 2,
        },
        1,
        sameHigh,
        scratch(),
      ),
      null,
    );
  });

  it('takes a round of 510 and refuses 511 (the entry’s 9-bit round field)', () => {
    assert.notEqual(bitWalkFor(chain(2, 510), 1, sameHigh, scratch()), null);
    assert.equal(bitWalkFor(chain(2, 511), 1, sameHigh, scratch()), null);
  });

  it('takes 31 messages in one step and refuses 32 (the entry’s 5-bit message field)', () => {
    const endAfter = () => [end];
    assert.notEqual(bitWalkFor(drawThenSure(30, endAfter), 1, sameHigh, scratch()), null, 'the draw and 30 sure sends: 31');
    assert.equal(bitWalkFor(drawThenSure(31, endAfter), 1, sameHigh, scratch()), null, 'the draw and 31 sure sends: 32');
  });

  it('takes 31 messages over a window and refuses 32', () => {
    // Step one: the draw and 30 sure sends (31 messages); step two: a coin that sends nothing (31 in the window) ...
    const coin = (at: number): AutomatonNode[] => [{ kind: 'choose', probabilities: Float64Array.of(0.5, 0.5), next: [at + 1, at + 1] }, end];
    assert.notEqual(bitWalkFor(drawThenSure(30, coin), 1, sameHigh, scratch()), null);
    // ... or a second draw that sends one more (32 in a window of two outcomes).
    const again = (at: number): AutomatonNode[] => [send(2, at + 1, at + 1), end];
    assert.equal(bitWalkFor(drawThenSure(30, again), 1, sameHigh, scratch()), null);
  });
});

describe('the bit walk: what a trial delivers before the walk starts', () => {
  it('counts a class-1 copy delivered by a sure send before the first draw once per trial', () => {
    // A sure send delivering class 1 (B→A lossless, say), then a draw of class 0 (A→B lossy), then the end.
    const opening: AutomatonNode = { kind: 'send', round: 1, probabilities: Float64Array.of(1), deliveryClass: Int32Array.of(1), next: [2] };
    const automaton: Automaton = { nodes: [end, opening, send(1, 0, 0)], root: 1, maxMessages: 2 };
    const accumulators = scratch();
    const walk = bitWalkFor(automaton, 2, sameHigh, accumulators)!;
    assert.equal(walk.run(blockState('guards', 'opening', 1), 4096), true);
    assert.equal(accumulators.DV[1], 4096);
    assert.ok(accumulators.DV[0]! > 0 && accumulators.DV[0]! < 4096, `class 0: ${accumulators.DV[0]}`);
  });
});

describe('the bit walk: it runs the blocks it takes, and gives back the ones it cannot hold', () => {
  const model = buildCellModel({ protocol: 'retransmit', channel: 'bernoulli', params: { loss: 0.3, redundancy: 1, rounds: 16 } });
  const automaton = buildAutomaton(model, 400);
  const highOf = (id: number): number => Math.min(samplingTable((automaton.nodes[id] as { probabilities: Float64Array }).probabilities).high[0]!, 2 ** 31 - 1);
  const walk = bitWalkFor(automaton, model.deliveryValues.length, highOf, {
    E: new Float64Array(model.outcomes.names.length * (automaton.maxMessages + 1)),
    DV: new Float64Array(3),
    sums: new Float64Array(7),
  })!;

  it('walks a block of up to 65,536 trials itself (run is true) and refuses 65,537, stream untouched', () => {
    for (const trials of [4096, 65_536]) {
      const stream = blockState('guards', 'walked', trials);
      assert.equal(walk.run(stream, trials), true, `${trials} trials`);
    }
    const stream = blockState('guards', 'too many', 1);
    const before = Array.from(stream);
    assert.equal(walk.run(stream, 65_537), false);
    assert.deepEqual(Array.from(stream), before);
    const [a, b] = [blockState('guards', 'a', 1), blockState('guards', 'b', 1)];
    assert.equal(walk.runPair(a, 4096, b, 65_536), 0, 'both walked');
    assert.equal(walk.runPair(a, 4096, b, 65_537), 3, 'the second too large: both given back');
    assert.equal(walk.runPair(a, 65_537, b, 4096), 3, 'the first too large: both given back');
  });

  it('randomized R 2, loss 0.5: its key, a fair coin, is a draw at the loss’s threshold that sends nothing; the same tallies as the generic engine', () => {
    const cell = buildCellModel({ protocol: 'randomized', channel: 'bernoulli', params: { loss: 0.5, redundancy: 1, rounds: 2 } });
    const kernel = kernelFor(cell, true)!;
    assert.equal(kernel.engine, 'bit walk');
    for (const trials of [4096, 20_001]) {
      const stream = blockState('guards', 'randomized', trials);
      const rng = generatorAt(stream);
      assert.deepEqual(kernel.run(stream, trials), runBlockGeneric(cell, rng, trials), `${trials} trials`);
    }
  });

  it('cells walked one after another on one thread keep their own counts (a smaller cell after a larger one)', () => {
    const cells = [
      buildCellModel({ protocol: 'retransmit', channel: 'bernoulli', params: { loss: 0.3, redundancy: 1, rounds: 16 } }),
      buildCellModel({ protocol: 'handshake', channel: 'bernoulli', params: { loss: 0.5, redundancy: 1, rounds: 2 } }),
      buildCellModel({ protocol: 'retransmit', channel: 'bernoulli', params: { loss: 0.5, redundancy: 1, rounds: 2 } }),
    ];
    for (const [i, cell] of cells.entries()) {
      const kernel = kernelFor(cell, true)!;
      assert.equal(kernel.engine, 'bit walk');
      const stream = blockState('guards', 'one after another', i);
      const generic = runBlockGeneric(cell, generatorAt(stream), 20_000);
      assert.deepEqual(kernel.run(stream, 20_000), generic, `cell ${i}`);
    }
  });

  // Lossless in one direction: those sends draw nothing, and a lossless first send delivers before the walk's start.
  for (const params of [
    { lossAtoB: 0, lossBtoA: 0.3, redundancy: 1, rounds: 8 },
    { lossAtoB: 0.3, lossBtoA: 0, redundancy: 1, rounds: 8 },
  ]) {
    for (const protocol of ['handshake', 'retransmit']) {
      it(`${protocol} ${JSON.stringify(params)}: walked past the sends that draw nothing, the same tallies as the generic engine`, () => {
        const cell = buildCellModel({ protocol, channel: 'bernoulli', params });
        const kernel = kernelFor(cell, true)!;
        assert.equal(kernel.engine, 'bit walk');
        for (const trials of [4096, 20_001]) {
          const stream = blockState('guards', protocol, trials);
          const rng = generatorAt(stream);
          assert.deepEqual(kernel.run(stream, trials), runBlockGeneric(cell, rng, trials), `${trials} trials`);
          assert.deepEqual(Array.from(stream), stateOf(rng));
        }
      });
    }
  }
});
