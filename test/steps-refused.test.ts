import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, ROUND, SEND, Step, choicesProblem, generalsOutcome, sendProblem, unfilledStep } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import type { CellModel } from '../src/engine/model.js';
import { exactCell } from '../src/engine/exact/index.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { choiceTable, runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { MemoAutomaton } from '../src/engine/montecarlo/memo-automaton.js';
import { trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { UsageError } from '../src/errors.js';
import { ContractBroken, checkProtocol } from '../src/protocol-files/check.js';
import { blockState } from '../src/rng/streams.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { cell } from './exact-helpers.js';
import { tempFiles } from './helpers.js';
import { COIN, good } from './rule-protocol.js';

/**
 * Each engine a cell runs on, named, as a call on the block stream named `label`: the exact
 * engine, the generic Monte Carlo, the compiled kernel (a block of 5,000), and the trial kernel
 * alone and with a memo automaton (`trials` trials each, the generic engine's too).
 */
function everyEngine(model: CellModel, label: readonly [string, string], trials = 100): [string, () => unknown][] {
  const stream = () => blockState(label[0], label[1], 0);
  const rng = () => {
    const s = stream();
    return new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!);
  };
  return [
    ['exact', () => exactCell(model)],
    ['generic Monte Carlo', () => runBlockGeneric(model, rng(), trials)],
    ['compiled kernel', () => runBlockCompiled(model, stream(), 5000)],
    ['trial kernel', () => trialKernelWith(model, null)(stream(), trials)],
    ['trial kernel with a memo automaton', () => trialKernelWith(model, new MemoAutomaton(model))(stream(), trials)],
  ];
}

/**
 * A choice whose probabilities are no distribution, met only in a cell the quick check does not
 * explore (rounds 3 and more: the quick check's cell has two): every engine refuses it with the
 * protocol's name, as `check` does, instead of counting it (exact values summing to 0.9, Monte
 * Carlo drawing the missing 0.1 as the last choice).
 */
