import { ONE_IN_UNITS, roundedRatio, unitsOf } from '../src/stats/exact-rounding.js';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UNLIMITED, exactCell, exactSteps } from '../src/engine/exact/index.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, ROUND, SEND } from '../src/contract/protocol.js';
import type { Step } from '../src/contract/protocol.js';
import { UsageError } from '../src/errors.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { TrialNeverEnds } from '../src/engine/montecarlo/generic.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { blockState } from '../src/rng/streams.js';
import { assertSameExact, protocolOf, tempFiles } from './helpers.js';
import { good } from './rule-protocol.js';
import { assertSame, cell, drive, refusal } from './exact-helpers.js';

/**
 * The trace starts (engine/exact/trace-starts.ts) against an engine that shares none of its code:
 * a long trace replayed start by start against the same trace's period run as tables. Kept small:
 * these run for every mutant of the trace starts (docs/mutation.md).
 */

describe('the trace starts: a long periodic trace replayed start by start equals its period as tables', () => {
  // A trace past the table limit (20,000 packets) is replayed; made of whole periods, its starts
  // repeat the period's, so its exact value is the period's, which the table engines compute.
  const period = '011000101110'; // 12 packets
  const otherPeriod = '100110000101';
  const times = 1668; // 20,016 packets
  const dir = tempFiles({
    'period.txt': period,
    'other-period.txt': otherPeriod,
    'long.txt': period.repeat(times),
    'other-long.txt': otherPeriod.repeat(times),
  });
  const short = join(dir, 'period.txt');
  const long = join(dir, 'long.txt');
  const cases: [string, Record<string, number>][] = [
    ['messenger', { rounds: 1, redundancy: 3 }],
    ['handshake', { rounds: 3, redundancy: 2 }],
    ['retransmit', { rounds: 4, redundancy: 1 }],
    ['randomized', { rounds: 3, redundancy: 2 }],
    ['two-phase-commit', { rounds: 2, redundancy: 1, participants: 2, abortRate: 0.3 }],
  ];
  for (const [protocol, params] of cases) {
    it(`${protocol} ${JSON.stringify(params)}: one trace, and a trace per direction`, () => {
      const replayed = cell(protocol, 'trace', { file: long, ...params });
      assert.ok(replayed.replay, 'the long trace is replayed');
      const result = exactCell(replayed);
      assert.equal(result.method, 'trace starts, each followed');
      assertSame(result, exactCell(cell(protocol, 'trace', { file: short, ...params }), UNLIMITED, 'generic'), 'one trace');
      const both = exactCell(cell(protocol, 'trace', { file: long, AtoB: long, BtoA: join(dir, 'other-long.txt'), ...params }));
      const bothShort = exactCell(cell(protocol, 'trace', { file: short, AtoB: short, BtoA: join(dir, 'other-period.txt'), ...params }), UNLIMITED, 'generic');
      assertSame(both, bothShort, 'per direction');
    });
  }
  it('follows every start once: the work is the protocol steps, yielded every 1,024 starts, and the limit names the starts followed', () => {
    const model = cell('messenger', 'trace', { file: long, rounds: 1, redundancy: 1 });
    // messenger, one copy: two protocol steps per start (the send, then the end).
    const { yields, result } = drive(model);
    assert.equal(result.statesExpanded, 2 * 20_016);
    assert.equal(yields.length, 20);
    assert.deepEqual(yields.slice(0, 2), [2046, 2048]);
    assert.equal(
      yields.reduce((s, y) => s + y, 0),
      2 * 20_016,
    );
    const heard: number[] = [];
    exactCell(model, { ...UNLIMITED, progress: (n) => heard.push(n) });
    assert.deepEqual(heard.slice(0, 3), [2046, 4094, 6142]);
    assert.equal(heard.length, 19);
    assert.equal(
      refusal(model, { maxWork: 4093, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 4,093 steps of work (2,047 of 20,016 trace starts followed)',
    );
    // The limit is looked at every 1,024 starts: the last look, at start 19,455, has seen 38,910 units (19,455 starts of two steps).
    assert.equal(
      refusal(model, { maxWork: 38_909, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 38,909 steps of work (19,455 of 20,016 trace starts followed)',
    );
    assert.equal(exactCell(model, { maxWork: 38_910, maxWords: Number.POSITIVE_INFINITY }).statesExpanded, 2 * 20_016);
  });
  it('looks at the work within a start too: a start of many chance points is stopped at the limit, not after 1,024 starts', () => {
    // No loss: every cohort hears PREPARE and draws its vote, so a start is 2^10 paths (about
    // 25,000 steps); 1,024 such starts between looks were 25 million steps past any limit, and a
    // run's exact attempt held its thread (and the run) for minutes where cohorts were more.
    const clean = join(tempFiles({ 'clean.txt': '0'.repeat(20_016) }), 'clean.txt');
    const model = cell('two-phase-commit', 'trace', { file: clean, rounds: 1, redundancy: 1, participants: 10, abortRate: 0.05 });
    const steps = exactSteps(model, UNLIMITED);
    assert.deepEqual([steps.next().value, steps.next().value], [65_536, 65_536]);
    assert.equal(
      refusal(model, { maxWork: 100_000, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 100,000 steps of work (5 of 20,016 trace starts followed)',
    );
  });
  it('looks at the limit within a start too: twenty cohorts’ votes branch a start some 2^20 ways', () => {
    // Looked at only every 1,024 starts, the automatic attempt's budget was first read after about
    // 10^9 steps: `run` over a long trace sat for minutes where its trials took half a second.
    const model = cell('two-phase-commit', 'trace', { file: long, rounds: 2, redundancy: 1, participants: 20, abortRate: 0.1 });
    assert.equal(
      refusal(model, { maxWork: 100_000, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 100,000 steps of work (0 of 20,016 trace starts followed)',
    );
    const steps = exactSteps(model, UNLIMITED);
    for (let i = 0; i < 50; i++) assert.ok((steps.next().value as number) <= 65_536, 'a yield every 65,536 units at most');
  });
  it('sums the starts with compensation: 20,016 starts of 0.9 and 0.1 average to 0.9 and 0.1 to the last bit', () => {
    // A lossless trace: every start commits with 0.9 (its YES vote) and aborts with 0.1. Summed
    // plainly, 20,016 terms of 0.9 drift by 1e-13 (0.8999999999998981).
    const lossless = join(tempFiles({ 'lossless.txt': '0'.repeat(20_016) }), 'lossless.txt');
    const result = exactCell(cell('two-phase-commit', 'trace', { file: lossless, rounds: 1, redundancy: 1, participants: 1, abortRate: 0.1 }));
    assert.equal(result.method, 'trace starts, each followed');
    assert.deepEqual(result.outcomes, [0.9, 0.1, 0, 0]);
  });
  it('sums a start that weighs more than every start before it with its rounding error kept: 0.3 then 0.6 over the starts is rounded once', () => {
    // Two sends: a first copy lost ends the trial (neither); both delivered, a coin of 0.3 gives
    // both; the second lost, one of 0.6. Over a trace whose packets 0 and 1 alone are delivered,
    // start 0 adds 0.3 to both and start 1 then adds 0.6, more than the sum before it: its error
    // is 0.6 − t + 0.3 (exact), not 0.3 − t + 0.6 (which rounds), and the sum stays 0.3 + 0.6
    // rounded once (0.8999999999999999, not 0.9).
    const name = 'exact-trace-starts-weights';
    const [BOTH, SECOND_LOST] = [Float64Array.of(0.3, 0.7), Float64Array.of(0.6, 0.4)];
    const weights = protocolOf(name, 3, {
      next(state, _config, step) {
        const clock = state[0]!;
        if (clock < 2 && (clock === 0 || state[1] === 1)) {
          Object.assign(step, { kind: SEND, direction: A_TO_B, round: 1 + clock, label: 'order' });
        } else if (clock === 2) {
          Object.assign(step, { kind: CHOOSE, choices: state[2] === 1 ? BOTH : SECOND_LOST, label: 'coin' });
        } else Object.assign(step, { kind: END, outcome: clock === 3 ? state[1]! : 1 });
      },
      resolve(state, _config, step, result) {
        if (step.kind === CHOOSE) {
          state[1] = result === 0 ? 0 : 1;
          state[0] = 3;
        } else if (state[0] === 0) {
          state[1] = result;
          state[0] = result === 1 ? 1 : 4;
        } else {
          state[2] = result;
          state[0] = 2;
        }
      },
    });
    registerProtocol({ ...weights, describe: (state) => `clock ${state[0]}` });
    try {
      const dir = tempFiles({ 'two.txt': `00${'1'.repeat(20_014)}` });
      const result = exactCell(cell(name, 'trace', { file: join(dir, 'two.txt'), rounds: 2, redundancy: 1 }));
      assert.equal(result.method, 'trace starts, each followed');
      // The exact sum of the two masses over the starts, rounded once (not their rounded sum, rounded again by the division).
      assert.equal(result.outcomes[0], roundedRatio(unitsOf(0.3) + unitsOf(0.6), 20_016n * ONE_IN_UNITS));
      assert.notEqual(result.outcomes[0], (0.3 + 0.6) / 20_016);
      assert.equal(result.outcomes[1], roundedRatio(unitsOf(0.7) + unitsOf(0.4) + 20_014n * ONE_IN_UNITS, 20_016n * ONE_IN_UNITS));
    } finally {
      unregister(name);
    }
  });
  it('counts a trial that ends before sending anything as one of 0 messages', () => {
    // A tosses a coin: heads, A attacks alone without a word; tails, the order as in `good`.
    const name = 'exact-solvers-silent';
    const base = good(name);
    const silent: ProtocolDefinition<{ rounds: number }> = {
      ...base,
      resolve(state, config, step, result) {
        base.resolve(state, config, step, result);
        if (state[0] === 1 && state[2] === 0) state[0] = 2; // heads: straight to the end
      },
    };
    registerProtocol(silent);
    try {
      const result = exactCell(cell(name, 'trace', { file: long, rounds: 1, redundancy: 1 }));
      assert.deepEqual(result.messages, [0.5, 0.5]);
      // heads: only A; tails: both iff the order's packet is delivered (6 of the 12 positions are 0).
      assertSameExact(
        result,
        { ...result, outcomes: [0.5 * (6 / 12), 0, 0.5 + 0.5 * (6 / 12), 0], messagesMean: 0.5, messagesSecondMoment: 0.5 },
        'silent heads',
      );
    } finally {
      unregister(name);
    }
  });
  it('refuses a protocol whose trial never ends, naming it', () => {
    const name = 'exact-solvers-endless';
    const base = good(name);
    const endless: ProtocolDefinition<{ rounds: number }> = {
      ...base,
      next(_state, config, step) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = config.rounds;
        step.label = 'again';
      },
      resolve() {},
    };
    registerProtocol(endless);
    try {
      assert.throws(
        () => exactCell(cell(name, 'trace', { file: long, rounds: 1, redundancy: 1 })),
        (e: unknown) => e instanceof TrialNeverEnds && /^protocol exact-solvers-endless: a trial did not end after 10,000,000 steps/.test(e.message),
      );
    } finally {
      unregister(name);
    }
  });
  it('refuses a step next left unfilled, an outcome that is no index and a ROUND without crashes, as the other engines do', () => {
    // Each breaks the end of `good`'s trial (state[0] 2): the step object is reused, so an unset
    // field would otherwise keep the previous step's value (here the order's SEND).
    const ends: [string, (step: Step) => void, RegExp][] = [
      ['unset', () => undefined, /^protocol exact-trace-starts-unset: next left step\.kind unset/],
      [
        'half',
        (step) => Object.assign(step, { kind: END, outcome: 1.5 }),
        /^protocol exact-trace-starts-half: the trial ended with outcome 1\.5, not an index/,
      ],
      [
        'beyond',
        (step) => Object.assign(step, { kind: END, outcome: 4 }),
        /^protocol exact-trace-starts-beyond: the trial ended with outcome 4, not an index into outcomes\.names \(0 to 3\)/,
      ],
      ['no-outcome', (step) => Object.assign(step, { kind: END }), /^protocol exact-trace-starts-no-outcome: the trial ended \(END\) without an outcome/],
      ['round', (step) => Object.assign(step, { kind: ROUND, round: 1 }), /^protocol exact-trace-starts-round: next said ROUND in a cell without crashes/],
    ];
    for (const [what, end, message] of ends) {
      const name = `exact-trace-starts-${what}`;
      const base = good(name);
      registerProtocol({
        ...base,
        next(state, config, step) {
          if (state[0] === 2) end(step);
          else base.next(state, config, step);
        },
      });
      try {
        const replayed = cell(name, 'trace', { file: long, rounds: 1, redundancy: 1 });
        const refused = (e: unknown) => e instanceof UsageError && message.test(e.message);
        assert.throws(() => exactCell(replayed), refused, `${what}: exact`);
        // Monte Carlo over the replayed trace, through the protocol's automaton
        assert.throws(() => runBlockCompiled(replayed, blockState('trace-starts', what, 0), 100), refused, `${what}: Monte Carlo`);
      } finally {
        unregister(name);
      }
    }
  });
  it('branches over crashes at each round start over a replayed trace', () => {
    // A crashes at round 1's start for sure: it sends nothing and attacks not; B never hears the order.
    const sure = exactCell(cell('retransmit', 'trace', { file: long, rounds: 2, redundancy: 1, crashA: 1 }));
    assert.equal(sure.method, 'trace starts, each followed');
    assert.deepEqual(sure.outcomes, [0, 1, 0, 0]);
    assert.equal(sure.messagesMean, 0);
    // Some crash: every outcome's probability between the crash-free cell's and the sure crash's, summing to 1.
    const some = exactCell(cell('retransmit', 'trace', { file: long, rounds: 2, redundancy: 1, crash: 0.01 }));
    assert.ok(Math.abs(some.outcomes.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(some.outcomes[1]! > 0.01, `neither ${some.outcomes[1]}`);
  });
});
