import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeGilbertElliott, stationaryBad } from '../src/channels/gilbert-elliott.js';
import { trace } from '../src/channels/trace.js';
import { UsageError } from '../src/errors.js';
import { UNLIMITED, exactCell, structuredSolverFor } from '../src/engine/exact/index.js';
import type { ExactResult } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { assertSameExact, tempFiles } from './helpers.js';
import { bernoulli, gilbertElliott, handshakeOnTrace, lostAll } from './oracle-forms.js';
import type { Expected } from './oracle-forms.js';

/**
 * Independent oracles: every channel and protocol parameter against values worked out here by
 * hand, from the protocol's rules and the channel's definition, never from the engine's tables.
 * Losses are asymmetric (lossAtoB ≠ lossBtoA) and parameters are chosen so that swapping any two
 * of them, or dropping a factor, changes the value.
 */

const GENERALS = ['both', 'neither', 'onlyA', 'onlyB'];
const COMMIT = ['committed', 'aborted', 'blocked', 'inconsistent'];

function assertExact(result: ExactResult, expected: Expected, where: string, names = GENERALS): void {
  expected.outcomes.forEach((p, i) => assert.ok(Math.abs(result.outcomes[i]! - p) < 1e-12, `${where} ${names[i]}: ${result.outcomes[i]} vs ${p}`));
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12 * Math.max(1, b), `${where} ${what}: ${a} vs ${b}`);
  close(result.messagesMean, expected.messages, 'messages');
  close(result.deliveredMean, expected.delivered, 'delivered');
  close(result.roundsMean, expected.rounds, 'rounds');
}

/** The exact result; where a structured solver ran, the per-state engine (which plays the protocol's own steps and choices) must agree with it. */
function exact(protocol: string, channel: string, params: Record<string, number | string>): ExactResult {
  const model = buildCellModel({ protocol, channel, params });
  const result = exactCell(model);
  if (structuredSolverFor(model)) assertSameExact(exactCell(model, UNLIMITED, 'generic'), result, `${protocol} over ${channel}, generic`);
  return result;
}

// --- Bernoulli, asymmetric -------------------------------------------------------------------

