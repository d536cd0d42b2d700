import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import { buildAutomaton } from '../src/engine/accelerators/automaton.js';
import { kernelFor } from '../src/engine/accelerators/kernel.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlock, runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState } from '../src/rng/streams.js';
import { generatorAt, protocolOf, stateOf, stateWithFirstOutput } from './helpers.js';

/**
 * Which engine runs a cell, and the paths of the compiled kernel that the kernel tests' cells do
 * not reach: a threshold tie after a join (where the trial's cost so far is in the kernel's
 * variables, not a constant of its code), two cells whose automata differ but have the same size
 * or the same node list written without separators, the delivery classes of sends of more than
 * two outcomes (Gilbert–Elliott), and a cell too large to compile. Every engine must give the
 * generic engine's tally, draw for draw (kernel.test); these pin the choice of engine and the
 * paths that choice leads to.
 */

const cell = (protocol: string, params: Record<string, number>): CellModel => buildCellModel({ protocol, channel: 'bernoulli', params });

/**
 * The xoshiro128** state one step before `s`: the step is invertible (Blackman and Vigna's
 * xoshiro128**, state update s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= s1 << 9; s3 = rotl(s3, 11)),
 * so a state whose j-th draw is a given word is found by undoing j − 1 steps from one whose first is.
 */
function previousState(s: Int32Array): Int32Array {
  const [a1, b1, c2, d2] = [s[0]!, s[1]!, s[2]!, s[3]!];
  const d1 = (d2 >>> 11) | (d2 << 21); // undo rotl 11
  const a = a1 ^ d1;
  const y = b1 ^ c2; // = b ^ (b << 9)
  const b = y ^ (y << 9) ^ (y << 18) ^ (y << 27);
  const d = d1 ^ b;
  const c = c2 ^ a ^ (b << 9);
  return Int32Array.of(a, b, c, d);
}

