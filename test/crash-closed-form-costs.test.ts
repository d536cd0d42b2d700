import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom } from './helpers.js';

/**
 * Every exact column of a crash cell against a closed form derived by hand from README's
 * "Crashes" (crashes at the start of each round, a crashed node sends nothing, copies to it travel
 * but none is delivered, rounds used is the last round anything was dispatched in): the outcomes,
 * and also the messengers' mean and standard deviation, the copies delivered and the rounds used,
 * with one rate per role. Checked independently against a brute-force enumeration of every crash
 * and loss pattern; test/crash.test.ts holds the outcomes of other cells.
 */
interface Expected {
  readonly outcomes: readonly number[];
  /** The probability of each count of messages dispatched (index: messages). */
  readonly messages: readonly number[];
  readonly delivered: number;
  readonly rounds: number;
}

function exactOf(data: Record<string, unknown>): ReturnType<typeof exactCell> {
  const [cell] = expandCells(scenarioFrom({ trials: 1, ...data }));
  return exactCell(buildCellModel(cellSpec(cell!)));
}

function near(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${what}: ${got}, expected ${want}`);
}

function assertColumns(data: Record<string, unknown>, expected: Expected): void {
  const k = Number(data['redundancy']);
  const where = JSON.stringify(data);
  const exact = exactOf(data);
  expected.outcomes.forEach((p, i) => near(exact.outcomes[i]!, p, `${where} outcome ${i}`));
  const mean = expected.messages.reduce((sum, p, n) => sum + p * n * k, 0);
  const second = expected.messages.reduce((sum, p, n) => sum + p * (n * k) ** 2, 0);
  near(exact.figures!.messengersMean, mean, `${where} messengers mean`);
  near(exact.figures!.messengersSd, Math.sqrt(Math.max(0, second - mean * mean)), `${where} messengers sd`);
  near(exact.deliveredMean, expected.delivered, `${where} delivered`);
  near(exact.roundsMean, expected.rounds, `${where} rounds`);
}

const RATES = [0, 0.1, 1 / 3, 1];
const LINKS = [
  { loss: 0.5, redundancy: 2 },
  { loss: 0.2, redundancy: 1 },
  { loss: 0, redundancy: 3 },
];

/** Every pair of per-role rates (a for A, b for B) but the crash-free one, on every link. */
function* generalsCells(): Generator<{ a: number; b: number; loss: number; redundancy: number }> {
  for (const a of RATES) for (const b of RATES) if (a > 0 || b > 0) for (const link of LINKS) yield { a, b, ...link };
}

describe('crashes: every exact column against closed forms', () => {
  it('the messenger (any R): A sends once if up; B attacks iff up and a copy arrives', () => {
    for (const { a, b, loss, redundancy: k } of generalsCells()) {
      const [up, bUp, arrives] = [1 - a, 1 - b, 1 - loss ** k];
      for (const rounds of [1, 3])
        assertColumns(
          { protocol: 'messenger', loss, redundancy: k, rounds, crash: { A: a, B: b } },
          {
            outcomes: [up * bUp * arrives, a, up * (1 - bUp * arrives), 0],
            messages: [a, up],
            delivered: up * bUp * k * (1 - loss),
            rounds: up,
          },
        );
    }
  });

  it('the handshake at R = 1..3: leg i goes iff legs 1..i−1 arrived and its sender is up', () => {
    for (const { a, b, loss, redundancy: k } of generalsCells()) {
      const [up, bUp, arrives] = [1 - a, 1 - b, 1 - loss ** k];
      const g = up * bUp * arrives; // one more leg received, both up at its round
      for (const rounds of [1, 2, 3]) {
        const both = g ** rounds;
        const onlyA = rounds % 2 === 1 ? g ** (rounds - 1) * up * (1 - bUp * arrives) : 0;
        const onlyB = rounds % 2 === 0 ? g ** (rounds - 1) * bUp * (1 - up * arrives) : 0;
        // P(leg i dispatched) = g^(i−1) · (its sender survives the start of round i)
        const sent = Array.from({ length: rounds }, (_, i) => g ** i * (i % 2 === 0 ? up : bUp));
        const messages = [1 - sent[0]!, ...sent.map((p, i) => p - (sent[i + 1] ?? 0))];
        assertColumns(
          { protocol: 'handshake', loss, redundancy: k, rounds, crash: { A: a, B: b } },
          {
            outcomes: [both, 1 - both - onlyA - onlyB, onlyA, onlyB],
            messages,
            delivered: sent.reduce((sum, _, i) => sum + g ** i * up * bUp * k * (1 - loss), 0),
            rounds: sent.reduce((sum, p) => sum + p, 0),
          },
        );
      }
    }
  });

  it('retransmit at R = 1, with crash: c for both generals too', () => {
    for (const { a, b, loss, redundancy: k } of generalsCells()) {
      const [up, bUp, arrives] = [1 - a, 1 - b, 1 - loss ** k];
      const expected: Expected = {
        outcomes: [up * bUp * arrives ** 2, 1 - up * bUp * arrives, 0, up * bUp * arrives * (1 - arrives)],
        messages: [a, up * (1 - bUp * arrives), up * bUp * arrives],
        delivered: up * bUp * k * (1 - loss) * (1 + arrives),
        rounds: up,
      };
      assertColumns({ protocol: 'retransmit', loss, redundancy: k, rounds: 1, crash: { A: a, B: b } }, expected);
      if (a === b) assertColumns({ protocol: 'retransmit', loss, redundancy: k, rounds: 1, crash: a }, expected);
    }
  });

  it('two-phase commit, one cohort, R = 1: a coordinator crash after the vote blocks a cohort that is up', () => {
    // Round 1 (coordinator up, u): PREPARE; the cohort, up (w) and reached (s), votes YES, and its
    // vote arrives (s): COMMIT, else ABORT. Round 2 (coordinator up): the decision, applied and
    // acknowledged by a cohort up and reached. A coordinator crash at the start of round 1: nobody
    // prepared, aborted; at round 2: a cohort up and in doubt is blocked, one down decided nothing.
    for (const c of RATES)
      for (const d of RATES)
        for (const loss of [0, 0.25, 0.5]) {
          if (c === 0 && d === 0) continue;
          const [u, w, s] = [1 - c, 1 - d, 1 - loss];
          const yes = u * w * s; // the cohort voted YES in round 1
          const commit = yes * s; // and the coordinator decided COMMIT
          const abortYes = yes * loss; // voted YES, the vote lost: ABORT
          // round 2, the coordinator up (u) and the cohort still up (w): the decision reaches it (s)
          const heard = u * w * s;
          const committed = commit * (c * d + u * d + heard);
          const blocked = (commit + abortYes) * (c * w + u * w * loss);
          assertColumns(
            { protocol: 'two-phase-commit', participants: 1, loss, redundancy: 1, rounds: 1, crash: { coordinator: c, cohort: d } },
            {
              outcomes: [committed, 1 - committed - blocked, blocked, 0],
              // 0: the coordinator crashed at once; 1: PREPARE only; 2: PREPARE and a vote, or PREPARE
              // and the decision; then the decision and an ACK (an unprepared cohort up acknowledges ABORT too)
              messages: [c, u * (1 - w * s) * c, yes * c + u * u * (w * loss * (1 - w * s) + d), yes * u * (1 - w * s) + u * w * loss * heard, yes * heard],
              // PREPARE and the vote; then the decision to a cohort still up, and its ACK
              delivered: yes * (1 + s) + u * w * heard * (1 + s),
              rounds: u * (1 - u) + 2 * u * u,
            },
          );
        }
  });
});
