import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshake } from '../src/protocols/handshake.js';
import { messenger } from '../src/protocols/messenger.js';
import { randomized } from '../src/protocols/randomized.js';
import { retransmit } from '../src/protocols/retransmit.js';
import { twoPhaseCommit } from '../src/protocols/two-phase-commit.js';
import { playTrial } from './helpers.js';

const T = true;
const F = false;

describe('messenger', () => {
  it('ends with both attacking when the order arrives', () => {
    const trial = playTrial(messenger, null, [T]);
    assert.equal(trial.outcome, 'both');
    assert.deepEqual(trial.sends, [{ direction: 'AtoB', round: 1, received: true }]);
  });
  it('leaves A attacking alone when the order is lost', () => {
    assert.equal(playTrial(messenger, null, [F]).outcome, 'onlyA');
  });
});

describe('handshake', () => {
  const R = (rounds: number) => handshake.configure({ rounds, participants: 1, abortRate: 0 });

  it('with one leg, A attacks without hearing anything', () => {
    assert.equal(playTrial(handshake, R(1), [T]).outcome, 'both');
    assert.equal(playTrial(handshake, R(1), [F]).outcome, 'onlyA');
  });
  it('alternates directions, one leg per round', () => {
    const { sends, outcome } = playTrial(handshake, R(4), [T, T, T, T]);
    assert.equal(outcome, 'both');
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'BtoA@2', 'AtoB@3', 'BtoA@4'],
    );
  });
  it('stops dispatching after the first lost leg', () => {
    assert.equal(playTrial(handshake, R(4), [T, F]).sends.length, 2);
  });
  it('loss of the last leg leaves its sender attacking alone', () => {
    assert.equal(playTrial(handshake, R(4), [T, T, T, F]).outcome, 'onlyB');
    assert.equal(playTrial(handshake, R(3), [T, T, F]).outcome, 'onlyA');
    assert.equal(playTrial(handshake, R(2), [T, F]).outcome, 'onlyB');
  });
  it('loss of an earlier leg leaves neither attacking', () => {
    for (let lost = 1; lost < 5; lost++) {
      const script = [...Array(lost - 1).fill(T), F];
      assert.equal(playTrial(handshake, R(5), script).outcome, 'neither', `leg ${lost} lost`);
    }
  });
});

describe('retransmit', () => {
  const R = (rounds: number) => retransmit.configure({ rounds, participants: 1, abortRate: 0 });

  it('stops once A holds the ack', () => {
    const { sends, outcome } = playTrial(retransmit, R(5), [T, T]);
    assert.equal(outcome, 'both');
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'BtoA@1'],
    );
  });
  it('resends the order every round until acknowledged', () => {
    const { sends, outcome } = playTrial(retransmit, R(5), [F, F, T, F, T, T]);
    assert.equal(outcome, 'both');
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'AtoB@2', 'AtoB@3', 'BtoA@3', 'AtoB@4', 'BtoA@4'],
    );
  });
  it('B acks only in a round in which the order arrived', () => {
    const { sends } = playTrial(retransmit, R(2), [T, F, F]);
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'BtoA@1', 'AtoB@2'],
    );
  });
  it('B attacks alone when the deadline passes with every ack lost', () => {
    assert.equal(playTrial(retransmit, R(2), [T, F, T, F]).outcome, 'onlyB');
  });
  it('neither attacks when no order ever arrives', () => {
    assert.equal(playTrial(retransmit, R(3), [F, F, F]).outcome, 'neither');
  });
  it('never leaves A attacking alone', () => {
    for (let mask = 0; mask < 1 << 8; mask++) {
      const script = Array.from({ length: 8 }, (_, i) => ((mask >> i) & 1) === 1);
      assert.notEqual(playTrial(retransmit, R(4), script).outcome, 'onlyA');
    }
  });
});

describe('randomized', () => {
  const config = (rounds: number) => randomized.configure({ rounds, participants: 1, abortRate: 0 });

  it('both attack when nothing is lost, whatever the key', () => {
    for (let key = 0; key < 4; key++) assert.equal(playTrial(randomized, config(4), Array(8).fill(T), [key]).outcome, 'both');
  });
  it('sends both ways every round', () => {
    const { sends } = playTrial(randomized, config(2), [T, T, T, T], [0]);
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'BtoA@1', 'AtoB@2', 'BtoA@2'],
    );
  });
  it('B never attacks without the key', () => {
    // Every A→B message lost: B never learns the key and its level stays 0, so A's level stays
    // 1 + 0 = 1: A attacks alone iff the key is 1.
    const aToBLost = [F, T, F, T, F, T];
    assert.equal(playTrial(randomized, config(3), aToBLost, [0]).outcome, 'onlyA');
    assert.equal(playTrial(randomized, config(3), aToBLost, [1]).outcome, 'neither');
  });
  it('with everything lost, levels stay at 0 and nobody attacks', () => {
    assert.equal(playTrial(randomized, config(3), Array(6).fill(F), [0]).outcome, 'neither');
  });
});

describe('two-phase-commit', () => {
  const config = (participants: number, rounds: number, abortRate = 0) => twoPhaseCommit.configure({ rounds, participants, abortRate });

  it('commits when every message arrives', () => {
    const { outcome, sends } = playTrial(twoPhaseCommit, config(2, 3), Array(8).fill(T));
    assert.equal(outcome, 'committed');
    // round 1: PREPARE ×2, YES ×2; round 2: COMMIT ×2, ACK ×2
    assert.deepEqual(
      sends.map((s) => `${s.direction}@${s.round}`),
      ['AtoB@1', 'AtoB@1', 'BtoA@1', 'BtoA@1', 'AtoB@2', 'AtoB@2', 'BtoA@2', 'BtoA@2'],
    );
  });
  it('a NO vote aborts everywhere', () => {
    // Cohort 1 votes NO (choice 1), cohort 2 YES (choice 0).
    assert.equal(playTrial(twoPhaseCommit, config(2, 3, 0.5), Array(8).fill(T), [1, 0]).outcome, 'aborted');
  });
  it('a cohort that voted YES and never hears the decision is blocked', () => {
    // One cohort, one round per phase: PREPARE, YES arrive; COMMIT is lost.
    assert.equal(playTrial(twoPhaseCommit, config(1, 1), [T, T, F]).outcome, 'blocked');
  });
  it('a cohort that never received PREPARE aborts unilaterally', () => {
    // One round of phase 1, PREPARE lost: decision ABORT; the ABORT is lost too.
    assert.equal(playTrial(twoPhaseCommit, config(1, 1), [F, F]).outcome, 'aborted');
  });
});
