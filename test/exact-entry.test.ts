import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExactUnavailable, UNLIMITED, exactCell } from '../src/engine/exact/index.js';
import { AUTO_EXACT_WORDS, EXPLICIT_EXACT_WORDS, megabytes, momentsOf, tooMuchWork } from '../src/engine/exact/result.js';
import { tempFiles } from './helpers.js';
import { cell } from './exact-helpers.js';

/**
 * The exact engine's entry (engine/exact/index.ts: which engine runs a cell) and what the engines
 * share (result.ts: moments, the limits' words). The engines' own tests reach these only through
 * the values the engines print; these pin the choice and the shared pieces directly.
 */

describe('the exact engine’s entry: which engine runs a cell', () => {
  it('runs a structured solver where one covers the cell, and the generic engine when asked or where none does', () => {
    const randomized = cell('randomized', 'bernoulli', { rounds: 3, redundancy: 1, loss: 0.2 });
    assert.equal(exactCell(randomized).method, 'levels');
    assert.equal(exactCell(randomized, UNLIMITED, 'generic').method, 'generic');
    const commit = cell('two-phase-commit', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0.2, participants: 2, abortRate: 0.1 });
    assert.equal(exactCell(commit).method, 'independent cohorts');
    assert.equal(exactCell(cell('handshake', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0.2 })).method, 'generic');
  });

  it('runs exactCell to the end without limits unless given, and stops by the limits given', () => {
    const model = cell('retransmit', 'bernoulli', { rounds: 6, redundancy: 1, loss: 0.3 });
    const whole = exactCell(model);
    assert.ok(whole.statesExpanded > 10);
    assert.throws(() => exactCell(model, { maxWork: 10, maxWords: Number.POSITIVE_INFINITY }), ExactUnavailable);
    assert.equal(UNLIMITED.maxWork, Number.POSITIVE_INFINITY);
    assert.equal(UNLIMITED.maxWords, Number.POSITIVE_INFINITY);
  });

  describe('over a replayed trace', () => {
    // A trace past the table limit (20,000 packets) is replayed, start by start.
    const dir = tempFiles({ 'long.txt': '0110'.repeat(5001) });
    const file = join(dir, 'long.txt');

    it('follows the trace starts, whatever method is asked for', () => {
      const model = cell('randomized', 'trace', { file, rounds: 2, redundancy: 1 });
      assert.ok(model.replay);
      assert.equal(exactCell(model).method, 'trace starts, each followed');
      assert.equal(exactCell(model, UNLIMITED, 'generic').method, 'trace starts, each followed');
    });

    it('follows the trace starts with crashes too, branching at each round start', () => {
      // '0110' repeated: one copy from a start is received at half the starts. B crashes at round 1's start with 0.1.
      const model = cell('messenger', 'trace', { file, rounds: 1, redundancy: 1, crashB: 0.1 });
      assert.ok(model.replay && model.crash);
      const result = exactCell(model);
      assert.equal(result.method, 'trace starts, each followed');
      const [both, neither, onlyA, onlyB] = result.outcomes;
      assert.ok(Math.abs(both! - 0.9 * 0.5) < 1e-12 && neither === 0 && Math.abs(onlyA! - (0.1 + 0.9 * 0.5)) < 1e-12 && onlyB === 0, `${result.outcomes}`);
    });
  });
});

describe('what the exact engines share', () => {
  it('momentsOf: the mean and second moment of a distribution over message counts', () => {
    assert.deepEqual(momentsOf([0.25, 0.5, 0.25]), { mean: 1, second: 1.5 });
    assert.deepEqual(momentsOf([0, 0, 0, 1]), { mean: 3, second: 9 });
    assert.deepEqual(momentsOf([]), { mean: 0, second: 0 });
  });

  it('megabytes: stored words of 8 bytes, in whole MiB with thousands separated', () => {
    assert.equal(megabytes(EXPLICIT_EXACT_WORDS), '305 MB'); // 320,000,000 bytes = 305.2 MiB
    assert.equal(megabytes(AUTO_EXACT_WORDS), '31 MB'); // 30.5 MiB, rounded up
    assert.equal(megabytes(1500 * 131072), '1,500 MB');
    assert.equal(megabytes(65535), '0 MB');
  });

  it('tooMuchWork: names the limit with thousands separated, and what was done', () => {
    const error = tooMuchWork({ maxWork: 30_000_000, maxWords: 1 }, 'round 3 of 9');
    assert.ok(error instanceof ExactUnavailable);
    assert.equal(error.message, 'it needs more than 30,000,000 steps of work (round 3 of 9)');
    assert.equal(error.name, 'ExactUnavailable');
  });
});
