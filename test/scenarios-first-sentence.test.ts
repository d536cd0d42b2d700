import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

// `scenarios` lists each shipped scenario by its description's first sentence: an abbreviation's
// full stop ("i.i.d. loss") ended it, and randomized-tradeoff read "… safety and liveness under i.i.d."
describe('scenarios lists each by its first sentence', () => {
  it('not cut at an abbreviation', async () => {
    const r = await cliIn(['scenarios']);
    assert.equal(r.status, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith('randomized-tradeoff'))!;
    assert.match(
      line,
      /under i\.i\.d\. loss: more rounds shrink the disagreement bound 1\/R, and the chance that both attack grows as levels climb past the key\.$/,
    );
    const handshake = r.stdout.split('\n').find((l) => l.trimStart().startsWith('handshake-regress'))!;
    assert.match(handshake, /Acknowledgements of acknowledgements, 1 to 8 legs\.$/);
  });
});
