import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kernelFor } from '../src/engine/accelerators/kernel.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlock, runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState } from '../src/rng/streams.js';
import { generatorAt, stateOf, stateWithFirstOutput } from './helpers.js';

/**
 * Which engine runs a cell, and the paths of the compiled kernel that the kernel tests' cells do
 * not reach: a threshold tie after a join (where the trial's cost so far is in the kernel's
 * variables, not a constant of its code), two cells whose automata differ but have the same size,
 * and a cell too large to compile. Every engine must give the generic engine's tally, draw for
 * draw (kernel.test); these pin the choice of engine and the paths that choice leads to.
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

  it('a cell too large to compile has no kernel; the trial kernel runs it, as the generic engine would', () => {
    const model = cell('two-phase-commit', { loss: 0.2, redundancy: 1, rounds: 2, participants: 2 });
    assert.equal(kernelFor(model), null);
    assert.equal(kernelFor(model, true), null);
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
