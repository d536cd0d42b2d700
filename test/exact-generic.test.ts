import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_TO_B, CHOOSE, END, ROUND, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition, Step } from '../src/contract/protocol.js';
import { UNLIMITED, exactCell, exactSteps } from '../src/engine/exact/index.js';
import type { CellModel } from '../src/engine/model.js';
import { SentAfterCrash, UnexpectedRound } from '../src/engine/montecarlo/generic.js';
import { assertSame, cell, refusal } from './exact-helpers.js';
import { UsageError } from '../src/errors.js';

/**
 * The generic exact engine (src/engine/exact/generic.ts) where the closed forms and the
 * structured solvers do not reach it: crashes in rounds after the first, the contract checks it
 * makes itself, its work slices on choices and crash patterns, progress, a merge that brings
 * fewer messages than the state holds. Small cells, in-process.
 */

/** Every yield's work, and the result, of the generic engine on a cell. */
function slices(model: CellModel): { yields: number[]; statesExpanded: number } {
  const steps = exactSteps(model, UNLIMITED, 'generic');
  const yields: number[] = [];
  let next = steps.next();
  for (; !next.done; next = steps.next()) yields.push(next.value);
  return { yields, statesExpanded: next.value.statesExpanded };
}

/** The model with its protocol replaced (a protocol that breaks one rule of the contract). */
const withProtocol = (model: CellModel, protocol: ProtocolDefinition<unknown>): CellModel => ({ ...model, protocol });

/** A protocol of n nodes that each crash at rate 0.1 when round 1 starts, then ends: 2^n crash patterns, each its own state. */
function crowd(n: number): CellModel {
  const model = cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25, crashA: 0.1 });
  const protocol = {
    ...model.protocol,
    nodes: () => Array.from({ length: n }, () => 0),
    next(state: Int32Array, _config: unknown, step: Step) {
      if (state[0] === 0) {
        step.kind = ROUND;
        step.round = 1;
      } else {
        step.kind = END;
        step.outcome = 0;
      }
    },
    resolve(state: Int32Array) {
      state[0] = state[0]! + 1;
    },
    crash(state: Int32Array, _config: unknown, node: number) {
      state[1 + node] = 1;
    },
    crashed: (state: Int32Array, _config: unknown, node: number) => state[1 + node] === 1,
  } as ProtocolDefinition<unknown>;
  return { ...model, protocol, stateSize: 1 + n, crash: new Float64Array(n).fill(0.1) };
}

/**
 * A protocol whose first step is a choice of c equally likely sides, then ends: each side its own
 * state, or (`merged`) all one state.
 */
function chooser(c: number, merged: boolean): CellModel {
  const model = cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25 });
  const protocol = {
    ...model.protocol,
    next(state: Int32Array, _config: unknown, step: Step) {
      if (state[0] === 0) {
        step.kind = CHOOSE;
        step.choices = new Float64Array(c).fill(1 / c);
      } else {
        step.kind = END;
        step.outcome = 0;
      }
    },
    resolve(state: Int32Array, _config: unknown, _step: Step, side: number) {
      if (!merged) state[1] = side;
      state[0] = state[0]! + 1;
    },
  } as ProtocolDefinition<unknown>;
  return withProtocol(model, protocol);
}

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-15, `${what}: ${actual} vs ${expected}`);

describe('the generic engine with crashes', () => {
  it('handshake R 2 without loss, B crashing at rate 0.2 at each round start: every value by hand', () => {
    // B down at round 1 (0.2): leg 1 dispatched, not delivered. Down at round 2 (0.8 · 0.2): leg 1
    // delivered, leg 2 never dispatched. Up throughout (0.64): both legs delivered, the last in round 2.
    const r = exactCell(cell('handshake', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0, crashB: 0.2 }), UNLIMITED, 'generic');
    [0.64, 0.36, 0, 0].forEach((p, i) => close(r.outcomes[i]!, p, `outcome ${i}`));
    close(r.deliveredMean, 0.8 * 0.2 * 1 + 0.64 * 2, 'delivered');
    close(r.roundsMean, 0.2 * 1 + 0.8 * 0.2 * 1 + 0.64 * 2, 'rounds');
    assert.deepEqual(r.messages!.length, 3);
    close(r.messages![1]!, 0.36, 'P(1 message)');
    close(r.messages![2]!, 0.64, 'P(2 messages)');
  });

  it('messenger, B crashing at 0.2: the order is dispatched always, delivered only to B up', () => {
    const r = exactCell(cell('messenger', 'bernoulli', { redundancy: 1, loss: 0, crashB: 0.2 }), UNLIMITED, 'generic');
    close(r.deliveredMean, 0.8, 'delivered');
    close(r.messagesMean, 1, 'messages');
  });

  it('follows no crash pattern of probability 0: B crashing at rate 1', () => {
    const r = exactCell(cell('messenger', 'bernoulli', { redundancy: 1, loss: 0, crashB: 1 }), UNLIMITED, 'generic');
    assert.deepEqual(r.outcomes, [0, 0, 1, 0]);
    // The start, B crashed, the order sent: B up is never reached.
    assert.equal(r.statesExpanded, 3);
  });

  it('branches over 16 nodes that may crash (refused here by the work limit instead), not 17', () => {
    const limits = { maxWork: 10, maxWords: Number.POSITIVE_INFINITY };
    assert.equal(refusal(crowd(16), limits), 'it needs more than 10 steps of work (1 state expanded, more waiting)');
    assert.equal(refusal(crowd(17), limits), '17 nodes may crash in round 1, more than the 16 it branches over');
  });
});

