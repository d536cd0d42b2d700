import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

// plan searches --vary alone and names a sweep it sets aside, but only a scenario file's: a sweep
// given by --set to the built-in scenario (`--set sweep.loss=0.1,0.2`) was dropped without a word,
// and the answer, for the default loss 0.5, read as one for the losses asked about.
describe('plan with a sweep --set gives the built-in scenario', () => {
  it('says the sweep is set aside and the value each parameter is held at, as for a file', async () => {
    for (const set of ['sweep.loss=0.1,0.2', 'sweep={loss: [0.1, 0.2]}']) {
      const r = await cliIn(['plan', '--set', set, '--vary', 'redundancy=1:3', '--target', 'success>=0.8', '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^redundancy,messengers_mean,success,exact,meets\n3,3,0\.875,true,true\n/);
      assert.equal(r.stderr, "note: plan searches only what --vary names; --set's sweep of loss is set aside, held at loss 0.5 (--vary loss=… searches it)\n");
    }
    // Varied, it is searched, and nothing is said.
    const varied = await cliIn(['plan', '--set', 'sweep.loss=0.1,0.2', '--vary', 'redundancy=1:3,loss=0.1,0.2', '--target', 'success>=0.8', '--format', 'csv']);
    assert.equal(varied.status, 0, varied.stderr);
    assert.equal(varied.stderr, '');
  });
});
