import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition, Step } from '../src/contract/protocol.js';
import { ExactUnavailable } from '../src/engine/exact/index.js';
import { ContractBroken, checkProtocol } from '../src/protocol-files/check.js';
import { protocolOf } from './helpers.js';
import { COIN, good } from './rule-protocol.js';

/**
 * The contract checker's rules at their edges (docs/mutation.md, eighth round): every field of
 * `next`'s determinism, the bounds on nodes and stateSize, a coin tossed after a crash, a copy
 * that never reaches a crashed node, resolveRun held to resolve on runs of every size (the spread
 * of outcomes past 10 draws), and next's announcement of a run's rest field by field.
 */

let serial = 0;
function checked<C>(protocol: ProtocolDefinition<C>): ReturnType<typeof checkProtocol> {
  registerProtocol(protocol);
  try {
    return checkProtocol(protocol as ProtocolDefinition<unknown>);
  } finally {
    unregister(protocol.name);
  }
}

function refused<C>(protocol: ProtocolDefinition<C>, message: RegExp): void {
  assert.throws(
    () => checked(protocol),
    (error: unknown) => {
      assert.ok(error instanceof ContractBroken, `not ContractBroken: ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

/** The good protocol (rule-protocol.ts) whose `next` is changed by `change` at every other call where the clock is 1. */
function alternating(change: (step: Step) => void): ProtocolDefinition<{ rounds: number }> {
  const base = good(`details-${++serial}`);
  let calls = 0;
  return {
    ...base,
    next(state, config, step) {
      base.next(state, config, step);
      if (state[0] === 1 && calls++ % 2 === 1) change(step);
    },
  };
}

describe('next is deterministic in every field of the step', () => {
  const NOT_DETERMINISTIC = /^cell rounds=1: next is not deterministic: two calls on the same state gave different steps or states; state \[1, 0, 1\]/;
  it('refuses a second call that differs only in kind, direction, round, peer, choosers or the length of choices', () => {
    const changes: ((step: Step) => void)[] = [
      (step) => (step.kind = END),
      (step) => (step.direction = 1),
      (step) => (step.round = 2),
      (step) => (step.peer = 1),
      (step) => (step.choosers = 1),
    ];
    for (const change of changes) refused(alternating(change), NOT_DETERMINISTIC);
    const base = good(`details-${++serial}`);
    let calls = 0;
    refused(
      {
        ...base,
        next(state, config, step) {
          base.next(state, config, step);
          // the coin's probabilities, then the same with a third choice of 0 on the second call
          if (state[0] === 0 && calls++ % 2 === 1) step.choices = Float64Array.of(0.5, 0.5, 0);
        },
      },
      /^cell rounds=1: next is not deterministic: two calls on the same state gave different steps or states; state \[0, 0, 0\]/,
    );
  });
});

describe('stateSize up to 2^20', () => {
  it('accepts a state of exactly 2^20 words (a protocol that ends at once)', () => {
    const ends: ProtocolDefinition<{ rounds: number }> = {
      ...good(`details-${++serial}`),
      stateSize: () => 2 ** 20,
      next(_state, _config, step) {
        step.kind = END;
        step.outcome = 0;
      },
    };
    assert.equal(checked(ends).states, 3);
  });
});

describe('the canonicalize check within its memory', () => {
  it('stops where the exact engine would hold more than 5 million words (4,096 states of 1,280 words)', () => {
    const SIDES = 4096;
    const protocol: ProtocolDefinition<{ rounds: number }> = {
      ...good(`details-${++serial}`),
      stateSize: () => 1280,
      next(state, _config, step) {
        if (state[0] === 0) {
          step.kind = CHOOSE;
          step.choices = new Float64Array(SIDES).fill(1 / SIDES);
        } else {
          step.kind = END;
          step.outcome = 0;
        }
      },
      resolve(state, _config, _step, result) {
        state[1] = result;
        state[0] = 1;
      },
      canonicalize: () => {},
    };
    assert.throws(
      () => checked(protocol),
      (error: unknown) => error instanceof ExactUnavailable && /^it needs more than \d+(\.\d+)? MB of memory/.test(error.message),
    );
  });
});

interface CrashConfig {
  readonly rounds: number;
  readonly crashes: boolean;
}

/**
 * A protocol with crash support: where crashes are drawn, ROUND 1 first; then a coin (which no
 * node dispatches), then A (node 0) sends to B (node 1) in round 1 if A is up (without `round`:
 * no ROUND and no send). Its resolve refuses a copy
 * delivered to a crashed B: the contract says none ever is. state: [clock, coin, received, A down, B down].
 */
function crashing(nodes = 2, round = true): ProtocolDefinition<CrashConfig> {
  return {
    name: `details-${++serial}`,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: true,
    parameters: [],
    configure: (params) => ({ rounds: params.rounds, crashes: params['crashes'] === 1 }),
    stateSize: () => 5,
    init: (state) => state.fill(0),
    next(state, config, step) {
      if (round && config.crashes && state[0] === 0) {
        step.kind = ROUND;
        step.round = 1; // the round its one send is in
      } else if (state[0]! <= 1) {
        step.kind = CHOOSE;
        step.choices = COIN;
        step.label = 'coin';
      } else if (round && state[0] === 2 && state[3] === 0) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
        step.label = 'order';
      } else {
        step.kind = END;
        step.outcome = generalsOutcome(state[3] === 0, state[2] === 1);
      }
    },
    resolve(state, _config, step, result) {
      if (step.kind === ROUND) state[0] = 1;
      else if (step.kind === CHOOSE) {
        state[1] = result;
        state[0] = 2;
      } else {
        if (result === 1 && state[4] === 1) throw new Error('a copy reached the crashed B');
        state[2] = result;
        state[0] = 3;
      }
    },
    describe: (state) => `clock ${state[0]}`,
    roles: ['A', 'B'],
    nodes: () => [0, ...new Array<number>(nodes - 1).fill(1)],
    crash(state, _config, node) {
      state[3 + Math.min(node, 1)] = 1;
    },
    crashed: (state, _config, node) => state[3 + Math.min(node, 1)] === 1,
  };
}

describe('crashes: nodes, a coin after a crash, a crashed receiver', () => {
  it('passes a coin tossed after A crashed, and never delivers a copy to a crashed B', () => {
    const report = checked(crashing());
    // without crashes: coin, 2 sends, 4 ends (7); with: the round, 4 patterns, 8 coin results, and
    // per coin the send where A is up (2 patterns: B up 2 results, B down the loss alone)
    assert.equal(report.trialsEnded, 3 * (4 + 2 * (2 + 1) + 2 * 2));
  });
  it('accepts 30 nodes (a protocol that never starts a round, so never sends: a send would need its round started)', () => {
    assert.ok(checked(crashing(30, false)).trialsEnded > 0);
  });
});

interface RunConfig {
  readonly parts: number;
}

/**
 * A run of `parts` sends from A to peers 0 … parts − 1, announced at once (step.peers), then the
 * end; resolve counts a part's copy as received where `result !== 0`, and resolveRun counts a
 * whole run's. state: [clock, copies received].
 */
function broadcast(parts: number): ProtocolDefinition<RunConfig> {
  return {
    name: `details-${++serial}`,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: false,
    parameters: [],
    configure: () => ({ parts }),
    stateSize: () => 2,
    init: (state) => state.fill(0),
    next(state, config, step) {
      const clock = state[0]!;
      if (clock < config.parts) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
        step.label = 'part';
        step.peer = clock;
        step.peers = 2 ** (config.parts - clock) - 1;
        return;
      }
      step.kind = END;
      step.outcome = generalsOutcome(true, state[1] === config.parts);
    },
    resolve(state, _config, step, result) {
      state[1] = state[1]! + (result === 0 ? 0 : 1);
      state[0] = step.peer + 1;
    },
    resolveRun(state, _config, step, delivered) {
      state[1] = state[1]! + popcount(delivered & step.peers);
      state[0] = step.peer + 31 - Math.clz32(step.peers) + 1;
    },
    describe: (state) => `clock ${state[0]}`,
  };
}

/** broadcast whose resolveRun is wrong (one received copy not counted) where `wrong` says, on the run from peer 0. */
function wrongWhere(parts: number, wrong: (delivered: number, all: number) => boolean): ProtocolDefinition<RunConfig> {
  const base = broadcast(parts);
  return {
    ...base,
    resolveRun(state, config, step, delivered, chosen) {
      base.resolveRun!(state, config, step, delivered, chosen);
      if (step.peer === 0 && wrong(delivered, step.peers)) state[1] = state[1]! - 1;
    },
  };
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
};

describe('resolveRun against resolve part by part', () => {
  it('passes a resolveRun that agrees on runs of 3 and of 11 parts (every outcome of 11 draws is not tried: a spread is)', () => {
    assert.ok(checked(broadcast(3)).trialsEnded > 0);
    assert.ok(checked(broadcast(11)).trialsEnded > 0);
  });
  it('the spread of 11 draws holds every other copy received, and every copy but one', () => {
    const WRONG = /resolveRun\(delivered \d+, chosen 0\) on SEND peer 0 peers 2047 choosers 0 direction 0 round 1 gives the state/;
    refused(
      wrongWhere(11, (delivered) => delivered === 0b10101010101),
      WRONG,
    );
    refused(
      wrongWhere(11, (delivered, all) => popcount(delivered) === popcount(all) - 1),
      WRONG,
    );
  });
  it('the spread of 16 draws holds a pseudo-random pattern with exactly two copies lost (the fixed generator’s draws, not only the regular patterns)', () => {
    // None of the regular patterns (none, all, alternating, one, all but one) loses exactly two of 16.
    refused(
      wrongWhere(16, (delivered, all) => popcount(delivered) === popcount(all) - 2),
      /resolveRun\(delivered \d+, chosen 0\) on SEND peer 0 peers 65535 choosers 0 direction 0 round 1 gives the state/,
    );
  });
  it('refuses a resolveRun that writes past the declared state', () => {
    const base = broadcast(3);
    refused(
      {
        ...base,
        resolveRun(state, config, step, delivered, chosen) {
          base.resolveRun!(state, config, step, delivered, chosen);
          new Int32Array(state.buffer, state.byteOffset)[2] = 7;
        },
      },
      /^cell rounds=1: resolveRun wrote beyond the declared state size \(2\)/,
    );
  });
  it('never calls resolveRun on a step that announces no run', () => {
    const base = good(`details-${++serial}`);
    assert.equal(
      checked({
        ...base,
        resolveRun: (state) => {
          state[0] = state[0]! + 1;
        },
      }).states,
      3 * 7,
    );
  });
});

describe('next announces the rest of a run, field by field', () => {
  /** broadcast(2) whose next, after the run's first part (clock 1), changes one field. */
  const afterFirst = (change: (step: Step) => void): ProtocolDefinition<RunConfig> => {
    const { resolveRun: _, ...base } = broadcast(2);
    return {
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (state[0] === 1) change(step);
      },
    };
  };
  const REST =
    /after a part of the run a step announced \(step\.peers\), next said .*; it must announce the rest of the run, SEND peer 1 peers 1 choosers 0 direction 0 round 1/;
  it('refuses a rest announced with another kind, peer, choosers or round', () => {
    refused(
      afterFirst((step) => {
        step.kind = CHOOSE;
        step.choices = COIN;
      }),
      REST,
    );
    refused(
      afterFirst((step) => (step.peer = 2)),
      REST,
    );
    refused(
      afterFirst((step) => {
        step.choosers = 1;
        step.choices = COIN;
      }),
      REST,
    );
    refused(
      afterFirst((step) => (step.round = 2)),
      REST,
    );
  });
  it('checks the rest’s own fields where the first part announced them: a coin whose probabilities do not sum to 1', () => {
    // A sends to peer 0, then peer 1 tosses a coin and sends: one run of two peers, the second a chooser.
    const BAD = Float64Array.of(0.5, 0.4);
    const protocol: ProtocolDefinition<null> = {
      ...protocolOf(`details-${++serial}`, 4, {
        next(state, _config, step) {
          const clock = state[0]!;
          step.direction = A_TO_B;
          step.round = 1;
          step.label = 'part';
          step.choices = BAD;
          if (clock === 0) Object.assign(step, { kind: SEND, peer: 0, peers: 3, choosers: 2 });
          else if (clock === 1) Object.assign(step, { kind: CHOOSE, peer: 1, peers: 1, choosers: 1 });
          else if (clock === 2) Object.assign(step, { kind: SEND, peer: 1, peers: 1, choosers: 0 });
          else Object.assign(step, { kind: END, outcome: 0 });
        },
        resolve(state, _config, _step, result) {
          state[1 + state[0]!] = result;
          state[0] = state[0]! + 1;
        },
      }),
      describe: (state) => `clock ${state[0]}`,
    };
    // refused where the first part's copy was received (the first result explored), before any state after it is
    refused(protocol, /a choice's probabilities sum to 0\.9, not 1; state \[1, 1, 0, 0\] \(clock 1\); results that led there: part \(round 1\) received$/);
  });
});

/**
 * A sends to peer 0, then peer 1 tosses a coin and sends: one run of two peers, the second a
 * chooser (SEND peer 0 peers 3 choosers 2, then CHOOSE peer 1, then SEND peer 1, then END).
 * `choicesAt(clock, rounds)` gives each step's step.choices; `resolveRun`, if given, is added.
 */
function chooserRun(
  choicesAt: (clock: number, rounds: number) => Float64Array | null,
  resolveRun?: ProtocolDefinition<{ rounds: number }>['resolveRun'],
): ProtocolDefinition<{ rounds: number }> {
  return {
    name: `details-${++serial}`,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: false,
    parameters: [],
    configure: (params) => ({ rounds: params.rounds }),
    stateSize: () => 4,
    init: (state) => state.fill(0),
    next(state, config, step) {
      const clock = state[0]!;
      step.direction = A_TO_B;
      step.round = 1;
      step.label = 'part';
      step.choices = choicesAt(clock, config.rounds);
      if (clock === 0) Object.assign(step, { kind: SEND, peer: 0, peers: 3, choosers: 2 });
      else if (clock === 1) Object.assign(step, { kind: CHOOSE, peer: 1, peers: 1, choosers: 1 });
      else if (clock === 2) Object.assign(step, { kind: SEND, peer: 1, peers: 1, choosers: 0 });
      else Object.assign(step, { kind: END, outcome: generalsOutcome(true, state[3] === 1) });
    },
    resolve(state, _config, _step, result) {
      state[1 + state[0]!] = result;
      state[0] = state[0]! + 1;
    },
    ...(resolveRun ? { resolveRun } : {}),
    describe: (state) => `clock ${state[0]}`,
  };
}

describe('a run whose later part chooses (the contract checker, eleventh round)', () => {
  it('refuses a rest announced with other probabilities than the run’s (a new array, so only the rest’s rule can see it)', () => {
    const HALF = Float64Array.of(0.5, 0.5);
    const OTHER = Float64Array.of(0.25, 0.75);
    refused(
      chooserRun((clock) => (clock === 1 ? OTHER : HALF)),
      /^cell rounds=1: after a part of the run a step announced \(step\.peers\), next said CHOOSE peer 1 peers 1 choosers 1 choices 0\.25\/0\.75 direction 0 round 1; it must announce the rest of the run, CHOOSE peer 1 peers 1 choosers 1 choices 0\.5\/0\.5 direction 0 round 1;/,
    );
  });
  it('passes a rest without choosers that gives no probabilities (the run’s array is compared only where a chooser is left)', () => {
    // the coin's step leaves a SEND of no choosers: next gives it choices null, the run's step had the coin's array
    const report = checked(chooserRun((clock) => (clock === 2 ? null : COIN)));
    // per cell: clock 0, two after the first send, four after the coin (one result each), eight after the last send
    assert.deepEqual([report.cells, report.states, report.trialsEnded], [3, 3 * 15, 3 * 8]);
  });
  it('passes a resolveRun wrong only where a choice of probability 0 comes out (outcomes that never happen are not tried)', () => {
    const SURE = Float64Array.of(1, 0);
    const inOne: ProtocolDefinition<{ rounds: number }>['resolveRun'] = (state, _config, step, delivered, chosen) => {
      for (let rest = step.peers; rest !== 0; rest &= rest - 1) {
        const b = 31 - Math.clz32(rest & -rest);
        if ((step.choosers >>> b) & 1) state[1 + state[0]!] = (chosen >>> b) & 1;
        if ((step.choosers >>> b) & 1) state[0] = state[0]! + 1;
        state[1 + state[0]!] = (delivered >>> b) & 1;
        state[0] = state[0]! + 1;
      }
      if (chosen !== 0) state[1] = 7; // only the coin's impossible side
    };
    const report = checked(chooserRun(() => SURE, inOne));
    // the coin has one result: per cell clock 0, two, two, four
    assert.deepEqual([report.states, report.trialsEnded], [3 * 9, 3 * 4]);
    // the same resolveRun wrong on a side that comes out is refused
    refused(
      chooserRun(() => COIN, inOne),
      /^cell rounds=1: resolveRun\(delivered \d, chosen 2\) on SEND peer 0 peers 3 choosers 2 choices 0\.5\/0\.5 direction 0 round 1 gives the state/,
    );
  });
  it('never calls resolveRun on a run whose choices have more than two outcomes (the engines resolve it part by part)', () => {
    const THREE = Float64Array.of(0.2, 0.3, 0.5);
    const report = checked(
      chooserRun(
        () => THREE,
        (state, _config, step, delivered) => {
          if (step.choosers !== 0) throw new Error('resolveRun called on a run of three-way choices');
          // the last send alone (peers 1, no chooser): as resolve does it
          state[1 + state[0]!] = delivered & 1;
          state[0] = state[0]! + 1;
        },
      ),
    );
    // per cell: clock 0, two after the first send, six after the three-way coin, twelve after the last send
    assert.deepEqual([report.states, report.trialsEnded], [3 * 21, 3 * 12]);
  });
  it('holds a step.choices array to its probabilities on a plain CHOOSE and on a SEND that announces choosers, not on a SEND of none', () => {
    // one array per protocol, refilled per cell: [0.5, 0.5] in the first, [0.25, 0.75] after
    const perCell = (): ((clock: number, rounds: number) => Float64Array) => {
      const shared = new Float64Array(2);
      return (_clock, rounds) => {
        shared.set(rounds === 1 ? [0.5, 0.5] : [0.25, 0.75]);
        return shared;
      };
    };
    // a plain CHOOSE (no run): the good protocol's coin
    const fill = perCell();
    const coin = good(`details-${++serial}`);
    refused(
      {
        ...coin,
        next(state, config, step) {
          coin.next(state, config, step);
          if (step.kind === CHOOSE) step.choices = fill(state[0]!, config.rounds);
        },
      },
      /^cell rounds=2: next gave step\.choices an array it had given before with other probabilities \(\[0\.5, 0\.5\] then, \[0\.25, 0\.75\] now\).*; state \[0, 0, 0\] \(clock 0\); results that led there: none \(the initial state\)$/,
    );
    // a SEND that announces a chooser after it: refused at that step, before the coin's own step is reached
    refused(
      chooserRun(perCell()),
      /^cell rounds=2: next gave step\.choices an array it had given before with other probabilities \(\[0\.5, 0\.5\] then, \[0\.25, 0\.75\] now\).*; state \[0, 0, 0, 0\] \(clock 0\); results that led there: none \(the initial state\)$/,
    );
    // a SEND of no choosers carries whatever step.choices holds, and no engine reads it: the coin's array refilled there passes
    const shared = new Float64Array(2);
    const report = checked(
      chooserRun((clock) => {
        shared.set(clock === 2 ? [1, 0] : [0.5, 0.5]);
        return shared;
      }),
    );
    assert.deepEqual([report.states, report.trialsEnded], [3 * 15, 3 * 8]);
  });
});