describe('the generic engine keeps the contract itself', () => {
  const messenger = (params: Record<string, number>) => cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25, ...params });

  it('refuses a round start in a cell without crashes', () => {
    const crashing = messenger({ crashA: 0.1 });
    assert.throws(() => exactCell({ ...crashing, crash: null }, UNLIMITED, 'generic'), UnexpectedRound);
  });

  it('runs a protocol without crash support where no crash is configured', () => {
    const model = messenger({});
    const { crash: _crash, crashed: _crashed, roles: _roles, nodes: _nodes, ...plain } = model.protocol;
    assert.deepEqual(exactCell(withProtocol(model, plain as ProtocolDefinition<unknown>), UNLIMITED, 'generic').outcomes, [0.75, 0, 0.25, 0]);
  });

  it('refuses a send from a crashed node', () => {
    const model = messenger({ crashA: 0.5 });
    const protocol = model.protocol;
    // A that sends the order even after it crashed: next reads a state with A's crash hidden.
    const zombie = {
      ...protocol,
      next(state: Int32Array, config: unknown, step: Step) {
        const hidden = state.slice();
        hidden[2] = 0;
        protocol.next(hidden, config, step);
      },
    } as ProtocolDefinition<unknown>;
    assert.throws(() => exactCell(withProtocol(model, zombie), UNLIMITED, 'generic'), SentAfterCrash);
  });

  it('refuses a resolve that does not advance the clock', () => {
    const model = messenger({});
    const protocol = model.protocol;
    const stuck = {
      ...protocol,
      resolve(state: Int32Array, config: unknown, step: Step, result: number) {
        protocol.resolve(state, config, step, result);
        state[0] = state[0]! - 1;
      },
    } as ProtocolDefinition<unknown>;
    // The protocol's to fix (a UsageError: exit 2), not an internal error.
    assert.throws(
      () => exactCell(withProtocol(model, stuck), UNLIMITED, 'generic'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(error.message, 'protocol messenger: resolve did not advance the clock (state[0] went from 0 to 0) (state [0, 0, 0, 0])');
        return true;
      },
    );
  });

  it('follows no choice of probability 0', () => {
    const model = messenger({});
    const protocol = model.protocol;
    // A coin of (1, 0) before the order (the clock then counts one step more): only its first side is reached.
    const coin = {
      ...protocol,
      stateSize: () => 5,
      next(state: Int32Array, config: unknown, step: Step) {
        if (state[0] === 0) {
          step.kind = CHOOSE;
          step.choices = Float64Array.of(1, 0);
          return;
        }
        const inner = state.subarray(0, 4).slice();
        inner[0] = inner[0]! - 1;
        protocol.next(inner, config, step);
      },
      resolve(state: Int32Array, config: unknown, step: Step, result: number) {
        if (step.kind === CHOOSE) state[4] = result;
        else {
          const inner = state.subarray(0, 4).slice();
          inner[0] = inner[0]! - 1;
          protocol.resolve(inner, config, step, result);
          state.set(inner.subarray(1, 4), 1);
        }
        state[0] = state[0]! + 1;
      },
    } as ProtocolDefinition<unknown>;
    const r = exactCell({ ...withProtocol(model, coin), stateSize: 5 }, UNLIMITED, 'generic');
    assert.deepEqual(r.outcomes, [0.75, 0, 0.25, 0]);
    // The coin, the order, and the two ends: the coin's other side is never expanded.
    assert.equal(r.statesExpanded, 4);
  });
});

