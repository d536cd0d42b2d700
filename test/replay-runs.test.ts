import assert from 'node:assert/strict';
import { join } from 'node:path';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { describe, it } from 'node:test';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { KeyedRuns } from '../src/engine/montecarlo/replay.js';
import { resultOrderFor } from '../src/engine/montecarlo/result-order.js';
import { A_TO_B, B_TO_A, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import { sample, samplingTable } from '../src/rng/sampler.js';
import type { SamplingTable } from '../src/rng/sampler.js';
import { uniformBelow } from '../src/rng/uniform.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { burstyTrace, digits, protocolOf, stateOf, tempFiles } from './helpers.js';
import { coinThenAck } from './rule-protocol.js';

const COIN_30 = Float64Array.of(0.3, 0.7);
const KEY_OF_THREE = Float64Array.of(0.2, 0.3, 0.5);

/** A generator that counts the words it gives. */
class CountingXoshiro128 extends Xoshiro128 {
  words = 0;
  override nextUint32(): number {
    this.words++;
    return super.nextUint32();
  }
}

describe('trace replay: trials counted out of order', () => {
  it('keyed runs count what trial by trial draws, stop at a rejected start, a keyless code or a tied key, and leave the stream there', () => {
    // 6,700,417 divides 2^32 + 1, so uniformBelow rejects a word once in 641 draws; one start in
    // 256 holds code 1, whose trial ends without a key (sample is never called for it).
    const starts = 6_700_417;
    const classes = new Uint32Array(Math.ceil(starts / 32));
    const noisy = new Xoshiro128(5, 6, 7, 8);
    for (let n = 0; n < starts / 256; n++) {
      const start = uniformBelow(noisy, starts);
      classes[start >>> 5]! |= 1 << (start & 31);
    }
    const bit = (start: number) => (classes[start >>> 5]! >>> (start & 31)) & 1;
    const ones = classes.reduce((sum, word) => sum + word.toString(2).replaceAll('0', '').length, 0);
    // The key's second threshold is the key word of the stream's 6th trial: a tie there.
    const words = new Xoshiro128(9, 10, 11, 12);
    for (let w = 0; w < 11; w++) words.nextUint32();
    const tied = words.nextUint32() >>> 1;
    const second = (tied * 2 ** 22 + 5) / 2 ** 53;
    const key: SamplingTable = samplingTable([second / 2, second / 2, 1 - second]);
    assert.equal(key.high[1], tied);
    const table = { classes, logWidth: 0, outcome: Int32Array.of(-1, 0), startsOfCode: Float64Array.of(starts - ones, ones) };
    // On WebAssembly (where there is SIMD) and in JavaScript.
    for (const lanes of [traceLanes(), null]) {
      const runs = KeyedRuns.over(table, [Int32Array.of(0, 1, 1), undefined], [key], starts, lanes);
      assert.ok(runs, 'keyed runs are taken where 255 starts in 256 draw a key alone');

      let rng = new Xoshiro128(9, 10, 11, 12);
      let reference = new CountingXoshiro128(9, 10, 11, 12);
      const stops = { rejected: 0, keyless: 0, tie: 0 };
      for (let run = 0; run < 400; run++) {
        // Trial by trial: a trial is counted while it is a start word and one key word.
        const expected = new Float64Array(6);
        let done = 0;
        for (; done < 128; done++) {
          const before = reference.words;
          const at = stateOf(reference);
          const start = uniformBelow(reference, starts);
          let stop: keyof typeof stops | undefined;
          if (reference.words > before + 1) stop = 'rejected';
          else if (bit(start) === 1) stop = 'keyless';
          else {
            const branch = sample(reference, key);
            if (reference.words > before + 2) stop = 'tie';
            else expected[branch]!++;
          }
          if (stop) {
            stops[stop]++;
            reference = new CountingXoshiro128(at[0]!, at[1]!, at[2]!, at[3]!);
            break;
          }
        }
        const chosen = new Float64Array(6);
        assert.equal(runs.run(rng, chosen, 3, 128), done, `run ${run}`);
        assert.deepEqual(chosen, expected, `run ${run}`);
        rng = runs.rng;
        assert.deepEqual(stateOf(rng), stateOf(reference), `run ${run}: the stream where trial by trial's is`);
        if (done < 128) {
          // The trial that stopped the run, drawn one by one by both.
          for (const g of [rng, reference]) if (bit(uniformBelow(g, starts)) === 0) sample(g, key);
        }
      }
      assert.ok(stops.rejected > 10 && stops.keyless > 10 && stops.tie === 1, JSON.stringify(stops));
    }
  });

  it('keyed runs are taken where as many starts are left to be followed as a start table may leave (1/64), not where many more are', () => {
    // At 0.99 a table near its bound (the randomized protocol at 1 copy over i.i.d. loss: 98.8%
    // of the starts keyed) drew every trial one by one.
    const starts = 1_000_000;
    const classes = new Uint32Array(Math.ceil(starts / 32));
    const key = samplingTable([0.5, 0.5]);
    const over = (keyless: number) =>
      KeyedRuns.over(
        { classes, logWidth: 0, outcome: Int32Array.of(-1, 0), startsOfCode: Float64Array.of(starts - keyless, keyless) },
        [Int32Array.of(0, 1), undefined],
        [key],
        starts,
        null,
      );
    assert.ok(over(Math.ceil(starts / 64)), 'a table that leaves 1/64 of its starts');
    assert.ok(over(0.012 * starts), '98.8% keyed');
    assert.ok(over(0.035 * starts), '96.5% keyed');
    assert.equal(over(0.05 * starts), null, '95% keyed: a break every 20 trials');
  });

  it('counts every block through the start and result orders as trial by trial, from one trial to more than the trace has starts', () => {
    // A trace just past the tables' limit (20,000 packets): replayed. The messenger counts through
    // its start order, retransmit, the handshake and the randomized protocol (its key) through
    // their result order (no start table: the tests below reach it with protocols of their own);
    // then blocks of every size the counting paths divide at: the SIMD lanes (256 steps of
    // eight), more trials than starts.
    const noisy = new Xoshiro128(3, 5, 7, 9);
    const trace = Array.from({ length: 20_050 }, () => (noisy.nextUint32() % 10 < 3 ? '1' : '0')).join('');
    const dir = tempFiles({ 'noisy.txt': trace });
    for (const data of [
      { protocol: 'messenger', redundancy: 1 }, // no table: counted by its start order's groups
      { protocol: 'messenger', redundancy: 2 },
      { protocol: 'retransmit', rounds: 10, redundancy: 2 }, // no table: counted by its result order, past the lanes' thresholds
      { protocol: 'handshake', rounds: 3, redundancy: 2 },
      { protocol: 'randomized', rounds: 5, redundancy: 2 },
      { protocol: 'randomized', rounds: 8, redundancy: 2 }, // more results than a byte numbers, many stopped at the key
    ]) {
      const model = buildCellModel({ protocol: data.protocol, channel: 'trace', params: { ...data, file: join(dir, 'noisy.txt') } });
      runBlock(model, Int32Array.of(1, 2, 3, 4), 10_100);
      // More trials than starts for two of them: the rest's long blocks add time, not paths.
      const long = data.protocol === 'messenger' || data.rounds === 5 ? [20_100] : [];
      for (const trials of [1, 2, 127, 128, 129, 2047, 2048, ...long]) {
        const stream = Int32Array.of(trials, 11, 13, 17);
        const counted = runBlock(model, stream, trials);
        const trialByTrial = runBlockGeneric(model, new Xoshiro128(trials, 11, 13, 17), trials);
        assert.deepEqual(counted, trialByTrial, `${data.protocol}, ${trials} trials`);
      }
    }
  });

  it('counts the blocks before the start table pays (trial by trial through the automaton) as the generic engine does', () => {
    // A fresh cell's blocks whose trials together stay under an eighth of the trace's starts (2,506): no table yet.
    // Only a protocol with a choice it goes on from walks them (a coin whose tails sends an ack):
    // retransmit, the handshake and the randomized protocol count through their result orders.
    const name = 'replay-walked-coin-then-ack';
    registerProtocol(coinThenAck(name, COIN_30));
    try {
      const noisy = new Xoshiro128(3, 5, 7, 9);
      const trace = Array.from({ length: 20_050 }, () => (noisy.nextUint32() % 10 < 3 ? '1' : '0')).join('');
      const dir = tempFiles({ 'noisy.txt': trace });
      for (const data of [
        { protocol: name, rounds: 2, redundancy: 2 },
        { protocol: 'retransmit', rounds: 10, redundancy: 2 },
        { protocol: 'handshake', rounds: 3, redundancy: 2 },
        { protocol: 'randomized', rounds: 5, redundancy: 2 },
      ]) {
        const model = buildCellModel({ protocol: data.protocol, channel: 'trace', params: { ...data, file: join(dir, 'noisy.txt') } });
        assert.equal(resultOrderFor(model) === null, data.protocol === name, `${data.protocol}: walked, or counted through its result order`);
        for (const trials of [1, 100, 2400]) {
          const stream = Int32Array.of(trials, 19, 23, 29);
          const counted = runBlock(model, stream, trials);
          assert.ok(counted.rounds > 0, `${data.protocol}: rounds counted`);
          assert.deepEqual(counted, runBlockGeneric(model, new Xoshiro128(trials, 19, 23, 29), trials), `${data.protocol}, ${trials} trials`);
        }
      }
    } finally {
      unregister(name);
    }
  });

  it('counts through a table of a trace whose starts fill their last escape block, and of more results than a byte numbers', () => {
    // 20,480 starts: a whole number of the escaped starts' blocks (256 each). The handshake over 12
    // rounds with 3 copies ends in 335 results (more than 256: numbered in 16 bits), many of them escaped.
    const noisy = new Xoshiro128(3, 5, 7, 9);
    const trace = Array.from({ length: 20_480 }, () => (noisy.nextUint32() % 10 < 3 ? '1' : '0')).join('');
    const dir = tempFiles({ 'whole-blocks.txt': trace });
    for (const data of [
      { protocol: 'handshake', rounds: 12, redundancy: 3 },
      { protocol: 'retransmit', rounds: 10, redundancy: 2 },
    ]) {
      const model = buildCellModel({ protocol: data.protocol, channel: 'trace', params: { ...data, file: join(dir, 'whole-blocks.txt') } });
      runBlock(model, Int32Array.of(1, 2, 3, 4), 10_240);
      for (const trials of [2048, 40_000]) {
        const stream = Int32Array.of(trials, 31, 37, 41);
        assert.deepEqual(
          runBlock(model, stream, trials),
          runBlockGeneric(model, new Xoshiro128(trials, 31, 37, 41), trials),
          `${data.protocol}, ${trials} trials`,
        );
      }
    }
  });

  it('walks on from a choice of the protocol whose one branch ends and whose other sends again', () => {
    // A sends; where it arrives, B tosses a coin (0.3, 0.7): heads ends (both), tails sends an ack
    // in round 2 (both if it arrives, onlyB if not); lost, the trial ends (onlyA). The table's codes
    // stop at the coin, and a trial goes on from there with the sends the start already made.
    const name = 'replay-coin-then-ack';
    registerProtocol(coinThenAck(name, COIN_30));
    try {
      const noisy = new Xoshiro128(3, 5, 7, 9);
      const trace = Array.from({ length: 20_050 }, () => (noisy.nextUint32() % 10 < 3 ? '1' : '0')).join('');
      const dir = tempFiles({ 'noisy.txt': trace });
      const model = buildCellModel({ protocol: name, channel: 'trace', params: { file: join(dir, 'noisy.txt'), rounds: 2, redundancy: 2 } });
      runBlock(model, Int32Array.of(1, 2, 3, 4), 10_100);
      for (const trials of [1, 2048, 20_100]) {
        const counted = runBlock(model, Int32Array.of(trials, 43, 47, 53), trials);
        assert.deepEqual(counted, runBlockGeneric(model, new Xoshiro128(trials, 43, 47, 53), trials), `${trials} trials`);
        if (trials > 1) assert.ok(counted.outcomes[3]! > 0 && counted.messages[2]! > 0, 'tails sends an ack, sometimes lost');
      }
    } finally {
      unregister(name);
    }
  });

  it('counts through a start table that leaves its rarer results to be followed (escaped starts), as trial by trial', () => {
    // A sends eleven times whatever happens (5 copies each), then tosses a coin whose tails sends
    // once more (B→A): the starts stop at the coin in as many results as their deliveries differ,
    // hundreds over a bursty trace, more than a byte's codes, so the rarest are left over (escaped)
    // and followed from the start when drawn (about 200 of these blocks' trials; at 4 copies none
    // is left over, at 6 too many for a table).
    const name = 'replay-eleven-then-coin';
    registerProtocol(
      protocolOf(name, 5, {
        next(state, _config, step) {
          if (state[0]! < 11) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
          } else if (state[0] === 11) {
            step.kind = CHOOSE;
            step.choices = COIN_30;
          } else if (state[0] === 12 && state[2] === 1) {
            step.kind = SEND;
            step.direction = B_TO_A;
            step.round = 2;
          } else {
            step.kind = END;
            step.outcome = state[1] === 0 ? 2 : state[2] === 0 || state[3] === 1 ? 0 : 3;
          }
        },
        resolve(state, _config, step, result) {
          if (step.kind === CHOOSE) state[2] = result;
          else if (state[0]! < 11) state[1] = state[1]! | result;
          else state[3] = result;
          state[0] = state[0]! + 1;
        },
      }),
    );
    try {
      const dir = tempFiles({ 'escapes.txt': digits(burstyTrace(20_480, 7, 41)) });
      const model = buildCellModel({ protocol: name, channel: 'trace', params: { file: join(dir, 'escapes.txt'), redundancy: 5, rounds: 2 } });
      runBlock(model, Int32Array.of(1, 2, 3, 4), 10_240);
      for (const trials of [1, 2048, 40_000]) {
        const stream = Int32Array.of(trials, 59, 61, 67);
        assert.deepEqual(runBlock(model, stream, trials), runBlockGeneric(model, new Xoshiro128(trials, 59, 61, 67), trials), `${trials} trials`);
      }
    } finally {
      unregister(name);
    }
  });

  it('counts keyed runs through the start table of a cell whose starts mostly stop at a key every branch of which ends, and the rest at a coin that sends again', () => {
    // The randomized protocol draws through its result order (every choice of its ends the
    // trial), so keyed runs serve a protocol with both kinds of choice: A sends; delivered, A draws
    // a key of three (each ends: both, neither, onlyA); lost, A tosses a coin whose tails sends
    // again. Over 2% i.i.d. loss at one copy, 98% of the starts stop at the key: keyed runs (at
    // least 96%). The first block stays under an eighth of the starts (walked); the table comes within the next few.
    const name = 'replay-key-or-coin';
    registerProtocol(
      protocolOf(name, 4, {
        next(state, _config, step) {
          if (state[0] === 0 || (state[0] === 2 && state[1] === 0 && state[2] === 1)) {
            step.kind = SEND;
            step.direction = state[0] === 0 ? A_TO_B : B_TO_A;
            step.round = state[0] === 0 ? 1 : 2;
          } else if (state[0] === 1) {
            step.kind = CHOOSE;
            step.choices = state[1] === 1 ? KEY_OF_THREE : COIN_30;
          } else {
            step.kind = END;
            step.outcome = state[1] === 1 ? [0, 1, 2][state[2]!]! : state[0] === 2 ? 2 : state[3] === 1 ? 0 : 3;
          }
        },
        resolve(state, _config, _step, result) {
          state[1 + state[0]!] = result;
          state[0] = state[0]! + 1;
        },
      }),
    );
    try {
      const noisy = new Xoshiro128(3, 5, 7, 9);
      const trace = Array.from({ length: 20_050 }, () => (noisy.nextUint32() % 100 < 2 ? '1' : '0')).join('');
      assert.ok(trace.split('').filter((fate) => fate === '0').length >= 0.97 * trace.length, 'keyed starts well over 96%');
      const dir = tempFiles({ 'quiet.txt': trace });
      const model = buildCellModel({ protocol: name, channel: 'trace', params: { file: join(dir, 'quiet.txt') } });
      assert.equal(resultOrderFor(model), null, 'a coin that sends again: no result order');
      let resent = 0;
      for (const trials of [2400, 1, 127, 128, 129, 2048, 20_100]) {
        const counted = runBlock(model, Int32Array.of(trials, 59, 61, 67), trials);
        assert.deepEqual(counted, runBlockGeneric(model, new Xoshiro128(trials, 59, 61, 67), trials), `${trials} trials`);
        if (trials > 1)
          assert.ok(
            counted.outcomes.slice(0, 3).every((n) => n > 0),
            `${trials} trials: every value of the key drawn`,
          );
        resent += counted.messages[2] ?? 0;
      }
      assert.ok(resent > 0, 'a lost send, then tails: sent again');
    } finally {
      unregister(name);
    }
  });
});
