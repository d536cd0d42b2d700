import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

// plan's table printed each value to 5 digits beside its ✓ or ✗, so a value just short of the
// target read as the target itself: the messenger at loss 0.00387 with 2 copies (success
// 1 − 0.00387², 0.99998502) printed `0.99999 ✗` under `success ≥ 0.99999`.
describe("plan's table: a value's digits beside its target", () => {
  it('shows as many digits as tell a value from the bound it misses or meets', async () => {
    const r = await cliIn(['plan', '--set', 'loss=0.00387', '--vary', 'redundancy=1:3', '--target', 'success>=0.99999']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /│ +│ 2 +│ 2 +│ 0\.999985 ✗ +│/);
    // Five digits where they already tell it apart, as before.
    assert.match(r.stdout, /│ +│ 1 +│ 1 +│ 0\.99613 ✗ +│/);
    const under = await cliIn(['plan', '--set', 'loss=0.5', '--vary', 'redundancy=3:5', '--target', 'disagreement<=0.06249999']);
    assert.match(under.stdout, /│ +│ 4 +│ 4 +│ 0\.0625 ✗ +│/);
  });

  it("keeps a value that meets the bound within the engine's rounding as its 5 digits", async () => {
    const r = await cliIn(['plan', '--set', 'loss=0.3', '--vary', 'redundancy=1:3', '--target', 'success>=0.91']);
    assert.match(r.stdout, /│ best │ 2 +│ 2 +│ 0\.91 ✓ +│/);
  });
});
