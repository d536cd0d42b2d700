import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { runExperiment } from '../src/experiment.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom } from './helpers.js';

/**
 * A general who holds what it needs (the ack, the order, every leg addressed to it) and then
 * crashes in a later round does not attack: closed forms on a reliable link, derived by hand,
 * for retransmit and the handshake with rounds after the exchange, with a crash rate per role.
 * Monte Carlo is held to them too (the agreement tests compare the engines with each other only).
 */
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

function exactOf(data: Record<string, unknown>): readonly number[] {
  const [cell] = expandCells(scenarioFrom({ trials: 1, ...data }));
  return exactCell(buildCellModel(cellSpec(cell!))).outcomes;
}

const A = 0.1;
const B = 0.2;
const [uA, uB] = [1 - A, 1 - B];

/** Retransmit on a reliable link: order and ack both arrive in round 1 where both are up; each later round each general crashes again. */
function retransmitForm(rounds: number): number[] {
  let upA = 1;
  let upB = 1;
  for (let r = 2; r <= rounds; r++) [upA, upB] = [upA * uA, upB * uB];
  const exchanged = uA * uB;
  const both = exchanged * upA * upB;
  const onlyA = exchanged * upA * (1 - upB);
  const onlyB = exchanged * (1 - upA) * upB;
  return [both, 1 - both - onlyA - onlyB, onlyA, onlyB];
}

describe('a general who crashes after it holds what it needs does not attack', () => {
  for (const rounds of [2, 3]) {
    it(`retransmit, rounds ${rounds}, loss 0, crash { A: ${A}, B: ${B} }: exact`, () => {
      const [both, neither, onlyA, onlyB] = retransmitForm(rounds);
      const got = exactOf({ protocol: 'retransmit', loss: 0, redundancy: 1, rounds, crash: { A, B } });
      close(got[0]!, both!, 'both');
      close(got[1]!, neither!, 'neither');
      close(got[2]!, onlyA!, 'onlyA: B crashed after it held the order');
      close(got[3]!, onlyB!, 'onlyB: A crashed after it held the ack');
    });
  }

  it(`handshake, rounds 3, loss 0, crash { A: ${A}, B: ${B} }: exact`, () => {
    // Legs 1 and 2 go and arrive where both are up in rounds 1 and 2. In round 3 A sends leg 3
    // iff it is up, and B receives it iff B is up. A crashed in round 3 holds leg 2 but does not
    // attack (neither); B crashed misses leg 3 while A holds every leg addressed to it (onlyA).
    const first = (uA * uB) ** 2;
    const got = exactOf({ protocol: 'handshake', loss: 0, redundancy: 1, rounds: 3, crash: { A, B } });
    close(got[0]!, first * uA * uB, 'both');
    close(got[2]!, first * uA * B, 'onlyA');
    close(got[3]!, 0, 'onlyB');
    close(got[1]!, 1 - first * uA, 'neither: A crashed in round 3 though it held leg 2');
  });

  it(`randomized, rounds 2, loss 0: a general crashed in round 2 keeps its level from round 1 but does not attack`, () => {
    // Round 1 with both up: each hears the other, B learns the key, both levels become 1. Round 2
    // with both up raises both to 2: both attack whatever the key (1 or 2, each ½). If one general
    // crashes at the start of round 2, the other still reaches level 1 and attacks iff the key is
    // 1: onlyB (A crashed) or onlyA (B crashed), ½ each time; a crash in round 1 leaves the other
    // at level 0 (and B without the key): neither.
    for (const [crash, lone] of [
      [{ A }, 3],
      [{ B }, 2],
    ] as const) {
      const c = 'A' in crash ? A : B;
      const u = 1 - c;
      const got = exactOf({ protocol: 'randomized', loss: 0, redundancy: 1, rounds: 2, crash });
      const where = JSON.stringify(crash);
      close(got[0]!, u * u, `${where} both`);
      close(got[lone]!, (u * c) / 2, `${where} ${lone === 3 ? 'onlyB' : 'onlyA'}: the survivor alone, key 1`);
      close(got[5 - lone]!, 0, `${where} the crashed general never attacks`);
      close(got[1]!, c + (u * c) / 2, `${where} neither`);
    }
  });

  it('retransmit, rounds 3: Monte Carlo counts within 4 standard errors of the closed form', async () => {
    const trials = 40_000;
    const report = await runExperiment([scenarioFrom({ protocol: 'retransmit', loss: 0, redundancy: 1, rounds: 3, crash: { A, B }, trials, seed: 7 })], {
      exact: 'off',
      simulate: true,
      confidence: 0.95,
      workers: 1,
    });
    const [summary] = report.summaries;
    const expected = retransmitForm(3);
    summary!.outcomes.forEach((o, i) => {
      const p = expected[i]!;
      const z = (o.count - trials * p) / Math.sqrt(trials * p * (1 - p));
      assert.ok(Math.abs(z) < 4, `${summary!.outcomeNames[i]}: ${o.count} of ${trials} against ${p} (z ${z.toFixed(2)})`);
    });
  });
});