describe('the compiled kernel: engine choice and its rare paths', () => {
  it('previousState undoes one xoshiro128** step', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const state = blockState('dispatch', 'inverse', seed);
      const rng = generatorAt(previousState(state));
      rng.nextUint32();
      assert.deepEqual(stateOf(rng), Array.from(state));
    }
  });

  it('a tie at any draw of a trial, joins included, is finished as the generic engine draws', () => {
    // Every send has the same threshold (symmetric loss, one copy): a draw whose high 31 bits are
    // its high part ties wherever it falls. It falls on the 1st to 6th draw of the block, so on
    // nodes before and after the automaton's joins.
    const high = Math.floor(Math.ceil(0.3 * 2 ** 53) / 2 ** 22);
    for (const [protocol, rounds] of [
      ['retransmit', 4],
      ['handshake', 5],
    ] as const) {
      const model = cell(protocol, { loss: 0.3, redundancy: 1, rounds });
      for (let seed = 1; seed <= 6; seed++) {
        let state = stateWithFirstOutput(high * 2, seed);
        for (let draw = 1; draw <= 6; draw++) {
          const generic = runBlockGeneric(model, generatorAt(state), 3);
          assert.deepEqual(runBlockCompiled(model, state, 3), generic, `${protocol}, shared kernel, seed ${seed}, tie at draw ${draw}`);
          assert.deepEqual(runBlockCompiled(model, state, 3, true), generic, `${protocol}, specialized kernel, seed ${seed}, tie at draw ${draw}`);
          state = previousState(state);
        }
      }
    }
  });

  it('two cells whose automata have the same size but not the same shape get kernels of their own', () => {
    // handshake R 2 and retransmit R 1 (loss 0.3, one copy): five nodes from root 0, at most two
    // messages, two delivery classes each; the rounds and outcomes at their ends differ.
    const cells = [cell('handshake', { loss: 0.3, redundancy: 1, rounds: 2 }), cell('retransmit', { loss: 0.3, redundancy: 1, rounds: 1 })];
    for (let block = 0; block < 2; block++) {
      for (const model of cells) {
        const stream = blockState('dispatch', 'shapes', block);
        assert.deepEqual(runBlock(model, stream, 5000), runBlockGeneric(model, generatorAt(stream), 5000), `${model.protocol.name}, block ${block}`);
      }
    }
  });

  it('over a Gilbert–Elliott channel every delivery class is counted as the generic engine counts it, after joins too', () => {
    // A send over Gilbert–Elliott has up to four outcomes (lost or received, the direction's next
    // state good or bad), each received one its own delivery class, and the channel's states
    // meet again in joins: the kernel counts those deliveries through its table of classes
    // (three or more outcomes) or its pair of signs (two), on paths whose cost is known only at
    // run time. With lossGood = lossBad = 0 both outcomes of a send are received, so the first
    // outcome delivers too. Shared kernels run on the scalar code (no bit walk, no SIMD lanes).
    const ge = { goodToBad: 0.2, badToGood: 0.4, lossGood: 0.05, lossBad: 0.7 };
    const cells: [string, Record<string, number>][] = [
      ['messenger', { ...ge, redundancy: 2, rounds: 1 }],
      ['handshake', { ...ge, redundancy: 2, rounds: 3 }],
      ['retransmit', { ...ge, redundancy: 2, rounds: 3 }],
      ['handshake', { ...ge, redundancy: 1, rounds: 4 }],
      ['retransmit', { ...ge, redundancy: 1, rounds: 2, lossGood: 0, lossBad: 0 }],
      ['handshake', { ...ge, redundancy: 1, rounds: 3, lossGood: 0, lossBad: 0 }],
    ];
    for (const [protocol, params] of cells) {
      const model = buildCellModel({ protocol, channel: 'gilbert-elliott', params });
      assert.equal(kernelFor(model)?.engine, 'compiled', protocol);
      for (let block = 0; block < 2; block++) {
        const stream = blockState('dispatch', 'gilbert-elliott', block);
        const generic = runBlockGeneric(model, generatorAt(stream), 5000);
        const where = `${protocol} ${JSON.stringify(params)}, block ${block}`;
        // The blocks receive messages of four delivery classes or more, each compared below.
        assert.ok(generic.deliveries.filter((n) => n > 0).length >= 4, `${where}: deliveries ${generic.deliveries}`);
        assert.deepEqual(runBlockCompiled(model, stream, 5000), generic, `${where}, shared kernel`);
        assert.deepEqual(runBlockCompiled(model, stream, 5000, true), generic, `${where}, specialized kernel`);
      }
    }
  });

  it('two automata whose node lists, written without separators, read the same get kernels of their own', () => {
    // A coin of 11 sides leads from the root (node 0) to nodes 1 to 11; node 2 sends a messenger,
    // which in one protocol ends at node 1 (both) when lost and node 11 (neither) when received,
    // and in the other the other way round. The send's successors are 1, 11 and 11, 1: the same
    // digits, so only the key's separators tell the two shapes apart.
    const sides = Float64Array.of(2 ** -2, 2 ** -1, 2 ** -3, 2 ** -4, 2 ** -5, 2 ** -6, 2 ** -7, 2 ** -8, 2 ** -9, 2 ** -10, 2 ** -10);
    const coinThenSend = (name: string, whenLost: number, whenReceived: number) =>
      protocolOf(name, 1, {
        next(state, _config, step) {
          const at = state[0]!;
          if (at === 0) {
            step.kind = CHOOSE;
            step.choices = sides;
          } else if (at === 2) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
          } else {
            step.kind = END;
            step.outcome = at === 1 ? 0 : at === 11 ? 1 : 2;
          }
        },
        resolve(state, _config, step, result) {
          state[0] = step.kind === CHOOSE ? result + 1 : result ? whenReceived : whenLost;
        },
      });
    const cases = [
      { protocol: coinThenSend('kernel-key-lost-both', 1, 11), successors: [1, 11] },
      { protocol: coinThenSend('kernel-key-lost-neither', 11, 1), successors: [11, 1] },
    ];
    const protocols = cases.map((c) => c.protocol);
    for (const protocol of protocols) registerProtocol(protocol);
    try {
      for (const { protocol, successors } of cases) {
        const model = buildCellModel({ protocol: protocol.name, channel: 'bernoulli', params: { loss: 0.3, redundancy: 1 } });
        const send = buildAutomaton(model, 20).nodes[2]!;
        assert.deepEqual(send.kind === 'send' && send.next, successors, `${protocol.name}: the send's successors`);
        const stream = blockState('dispatch', 'keys', 0);
        const tally = runBlockCompiled(model, stream, 5000);
        assert.deepEqual(tally, runBlockGeneric(model, generatorAt(stream), 5000), protocol.name);
        assert.ok(tally.outcomes[0]! > 500 && tally.outcomes[1]! > 500, `${protocol.name}: ${tally.outcomes}`);
      }
    } finally {
      for (const protocol of protocols) unregister(protocol.name);
    }
  });

  it('a cell too large to compile has no kernel; the trial kernel runs it, as the generic engine would', () => {
    const model = cell('two-phase-commit', { loss: 0.2, redundancy: 1, rounds: 2, participants: 2 });
    assert.equal(kernelFor(model), null);
    const stream = blockState('dispatch', 'large', 0);
    assert.deepEqual(runBlock(model, stream, 5000), runBlockGeneric(model, generatorAt(stream), 5000));
  });

  it('the bit walk takes cells whose trials mispredict a quarter of a branch or more, counting every draw, not just the first', () => {
    // handshake loss 0.1: the first draw mispredicts 0.1 of the time, the trial about 0.3 in all.
    assert.equal(kernelFor(cell('handshake', { loss: 0.1, redundancy: 1, rounds: 6 }), true)!.engine, 'bit walk');
    assert.equal(kernelFor(cell('retransmit', { loss: 0.2, redundancy: 1, rounds: 4 }), true)!.engine, 'bit walk');
    // retransmit loss 0.1, R 8: a trial mispredicts less often.
    assert.equal(kernelFor(cell('retransmit', { loss: 0.1, redundancy: 1, rounds: 8 }), true)!.engine, 'compiled');
    for (const [protocol, params] of [
      ['handshake', { loss: 0.1, redundancy: 1, rounds: 6 }],
      ['retransmit', { loss: 0.1, redundancy: 1, rounds: 8 }],
    ] as const) {
      const model = cell(protocol, params);
      const stream = blockState('dispatch', protocol, 1);
      assert.deepEqual(runBlock(model, stream, 8192, true), runBlockGeneric(model, generatorAt(stream), 8192), protocol);
    }
  });
});

describe('a kernel too long for V8 to optimize', () => {
  it('is not compiled: the cell runs on the trial kernel, with the same counts', () => {
    // Retransmission over Gilbert–Elliott at 20 rounds, 2 copies: 264 nodes, a kernel of some
    // 80,000 characters, which ran interpreted for good (390 ns a trial; the trial kernel 60).
    const params = { rounds: 20, redundancy: 2, goodToBad: 0.1, badToGood: 0.4 };
    const model = buildCellModel({ protocol: 'retransmit', channel: 'gilbert-elliott', params });
    assert.ok(buildAutomaton(model, 400).nodes.length <= 400, 'within the automaton limit');
    assert.equal(kernelFor(model, false), null);
    const state = blockState('long kernel', 'cell', 0);
    assert.deepEqual(runBlockCompiled(model, state.slice(), 8192), runBlockGeneric(model, generatorAt(state), 8192));
    // A shorter one of the same protocol and channel is compiled.
    assert.notEqual(kernelFor(buildCellModel({ protocol: 'retransmit', channel: 'gilbert-elliott', params: { ...params, rounds: 6 } }), false), null);
  });
});
