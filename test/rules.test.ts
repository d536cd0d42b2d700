import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractBroken, checkProtocol } from '../src/protocol-files/check.js';
import type { CheckPosition } from '../src/protocol-files/check.js';
import { CHOOSE, END, SEND } from '../src/contract/protocol.js';
import { good } from './rule-protocol.js';
import type { ProtocolDefinition, Step } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';

/**
 * A negative test for every rule the contract checker enforces: an input just outside each rule
 * is refused with its own message, and one just inside passes. The validator and resolve:
 * rules-scenario.test.ts; merge and the gates: merge-rules.test.ts.
 */

// --- the contract checker -------------------------------------------------------------------

/** The word past a state's declared size: protocols get a view of their own words, so a stray write goes through its buffer. */
const pastTheEnd = (state: Int32Array, size: number): void => {
  new Int32Array(state.buffer, state.byteOffset)[size] = 7;
};

let serial = 0;
/** Registers the good protocol with `changes`, runs check on it, and unregisters it. */
function check(changes: (p: ProtocolDefinition<{ rounds: number }>) => Partial<ProtocolDefinition<{ rounds: number }>>, quick = false) {
  const name = `rules-${++serial}`;
  const base = good(name);
  const protocol = { ...base, ...changes(base) };
  registerProtocol(protocol);
  try {
    return checkProtocol(protocol, quick);
  } finally {
    unregister(name);
  }
}