describe('oracle: bernoulli with lossAtoB ≠ lossBtoA', () => {
  const cases: [number, number, number][] = [
    [0.1, 0.6, 1],
    [0.6, 0.1, 1],
    [0.3, 0.05, 2],
    [0.5, 0.8, 3],
  ];
  for (const [a, b, k] of cases) {
    const params = (R: number) => ({ lossAtoB: a, lossBtoA: b, redundancy: k, rounds: R });
    const { qa, qb, da, db } = bernoulli(a, b, k);

    it(`messenger A→B ${a}, B→A ${b}, k ${k}: only the A→B loss counts`, () => {
      assertExact(exact('messenger', 'bernoulli', params(1)), { outcomes: [qa, 0, 1 - qa, 0], messages: 1, delivered: da, rounds: 1 }, 'messenger');
    });

    it(`handshake A→B ${a}, B→A ${b}, k ${k}, R 1..4: legs alternate A→B, B→A`, () => {
      for (const R of [1, 2, 3, 4]) {
        // leg i (round i) goes A→B when i is odd; it is dispatched iff legs 1..i−1 arrived
        let reach = 1;
        let messages = 0;
        let delivered = 0;
        let lastLost = 0;
        for (let leg = 1; leg <= R; leg++) {
          const fromA = leg % 2 === 1;
          messages += reach;
          delivered += reach * (fromA ? da : db);
          if (leg === R) lastLost = reach * (1 - (fromA ? qa : qb));
          reach *= fromA ? qa : qb;
        }
        const both = reach;
        const lastFromA = R % 2 === 1;
        const outcomes = [both, 1 - both - lastLost, lastFromA ? lastLost : 0, lastFromA ? 0 : lastLost];
        assertExact(exact('handshake', 'bernoulli', params(R)), { outcomes, messages, delivered, rounds: messages }, `handshake R=${R}`);
      }
    });

    it(`retransmit A→B ${a}, B→A ${b}, k ${k}, R 1..4: order then ack each round`, () => {
      for (const R of [1, 2, 3, 4]) {
        const roundFails = 1 - qa * qb;
        let rounds = 0; // expected rounds with a dispatch: round r+1 happens iff r rounds failed
        let reach = 1;
        for (let r = 0; r < R; r++) {
          rounds += reach;
          reach *= roundFails;
        }
        const neither = lostAll(1 - qa, R);
        const outcomes = [1 - reach, neither, 0, reach - neither];
        const expected = { outcomes, messages: rounds * (1 + qa), delivered: rounds * (da + qa * db), rounds };
        assertExact(exact('retransmit', 'bernoulli', params(R)), expected, `retransmit R=${R}`);
      }
    });

    it(`randomized A→B ${a}, B→A ${b}, k ${k}, R 1: A attacks iff B's message arrived, B iff A's`, () => {
      const outcomes = [qa * qb, (1 - qa) * (1 - qb), qb * (1 - qa), qa * (1 - qb)];
      assertExact(exact('randomized', 'bernoulli', params(1)), { outcomes, messages: 2, delivered: da + db, rounds: 1 }, 'randomized');
    });

    it(`two-phase commit A→B ${a}, B→A ${b}, k ${k}, R 1, 1 to 3 cohorts, abortRate 0, 0.2, 1`, () => {
      for (const participants of [1, 2, 3]) {
        for (const abortRate of [0, 0.2, 1]) {
          // One round per phase. A cohort commits iff PREPARE arrived, it voted YES, the vote
          // arrived (so did everyone's), and COMMIT arrived. It is not blocked iff it never got
          // PREPARE, voted NO, or voted YES and then got the decision.
          const commitsOne = qa * (1 - abortRate) * qb * qa;
          const unblockedOne = 1 - qa + qa * abortRate + qa * (1 - abortRate) * qa;
          const committed = lostAll(commitsOne, participants);
          const aborted = lostAll(unblockedOne, participants) - committed;
          const expected = {
            outcomes: [committed, aborted, 1 - committed - aborted, 0],
            messages: participants * (2 + 2 * qa),
            delivered: participants * (2 * da + 2 * qa * db),
            rounds: 2,
          };
          const result = exact('two-phase-commit', 'bernoulli', { ...params(1), participants, abortRate });
          assertExact(result, expected, `2PC n=${participants} abortRate=${abortRate}`, COMMIT);
        }
      }
    });
  }

  it('the issue’s case: retransmit A→B 0.1, B→A 0.6, R 2 has neither = 0.01, not 0.36', () => {
    const result = exact('retransmit', 'bernoulli', { lossAtoB: 0.1, lossBtoA: 0.6, redundancy: 1, rounds: 2 });
    assert.ok(Math.abs(result.outcomes[1]! - 0.01) < 1e-15, `${result.outcomes[1]}`);
  });

  it('two-phase commit, one cohort, R 2: each phase retries once', () => {
    const [a, b] = [0.3, 0.5];
    const { qa, qb } = bernoulli(a, b, 1);
    const s = qa * qb; // a round of phase 1 gets the vote in; a round of phase 2 gets the ack back
    const voteIn = 1 - (1 - s) * (1 - s);
    const heard = 1 - a * a; // the decision reaches the cohort in one of the two rounds of phase 2
    const committed = voteIn * heard;
    const neverPrepared = a * a;
    const aborted = neverPrepared + ((1 - s) * (1 - s) - neverPrepared) * heard;
    // phase 1 takes 2 rounds iff round 1 failed; phase 2 uses its second round iff the first brought no ack
    const rounds = 1 + (1 - s) + 1 + (1 - s);
    // phase 1: PREPARE each round held, the vote whenever PREPARE arrived; phase 2 the same
    const messages = 2 * (1 + qa) + (1 - s) * (1 + qa) * 2;
    const result = exact('two-phase-commit', 'bernoulli', { lossAtoB: a, lossBtoA: b, redundancy: 1, rounds: 2, participants: 1, abortRate: 0 });
    COMMIT.slice(0, 3).forEach((name, i) => {
      const want = [committed, aborted, 1 - committed - aborted][i]!;
      assert.ok(Math.abs(result.outcomes[i]! - want) < 1e-12, `${name}: ${result.outcomes[i]} vs ${want}`);
    });
    assert.ok(Math.abs(result.roundsMean - rounds) < 1e-12, `rounds ${result.roundsMean} vs ${rounds}`);
    assert.ok(Math.abs(result.messagesMean - messages) < 1e-12, `messages ${result.messagesMean} vs ${messages}`);
  });
});