describe('the generic engine: work, slices and progress', () => {
  it('yields a slice as soon as 4,096 units are done, within a choice and within the crash patterns', () => {
    // A unit for the start, one per side (a yield at sides 4,095 and 8,191: 4,096 and 8,192 units),
    // then one per end (a yield at 12,288 and 16,384).
    assert.deepEqual(slices(chooser(9000, false)), { yields: [4096, 4096, 4096, 4096, 1 + 9000 + 9000 - 16_384], statesExpanded: 9001 });
    // 2^13 crash patterns of a 14-field state, 2 units each (stateBranchUnits): the start's unit and
    // 2,048 patterns make the first slice (4,097), 2,048 patterns each of the next three; then a
    // unit per end: 1 + 16,384 + 8,192 units in all.
    assert.deepEqual(slices(crowd(13)), { yields: [4097, 4096, 4096, 4096, 4096, 4096], statesExpanded: 8193 });
    // 3,051 states and 4,760 branches of 10 fields, 2 units each: 12,571 units.
    assert.deepEqual(slices(cell('randomized', 'bernoulli', { rounds: 20, redundancy: 1, loss: 0.3 })), {
      yields: [4096, 4100, 4096, 279],
      statesExpanded: 3051,
    });
  });

  it('yields nothing after a slice that ends with the work', () => {
    // The start, 4,094 sides, one end: 4,096 units, yielded as the end is expanded.
    assert.deepEqual(slices(chooser(4094, true)), { yields: [4096], statesExpanded: 2 });
  });

  it('counts a branch one unit and one more per 32 numbers of the cost window it copies (retransmit, R 40: windows up to 40)', () => {
    // The count the work limit is held to (exact-limits pins the others).
    assert.deepEqual(slices(cell('retransmit', 'bernoulli', { rounds: 40, redundancy: 1, loss: 0.3 })), { yields: [562], statesExpanded: 200 });
  });

  it('does not expand a state whose probability underflowed to 0 (randomized, R 3, loss 1e-200: two losses weigh 1e-400)', () => {
    const r = exactCell(cell('randomized', 'bernoulli', { rounds: 3, redundancy: 1, loss: 1e-200 }), UNLIMITED, 'generic');
    assert.equal(r.statesExpanded, 38);
    assert.equal(r.outcomes[0], 1);
  });

  it('reports progress when more than 200 ms have passed since the last report', (t) => {
    // A clock that advances 100 ms each time it is read: the engine reads it once at the start and at each check.
    let now = 0;
    t.mock.method(performance, 'now', () => (now += 100));
    const heard: number[] = [];
    exactCell(cell('randomized', 'bernoulli', { rounds: 12, redundancy: 1, loss: 0.3 }), { ...UNLIMITED, progress: () => heard.push(now) }, 'generic');
    assert.ok(now >= 1000, `the clock was read ${now / 100} times`);
    // Read at 100 (the start), then 200, 300, …: a report at 400, 700, 1000, … (300 ms after the last).
    const expected = [];
    for (let at = 400; at <= now; at += 300) expected.push(at);
    assert.deepEqual(heard, expected);
  });
});

describe('the generic engine merges masses of fewer messages into a state', () => {
  it('below its window, with a gap: three messages or none to the same state', () => {
    // A coin: one side sends three copies (loss 0.25, each fate merged into the same state), the
    // other makes three certain choices; both reach the end at clock 4, the sending side first.
    const model = cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25 });
    const protocol = {
      ...model.protocol,
      next(state: Int32Array, _config: unknown, step: Step) {
        const clock = state[0]!;
        if (clock === 0 || (clock < 4 && state[1] === 1)) {
          step.kind = CHOOSE;
          step.choices = clock === 0 ? Float64Array.of(0.5, 0.5) : Float64Array.of(1);
        } else if (clock < 4) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.round = clock;
        } else {
          step.kind = END;
          step.outcome = 0;
        }
      },
      resolve(state: Int32Array, _config: unknown, _step: Step, result: number) {
        if (state[0] === 0) state[1] = result;
        else if (state[0] === 3) state[1] = 0;
        state[0] = state[0]! + 1;
      },
    } as ProtocolDefinition<unknown>;
    // its sends name rounds 1 to 3 (the messenger's own limit is 1)
    const r = exactCell({ ...withProtocol(model, protocol), roundLimit: 3 }, UNLIMITED, 'generic');
    assert.deepEqual(r.outcomes, [1, 0, 0, 0]);
    assert.deepEqual(r.messages, [0.5, 0, 0, 0.5]);
  });

  it('two-phase commit, two cohorts, R 2: the same values as the independent-cohorts solver', () => {
    // Here a state is reached first by a path of more messages than a later one: the later mass
    // lands below the state's window, which must grow downward.
    const model = cell('two-phase-commit', 'bernoulli', { participants: 2, rounds: 2, redundancy: 1, loss: 0.3 });
    const generic = exactCell(model, UNLIMITED, 'generic');
    assert.equal(generic.statesExpanded, 337);
    assertSame(generic, exactCell(model), 'generic against independent cohorts');
  });
});
