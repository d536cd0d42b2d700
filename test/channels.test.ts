import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildAutomaton } from '../src/engine/accelerators/automaton.js';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { stationaryBad } from '../src/channels/gilbert-elliott.js';
import { burstyTrace, digits, tempFiles } from './helpers.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

function exact(protocol: string, channel: string, params: Record<string, number | string>) {
  return exactCell(buildCellModel({ protocol, channel, params: { redundancy: 1, rounds: 1, ...params } }));
}

describe('gilbert-elliott channel (exact, against hand-computed values)', () => {
  const ge = { goodToBad: 0.05, badToGood: 0.45, lossGood: 0, lossBad: 1 };
  const bad = stationaryBad(0.05, 0.45); // 0.1

  it('loses a single copy with the mean loss rate', () => {
    close(exact('messenger', 'gilbert-elliott', ge).outcomes[2]!, bad, 'P(lost)');
    const partial = { ...ge, lossGood: 0.02, lossBad: 0.6 };
    close(exact('messenger', 'gilbert-elliott', partial).outcomes[2]!, 0.9 * 0.02 + 0.1 * 0.6, 'P(lost), leaky states');
  });
  it('loses two copies together far more often than independent loss would', () => {
    // Both lost: the first copy sees bad (stationary), the second stays bad.
    close(exact('messenger', 'gilbert-elliott', { ...ge, redundancy: 2 }).outcomes[2]!, bad * (1 - 0.45), 'P(both lost)');
  });
  it('carries its state across messages and rounds', () => {
    // handshake, 2 legs of 1 copy, lossBad 1: leg 2 is lost after leg 1 arrived iff the
    // chain moved good → bad between the two copies (the two directions are separate chains,
    // so leg 2's copy is the first of the B→A chain: stationary).
    const e = exact('handshake', 'gilbert-elliott', { ...ge, rounds: 2 });
    close(e.outcomes[3]!, (1 - bad) * bad, 'P(onlyB)');
  });
  it('counts delivered copies exactly', () => {
    const e = exact('messenger', 'gilbert-elliott', { ...ge, redundancy: 3 });
    close(e.deliveredMean, 3 * (1 - bad), 'mean copies delivered');
  });
});

describe('cut channel', () => {
  it('delivers everything up to round `after` and nothing after, in the named direction', () => {
    close(exact('handshake', 'cut', { rounds: 4, after: 2, direction: 'both' }).outcomes[1]!, 1, 'leg 3 lost: neither');
    close(exact('handshake', 'cut', { rounds: 4, after: 2, direction: 'BtoA' }).outcomes[0]!, 0, 'leg 4 lost');
    close(exact('handshake', 'cut', { rounds: 4, after: 2, direction: 'BtoA' }).outcomes[3]!, 1, 'onlyB');
    close(exact('handshake', 'cut', { rounds: 4, after: 4 }).outcomes[0]!, 1, 'no cut within 4 rounds');
  });
  it('draws nothing: its automaton has no chance nodes', () => {
    const model = buildCellModel({ protocol: 'retransmit', channel: 'cut', params: { redundancy: 2, rounds: 5, after: 3, direction: 'AtoB' } });
    assert.ok(buildAutomaton(model, 100).nodes.every((n) => n.kind === 'end' || n.probabilities.length === 1));
  });
});

describe('randomized attack: the 1/R bound, exactly', () => {
  it('over every cut pattern, the worst disagreement is exactly 1/R, for R = 1..10', () => {
    for (let R = 1; R <= 10; R++) {
      let worst = 0;
      for (const direction of ['both', 'AtoB', 'BtoA']) {
        for (let after = 0; after <= R; after++) {
          const e = exact('randomized', 'cut', { rounds: R, after, direction });
          worst = Math.max(worst, e.outcomes[2]! + e.outcomes[3]!);
        }
      }
      close(worst, 1 / R, `R = ${R}`);
    }
  });
  it('with no loss both always attack', () => {
    for (const R of [1, 5, 32]) close(exact('randomized', 'bernoulli', { rounds: R, loss: 0 }).outcomes[0]!, 1, `R = ${R}`);
  });
  it('keeps disagreement at most 1/R under i.i.d. loss', () => {
    for (const loss of [0.1, 0.5, 0.9]) {
      const e = exact('randomized', 'bernoulli', { rounds: 8, loss });
      assert.ok(e.outcomes[2]! + e.outcomes[3]! <= 1 / 8 + 1e-12, `loss ${loss}`);
    }
  });
});

