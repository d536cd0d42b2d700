import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_TO_B, B_TO_A, CHOOSE, END, GENERALS_OUTCOMES, ROUND, SEND, Step, announcementProblem, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { trialKernelFor, trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { ContractBroken, checkProtocol } from '../src/protocol-files/check.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { tempFiles } from './helpers.js';

/**
 * Announced runs (step.peers, step.choosers): the trial kernel takes a run's parts without
 * calling next between them, every other engine calls next after every part; `check` holds a
 * protocol to what makes the two agree, and refuses every broken rule of the fields.
 */

const COIN = Float64Array.of(0.3, 0.7);
const PEERS = 3;

/**
 * A fan-out: A sends the order to three peers in one run (positions 0..2); then every peer that
 * received it tosses a coin and replies, as a second run (positions 3 + 2i: coin, 4 + 2i: reply).
 * state: [clock, got ×3, coin ×3, replied ×3]. resolve puts the clock after the part it resolves.
 */
function fan(name: string): ProtocolDefinition<null> {
  return {
    name,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: false,
    parameters: [],
    configure: () => null,
    stateSize: () => 1 + 3 * PEERS,
    init: (state) => state.fill(0),
    next(state, _config, step) {
      const clock = state[0]!;
      if (clock < PEERS) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
        step.label = 'order';
        step.peer = clock;
        step.peers = (1 << (PEERS - clock)) - 1;
        return;
      }
      const position = clock - PEERS;
      const replying = (position & 1) === 1;
      let first = -1;
      let peers = 0;
      let choosers = 0;
      for (let j = position >> 1; j < PEERS; j++) {
        if (state[1 + j] !== 1) continue;
        if (first < 0) first = j;
        peers |= 1 << (j - first);
        if (!(replying && j === position >> 1)) choosers |= 1 << (j - first);
      }
      if (first < 0) {
        step.kind = END;
        step.outcome = generalsOutcome(true, state[7] === 1 && state[8] === 1 && state[9] === 1);
        return;
      }
      step.kind = (choosers & 1) === 1 ? CHOOSE : SEND;
      step.direction = B_TO_A;
      step.round = 2;
      step.label = step.kind === CHOOSE ? 'coin' : 'reply';
      step.choices = COIN;
      step.peer = first;
      step.peers = peers;
      step.choosers = choosers;
    },
    resolve(state, _config, step, result) {
      const peer = step.peer;
      if (step.kind === CHOOSE) {
        state[4 + peer] = result;
        state[0] = PEERS + 2 * peer + 1;
      } else if (step.direction === A_TO_B) {
        state[1 + peer] = result;
        state[0] = peer + 1;
      } else {
        state[7 + peer] = result;
        state[0] = PEERS + 2 * peer + 2;
      }
    },
    describe: (state) => `clock ${state[0]}`,
  };
}

/** The fan with resolveRun: a run's parts resolved in one call, as resolve does them one by one. */
function fanInOne(name: string): ProtocolDefinition<null> {
  return {
    ...fan(name),
    resolveRun(state, _config, step, delivered, chosen) {
      let last = 0;
      for (let rest = step.peers; rest !== 0; rest &= rest - 1) {
        const b = 31 - Math.clz32(rest & -rest);
        const peer = step.peer + b;
        last = peer;
        if (step.direction === A_TO_B) state[1 + peer] = (delivered >>> b) & 1;
        else {
          if ((step.choosers >>> b) & 1) state[4 + peer] = (chosen >>> b) & 1;
          state[7 + peer] = (delivered >>> b) & 1;
        }
      }
      state[0] = step.direction === A_TO_B ? last + 1 : PEERS + 2 * last + 2;
    },
  };
}

let serial = 0;
function withProtocol<T>(protocol: ProtocolDefinition<null>, body: (name: string) => T): T {
  registerProtocol(protocol);
  try {
    return body(protocol.name);
  } finally {
    unregister(protocol.name);
  }
}

/** The fan with `next` changed after it filled the step (at every state, or where `when` says). */
function broken(change: (step: Step, state: Int32Array) => void): ProtocolDefinition<null> {
  const base = fan(`announced-${++serial}`);
  return {
    ...base,
    next(state, config, step) {
      base.next(state, config, step);
      change(step, state);
    },
  };
}

function refused(protocol: ProtocolDefinition<null>, message: RegExp): void {
  withProtocol(protocol, () =>
    assert.throws(
      () => checkProtocol(protocol),
      (error: unknown) => {
        assert.ok(error instanceof ContractBroken, `not ContractBroken: ${String(error)}`);
        assert.match(error.message, message);
        return true;
      },
    ),
  );
}