// --- Gilbert–Elliott ---------------------------------------------------------------------------

describe('oracle: gilbert-elliott, every field', () => {
  // each field moved alone from a base point must change the values
  const base = { goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 };
  const points = [
    base,
    { ...base, goodToBad: 0.3, badToGood: 0.1 },
    { ...base, lossGood: 0.8, lossBad: 0.05 },
    { ...base, goodToBad: 0.02 },
    { ...base, badToGood: 0.9 },
    { ...base, lossGood: 0 },
    { ...base, lossBad: 1 },
  ];
  for (const point of points) {
    const { goodToBad, badToGood, lossGood, lossBad } = point;
    const chain = gilbertElliott(goodToBad, badToGood, lossGood, lossBad);
    const run = (protocol: string, k: number, R: number) => exact(protocol, 'gilbert-elliott', { ...point, redundancy: k, rounds: R });
    const where = JSON.stringify(point);

    it(`messenger k 1, 2, 3 ${where}: the copies of one message see successive states`, () => {
      const lost = [chain.one(true), chain.two(true, true), chain.three(true, true, true)];
      for (const k of [1, 2, 3]) {
        const got = 1 - lost[k - 1]!;
        assertExact(run('messenger', k, 1), { outcomes: [got, 0, 1 - got, 0], messages: 1, delivered: k * (1 - chain.meanLoss), rounds: 1 }, `k=${k}`);
      }
    });

    it(`retransmit k 1, R 2 ${where}: the order's chain runs on into round 2; the ack's chain is its own`, () => {
      const ok = false;
      const lost = true;
      // round 1: order (A-chain copy 1), ack iff it arrived (B-chain copy 1); round 2 iff no ack
      const both = chain.one(ok) * chain.one(ok) + chain.two(ok, ok) * chain.two(lost, ok) + chain.two(lost, ok) * chain.one(ok);
      const neither = chain.two(lost, lost);
      const roundTwo = 1 - chain.one(ok) * chain.one(ok);
      const orderTwiceArrivedSecond = chain.two(ok, ok) * chain.one(lost) + chain.two(lost, ok);
      const messages = 1 + chain.one(ok) + roundTwo + orderTwiceArrivedSecond;
      // delivered: which copies are dispatched depends on the fates before them, so count each arrival
      const delivered =
        chain.one(ok) + chain.one(ok) * chain.one(ok) + orderTwiceArrivedSecond + chain.two(ok, ok) * chain.two(lost, ok) + chain.two(lost, ok) * chain.one(ok);
      const expected = { outcomes: [both, neither, 0, 1 - both - neither], messages, delivered, rounds: 1 + roundTwo };
      assertExact(run('retransmit', 1, 2), expected, 'retransmit');
    });
  }
});

// --- the trace channel ---------------------------------------------------------------------------

describe('oracle: the trace channel, k ≥ 2, one trace and a trace per direction', () => {
  const one = [0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0];
  const other = [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1];
  const dir = tempFiles({ 'one.txt': `${one.join('\n')}\n`, 'other.txt': `${other.join('')}\n` });
  const file = join(dir, 'one.txt');
  const otherFile = join(dir, 'other.txt');
  for (const k of [1, 2, 3]) {
    for (const R of [1, 2, 3, 4]) {
      it(`handshake k ${k}, R ${R}: the position moves on k per message`, () => {
        assertExact(exact('handshake', 'trace', { file, redundancy: k, rounds: R }), handshakeOnTrace(one, one, k, R), 'one trace');
        assertExact(
          exact('handshake', 'trace', { file, AtoB: file, BtoA: otherFile, redundancy: k, rounds: R }),
          handshakeOnTrace(one, other, k, R),
          'per direction',
        );
      });
    }
  }
  it('the directions are not swapped', () => {
    assertExact(exact('messenger', 'trace', { file, AtoB: otherFile, BtoA: file, redundancy: 1, rounds: 1 }), handshakeOnTrace(other, one, 1, 1), 'A→B');
  });
  it('per-direction traces of different lengths are refused (they must cover the same packets)', () => {
    const shortFile = join(tempFiles({ 'short.txt': '1011001' }), 'short.txt');
    assert.throws(
      () => trace.checkFiles!({ file, AtoB: shortFile, BtoA: file }),
      (e: unknown) =>
        e instanceof UsageError &&
        /: the B→A trace has 11 packets and the A→B trace \(.*short\.txt\) 7; per-direction traces must cover the same packets/.test(e.message),
    );
    trace.checkFiles!({ file, AtoB: file, BtoA: otherFile });
  });
});

