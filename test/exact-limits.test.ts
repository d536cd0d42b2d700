import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNLIMITED, exactCell, exactSteps } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { refusal } from './exact-helpers.js';
import { scenarioFrom } from './helpers.js';

/**
 * The exact engines' accounting, pinned: the work and memory each cell needs (one unit less is
 * refused, with the reason in the user's words), merging symmetric states, progress and yields.
 * The counts are what the engines count; a change to the accounting changes which cells get
 * exact values, so it must show here.
 */
const model = (data: Record<string, unknown>): CellModel => buildCellModel(cellSpec(expandCells(scenarioFrom({ trials: 1, seed: 1, ...data }))[0]!));

describe('exact: the work and memory a cell needs, to the unit', () => {
  const cases: [string, Record<string, unknown>, string, number, string, number, string][] = [
    [
      'the generic engine (retransmit, R 4)',
      { protocol: 'retransmit', loss: 0.3, rounds: 4 },
      'generic',
      46,
      'it needs more than 45 steps of work (20 states expanded, more waiting)',
      122,
      'it needs more than 0 MB of memory (counting 8 bytes a stored number of the states waiting, not the objects holding them, with which the engine takes 2–3 times that; 13 states expanded, 6 waiting)',
    ],
    [
      'the randomized levels (R 30)',
      { protocol: 'randomized', loss: 0.3, rounds: 30 },
      'levels',
      259,
      'it needs more than 258 steps of work (round 30 of 30)',
      384,
      'it needs more than 0 MB of memory (four arrays of 192 numbers, 8 bytes each)',
    ],
    [
      'the randomized levels over Gilbert–Elliott (R 12)',
      { protocol: 'randomized', channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.4 }, rounds: 12 },
      'levels',
      298,
      'it needs more than 297 steps of work (round 12 of 12)',
      840,
      'it needs more than 0 MB of memory (four arrays of 420 numbers, 8 bytes each)',
    ],
  ];
  for (const [what, data, method, work, workRefusal, words, wordsRefusal] of cases) {
    it(`${what}: ${work} units of work, ${words} words`, () => {
      const m = model(data);
      assert.equal(exactCell(m, { maxWork: work, maxWords: Number.POSITIVE_INFINITY }).method, method);
      assert.equal(refusal(m, { maxWork: work - 1, maxWords: Number.POSITIVE_INFINITY }), workRefusal);
      assert.equal(exactCell(m, { maxWork: Number.POSITIVE_INFINITY, maxWords: words }).method, method);
      assert.equal(refusal(m, { maxWork: Number.POSITIVE_INFINITY, maxWords: words - 1 }), wordsRefusal);
    });
  }
  it('the generic engine stops early on a tight limit, saying how far it got', () => {
    const m = model({ protocol: 'retransmit', loss: 0.3, rounds: 4 });
    assert.equal(refusal(m, { maxWork: 5, maxWords: Number.POSITIVE_INFINITY }), 'it needs more than 5 steps of work (3 states expanded, more waiting)');
    assert.equal(
      refusal(m, { maxWork: Number.POSITIVE_INFINITY, maxWords: 5 }),
      'it needs more than 0 MB of memory (counting 8 bytes a stored number of the states waiting, not the objects holding them, with which the engine takes 2–3 times that; 1 state expanded, 2 waiting)',
    );
    // The randomized levels know before they start that 30 rounds look at Σ (r + 1)·6 slots, 92 units at least.
    assert.equal(
      refusal(model({ protocol: 'randomized', loss: 0.3, rounds: 30 }), { maxWork: 5, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 5 steps of work (30 rounds: at least 92)',
    );
  });
});

describe('exact: merging, progress and yields', () => {
  it('merging symmetric cohorts keeps every value and expands 277 states where 939 are reachable', () => {
    const m = model({ protocol: 'two-phase-commit', loss: 0.3, rounds: 1, participants: 3 });
    const merged = exactCell(m, UNLIMITED, 'generic');
    const plain = exactCell(m, { ...UNLIMITED, merge: false }, 'generic');
    assert.equal(merged.method, 'generic, symmetric states merged');
    assert.equal(plain.method, 'generic');
    assert.equal(merged.statesExpanded, 277);
    assert.equal(plain.statesExpanded, 939);
    merged.outcomes.forEach((p, i) => assert.ok(Math.abs(p - plain.outcomes[i]!) < 1e-15, `outcome ${i}`));
    assert.ok(Math.abs(merged.outcomes[0]! - 0.42792980012978854) < 1e-15);
  });
  it('progress hears the states expanded as the levels go; a small cell yields its work once', () => {
    const heard: number[] = [];
    const r = exactCell(model({ protocol: 'randomized', loss: 0.3, rounds: 300 }), { ...UNLIMITED, progress: (n) => heard.push(n) });
    assert.equal(r.statesExpanded, 127_333);
    assert.equal(heard.length, 300);
    assert.deepEqual(heard.slice(0, 3), [1, 5, 12]);
    const steps = exactSteps(model({ protocol: 'retransmit', loss: 0.3, rounds: 12 }), UNLIMITED);
    let yields = 0;
    let work = 0;
    for (let next = steps.next(); !next.done; next = steps.next()) {
      yields++;
      work += next.value;
    }
    assert.deepEqual([yields, work], [1, 150]);
  });
  it('a large generic cell yields its work a slice at a time', () => {
    const steps = exactSteps(model({ protocol: 'two-phase-commit', loss: 0.3, rounds: 3, participants: 3 }), UNLIMITED, 'generic');
    const yields: number[] = [];
    let next = steps.next();
    for (; !next.done; next = steps.next()) yields.push(next.value);
    // 3,539 states and 5,988 branches of 24 fields, 4 units each (stateBranchUnits): 27,491 units.
    assert.deepEqual(yields, [4103, 4103, 4100, 4099, 4100, 4096, 2890]);
    assert.equal(next.value.statesExpanded, 3539);
  });
});

describe('exact with crashes: the generic engine branches over every crash pattern', () => {
  // messenger, no loss, one copy: A attacks unless it crashed at the round's start; B attacks iff
  // the order reached it, which needs A up (to send) and B up (to receive)
  const cases: [Record<string, number>, number[]][] = [
    [{ a: 0.25 }, [0.75, 0.25, 0, 0]],
    [{ b: 0.2 }, [0.8, 0, 0.2, 0]],
    [{ a: 0.5, b: 0.5 }, [0.25, 0.5, 0.25, 0]],
  ];
  for (const [crash, outcomes] of cases) {
    it(`messenger, crash ${JSON.stringify(crash)}: both, neither, onlyA, onlyB = ${outcomes.join(', ')}`, () => {
      const r = exactCell(model({ protocol: 'messenger', loss: 0, redundancy: 1, crash }));
      r.outcomes.forEach((p, i) => assert.ok(Math.abs(p - outcomes[i]!) < 1e-15, `outcome ${i}: ${p}`));
    });
  }
  it('refuses more than 16 nodes that may crash in one round, in one line', () => {
    assert.equal(
      refusal(model({ protocol: 'two-phase-commit', participants: 20, rounds: 1, crash: { cohort: 0.1 } }), UNLIMITED),
      '20 nodes may crash in round 1, more than the 16 it branches over',
    );
  });
});
