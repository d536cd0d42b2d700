import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { UNLIMITED, exactCell, exactSteps, structuredSolverFor } from '../src/engine/exact/index.js';
import { randomized } from '../src/protocols/randomized.js';
import { cli, playTrial, tempFiles } from './helpers.js';
import { good } from './rule-protocol.js';
import { assertSame, cell, drive, refusal } from './exact-helpers.js';

/**
 * The structured solvers (engine/exact/structured.ts) against an engine that shares none of their
 * code: independent cohorts and the randomized levels against the generic engine, which plays the
 * protocol's own steps state by state. Kept small: these run for every mutant of the solvers
 * (docs/mutation.md). The trace starts have theirs in exact-trace-starts.
 */

describe('independent cohorts against the generic engine', () => {
  const cases: [string, string, Record<string, number | string>][] = [
    ['one cohort, R 3, asymmetric loss, k 2', 'bernoulli', { participants: 1, rounds: 3, redundancy: 2, lossAtoB: 0.35, lossBtoA: 0.6, abortRate: 0.25 }],
    ['two cohorts, R 2, asymmetric loss', 'bernoulli', { participants: 2, rounds: 2, redundancy: 1, lossAtoB: 0.2, lossBtoA: 0.45, abortRate: 0.3 }],
    ['two cohorts, R 3, everyone votes NO', 'bernoulli', { participants: 2, rounds: 3, redundancy: 1, lossAtoB: 0.3, lossBtoA: 0.1, abortRate: 1 }],
    ['three cohorts, R 2, nobody votes NO', 'bernoulli', { participants: 3, rounds: 2, redundancy: 1, lossAtoB: 0.15, lossBtoA: 0.5, abortRate: 0 }],
    ['two cohorts, R 3, the cut after round 2 both ways', 'cut', { participants: 2, rounds: 3, redundancy: 1, after: 2, direction: 'both', abortRate: 0.2 }],
    ['two cohorts, R 3, the cut after round 1 from B', 'cut', { participants: 2, rounds: 3, redundancy: 2, after: 1, direction: 'BtoA', abortRate: 0.2 }],
  ];
  for (const [what, channel, params] of cases) {
    it(`${what}: every outcome and moment to 1e-12`, () => {
      const model = cell('two-phase-commit', channel, params);
      const structured = exactCell(model);
      assert.equal(structured.method, 'independent cohorts');
      assert.equal(structured.messages, null, 'moments only');
      const generic = exactCell(model, UNLIMITED, 'generic');
      assertSame(structured, generic, what);
      assert.equal(structured.statesExpanded, Number(params['rounds']) * 5, 'R rounds of five cohort states');
    });
  }
  it('yields its work a slice at a time and stops at the work limit, naming the round', () => {
    const model = cell('two-phase-commit', 'bernoulli', { participants: 4, rounds: 200, redundancy: 1, loss: 0.2, abortRate: 0.1 });
    // ⌈200 / 2⌉ = 100 units a round of phase 1: a slice of 4,096 takes 41 rounds (4,100 units), 200 rounds 20,000.
    const { yields, result } = drive(model);
    assert.deepEqual(yields, [4100, 4100, 4100, 4100, 3600]);
    assert.equal(result.method, 'independent cohorts');
    // The limit is looked at with each slice: past 16,399 at the fourth (round 164).
    assert.equal(
      refusal(model, { maxWork: 16_399, maxWords: Number.POSITIVE_INFINITY }),
      'it needs more than 16,399 steps of work (round 164 of 200 of phase 1)',
    );
    assert.equal(refusal(model, { maxWork: 4099, maxWords: Number.POSITIVE_INFINITY }), 'it needs more than 4,099 steps of work (round 41 of 200 of phase 1)');
    assert.equal(exactCell(model, { maxWork: 16_400, maxWords: Number.POSITIVE_INFINITY }).method, 'independent cohorts');
  });
  it('refuses a cell it would give up on before doing any of its work, in the same words, so a run keeps its budget for the next cells', () => {
    const model = cell('two-phase-commit', 'bernoulli', { participants: 3, rounds: 1000, redundancy: 2, loss: 0.3 });
    const steps = exactSteps(model, { maxWork: 250_000, maxWords: Number.POSITIVE_INFINITY });
    // ⌈1000 / 2⌉ = 500 units a round, the limit looked at every 9 rounds: past 250,000 at round 504.
    assert.throws(() => steps.next(), { message: 'it needs more than 250,000 steps of work (round 504 of 1000 of phase 1)' });
    // The run's automatic attempt: that cell gets none, and the next (5,000 units) still gets its values.
    const dir = tempFiles({ 'sweep.yaml': 'protocol: two-phase-commit\nloss: 0.3\ntrials: 1000\nseed: 1\nsweep:\n  rounds: [1000, 100]\n' });
    const run = cli(['run', join(dir, 'sweep.yaml'), '--format', 'json', '--workers', '1']);
    assert.equal(run.status, 0, run.stderr);
    const missing = JSON.parse(run.stdout).exactMissing;
    assert.match(missing[0], /round 504 of 1000 of phase 1/);
    assert.equal(missing[1], null);
  });
  it('yields a slice as soon as it has done 4,096 units, and nothing after the last', () => {
    // R 256: 128 units a round, a slice every 32 rounds, the last ending with the work.
    const { yields } = drive(cell('two-phase-commit', 'bernoulli', { participants: 2, rounds: 256, redundancy: 1, loss: 0.2, abortRate: 0.1 }));
    assert.deepEqual(yields, Array(8).fill(4096));
  });
  it('is chosen for two-phase commit only, not for another protocol whose configuration has participants', () => {
    const name = 'exact-solvers-cohorts';
    const base = good(name);
    registerProtocol({ ...base, configure: (params) => ({ ...base.configure(params), participants: 2 }) });
    try {
      const model = cell(name, 'bernoulli', { rounds: 1, redundancy: 1, loss: 0.25 });
      assert.equal(structuredSolverFor(model), undefined);
      assert.equal(exactCell(model).method, 'generic');
    } finally {
      unregister(name);
    }
  });
});

