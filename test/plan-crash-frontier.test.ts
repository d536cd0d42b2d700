import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

describe('plan varying a crash rate that no setting withstands', () => {
  it('lists every setting of the frontier, the largest crash rate too', async () => {
    // The messenger's success is at most 0.75 (crash=0) over these rates: no winner.
    // The table showed the three rates before the best reached (crash=0) and dropped crash=0.2.
    const r = await cliIn(['plan', '--vary', 'crash=0:0.2:0.05', '--target', 'success>=0.8']);
    assert.equal(r.status, 1, r.stderr);
    const rates = [...r.stdout.matchAll(/^│ +│ ([0-9.]+) +│/gm)].map((m) => m[1]);
    assert.deepEqual(rates, ['0.2', '0.15', '0.1', '0.05', '0']);
    assert.match(r.stderr, /the best reachable success is 0\.75 \(crash=0\)\n$/);
  });
});