const BAD: [string, number[], RegExp][] = [
  ['short', [0.5, 0.4], /a choice's probabilities sum to 0\.9, not 1/],
  ['negative', [1.1, -0.1], /a choice has probability -0\.1; each must be finite and non-negative/],
  ['nan', [Number.NaN, 1], /a choice has probability NaN; each must be finite and non-negative/],
  ['empty', [], /a choice has no probabilities \(step\.choices\)/],
];

describe('a choice that is no distribution is refused by every engine, naming the protocol', () => {
  const long = join(tempFiles({ 'long.txt': '011000101110'.repeat(1668) }), 'long.txt');
  for (const [what, probabilities, message] of BAD) {
    it(`${what}: (${probabilities.join(', ')})`, () => {
      const name = `choices-refused-${what}`;
      const base = good(name);
      const choices = Float64Array.from(probabilities);
      registerProtocol({
        ...base,
        next(state, config, step) {
          base.next(state, config, step);
          if (config.rounds >= 3 && state[0] === 0) step.choices = choices;
        },
      });
      try {
        const refused = (run: () => unknown, engine: string) =>
          assert.throws(run, (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${name}: `) && message.test(e.message), engine);
        const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
        const stream = () => blockState('choices-refused', what, 0);
        for (const [engine, run] of everyEngine(model, ['choices-refused', what])) refused(run, engine);
        const replayed = cell(name, 'trace', { file: long, rounds: 3, redundancy: 1 });
        refused(() => exactCell(replayed), 'exact over a replayed trace');
        refused(() => runBlockCompiled(replayed, stream(), 100), 'Monte Carlo over a replayed trace');
        // the same protocol at two rounds is another cell, with a good choice
        assert.equal(exactCell(cell(name, 'bernoulli', { rounds: 2, loss: 0.1, redundancy: 1 })).outcomes.length, 4);
      } finally {
        unregister(name);
      }
    });
  }
  it('the rule: finite, non-negative, summing to 1 within 1e-9', () => {
    assert.equal(choicesProblem(Float64Array.of(0.3, 0.7)), null);
    assert.equal(choicesProblem(Float64Array.of(1)), null);
    assert.equal(choicesProblem([0.25, 0.25, 0.5]), null);
    assert.equal(choicesProblem(Float64Array.of(0.5, 0.5 + 5e-10)), null);
    assert.equal(choicesProblem(Float64Array.of(0.5, 0.5 + 2e-9)), `a choice's probabilities sum to ${0.5 + (0.5 + 2e-9)}, not 1`);
    assert.equal(choicesProblem(Float64Array.of(0.5, Number.POSITIVE_INFINITY)), 'a choice has probability Infinity; each must be finite and non-negative');
    assert.equal(choicesProblem(null), 'a choice has no probabilities (step.choices)');
  });
});

describe('a probability array is never changed once given', () => {
  /** `good`'s coin from one array that `fill` sets before each CHOOSE: per state, or per cell. */
  const filling = (name: string, fill: (choices: Float64Array, state: Int32Array, rounds: number) => void): ProtocolDefinition<{ rounds: number }> => {
    const base = good(name);
    const shared = new Float64Array(2);
    return {
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (step.kind === CHOOSE) {
          fill(shared, state, config.rounds);
          step.choices = shared;
        }
      },
    };
  };
  const refusedByCheck = (protocol: ProtocolDefinition<{ rounds: number }>, quick: boolean, message: RegExp) => {
    registerProtocol(protocol);
    try {
      assert.throws(
        () => checkProtocol(protocol, quick),
        (e: unknown) => e instanceof ContractBroken && message.test(e.message),
      );
    } finally {
      unregister(protocol.name);
    }
  };
  it('check refuses an array whose probabilities change between cells (configure or next filling one array)', () => {
    const perCell = filling('choices-per-cell', (c, _s, rounds) => c.set(rounds === 1 ? [0.5, 0.5] : [0.25, 0.75]));
    refusedByCheck(
      perCell,
      false,
      /^cell rounds=2: next gave step\.choices an array it had given before with other probabilities \(\[0\.5, 0\.5\] then, \[0\.25, 0\.75\] now\): the engines keep one sampling table per array/,
    );
    // the quick check sees one cell, where the array never changes
    registerProtocol(perCell);
    try {
      assert.equal(checkProtocol(perCell, true).cells, 1);
    } finally {
      unregister(perCell.name);
    }
  });
  it('the quick check refuses an array whose probabilities change within its cell', () => {
    // a second CHOOSE after the coin, from the same array with other probabilities
    const base = good('choices-per-state');
    const shared = new Float64Array(2);
    const twice: ProtocolDefinition<{ rounds: number }> = {
      ...base,
      stateSize: () => 4,
      next(state, config, step) {
        if (state[0]! <= 1) {
          shared.set(state[0] === 0 ? [0.9, 0.1] : [0.2, 0.8]);
          step.kind = CHOOSE;
          step.choices = shared;
          step.label = 'coin';
        } else base.next(state, config, step);
      },
      resolve(state, config, step, result) {
        if (state[0] === 1) state[0] = 2;
        else base.resolve(state, config, step, result);
      },
    };
    refusedByCheck(
      twice,
      true,
      /^cell rounds=2: next gave step\.choices an array it had given before with other probabilities \(\[0\.9, 0\.1\] then, \[0\.2, 0\.8\] now\)/,
    );
  });
  it('an engine refuses the array given again with other probabilities, as check does: it never draws from another time’s', () => {
    // (an engine that keeps a state's step, or expands states out of a trial's order, would read another time's probabilities)
    const shared = Float64Array.of(1, 0);
    assert.deepEqual(Array.from(choiceTable(shared).threshold), [2 ** 53, 2 ** 53]);
    assert.deepEqual(Array.from(choiceTable(shared).threshold), [2 ** 53, 2 ** 53]);
    shared.set([0, 1]);
    assert.throws(
      () => choiceTable(shared, 'p', Int32Array.of(7)),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message ===
          'protocol p: next gave step.choices an array it had given before with other probabilities ([1, 0] then, [0, 1] now): the engines keep one sampling table per array, so give each distribution an array of its own and never change it (state [7])',
    );
    assert.throws(
      () => choiceTable(Float64Array.of(0.5, 0.4), 'p', Int32Array.of(7)),
      (e: unknown) => e instanceof UsageError && e.message === "protocol p: a choice's probabilities sum to 0.9, not 1 (state [7])",
    );
  });
});

describe('a send with no direction, or outside the rounds, is refused by every engine, naming the protocol', () => {
  // `good`'s order, sent as `send` says from rounds 3 on (the quick check's cell has two).
  const BAD_SENDS: [string, (step: Step) => void, RegExp][] = [
    ['direction-2', (step) => (step.direction = 2 as Step['direction']), /a send has direction 2; it must be A_TO_B \(0\) or B_TO_A \(1\)/],
    ['round-0', (step) => (step.round = 0), /a send in round 0, outside 1\.\.3 \(the round limit\)/],
    ['round-4', (step) => (step.round = 4), /a send in round 4, outside 1\.\.3 \(the round limit\)/],
    ['round-half', (step) => (step.round = 1.5), /a send in round 1\.5, outside 1\.\.3/],
  ];
  const long = join(tempFiles({ 'long.txt': '011000101110'.repeat(1668) }), 'long.txt');
  for (const [what, send, message] of BAD_SENDS) {
    it(what, () => {
      const name = `sends-refused-${what}`;
      const base = good(name);
      registerProtocol({
        ...base,
        next(state, config, step) {
          base.next(state, config, step);
          if (config.rounds >= 3 && step.kind === SEND) send(step);
        },
      });
      try {
        const refused = (run: () => unknown, engine: string) =>
          assert.throws(run, (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${name}: `) && message.test(e.message), engine);
        for (const channel of ['bernoulli', 'cut'] as const) {
          const model = cell(name, channel, { rounds: 3, ...(channel === 'bernoulli' ? { loss: 0.1 } : { after: 1 }), redundancy: 1 });
          const stream = () => blockState('sends-refused', what, 0);
          const s = stream();
          refused(() => exactCell(model), `exact over ${channel}`);
          refused(() => runBlockGeneric(model, new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!), 100), `generic Monte Carlo over ${channel}`);
          refused(() => runBlockCompiled(model, stream(), 5000), `compiled kernel over ${channel}`);
          refused(() => trialKernelWith(model, null)(stream(), 100), `trial kernel over ${channel}`);
          refused(() => trialKernelWith(model, new MemoAutomaton(model))(stream(), 100), `trial kernel with a memo automaton over ${channel}`);
        }
        const replayed = cell(name, 'trace', { file: long, rounds: 3, redundancy: 1 });
        refused(() => exactCell(replayed), 'exact over a replayed trace');
        refused(() => runBlockCompiled(replayed, blockState('sends-refused', what, 0), 100), 'Monte Carlo over a replayed trace');
      } finally {
        unregister(name);
      }
    });
  }
  it('the rule, and what check names', () => {
    const step = (direction: number, round: number) => Object.assign({} as Step, { kind: SEND, direction, round });
    assert.equal(sendProblem(step(A_TO_B, 1), 1), null);
    assert.equal(sendProblem(step(1, 64), 64), null);
    assert.equal(sendProblem(step(0, 1e9), Number.POSITIVE_INFINITY), null);
    assert.equal(sendProblem(step(0, 65), 64, true), 'a send in round 65, outside 1..64 (the round limit its roundLimit gives)');
    assert.equal(sendProblem(step(-1, 1), 64), 'a send has direction -1; it must be A_TO_B (0) or B_TO_A (1)');
  });
});

/**
 * Two peers, each choosing (the coin) and then sending the order in the last round, announced as
 * one run: every peer of a run sends, its choosers after their choice, so a run of choosers alone
 * still sends in `step.direction` and `step.round`.
 */
function choosersThenSend(name: string): ProtocolDefinition<{ rounds: number }> {
  return {
    ...good(name),
    stateSize: () => 5,
    next(state, config, step) {
      const clock = state[0]!;
      if (clock >= 4) {
        step.kind = END;
        step.outcome = generalsOutcome(state[1] === 1, state[2] === 1);
        return;
      }
      const peer = clock >> 1;
      const peers = peer === 0 ? 0b11 : 0b1;
      step.kind = clock % 2 === 0 ? CHOOSE : SEND;
      step.peer = peer;
      step.peers = peers;
      step.choosers = clock % 2 === 0 ? peers : peers & ~1;
      step.choices = COIN;
      step.direction = A_TO_B;
      step.round = config.rounds;
      step.label = 'order';
    },
    resolve(state, _config, step, result) {
      if (step.kind === CHOOSE) {
        state[3 + step.peer] = result;
        state[0] = 2 * step.peer + 1;
      } else {
        state[1 + step.peer] = result;
        state[0] = 2 * step.peer + 2;
      }
    },
  };
}

describe('a run whose every peer chooses first still sends: one with no direction, or outside the rounds, is refused by every engine', () => {
  // From rounds 3 on (the quick check's cell has two) the run, announced on its first chooser's
  // CHOOSE, names a send no engine may draw; the trial kernels took such a run's sends unchecked.
  const BAD_RUNS: [string, (step: Step) => void, RegExp][] = [
    ['direction-2', (step) => (step.direction = 2 as Step['direction']), /a send has direction 2; it must be A_TO_B \(0\) or B_TO_A \(1\)/],
    ['round-0', (step) => (step.round = 0), /a send in round 0, outside 1\.\.3 \(the round limit\)/],
    ['round-4', (step) => (step.round = 4), /a send in round 4, outside 1\.\.3 \(the round limit\)/],
  ];
  for (const [what, send, message] of BAD_RUNS) {
    it(what, () => {
      const name = `choosers-run-refused-${what}`;
      const base = choosersThenSend(name);
      registerProtocol({
        ...base,
        next(state, config, step) {
          base.next(state, config, step);
          if (config.rounds >= 3 && step.kind !== END) send(step);
        },
      });
      try {
        const refused = (run: () => unknown, engine: string) =>
          assert.throws(run, (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${name}: `) && message.test(e.message), engine);
        const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
        for (const [engine, run] of everyEngine(model, ['choosers-run-refused', what])) refused(run, engine);
      } finally {
        unregister(name);
      }
    });
  }
  it('the same run within the rounds: every engine counts it alike', () => {
    const name = 'choosers-run-good';
    registerProtocol(choosersThenSend(name));
    try {
      const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
      const s = blockState('choosers-run-good', name, 0);
      const generic = runBlockGeneric(model, new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!), 100);
      assert.deepEqual(trialKernelWith(model, null)(s, 100), generic, 'trial kernel');
      assert.deepEqual(trialKernelWith(model, new MemoAutomaton(model))(s, 100), generic, 'trial kernel with a memo automaton');
      assert.equal(generic.messages[2], 100, 'two sends a trial');
    } finally {
      unregister(name);
    }
  });
});

describe('an announced run that is not well formed is refused by every engine, in the words of the run rules', () => {
  // `good`'s coin or order announced as a run that breaks one rule, from rounds 3 on (the quick
  // check's cell has two), and only after a toss of 1 in 10,000: the 24 trials held to resolveRun
  // before a compiled engine seldom meet it, and the compiled kernel's automaton, which meets
  // every state, took the run part by part without its rules (a plain array counted, exit 0).
  const BAD_RUNS: [string, number, (step: Step) => void, string][] = [
    ['order-without-bit-0', SEND, (step) => (step.peers = 2), 'step.peers is 2, without bit 0: the run starts at step.peer itself, so bit 0 must be set'],
    ['order-choosers-outside', SEND, (step) => ((step.peers = 1), (step.choosers = 3)), 'step.choosers is 3; it must name only peers of step.peers (1)'],
    ['coin-not-choosing', CHOOSE, (step) => (step.peers = 1), 'a CHOOSE step announces a run whose first peer does not choose: set bit 0 of step.choosers'],
    [
      'coin-plain-array',
      CHOOSE,
      (step) => ((step.peers = 1), (step.choosers = 1), (step.choices = [0.5, 0.5] as unknown as Float64Array)),
      "step.choosers is set, but step.choices is not a Float64Array: give a run's choice as one (Float64Array.of(…), made once in configure)",
    ],
  ];
  // After the toss: in 1 trial of 10,000, or in every trial (the 24 trials before a compiled engine meet it first).
  const TOSSES: [string, Float64Array][] = [
    ['rare', Float64Array.of(0.9999, 0.0001)],
    ['every trial', Float64Array.of(0, 1)],
  ];
  for (const [what, kind, announce, problem] of BAD_RUNS) {
    for (const [often, toss] of TOSSES) {
      it(`${what}, ${often}`, () => {
        const name = `run-rules-refused-${what}-${often.replace(' ', '-')}`;
        // A rare toss (state[3]), then `good`'s coin and order, one clock position later.
        registerProtocol({
          ...good(name),
          stateSize: () => 4,
          next(state, config, step) {
            const clock = state[0]!;
            if (clock === 0) {
              step.kind = CHOOSE;
              step.choices = toss;
              step.label = 'toss';
            } else if (clock === 1) {
              step.kind = CHOOSE;
              step.choices = COIN;
              step.label = 'coin';
            } else if (clock === 2) {
              step.kind = SEND;
              step.direction = A_TO_B;
              step.round = config.rounds;
              step.label = 'order';
            } else {
              step.kind = END;
              step.outcome = generalsOutcome(true, state[1] === 1);
              return;
            }
            if (config.rounds >= 3 && state[3] === 1 && step.kind === kind) {
              step.peer = 0;
              step.direction = A_TO_B;
              step.round = 1;
              announce(step);
            }
          },
          resolve(state, _config, step, result) {
            const clock = state[0]!;
            if (clock === 0) state[3] = result;
            else if (clock === 1) state[2] = result;
            else state[1] = result;
            state[0] = step.kind === SEND ? 3 : clock + 1;
          },
        });
        try {
          const refused = (run: () => unknown, engine: string) =>
            assert.throws(run, (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${name}: ${problem} (state [`), engine);
          const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
          // The engines that go trial by trial meet the rare toss in a long enough block.
          for (const [engine, run] of everyEngine(model, ['run-rules-refused', name], 100_000)) refused(run, engine);
        } finally {
          unregister(name);
        }
      });
    }
  }
});

describe('a round start (ROUND) in a cell without crashes is refused by every engine, naming the protocol', () => {
  // `good`'s order said as a ROUND from rounds 3 on (the quick check's cell has two): the
  // compiled kernel and the trial kernels counted it as a send.
  it('ROUND where the order goes', () => {
    const name = 'round-refused';
    const base = good(name);
    registerProtocol({
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (config.rounds >= 3 && step.kind === SEND) step.kind = ROUND;
      },
    });
    try {
      const refused = (run: () => unknown, engine: string) =>
        assert.throws(
          run,
          (e: unknown) =>
            e instanceof UsageError &&
            e.message === `protocol ${name}: next said ROUND in a cell without crashes; say ROUND only where configure received crashes: 1`,
          engine,
        );
      const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
      const stream = () => blockState('round-refused', name, 0);
      for (const [engine, run] of everyEngine(model, ['round-refused', name])) refused(run, engine);
      const replayed = cell(name, 'trace', { file: join(tempFiles({ 'long.txt': '011000101110'.repeat(1668) }), 'long.txt'), rounds: 3, redundancy: 1 });
      refused(() => exactCell(replayed), 'exact over a replayed trace');
      refused(() => runBlockCompiled(replayed, stream(), 100), 'Monte Carlo over a replayed trace');
    } finally {
      unregister(name);
    }
  });
});

describe('a step of no kind the contract knows is refused by every engine, naming the protocol', () => {
  // `good`'s order given another kind from rounds 3 on (the quick check's cell has two): no engine may read it as some step.
  const long = join(tempFiles({ 'long.txt': '011000101110'.repeat(1668) }), 'long.txt');
  for (const kind of [4, -2, 0.5]) {
    it(`kind ${kind}`, () => {
      const name = `kind-refused-${String(kind).replace('.', '-')}`;
      const base = good(name);
      registerProtocol({
        ...base,
        next(state, config, step) {
          base.next(state, config, step);
          if (config.rounds >= 3 && step.kind === SEND) step.kind = kind as Step['kind'];
        },
      });
      try {
        const message = `next set step.kind to ${kind}; it must be SEND, CHOOSE, ROUND or END`;
        const refused = (run: () => unknown, engine: string) =>
          assert.throws(run, (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${name}: ${message} (state [`), engine);
        const model = cell(name, 'bernoulli', { rounds: 3, loss: 0.1, redundancy: 1 });
        const stream = () => blockState('kind-refused', name, 0);
        for (const [engine, run] of everyEngine(model, ['kind-refused', name])) refused(run, engine);
        const replayed = cell(name, 'trace', { file: long, rounds: 3, redundancy: 1 });
        refused(() => exactCell(replayed), 'exact over a replayed trace');
        refused(() => runBlockCompiled(replayed, stream(), 100), 'Monte Carlo over a replayed trace');
      } finally {
        unregister(name);
      }
    });
  }
  it('the rule', () => {
    const step = (kind: number, outcome = -1) => Object.assign(new Step(), { kind, outcome });
    for (const kind of [SEND, CHOOSE, ROUND]) assert.equal(unfilledStep(step(kind), 4), null);
    assert.equal(unfilledStep(step(END, 3), 4), null);
    assert.equal(unfilledStep(step(7), 4), 'next set step.kind to 7; it must be SEND, CHOOSE, ROUND or END');
    assert.equal(unfilledStep(step(END, 4), 4), 'the trial ended with outcome 4, not an index into outcomes.names (0 to 3)');
  });
});