describe('the randomized levels against the generic engine', () => {
  it('refuses a cell past the work limit before doing any of its work, so a run keeps its budget for the next cells', () => {
    // R 3000: its rounds look at Σ (r + 1)·6 slots, 844,593 units, whatever their mass.
    const steps = exactSteps(cell('randomized', 'bernoulli', { rounds: 3000, redundancy: 2, loss: 0.3 }), {
      maxWork: 250_000,
      maxWords: Number.POSITIVE_INFINITY,
    });
    assert.throws(() => steps.next(), { message: 'it needs more than 250,000 steps of work (3,000 rounds: at least 844,593)' });
    const dir = tempFiles({ 'sweep.yaml': 'protocol: randomized\nloss: 0.3\ntrials: 1000\nseed: 1\nsweep:\n  rounds: [3000, 300]\n' });
    const run = cli(['run', join(dir, 'sweep.yaml'), '--format', 'json', '--workers', '1']);
    assert.equal(run.status, 0, run.stderr);
    const missing = JSON.parse(run.stdout).exactMissing;
    assert.match(missing[0], /3,000 rounds: at least 844,593/);
    assert.equal(missing[1], null, 'the R 300 cell keeps its exact values');
  });
  const cases: [string, string, Record<string, number | string>][] = [
    ['R 3, asymmetric loss, k 2', 'bernoulli', { rounds: 3, redundancy: 2, lossAtoB: 0.3, lossBtoA: 0.55 }],
    ['R 4, asymmetric loss', 'bernoulli', { rounds: 4, redundancy: 1, lossAtoB: 0.1, lossBtoA: 0.4 }],
    [
      'R 3, Gilbert–Elliott (unequal starting states)',
      'gilbert-elliott',
      { rounds: 3, redundancy: 1, goodToBad: 0.2, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 },
    ],
    ['R 4, the cut after round 2 from A', 'cut', { rounds: 4, redundancy: 1, after: 2, direction: 'AtoB' }],
  ];
  for (const [what, channel, params] of cases) {
    it(`${what}: every outcome and moment to 1e-12`, () => {
      const model = cell('randomized', channel, params);
      const levels = exactCell(model);
      assert.equal(levels.method, 'levels');
      assertSame(levels, exactCell(model, UNLIMITED, 'generic'), what);
    });
  }
  it('yields its work a slice at a time (R 300: 25,378 units)', () => {
    const { yields, result } = drive(cell('randomized', 'bernoulli', { rounds: 300, redundancy: 1, loss: 0.3 }));
    assert.deepEqual(yields, [4099, 4098, 4096, 4140, 4096, 4096, 753]);
    assert.equal(result.method, 'levels');
  });
  it('over a short trace, its starts weigh 1 each: every outcome is a whole count over R·L, divided once', () => {
    // The oracle plays the protocol's own steps from every start and key: a message is received
    // iff one of its k packets (successive positions, wrapping) is 0.
    const GENERALS = ['both', 'neither', 'onlyA', 'onlyB'];
    for (const [trace, R, k] of [
      ['0110100111010', 3, 2],
      ['0101101', 5, 1],
      ['1101000101', 2, 2],
    ] as const) {
      const file = join(tempFiles({ 'short.txt': trace }), 'short.txt');
      const L = trace.length;
      const counts = [0, 0, 0, 0];
      const config = randomized.configure({ rounds: R });
      for (let start = 0; start < L; start++) {
        const script = Array.from({ length: 2 * R }, (_, i) => Array.from({ length: k }, (_, j) => trace[(start + i * k + j) % L]).includes('0'));
        for (let key = 0; key < R; key++) counts[GENERALS.indexOf(playTrial(randomized, config, script, [key]).outcome)]!++;
      }
      const result = exactCell(cell('randomized', 'trace', { file, rounds: R, redundancy: k }));
      assert.equal(result.method, 'levels');
      assert.deepEqual(
        result.outcomes,
        counts.map((c) => c / (R * L)),
        `${trace}, R ${R}, k ${k}`,
      );
    }
  });
  it('over a short trace (equally likely starts, summed as whole numbers): the generic engine’s values', () => {
    const dir = tempFiles({ 'short.txt': '0110100111010' });
    const model = cell('randomized', 'trace', { file: join(dir, 'short.txt'), rounds: 3, redundancy: 2 });
    const levels = exactCell(model);
    assert.equal(levels.method, 'levels');
    assertSame(levels, exactCell(model, UNLIMITED, 'generic'), 'short trace');
  });
});
