import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

describe("run's note on cells left without exact values", () => {
  it('does not offer --exact where no limit stopped the exact engine (more nodes able to crash than it branches over)', async () => {
    const args = [
      'run',
      '--set',
      'protocol=two-phase-commit',
      '--set',
      'participants=20',
      '--set',
      'crash=0.01',
      '--set',
      'rounds=1',
      '--trials',
      '1000',
      '-f',
      'csv',
    ];
    const r = await cliIn(args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /note: no exact values for .*: 21 nodes may crash in round 1, more than the 16 it branches over$/m);
    assert.doesNotMatch(r.stderr, /--exact allows more/);
  });
});