// --- the cut channel -----------------------------------------------------------------------------

describe('oracle: the cut channel, after and direction', () => {
  const cut = (protocol: string, after: number, direction: string, R: number, k = 2) => exact(protocol, 'cut', { after, direction, redundancy: k, rounds: R });
  it('retransmit: a cut order never arrives, a cut ack leaves B alone', () => {
    assertExact(cut('retransmit', 0, 'AtoB', 3), { outcomes: [0, 1, 0, 0], messages: 3, delivered: 0, rounds: 3 }, 'AtoB after 0');
    assertExact(cut('retransmit', 0, 'BtoA', 3), { outcomes: [0, 0, 0, 1], messages: 6, delivered: 6, rounds: 3 }, 'BtoA after 0');
    assertExact(cut('retransmit', 0, 'both', 2), { outcomes: [0, 1, 0, 0], messages: 2, delivered: 0, rounds: 2 }, 'both after 0');
    assertExact(cut('retransmit', 1, 'both', 3), { outcomes: [1, 0, 0, 0], messages: 2, delivered: 4, rounds: 1 }, 'after 1');
  });
  it('handshake: legs in rounds after the cut are lost', () => {
    assertExact(cut('handshake', 2, 'both', 3, 1), { outcomes: [0, 0, 1, 0], messages: 3, delivered: 2, rounds: 3 }, 'after 2');
    assertExact(cut('handshake', 1, 'both', 3, 1), { outcomes: [0, 1, 0, 0], messages: 2, delivered: 1, rounds: 2 }, 'after 1');
    assertExact(cut('handshake', 1, 'AtoB', 3, 1), { outcomes: [0, 0, 1, 0], messages: 3, delivered: 2, rounds: 3 }, 'AtoB after 1');
    assertExact(cut('handshake', 1, 'BtoA', 3, 1), { outcomes: [0, 1, 0, 0], messages: 2, delivered: 1, rounds: 2 }, 'BtoA after 1');
    assertExact(cut('handshake', 3, 'both', 3, 1), { outcomes: [1, 0, 0, 0], messages: 3, delivered: 3, rounds: 3 }, 'after R');
  });
  it('randomized, R 3: levels stop where the cut starts; the key decides (1/3 each)', () => {
    // after 1, A→B cut: A ends at level 2, B at 1 (knowing the key): key 1 both, 2 only A, 3 neither
    const third = 1 / 3;
    assertExact(cut('randomized', 1, 'AtoB', 3, 1), { outcomes: [third, third, third, 0], messages: 6, delivered: 4, rounds: 3 }, 'AtoB');
    assertExact(cut('randomized', 1, 'BtoA', 3, 1), { outcomes: [third, third, 0, third], messages: 6, delivered: 4, rounds: 3 }, 'BtoA');
    assertExact(cut('randomized', 2, 'both', 3, 1), { outcomes: [2 * third, third, 0, 0], messages: 6, delivered: 4, rounds: 3 }, 'both after 2');
    assertExact(cut('randomized', 0, 'both', 3, 1), { outcomes: [0, 1, 0, 0], messages: 6, delivered: 0, rounds: 3 }, 'both after 0');
  });
});