describe('announced runs of sends', () => {
  it('a protocol that keeps the rules passes check, and the trial kernel equals the generic engine with fewer calls of next', () => {
    const protocol = fan(`announced-${++serial}`);
    let calls = 0;
    const counted: ProtocolDefinition<null> = {
      ...protocol,
      next(state, config, step) {
        calls++;
        protocol.next(state, config, step);
      },
    };
    withProtocol(counted, (name) => {
      assert.ok(checkProtocol(counted).trialsEnded > 0);
      const model = buildCellModel({ protocol: name, channel: 'bernoulli', params: { loss: 0.4, redundancy: 1 } });
      calls = 0;
      const generic = runBlockGeneric(model, blockStream('announced', name, 0), 2000);
      const genericCalls = calls;
      calls = 0;
      assert.deepEqual(trialKernelWith(model, null)(blockState('announced', name, 0), 2000), generic);
      // the generic engine: a call per part and one for the end; the kernel: one per run and one for the end
      assert.ok(calls <= 3 * 2000, `the kernel called next ${calls} times`);
      assert.ok(genericCalls > 2 * calls, `the generic engine called next ${genericCalls} times, the kernel ${calls}`);
    });
  });

  it('resolveRun: check passes one that agrees with resolve, the trial kernel calls it once a run and equals the generic engine', () => {
    const protocol = fanInOne(`announced-${++serial}`);
    let runs = 0;
    let parts = 0;
    const counted: ProtocolDefinition<null> = {
      ...protocol,
      resolve(state, config, step, result) {
        parts++;
        protocol.resolve(state, config, step, result);
      },
      resolveRun(state, config, step, delivered, chosen) {
        runs++;
        protocol.resolveRun!(state, config, step, delivered, chosen);
      },
    };
    withProtocol(counted, (name) => {
      assert.ok(checkProtocol(counted).trialsEnded > 0);
      for (const loss of [0.4, 0]) {
        const model = buildCellModel({ protocol: name, channel: 'bernoulli', params: { loss, redundancy: 2 } });
        const generic = runBlockGeneric(model, blockStream('announced', name, 0), 2000);
        runs = 0;
        parts = 0;
        assert.deepEqual(trialKernelWith(model, null)(blockState('announced', name, 0), 2000), generic);
        // two runs a trial (the orders; the replies of those that got one, when any did), not a call a part
        assert.equal(parts, 0);
        assert.ok(runs >= 2000 && runs <= 2 * 2000, `resolveRun called ${runs} times`);
        // the memo automaton calls it once per transition it keeps, never per part
        runs = 0;
        assert.deepEqual(trialKernelFor(model)(blockState('announced', name, 0), 2000), generic);
        assert.equal(parts, 0);
        assert.ok(runs >= 1 && runs < 500, `resolveRun called ${runs} times through the memo automaton`);
      }
      // a channel with memory takes the general path of a run, still resolved in one call
      const bursty = buildCellModel({
        protocol: name,
        channel: 'gilbert-elliott',
        params: { goodToBad: 0.3, badToGood: 0.4, lossGood: 0.1, lossBad: 0.8, redundancy: 1 },
      });
      runs = 0;
      assert.deepEqual(trialKernelWith(bursty, null)(blockState('announced', name, 1), 2000), runBlockGeneric(bursty, blockStream('announced', name, 1), 2000));
      assert.ok(runs >= 2000);
      assert.deepEqual(trialKernelFor(bursty)(blockState('announced', name, 1), 2000), runBlockGeneric(bursty, blockStream('announced', name, 1), 2000));
    });
  });

  it('check refuses a resolveRun that does not do what resolve does part by part', () => {
    const good = fanInOne(`announced-${++serial}`);
    // it forgets the third peer's reply
    refused(
      {
        ...good,
        resolveRun(state, config, step, delivered, chosen) {
          good.resolveRun!(state, config, step, delivered, chosen);
          if (step.direction === B_TO_A && step.peer + 31 - Math.clz32(step.peers) === 2) state[9] = 0;
        },
      },
      /resolveRun\(delivered \d+, chosen \d+\) on CHOOSE peer \d peers \d+ choosers \d+ choices 0\.3\/0\.7 direction 1 round 2 gives the state \[.*\], but resolving the run's parts one by one gives \[.*\]; resolveRun must do what resolve does for each part/,
    );
    // it leaves the clock where it was
    refused(
      {
        ...good,
        name: `announced-${++serial}`,
        resolveRun(state, config, step, delivered, chosen) {
          const clock = state[0]!;
          good.resolveRun!(state, config, step, delivered, chosen);
          state[0] = clock;
        },
      },
      /resolveRun\(delivered 0, chosen 0\) on SEND peer 0 peers 7 choosers 0 direction 0 round 1 gives the state \[0, /,
    );
  });

  it('a protocol file whose resolveRun is not a function is refused on loading', async () => {
    const dir = tempFiles({
      'p.mjs': `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES }) => ({
  name: 'run-not-function', outcomes: GENERALS_OUTCOMES, configure: () => null, stateSize: () => 1,
  init(s) { s[0] = 0; },
  next(s, c, step) { if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; } else { step.kind = END; step.outcome = 0; } },
  resolve(s) { s[0] = 1; }, resolveRun: 42, describe: () => '',
});
`,
    });
    await assert.rejects(loadProtocolFile(`${dir}/p.mjs`, 'test'), /resolveRun, if given, must be a function/);
  });

  it('check refuses a run the engines cannot take: each rule of the fields', () => {
    const atOrder = (change: (step: Step) => void) => broken((step, state) => state[0] === 0 && change(step));
    refused(
      atOrder((step) => (step.peers = 6)),
      /step\.peers is 6, without bit 0/,
    );
    refused(
      atOrder((step) => (step.peers = 2 ** 31)),
      /step\.peers is 2147483648; it must be a bit mask of at most 31 peers/,
    );
    refused(
      atOrder((step) => (step.peers = -1)),
      /step\.peers is -1; it must be a bit mask/,
    );
    refused(
      atOrder((step) => (step.peers = 1.5)),
      /step\.peers is 1\.5; it must be a bit mask/,
    );
    refused(
      atOrder((step) => (step.choosers = 8)),
      /step\.choosers is 8; it must name only peers of step\.peers \(7\)/,
    );
    refused(
      atOrder((step) => (step.peer = -1)),
      /announces a run from peer -1; step\.peer must be 0 or more/,
    );
    refused(
      atOrder((step) => (step.choosers = 2)),
      /step\.choosers is set, but step\.choices gives no probabilities/,
    );
    // A plain array gives probabilities, but no kernel can draw a run's choices from it: named as such.
    refused(
      atOrder((step) => {
        step.choosers = 2;
        step.choices = [0.5, 0.5] as unknown as Float64Array;
      }),
      /step\.choosers is set, but step\.choices is not a Float64Array: give a run's choice as one \(Float64Array\.of/,
    );
    refused(
      atOrder((step) => {
        step.choosers = 1;
        step.choices = COIN;
      }),
      /a SEND step announces a run whose first peer chooses first .*the step must be that CHOOSE/,
    );
    refused(
      broken((step) => {
        if (step.kind === CHOOSE) step.choosers &= ~1;
      }),
      /a CHOOSE step announces a run whose first peer does not choose: set bit 0 of step\.choosers/,
    );
    refused(
      broken((step) => {
        if (step.kind === END) step.peers = 1;
      }),
      /step\.peers announces a run on a step of kind 2; only a SEND or CHOOSE may/,
    );
  });

  it('check refuses a run to a peer that nodes does not list (with crash support)', () => {
    // Where crashes are drawn, ROUND 1 first; then A, if up, sends the order to peers 0 … PEERS − 1
    // in one announced run, then the end. state: [clock, nodes crashed (a bit each), orders received (a bit a peer)].
    const crashing = (peers: number) =>
      ({
        name: `announced-${++serial}`,
        summary: 'test',
        exactNote: 'test',
        outcomes: GENERALS_OUTCOMES,
        usesRounds: false,
        parameters: [],
        configure: (params: Record<string, number>) => ({ crashes: params['crashes'] === 1 }),
        stateSize: () => 3,
        init: (state: Int32Array) => state.fill(0),
        next(state: Int32Array, config: { crashes: boolean }, step: Step) {
          const clock = state[0]!;
          if (config.crashes && clock === 0) {
            step.kind = ROUND;
            step.round = 1;
          } else if (clock <= PEERS && (state[1]! & 1) === 0) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
            step.label = 'order';
            step.peer = Math.max(clock - 1, 0);
            step.peers = (1 << (PEERS - step.peer)) - 1;
          } else {
            step.kind = END;
            step.outcome = generalsOutcome((state[1]! & 1) === 0, state[2] === (1 << PEERS) - 1);
          }
        },
        resolve(state: Int32Array, _config: unknown, step: Step, result: number) {
          if (step.kind === SEND) {
            state[2] = state[2]! | (result << step.peer);
            state[0] = step.peer + 2;
          } else state[0] = 1;
        },
        describe: (state: Int32Array) => `clock ${state[0]}`,
        roles: ['A', 'peer'],
        nodes: () => [0, ...new Array<number>(peers).fill(1)],
        crash: (state: Int32Array, _config: unknown, node: number) => {
          state[1] = state[1]! | (1 << node);
        },
        crashed: (state: Int32Array, _config: unknown, node: number) => ((state[1]! >> node) & 1) === 1,
      }) as unknown as ProtocolDefinition<null>;
    refused(crashing(2), /with crashes: step\.peers announces a run to peer 2, but nodes lists only 3 nodes/);
    const kept = crashing(PEERS);
    withProtocol(kept, () => assert.ok(checkProtocol(kept).trialsEnded > 0));
  });

  it('check refuses a next that does not announce the rest of the run, or that changes what the fast path skips', () => {
    // After the first order, the rest is announced without its last peer.
    refused(
      broken((step, state) => {
        if (state[0] === 1) step.peers = 1;
      }),
      /next said SEND peer 1 peers 1 .*; it must announce the rest of the run, SEND peer 1 peers 3 choosers 0 direction 0 round 1/,
    );
    // A run whose sends change direction halfway.
    refused(
      broken((step, state) => {
        if (state[0] === 2) step.direction = B_TO_A;
      }),
      /it must announce the rest of the run, SEND peer 2 peers 1 choosers 0 direction 0 round 1/,
    );
    // next counts its calls in the state: the kernel, which skips them, would reach other states.
    refused(
      broken((_step, state) => {
        if (state[0]! > 0 && state[0]! < PEERS) state[4] = state[4]! + 1;
      }),
      /the state after the next part is \[.*\] without a call of next before it and \[.*\] with one/,
    );
  });

  it('the engines refuse at run time a run a protocol registered without check announces', () => {
    for (const [change, message] of [
      [(step: Step) => (step.peers = 6), /step\.peers is 6, without bit 0/],
      [(step: Step) => (step.peers = 1.5), /step\.peers is 1\.5; it must be a bit mask/],
      [(step: Step) => (step.choosers = 2), /step\.choosers is set, but step\.choices gives no probabilities/],
      [(step: Step) => (step.peers = 2 ** 31), /step\.peers is 2147483648; it must be a bit mask/],
      [(step: Step) => (step.peers = -1), /step\.peers is -1; it must be a bit mask/],
      [(step: Step) => (step.choosers = 8), /step\.choosers is 8; it must name only peers of step\.peers \(7\)/],
      [(step: Step) => (step.peer = -1), /announces a run from peer -1; step\.peer must be 0 or more/],
      [
        (step: Step) => {
          step.choosers = 1;
          step.choices = COIN;
        },
        /a SEND step announces a run whose first peer chooses first/,
      ],
    ] as const) {
      const protocol = broken((step, state) => {
        if (state[0] === 0) change(step);
      });
      withProtocol(protocol, (name) => {
        const model = buildCellModel({ protocol: name, channel: 'bernoulli', params: { loss: 0.4, redundancy: 1 } });
        assert.throws(() => runBlockGeneric(model, blockStream('announced', name, 0), 10), message);
        assert.throws(() => trialKernelFor(model)(blockState('announced', name, 0), 10), message);
      });
    }
  });

  it('the fields at their edges: 31 peers, the most, taken; a chooser without peers is a run without bit 0', () => {
    const step = (fields: Partial<Step>) => Object.assign(new Step(), { kind: SEND, direction: A_TO_B, round: 1, peer: 0 }, fields);
    assert.equal(announcementProblem(step({ peers: 2 ** 31 - 1 })), null);
    assert.equal(announcementProblem(step({ peers: 2 ** 31 - 1, choosers: 2 ** 31 - 2, choices: COIN })), null);
    assert.equal(
      announcementProblem(step({ peers: 2 ** 31 })),
      'step.peers is 2147483648; it must be a bit mask of at most 31 peers (a whole number from 1 to 2^31 - 1)',
    );
    assert.equal(
      announcementProblem(step({ kind: CHOOSE, peers: 0, choosers: 1, choices: COIN })),
      'step.peers is 0, without bit 0: the run starts at step.peer itself, so bit 0 must be set',
    );
    assert.equal(announcementProblem(step({ peers: 0, choosers: 0, peer: -1 })), null);
  });
});
