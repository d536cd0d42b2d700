import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshake } from '../src/protocols/handshake.js';
import { messenger } from '../src/protocols/messenger.js';
import { retransmit } from '../src/protocols/retransmit.js';
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
    assert.deepEqual(sends.map((s) => `${s.direction}@${s.round}`), ['AtoB@1', 'BtoA@2', 'AtoB@3', 'BtoA@4']);
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
    assert.deepEqual(sends.map((s) => `${s.direction}@${s.round}`), ['AtoB@1', 'BtoA@1']);
  });
  it('resends the order every round until acknowledged', () => {
    const { sends, outcome } = playTrial(retransmit, R(5), [F, F, T, F, T, T]);
    assert.equal(outcome, 'both');
    assert.deepEqual(sends.map((s) => `${s.direction}@${s.round}`), ['AtoB@1', 'AtoB@2', 'AtoB@3', 'BtoA@3', 'AtoB@4', 'BtoA@4']);
  });
  it('B acks only in a round in which the order arrived', () => {
    const { sends } = playTrial(retransmit, R(2), [T, F, F]);
    assert.deepEqual(sends.map((s) => `${s.direction}@${s.round}`), ['AtoB@1', 'BtoA@1', 'AtoB@2']);
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
