import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { A_TO_B, B_TO_A, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel, CellSpec } from '../src/engine/model.js';
import { TrialNeverEnds, runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { MemoAutomaton } from '../src/engine/montecarlo/memo-automaton.js';
import { trialKernelFor, trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { generatorAt, protocolOf, ROOT, stateWithFirstOutput } from './helpers.js';

/**
 * The memo automaton (memo-automaton.ts) replaces the protocol's calls by table lookups where
 * it can: the tallies must be the generic engine's, draw for draw, whatever it keeps — a full
 * automaton, one capped mid-block, none.
 */

/** The tally of the trial kernel walking a fresh automaton of `bytes`, and that automaton. */
function walked(model: CellModel, label: string, trials: number, bytes?: number) {
  const memo = new MemoAutomaton(model, bytes);
  const tally = trialKernelWith(model, memo)(blockState('memo', label, 0), trials);
  return { tally, memo };
}

function generic(model: CellModel, label: string, trials: number) {
  return runBlockGeneric(model, blockStream('memo', label, 0), trials);
}

/** One CHOOSE of `choices`, then END with the choice as the outcome. */
function chooser(name: string, choices: Float64Array): ProtocolDefinition<null> {
  return protocolOf(name, 2, {
    next(state, _config, step) {
      if (state[0] === 0) {
        step.kind = CHOOSE;
        step.choices = choices;
      } else {
        step.kind = END;
        step.outcome = state[1]!;
      }
    },
    resolve(state, _config, _step, result) {
      state[1] = Math.max(state[1]!, result);
      state[0] = 1;
    },
  });
}

/**
 * One run of two peers that each choose (`choices`), then reply: positions 2i (peer i chooses)
 * and 2i + 1 (its reply); the outcome is the sum of the choices, at most 3.
 */
function choosingRun(name: string, choices: Float64Array): ProtocolDefinition<null> {
  return {
    ...chooser(name, choices),
    stateSize: () => 3,
    next(state, _config, step) {
      const clock = state[0]!;
      if (clock >= 4) {
        step.kind = END;
        step.outcome = Math.min(3, state[1]! + state[2]!);
        return;
      }
      const peer = clock >> 1;
      const rest = clock === 0 || clock === 1 ? 3 : 1;
      step.kind = (clock & 1) === 0 ? CHOOSE : SEND;
      step.direction = B_TO_A;
      step.round = 1;
      step.choices = choices;
      step.peer = peer;
      step.peers = rest;
      step.choosers = (clock & 1) === 0 ? rest : rest & 2;
    },
    resolve(state, _config, step, result) {
      if (step.kind === CHOOSE) state[1 + step.peer] = result;
      state[0] = 2 * step.peer + (step.kind === CHOOSE ? 1 : 2);
    },
  };
}

/** Twenty sends whose results the state spells out: 2^20 states at the end, a new one in almost every trial. */
const paths: ProtocolDefinition<null> = {
  ...chooser('memo-paths', Float64Array.of(1)),
  next(state, _config, step) {
    if (state[0] === 20) {
      step.kind = END;
      step.outcome = state[1]! & 1;
      return;
    }
    step.kind = SEND;
    step.direction = A_TO_B;
    step.round = 1;
  },
  resolve(state, _config, _step, result) {
    state[1] = 2 * state[1]! + result;
    state[0]!++;
  },
};

function withProtocol(protocol: ProtocolDefinition<null>, body: (model: CellModel) => void): void {
  registerProtocol(protocol);
  try {
    body(buildCellModel({ protocol: protocol.name, channel: 'bernoulli', params: { loss: 0.3, redundancy: 1 } }));
  } finally {
    unregister(protocol.name);
  }
}

describe('memo automaton', () => {
  it('two-phase commit as a protocol file (whose next writes the clock) and three-phase commit: the generic tally, with room and capped mid-block', async () => {
    const files = [
      { file: join(ROOT, 'bench', 'two-phase-commit.mjs'), params: { cohorts: 6, noVoteRate: 0.1, loss: 0.2, redundancy: 1, phaseRounds: 3 } },
      { file: join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'), params: { cohorts: 4, noVoteRate: 0.1, loss: 0.2, redundancy: 2 } },
    ];
    for (const { file, params } of files) {
      const { name } = await loadProtocolFile(file, 'test');
      // both name a parameter cohorts: one registered at a time
      const model = buildCellModel({ protocol: name, channel: 'bernoulli', params });
      unregister(name);
      const expected = generic(model, name, 1000);
      const roomy = walked(model, name, 1000);
      assert.deepEqual(roomy.tally, expected, `${name}, room to spare`);
      assert.ok(roomy.memo.nodes > 50 && roomy.memo.transitions > roomy.memo.nodes, `${name}: ${roomy.memo.nodes} nodes kept`);
      // room for a few dozen nodes: full within the first trials, the rest of each trial live
      const capped = walked(model, name, 1000, 12_000);
      assert.deepEqual(capped.tally, expected, `${name}, capped`);
      assert.ok(capped.memo.full && capped.memo.nodes < roomy.memo.nodes, `${name}: ${capped.memo.nodes} nodes when capped`);
    }
  });

  it('over a channel with memory (its state changes between a run’s parts) and on the built-in protocols', () => {
    const cells: CellSpec[] = [
      {
        protocol: 'two-phase-commit',
        channel: 'gilbert-elliott',
        params: { participants: 5, abortRate: 0.1, rounds: 3, redundancy: 1, goodToBad: 0.2, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 },
      },
      { protocol: 'retransmit', channel: 'gilbert-elliott', params: { goodToBad: 0.2, badToGood: 0.3, redundancy: 3, rounds: 9 } },
      { protocol: 'two-phase-commit', channel: 'bernoulli', params: { participants: 33, abortRate: 0.01, loss: 0.2, redundancy: 1, rounds: 2 } },
    ];
    for (const spec of cells) {
      const model = buildCellModel(spec);
      assert.deepEqual(walked(model, spec.protocol, 600).tally, generic(model, spec.protocol, 600), `${spec.protocol} over ${spec.channel}`);
    }
  });

  it('a choice of three outcomes, its ties decided by the next word; runs of choosers without resolveRun, of two outcomes (kept) and three (taken live)', () => {
    const three = Float64Array.of(0.3, 0.3, 0.4);
    withProtocol(chooser('memo-three', three), (model) => {
      assert.deepEqual(walked(model, 'three', 2000).tally, generic(model, 'three', 2000));
      // the first draw ties the second threshold's high part: both sides of the tie, as the generic sampler
      const high = Math.floor(Math.ceil(0.6 * 2 ** 53) / 2 ** 22);
      const outcomes = new Set<number>();
      for (let seed = 1; seed <= 12; seed++) {
        const state = stateWithFirstOutput(high * 2, seed);
        const expected = runBlockGeneric(model, generatorAt(state), 1);
        outcomes.add(expected.outcomes.indexOf(1));
        assert.deepEqual(trialKernelWith(model, new MemoAutomaton(model))(state, 1), expected);
      }
      assert.deepEqual([...outcomes].sort(), [1, 2], 'both sides of the tie were drawn');
    });
    // two outcomes: the run is kept, resolved part by part from its masks (this protocol has no resolveRun)
    withProtocol(choosingRun('memo-two-run', Float64Array.of(0.3, 0.7)), (model) => {
      const { tally, memo } = walked(model, 'two-run', 2000);
      assert.deepEqual(tally, generic(model, 'two-run', 2000));
      assert.ok(memo.transitions > 4, `${memo.transitions} transitions kept`);
    });
    withProtocol(choosingRun('memo-three-run', three), (model) => {
      const { tally, memo } = walked(model, 'three-run', 2000);
      assert.deepEqual(tally, generic(model, 'three-run', 2000));
      assert.equal(memo.transitions, 0, 'a run of three-way choices is not kept');
    });
  });

  it('one choices array refilled with other probabilities from state to state (a slip in a cell the check did not explore): every walk refuses it, as the generic engine does, and draws nothing from it', () => {
    // Six choices; the probability of a 0 is 0.9 after a 1, else 0.3, written into one array.
    const choices = new Float64Array(2);
    const refilled = protocolOf('memo-refilled', 2, {
      next(state, _config, step) {
        if (state[0] === 6) {
          step.kind = END;
          step.outcome = state[1]! & 3;
          return;
        }
        step.kind = CHOOSE;
        choices[0] = (state[1]! & 1) === 1 ? 0.9 : 0.3;
        choices[1] = 1 - choices[0];
        step.choices = choices;
      },
      resolve(state, _config, _step, result) {
        state[1] = 2 * state[1]! + result;
        state[0]!++;
      },
    });
    // (an engine that keeps a state's step, or expands states out of a trial's order, would read another time's probabilities)
    const refusedRefill =
      /protocol memo-refilled(-runs)?: next gave step\.choices an array it had given before with other probabilities \(\[0\.[0-9]+, 0\.[0-9]+\] then, \[0\.[0-9]+, 0\.[0-9]+\] now\)/;
    withProtocol(refilled, (model) => {
      assert.throws(() => generic(model, 'refilled', 3000), refusedRefill, 'the generic engine');
      assert.throws(() => walked(model, 'refilled', 3000), refusedRefill, 'the memo automaton');
      assert.throws(() => trialKernelWith(model, null)(blockState('memo', 'refilled', 0), 3000), refusedRefill, 'the live walk');
    });
    // The same in announced runs: four runs of two choosing peers, the array refilled between runs (by the last choice of the one before).
    const inRuns = protocolOf('memo-refilled-runs', 3, {
      next(state, _config, step) {
        const run = state[0]! >> 2;
        if (run === 4) {
          step.kind = END;
          step.outcome = state[1]! & 3;
          return;
        }
        const part = state[0]! & 3;
        const rest = part < 2 ? 3 : 1;
        step.kind = (part & 1) === 0 ? CHOOSE : SEND;
        step.direction = B_TO_A;
        step.round = 1;
        choices[0] = state[2] === 1 ? 0.9 : 0.2;
        choices[1] = 1 - choices[0];
        step.choices = choices;
        step.peer = part >> 1;
        step.peers = rest;
        step.choosers = (part & 1) === 0 ? rest : rest & 2;
      },
      resolve(state, _config, step, result) {
        if (step.kind === CHOOSE) state[1] = (2 * state[1]! + result) & 0xffff;
        const part = 2 * step.peer + (step.kind === CHOOSE ? 0 : 1);
        if (part < 3) state[0] = (state[0]! & ~3) + part + 1;
        else {
          state[0] = ((state[0]! >> 2) + 1) << 2;
          state[2] = state[1]! & 1;
        }
      },
    });
    withProtocol(inRuns, (model) => {
      assert.throws(() => generic(model, 'refilled-runs', 3000), refusedRefill, 'the generic engine, runs');
      assert.throws(() => walked(model, 'refilled-runs', 3000), refusedRefill, 'the memo automaton, runs');
      assert.throws(() => trialKernelWith(model, null)(blockState('memo', 'refilled-runs', 0), 3000), refusedRefill, 'the live walk, runs');
    });
  });

  it('refuses a slip at the same trial as the generic engine, a malformed run, and a trial that never ends', () => {
    // END without an outcome, in the state that only a trial whose coin came out 2 reaches
    const slip = chooser('memo-slip', Float64Array.of(0.45, 0.45, 0.1));
    withProtocol({ ...slip, next: (state, config, step) => (state[1] === 2 ? void (step.kind = END) : slip.next(state, config, step)) }, (model) => {
      const message = /protocol memo-slip: the trial ended \(END\) without an outcome/;
      let first = 1;
      while (!throws(() => generic(model, 'slip', first))) first++;
      assert.throws(() => walked(model, 'slip', first), message);
      assert.throws(() => generic(model, 'slip', first), message);
      // the trials before the slip count alike
      assert.deepEqual(walked(model, 'slip', first - 1).tally, generic(model, 'slip', first - 1));
    });
    // a run announced without its first peer, in the state a coin of 2 leads to
    const badRun = chooser('memo-bad-run', Float64Array.of(0.45, 0.45, 0.1));
    const badNext: ProtocolDefinition<null>['next'] = (state, config, step) => {
      if (state[1] !== 2) return badRun.next(state, config, step);
      step.kind = SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.peer = 0;
      step.peers = 2;
    };
    withProtocol({ ...badRun, next: badNext }, (model) => {
      const message = /protocol memo-bad-run: step.peers is 2, without bit 0/;
      assert.throws(() => generic(model, 'bad-run', 200), message);
      assert.throws(() => walked(model, 'bad-run', 200), message);
    });
    // a state the protocol never leaves: the automaton's one node, walked until the step limit
    const endless = chooser('memo-endless', Float64Array.of(0.5, 0.5));
    withProtocol({ ...endless, resolve: () => {} }, (model) => {
      assert.throws(
        () => walked(model, 'endless', 1),
        (e: unknown) => e instanceof TrialNeverEnds && /^protocol memo-endless: a trial did not end after 10,000,000 steps \(state \[0, 0\]/.test(e.message),
      );
    });
  });

  it('keeps nothing for a protocol whose init leaves part of the state as it was, and still equals the generic engine', () => {
    const sticky = chooser('memo-sticky', Float64Array.of(0.5, 0.5));
    withProtocol({ ...sticky, init: (state) => void (state[0] = 0) }, (model) => {
      const { tally, memo } = walked(model, 'sticky', 500);
      assert.deepEqual(tally, generic(model, 'sticky', 500));
      assert.equal(memo.nodes, 0);
    });
  });

  it('the cell kernel (probing, then timing both walks over long blocks) gives every block the generic tally', () => {
    const cells: [CellSpec, number][] = [
      // trials that keep to a few states: the automaton is walked, then timed against the live walk
      [{ protocol: 'retransmit', channel: 'gilbert-elliott', params: { goodToBad: 0.1, badToGood: 0.5, redundancy: 1, rounds: 3 } }, 4],
      // trials that keep meeting new states (the state is the path): live after the first block's first trials
      [{ protocol: 'memo-paths', channel: 'bernoulli', params: { loss: 0.5, redundancy: 1 } }, 2],
    ];
    registerProtocol(paths);
    for (const [spec, blocks] of cells) {
      const model = buildCellModel(spec);
      const kernel = trialKernelFor(model);
      for (let block = 0; block < blocks; block++) {
        const stream = blockState('memo', 'long', block);
        assert.deepEqual(kernel(stream, 16384), runBlockGeneric(model, blockStream('memo', 'long', block), 16384), `${spec.protocol}, block ${block}`);
        assert.deepEqual(stream, blockState('memo', 'long', block), 'the stream given is left as it was');
      }
    }
    unregister(paths.name);
  });
});

function throws(body: () => unknown): boolean {
  try {
    body();
    return false;
  } catch {
    return true;
  }
}
