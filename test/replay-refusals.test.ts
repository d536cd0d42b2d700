import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, END, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition, Step } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { startOrderFor } from '../src/engine/montecarlo/start-order.js';
import { UsageError } from '../src/errors.js';
import { good } from './rule-protocol.js';
import { tempFiles } from './helpers.js';

/**
 * Monte Carlo over a replayed trace (past 20,000 packets) holds each step to the contract as
 * the other engines do: a one-send protocol (the messenger's path, start-order.ts) and one with a
 * choice first (the automaton's, replay.ts) are refused with the protocol's name where a step
 * breaks it (from rounds 3 on: the quick check's cell has two), never counted.
 */
const LONG = join(tempFiles({ 'long.txt': '011000101110'.repeat(1668) }), 'long.txt');

/** One send in round 1 from A, then the end: generals coordinate iff it arrived. */
function oneSend(name: string, broken: (step: Step, sent: boolean) => void): ProtocolDefinition<{ rounds: number }> {
  return {
    ...good(name),
    next(state, config, step) {
      if (state[0] === 0) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
      } else {
        step.kind = END;
        step.outcome = state[1] === 1 ? 0 : 2;
      }
      if (config.rounds >= 3) broken(step, state[0] !== 0);
    },
    resolve(state, _config, _step, result) {
      state[1] = result;
      state[0] = 1;
    },
  };
}

const BROKEN: [string, ProtocolDefinition<{ rounds: number }>, RegExp, boolean][] = [
  ['a send in direction 2', oneSend('replay-direction', (step, sent) => sent || (step.direction = 2 as Step['direction'])), /a send has direction 2/, false],
  ['a send in round 0', oneSend('replay-round', (step, sent) => sent || (step.round = 0)), /a send in round 0, outside 1\.\.3/, false],
  ['an outcome of 1.5', oneSend('replay-outcome', (step, sent) => sent && (step.outcome = 1.5)), /the trial ended with outcome 1\.5/, false],
  ['an outcome of -2', oneSend('replay-outcome-negative', (step, sent) => sent && (step.outcome = -2)), /the trial ended with outcome -2/, false],
  [
    'an outcome of 4, one past the names',
    oneSend('replay-outcome-past', (step, sent) => sent && (step.outcome = 4)),
    /the trial ended with outcome 4, not an index/,
    false,
  ],
  ['a send announcing a run without bit 0', oneSend('replay-peers', (step, sent) => sent || (step.peers = 2)), /step\.peers is 2, without bit 0/, false],
  [
    'a send whose run has a chooser but no peers',
    oneSend('replay-choosers', (step, sent) => sent || (step.choosers = 1)),
    /step\.peers is 0, without bit 0/,
    false,
  ],
  [
    'a step left unset after the send',
    oneSend('replay-unset', (step, sent) => sent && ((step as { kind: unknown }).kind = -1)),
    /next left step\.kind unset|next set step\.kind to -1/,
    false,
  ],
  [
    'a choice that is no distribution',
    ((base) => ({
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (config.rounds >= 3 && state[0] === 0) step.choices = Float64Array.of(0.5, 0.4);
      },
    }))(good('replay-choice')),
    /a choice's probabilities sum to 0\.9, not 1/,
    true,
  ],
  [
    'a send past the rounds after a choice',
    ((base) => ({
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (config.rounds >= 3 && step.kind === SEND) step.round = 4;
      },
    }))(good('replay-late')),
    /a send in round 4, outside 1\.\.3/,
    true,
  ],
];

describe('Monte Carlo over a replayed trace refuses a step that breaks the contract, naming the protocol', () => {
  for (const [what, protocol, message, choosesFirst] of BROKEN) {
    it(what, () => {
      registerProtocol(protocol);
      try {
        const model = buildCellModel({ protocol: protocol.name, channel: 'trace', params: { file: LONG, rounds: 3, redundancy: 1 } });
        assert.ok(model.replay, 'the trace is replayed');
        assert.equal(startOrderFor(model), null, 'no start order for a protocol whose send breaks the contract');
        for (const trials of [1, 5000]) {
          assert.throws(
            () => runBlock(model, Int32Array.of(trials, 2, 3, 4), trials),
            (e: unknown) => e instanceof UsageError && e.message.startsWith(`protocol ${protocol.name}: `) && message.test(e.message),
            `${trials} trials`,
          );
        }
        // At two rounds it keeps the contract: a one-send protocol has its start order.
        const kept = buildCellModel({ protocol: protocol.name, channel: 'trace', params: { file: LONG, rounds: 2, redundancy: 1 } });
        assert.equal(startOrderFor(kept) === null, choosesFirst);
        assert.equal(runBlock(kept, Int32Array.of(1, 2, 3, 4), 5000).trials, 5000);
      } finally {
        unregister(protocol.name);
      }
    });
  }
});
