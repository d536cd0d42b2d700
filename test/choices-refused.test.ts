import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { CHOOSE, choicesProblem } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
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
import { good } from './rule-protocol.js';

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
        const rng = () => {
          const s = stream();
          return new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!);
        };
        refused(() => exactCell(model), 'exact');
        refused(() => exactCell(cell(name, 'trace', { file: long, rounds: 3, redundancy: 1 })), 'exact over a replayed trace');
        refused(() => runBlockGeneric(model, rng(), 100), 'generic Monte Carlo');
        refused(() => runBlockCompiled(model, stream(), 5000), 'compiled kernel');
        refused(() => trialKernelWith(model, null)(stream(), 100), 'trial kernel');
        refused(() => trialKernelWith(model, new MemoAutomaton(model))(stream(), 100), 'trial kernel with a memo automaton');
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
  it('an engine still draws what the array holds now: its table is made again when the probabilities changed', () => {
    const shared = Float64Array.of(1, 0);
    assert.deepEqual(Array.from(choiceTable(shared).threshold), [2 ** 53, 2 ** 53]);
    shared.set([0, 1]);
    assert.deepEqual(Array.from(choiceTable(shared).threshold), [0, 2 ** 53]);
    shared.set([0.5, 0.4]);
    assert.throws(
      () => choiceTable(shared, 'p', Int32Array.of(7)),
      (e: unknown) => e instanceof UsageError && e.message === "protocol p: a choice's probabilities sum to 0.9, not 1 (state [7])",
    );
  });
});