describe('what the channels say about themselves', () => {
  it('gilbert-elliott: stationary bad share, mean loss and burst, a chain that never turns bad', () => {
    assert.equal(stationaryBad(0.1, 0.3), 0.25);
    assert.equal(stationaryBad(0, 0), 0);
    assert.equal(stationaryBad(0.2, 0.2), 0.5);
    assert.equal(stationaryBad(0.2, 0), 1);
    assert.equal(describeGilbertElliott({ goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 }), 'mean loss 0.2375, mean bad burst 3.333 copies');
    assert.equal(describeGilbertElliott({ goodToBad: 0.1, badToGood: 0, lossGood: 0, lossBad: 0.5 }), 'mean loss 0.5, mean bad burst unbounded');
    // goodToBad 0: started stationary, the chain is good for ever, so it has no bad burst (whatever badToGood says).
    assert.equal(
      describeGilbertElliott({ goodToBad: 0, badToGood: 0, lossGood: 0.1, lossBad: 0.7 }),
      'mean loss 0.1, mean bad burst none (never in the bad state)',
    );
    assert.equal(
      describeGilbertElliott({ goodToBad: 0, badToGood: 0.5, lossGood: 0.1, lossBad: 0.7 }),
      'mean loss 0.1, mean bad burst none (never in the bad state)',
    );
    assert.equal(describeGilbertElliott({ goodToBad: 1, badToGood: 1, lossGood: 0.1, lossBad: 0.7 }), 'mean loss 0.4, mean bad burst 1 copy');
    const never = { goodToBad: 0, badToGood: 0.5, lossGood: 0.2, lossBad: 0.9 };
    assertExact(
      exact('messenger', 'gilbert-elliott', { ...never, redundancy: 2, rounds: 1 }),
      { outcomes: [0.96, 0, 0.04, 0], messages: 1, delivered: 1.6, rounds: 1 },
      'never bad',
    );
    const always = { goodToBad: 0.5, badToGood: 0, lossGood: 0.2, lossBad: 0.9 };
    assertExact(
      exact('messenger', 'gilbert-elliott', { ...always, redundancy: 2, rounds: 1 }),
      { outcomes: [1 - 0.81, 0, 0.81, 0], messages: 1, delivered: 2 * 0.1, rounds: 1 },
      'always bad',
    );
  });
  it('defaults: gilbert-elliott loses nothing when good and everything when bad; cut cuts both ways after round 0', () => {
    const chain = gilbertElliott(0.1, 0.3, 0, 1);
    const got = 1 - chain.two(true, true);
    const defaults = exact('messenger', 'gilbert-elliott', { goodToBad: 0.1, badToGood: 0.3, redundancy: 2, rounds: 1 });
    assertExact(defaults, { outcomes: [got, 0, 1 - got, 0], messages: 1, delivered: 2 * (1 - chain.meanLoss), rounds: 1 }, 'GE defaults');
    assertExact(exact('retransmit', 'cut', { redundancy: 1, rounds: 2 }), { outcomes: [0, 1, 0, 0], messages: 2, delivered: 0, rounds: 2 }, 'cut defaults');
    assertExact(
      exact('messenger', 'bernoulli', { redundancy: 1, rounds: 1 }),
      { outcomes: [0.5, 0, 0.5, 0], messages: 1, delivered: 0.5, rounds: 1 },
      'loss 0.5',
    );
  });
  it('trace: length, loss rate and mean burst per direction', () => {
    const dir = tempFiles({ 'one.txt': '01101110010', 'other.txt': '1001101' });
    assert.equal(trace.describe!({ file: join(dir, 'one.txt') }), 'trace: 11 packets, loss rate 0.5455, mean loss burst 2');
    assert.equal(
      trace.describe!({ file: join(dir, 'one.txt'), BtoA: join(dir, 'other.txt') }),
      'trace A→B: 11 packets, loss rate 0.5455, mean loss burst 2; B→A: 7 packets, loss rate 0.5714, mean loss burst 1.333',
    );
    // A mean burst of 12,345 packets in whole packets (four figures gave 12350); below 10,000, four figures (bursts of 12,345, 12,345 and 1).
    const bursts = tempFiles({ 'long.txt': `0${'1'.repeat(12_345)}0\n`, 'three.txt': `0${'1'.repeat(12_345)}0${'1'.repeat(12_345)}01\n` });
    assert.equal(trace.describe!({ file: join(bursts, 'long.txt') }), 'trace: 12,347 packets, loss rate 0.9998, mean loss burst 12,345');
    assert.equal(trace.describe!({ file: join(bursts, 'three.txt') }), 'trace: 24,694 packets, loss rate 0.9999, mean loss burst 8230');
  });
  it('trace: past 20,000 packets replayed start by start, to the same oracle', () => {
    const long = Array.from({ length: 20_003 }, (_, i) => (i % 7 === 0 || i % 11 === 3 ? 1 : 0));
    const longFile = join(tempFiles({ 'long.txt': long.join('') }), 'long.txt');
    for (const [k, R] of [
      [1, 3],
      [2, 2],
    ] as const) {
      assertExact(exact('handshake', 'trace', { file: longFile, redundancy: k, rounds: R }), handshakeOnTrace(long, long, k, R), `long k=${k} R=${R}`);
    }
  });
});