function refused(changes: Parameters<typeof check>[0], message: RegExp): void {
  assert.throws(
    () => check(changes),
    (error: unknown) => {
      assert.ok(error instanceof ContractBroken, `not ContractBroken: ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

/** next with one case replaced: the END step (clock 2) is given to `end`. */
const atEnd = (base: ProtocolDefinition<{ rounds: number }>, end: (step: Step, state: Int32Array) => void) => ({
  next(state: Int32Array, config: { rounds: number }, step: Step) {
    base.next(state, config, step);
    if (state[0] === 2) end(step, state);
  },
});

describe('the contract checker refuses every broken rule (and passes the rule kept)', () => {
  it('passes the good protocol: every cell, every state', () => {
    const report = check(() => ({}));
    assert.equal(report.cells, 3);
    // per round limit: clock 0, two coin states, four after the send
    assert.equal(report.states, 3 * 7);
    assert.equal(report.trialsEnded, 3 * 4);
  });
  it('the names before any cell: an outcome named twice is refused', () => {
    refused(
      (base) => ({ outcomes: { ...base.outcomes, names: ['both', 'both', 'onlyA', 'onlyB'] } }),
      /^outcomes\.names lists 'both' twice: each outcome needs a name of its own$/,
    );
  });
  it('configure, stateSize and init', () => {
    refused(
      () => ({
        configure: () => {
          throw new Error('boom');
        },
      }),
      /^cell rounds=1: configure threw: boom$/,
    );
    for (const size of [0, 1.5, 2 ** 20 + 1, Number.NaN]) {
      refused(() => ({ stateSize: () => size }), new RegExp(`^cell rounds=1: stateSize returned ${size}; it must be a whole number from 1`));
    }
    // Text or a list where a number was wanted is shown as such: '4' would read as a size of 4.
    refused(() => ({ stateSize: () => '4' as unknown as number }), /^cell rounds=1: stateSize returned the text '4'; it must be a whole number from 1/);
    refused(() => ({ stateSize: () => [4] as unknown as number }), /^cell rounds=1: stateSize returned a list; it must be a whole number from 1/);
    assert.equal(check(() => ({ stateSize: () => 2 ** 10 })).cells, 3);
    refused(() => ({ init: (state) => pastTheEnd(state, 3) }), /^cell rounds=1: init wrote beyond the declared state size \(3\)/);
  });
  it('next: deterministic, within the state, a valid kind', () => {
    let calls = 0;
    refused(
      (base) => ({
        next(state, config, step) {
          base.next(state, config, step);
          if (state[0] === 1) step.label = `order ${calls++}`;
        },
      }),
      /next is not deterministic: two calls on the same state gave different steps or states; state \[1, 0, 1\] \(clock 1\); results that led there: coin = 1$/,
    );
    refused(
      (base) => ({
        next(state, config, step) {
          base.next(state, config, step);
          if (state[0] === 1) pastTheEnd(state, 3);
        },
      }),
      /next wrote beyond the declared state size \(3\)/,
    );
    refused((base) => atEnd(base, (step) => ((step as { kind: number }).kind = 9)), /next set step\.kind to 9; it must be SEND, CHOOSE, ROUND or END/);
  });
  it('END: an outcome index into outcomes.names', () => {
    // −1 is the unset sentinel: refused as a step left unfilled
    refused(
      (base) => atEnd(base, (step) => (step.outcome = -1)),
      /the trial ended \(END\) without an outcome: set step\.outcome to an index into outcomes\.names/,
    );
    for (const outcome of [4, 0.5]) {
      refused(
        (base) => atEnd(base, (step) => (step.outcome = outcome)),
        new RegExp(`the trial ended with outcome ${outcome}, not an index into outcomes.names \\(0 to 3\\)`),
      );
    }
    assert.equal(check((base) => atEnd(base, (step) => (step.outcome = 3))).trialsEnded, 12);
  });
  it('SEND: a direction and a round within 1..R', () => {
    const atSend = (base: ProtocolDefinition<{ rounds: number }>, change: (step: Step, config: { rounds: number }) => void) => ({
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (state[0] === 1) change(step, config);
      },
    });
    refused(
      (base) => atSend(base, (step) => ((step as { direction: number }).direction = 2)),
      /a send has direction 2; it must be A_TO_B \(0\) or B_TO_A \(1\)/,
    );
    refused((base) => atSend(base, (step, c) => (step.round = c.rounds + 1)), /^cell rounds=1: a send in round 2, outside 1\.\.1 \(the round limit\)/);
    refused((base) => atSend(base, (step) => (step.round = 0)), /a send in round 0, outside 1\.\.1/);
    refused((base) => atSend(base, (step) => (step.round = 1.5)), /a send in round 1\.5, outside/);
    // a protocol that does not use rounds may send in any round
    assert.equal(check((base) => ({ usesRounds: false, ...atSend(base, (step) => (step.round = 9)) })).cells, 3);
  });
  it('CHOOSE: probabilities given, finite, non-negative, summing to 1', () => {
    const choices = (p: Float64Array | null) => (base: ProtocolDefinition<{ rounds: number }>) => ({
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (state[0] === 0) step.choices = p;
      },
    });
    refused(choices(null), /a choice has no probabilities \(step\.choices\)/);
    refused(choices(new Float64Array(0)), /a choice has no probabilities/);
    refused(choices(Float64Array.of(0.5, 0.4)), /a choice's probabilities sum to 0\.9, not 1/);
    refused(choices(Float64Array.of(0.5, 0.5, 1e-6)), /sum to 1\.000001, not 1/);
    refused(choices(Float64Array.of(1.5, -0.5)), /a choice has probability -0\.5; each must be finite and non-negative/);
    refused(choices(Float64Array.of(Number.NaN, 1)), /a choice has probability NaN/);
    refused(choices(Float64Array.of(Number.POSITIVE_INFINITY, 0)), /a choice has probability Infinity/);
    // within 1e-9 of 1, and a zero-probability choice, pass; the zero one is not explored
    const report = check(choices(Float64Array.of(0.5, 0.5 + 1e-12, 0)));
    assert.equal(report.states, 21);
  });
  it('resolve: advances the clock, stays within the state', () => {
    refused(
      (base) => ({
        resolve(state, config, step, result) {
          base.resolve(state, config, step, result);
          if (step.kind === SEND) state[0] = 1;
        },
      }),
      /resolve did not advance the clock \(state\[0\] went from 1 to 1\).*results that led there: coin = 1, order \(round 1\) received$/,
    );
    refused(
      (base) => ({
        resolve(state, config, step, result) {
          base.resolve(state, config, step, result);
          pastTheEnd(state, 3);
        },
      }),
      /resolve wrote beyond the declared state size \(3\)/,
    );
  });
  it("resolve: leaves a choice's probabilities as next gave them (compared as their text: -0 is 0)", () => {
    type Coin = Float64Array | number[];
    // next gives `coin` (the test's own array) for the toss; resolve, given a toss's result, does `change` to it.
    const tossed = (coin: Coin, change: (coin: Coin, step: Step) => void) => (base: ProtocolDefinition<{ rounds: number }>) => ({
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (state[0] === 0) step.choices = coin as Float64Array;
      },
      resolve(state: Int32Array, config: { rounds: number }, step: Step, result: number) {
        base.resolve(state, config, step, result);
        if (step.kind === CHOOSE) change(coin, step);
      },
    });
    const changed = (after: string) =>
      new RegExp(
        `^cell rounds=1: resolve changed the probabilities of the step\\.choices it was given \\(\\[0\\.5, 0\\.5\\] as next gave them, \\[${after}\\] after resolve\\)`,
      );
    for (const coin of [() => Float64Array.of(0.5, 0.5), () => [0.5, 0.5]]) {
      // the last of them changed, a Float64Array or an array of numbers
      refused(
        tossed(coin(), (c) => (c[1] = 0.25)),
        changed('0\\.5, 0\\.25'),
      );
      refused(
        tossed(coin(), (c) => (c[0] = 0.25)),
        changed('0\\.25, 0\\.5'),
      );
      // the step given another array of other values (before the step's own rule: the array is another)
      refused(
        tossed(coin(), (_c, step) => (step.choices = Float64Array.of(0.5, 0.5, 0))),
        changed('0\\.5, 0\\.5, 0'),
      );
      // written again with the same values, or 0 as -0: kept
      assert.equal(check(tossed(coin(), (c) => ((c[0] = 0.5), (c[1] = 0.5)))).states, 21);
      const sure = Array.isArray(coin()) ? [1, 0] : Float64Array.of(1, 0);
      assert.equal(check(tossed(sure, (c) => (c[1] = -0))).cells, 3);
    }
  });
  it('describe returns text', () => {
    refused(() => ({ describe: () => 7 as unknown as string }), /describe returned number, not text/);
    refused(
      () => ({
        describe: () => {
          throw new Error('no words');
        },
      }),
      /describe threw: no words/,
    );
  });
  it('the watchdog names the call and the state it was given, as the call left it (describe writing to its copy)', () => {
    // What the watchdog reads where a call never returns: here the call throws, after writing to its state.
    const name = `rules-${++serial}`;
    const base = good(name);
    const protocol = {
      ...base,
      describe(state: Int32Array): string {
        state[1] = 9;
        throw new Error('stuck');
      },
    };
    const position: CheckPosition = { call: '', state: [] };
    registerProtocol(protocol);
    try {
      assert.throws(() => checkProtocol(protocol, false, position), /^ContractBroken: cell rounds=1: describe threw: stuck/);
    } finally {
      unregister(name);
    }
    assert.equal(position.call, 'describe');
    assert.deepEqual(Array.from(position.state), [0, 9, 0]);
  });
  it('canonicalize keeps every exact value', () => {
    // merging the coin's two states is fine (same future); sending the order lost as received is not
    assert.equal(check(() => ({ canonicalize: (state) => void (state[2] = 0) })).cells, 3);
    refused(
      () => ({
        canonicalize: (state) => {
          if (state[0] === 2) state[1] = 1;
        },
      }),
      /^cell rounds=1, loss 0\.3: canonicalize changes the exact probability of both \(0\.7 without merging, 1 with\)/,
    );
  });
  it('a trial must end', () => {
    refused(
      (base) => ({
        next(state, config, step) {
          base.next(state, config, step);
          if (state[0]! >= 2) {
            step.kind = SEND;
            step.round = 1;
          }
        },
        resolve(state) {
          state[0] = Math.min(state[0]! + 1, 250_000);
        },
        stateSize: () => 1,
      }),
      // one state a step: the trial passes 100,000 steps long before the cell holds 200,000 states
      /^cell rounds=1: a trial took more than 100000 steps without ending; state \[100001\] \(clock 100001\)/,
    );
  });
  it('a cell holds at most 200,000 distinct states: exactly 200,000 pass, one more is refused', () => {
    // Two choices, every trial three steps long: the root, 1,000 after the first choice, and after
    // the second 199 from each of the first 999 and 198 + extra from the last, all ending; only
    // the cell rounds=1 (the others end at once, one state each).
    const WIDE = Float64Array.from({ length: 1000 }, () => 1 / 1000);
    const NARROW = Float64Array.from({ length: 199 }, () => 1 / 199);
    const LAST = Float64Array.from({ length: 198 }, () => 1 / 198);
    const ONE_MORE = Float64Array.from({ length: 199 }, () => 1 / 199);
    const wide = (extra: 0 | 1) => (base: ProtocolDefinition<{ rounds: number }>) => ({
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (config.rounds === 1 && state[0]! < 2) {
          step.kind = CHOOSE;
          step.label = 'pick';
          step.choices = state[0] === 0 ? WIDE : state[1]! < 999 ? NARROW : extra ? ONE_MORE : LAST;
        } else {
          step.kind = END;
          step.outcome = 0;
        }
      },
      resolve(state: Int32Array, _config: { rounds: number }, _step: Step, result: number) {
        state[1 + state[0]!] = result;
        state[0] = state[0]! + 1;
      },
    });
    const report = check(wide(0));
    assert.deepEqual([report.states, report.trialsEnded], [200_000 + 2, 198_999 + 2]);
    refused(wide(1), /^cell rounds=1: more than 200000 distinct states in a small cell; is the clock \(state\[0\]\) the only thing that keeps growing\?$/);
  });
});
