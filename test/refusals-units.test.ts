import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  A_TO_B,
  B_TO_A,
  COMMIT_OUTCOMES,
  CHOOSE,
  END,
  ROUND,
  SEND,
  Step,
  announcementProblem,
  clearStep,
  receiverNode,
  senderNode,
  supportsCrashes,
  twoGeneralsCrashes,
  unfilledStep,
} from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { StepNotFilled, refuseUnreadableStep } from '../src/engine/unfilled-step.js';
import { runExperiment } from '../src/experiment.js';
import { protocolOf, scenarioFrom } from './helpers.js';

// The step refusals' and the contract's small rules, each on the input that tells it apart: the
// fields a step starts with and is cleared to, an announced run's choosers that are no whole bit
// mask, what a node number is, which protocols support crashes, the refusal's own words and name.

describe('the contract: a step, its run, its nodes', () => {
  it('a step starts, and is cleared, without an outcome: END left so is refused', () => {
    const fresh = new Step();
    assert.equal(fresh.outcome, -1);
    fresh.kind = END;
    assert.match(unfilledStep(fresh, 4) ?? '', /^the trial ended \(END\) without an outcome/);
    const used = Object.assign(new Step(), { kind: END, outcome: 1, peers: 1, choosers: 1 });
    clearStep(used);
    assert.deepEqual([used.outcome, used.peers, used.choosers], [-1, 0, 0]);
    used.kind = END;
    assert.match(unfilledStep(used, 4) ?? '', /^the trial ended \(END\) without an outcome/);
  });

  it('an announced run whose choosers are no whole bit mask is refused: 1.5, and −2^32 (which a bit operation reads as 0)', () => {
    const message = (choosers: number) => `step.choosers is ${choosers}; it must name only peers of step.peers (1)`;
    const choose = Object.assign(new Step(), { kind: CHOOSE, peer: 0, peers: 1, choosers: 1.5, choices: Float64Array.of(0.5, 0.5) });
    assert.equal(announcementProblem(choose), message(1.5));
    const send = Object.assign(new Step(), { kind: SEND, peer: 0, peers: 1, choosers: -(2 ** 32) });
    assert.equal(announcementProblem(send), message(-(2 ** 32)));
    assert.equal(announcementProblem(Object.assign(send, { choosers: 0 })), null);
  });

  it('nodes: A is 0, B (or cohort p) is 1 + p, whichever way the message goes', () => {
    assert.deepEqual([senderNode(A_TO_B, -1), receiverNode(A_TO_B, -1)], [0, 1]);
    assert.deepEqual([senderNode(B_TO_A, -1), receiverNode(B_TO_A, -1)], [1, 0]);
    assert.deepEqual([senderNode(A_TO_B, 2), receiverNode(A_TO_B, 2)], [0, 3]);
    assert.deepEqual([senderNode(B_TO_A, 2), receiverNode(B_TO_A, 2)], [3, 0]);
  });

  it('a protocol supports crashes only with all four members, and at least one role', () => {
    const plain = protocolOf('crash-members', 1, { next: () => {}, resolve: () => {} });
    const all = { ...plain, ...twoGeneralsCrashes(0) };
    assert.equal(supportsCrashes(all), true);
    assert.equal(supportsCrashes(plain), false);
    assert.equal(supportsCrashes({ ...all, roles: [] }), false, 'no role');
    for (const member of ['roles', 'nodes', 'crash', 'crashed'] as const) {
      assert.equal(supportsCrashes({ ...all, [member]: undefined }), false, `without ${member}`);
    }
  });
});

describe('the step refusals: their words, their name, what they leave alone', () => {
  it('names the protocol, the problem and the state, its first 16 words and an ellipsis past them', () => {
    const words = (n: number) => Int32Array.from({ length: n }, (_, i) => i * 10);
    const sixteen = '0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150';
    assert.equal(new StepNotFilled('p', 'a slip', words(16)).message, `protocol p: a slip (state [${sixteen}])`);
    assert.equal(new StepNotFilled('p', 'a slip', words(17)).message, `protocol p: a slip (state [${sixteen}, …])`);
    assert.equal(new StepNotFilled('p', 'a slip', words(2)).message, 'protocol p: a slip (state [0, 10])');
    // The worker pool knows the user's faults by name (a worker's error arrives as a plain Error).
    assert.equal(new StepNotFilled('p', 'a slip', words(1)).name, 'StepNotFilled');
  });

  it('an END or a ROUND is not held to a send’s rules: its round may be 0, or any the step kept', () => {
    const state = new Int32Array(2);
    for (const step of [Object.assign(new Step(), { kind: END, outcome: 0 }), Object.assign(new Step(), { kind: ROUND, round: 1 })]) {
      assert.doesNotThrow(() => refuseUnreadableStep('p', Object.assign(step, { round: step.kind === END ? 0 : 1, direction: 7 }), 4, 2, state));
    }
    const send = Object.assign(new Step(), { kind: SEND, round: 0 });
    assert.throws(
      () => refuseUnreadableStep('p', send, 4, 2, state),
      (e: unknown) => e instanceof StepNotFilled && e.message === 'protocol p: a send in round 0, outside 1..2 (the round limit) (state [0, 0])',
    );
  });
});

describe("two-phase commit's outcome set", () => {
  it('counts an inconsistent end as disagreement (a protocol of those outcomes, inconsistent half the time)', async () => {
    const name = 'commit-outcomes-inconsistent';
    registerProtocol({
      ...protocolOf(name, 1, {
        next(state, _config, step) {
          if (state[0] === 0) {
            step.kind = CHOOSE;
            step.choices = Float64Array.of(0.5, 0.5);
          } else {
            step.kind = END;
            step.outcome = state[0] === 1 ? 0 : 3;
          }
        },
        resolve(state, _config, _step, result) {
          state[0] = 1 + result;
        },
      }),
      outcomes: COMMIT_OUTCOMES,
    });
    try {
      const report = await runExperiment([scenarioFrom({ protocol: name, trials: 1000, seed: 'commit-outcomes' })], {
        exact: 'on',
        simulate: true,
        confidence: 0.95,
        workers: 1,
      });
      const s = report.summaries[0]!;
      assert.deepEqual([s.exact!.success, s.exact!.disagreement], [0.5, 0.5]);
      const counts = s.result.tally!.outcomes;
      assert.ok(counts[3]! > 400 && counts[3]! < 600, String(counts));
      assert.equal(s.disagreement.count, counts[3]);
      assert.equal(s.success.count, counts[0]);
    } finally {
      unregister(name);
    }
  });
});