describe('two-phase commit can never be inconsistent', () => {
  it('no end state reachable under any loss pattern or vote is inconsistent (n = 1..3, R = 1..3)', () => {
    // loss 0.5 and abortRate 0.5 make every branch possible, so the automaton holds every
    // reachable state of every trial: none ends inconsistent.
    for (let participants = 1; participants <= 3; participants++) {
      for (let rounds = 1; rounds <= 3; rounds++) {
        const model = buildCellModel({
          protocol: 'two-phase-commit',
          channel: 'bernoulli',
          params: { loss: 0.5, redundancy: 1, rounds, participants, abortRate: 0.5 },
        });
        const ends = buildAutomaton(model, 2_000_000).nodes.filter((n) => n.kind === 'end');
        assert.ok(ends.length > 0);
        assert.ok(
          ends.every((n) => n.kind === 'end' && n.outcome !== 3),
          `n = ${participants}, R = ${rounds}`,
        );
      }
    }
  });
  it('the exact engine gives inconsistent probability 0 and sums to 1', () => {
    const e = exact('two-phase-commit', 'bernoulli', { loss: 0.3, rounds: 3, participants: 2, abortRate: 0.1 });
    assert.equal(e.outcomes[3], 0);
    close(
      e.outcomes.reduce((a, b) => a + b, 0),
      1,
      'sum',
    );
    assert.ok(e.outcomes[2]! > 0, 'blocking happens');
  });
});

describe('trace channel replayed (past 20,000 packets)', () => {
  it('counts every start’s copies delivered, and the starts by copies delivered, as read off the trace: windows that wrap, both directions, a length not a multiple of 8', () => {
    // A→B bursty but lost at both ends (the windows that wrap meet both), B→A another bursty trace.
    const n = 20_011;
    const atoB = burstyTrace(n, 3)
      .fill(1, 0, 6)
      .fill(1, n - 10);
    const btoA = burstyTrace(n, 4);
    const dir = tempFiles({ 'a.txt': digits(atoB), 'b.txt': digits(btoA) });
    for (const k of [1, 6, 7, 8, 9, 17, 255, 256, 1000]) {
      const { replay } = buildCellModel({
        protocol: 'messenger',
        channel: 'trace',
        params: { file: join(dir, 'a.txt'), BtoA: join(dir, 'b.txt'), redundancy: k },
      });
      assert.ok(replay);
      for (const [direction, lost] of [[0, atoB] as const, [1, btoA] as const]) {
        // The copies delivered from each start, the window of k packets (wrapping) slid by one.
        const expected = new Uint16Array(n);
        let delivered = 0;
        for (let c = 0; c < k; c++) delivered += 1 - lost[c % n]!;
        const byDelivered = new Float64Array(k + 1);
        for (let s = 0; s < n; s++) {
          expected[s] = delivered;
          byDelivered[delivered]!++;
          delivered += lost[s]! - lost[(s + k) % n]!;
        }
        const counts = k < 256 ? new Uint8Array(n) : new Uint16Array(n);
        replay.deliveredInto(direction, counts);
        assert.deepEqual(Array.from(counts), Array.from(expected), `k = ${k}, direction ${direction}`);
        assert.deepEqual(replay.startsByDelivered(direction), byDelivered, `k = ${k}, direction ${direction}`);
      }
    }
  });
});
