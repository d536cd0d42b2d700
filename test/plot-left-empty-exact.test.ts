import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliIn } from './in-process.js';

// An outcome's exact value left empty (too small for a double) reached the chart as NaN, so plot
// added `note: the chart leaves off 1 point of onlyA: it is not a number, which no axis can show`
// beside run's note saying why it is empty; success's and disagreement's empty values were left
// out without a word, as the CSV leaves them empty.
describe('plot of an outcome whose exact value is left empty', () => {
  it("leaves the exact point out as disagreement does, with run's note alone", async () => {
    const args = ['--set', 'channel={model: gilbert-elliott, goodToBad: 0.5, badToGood: 0.9}', '--set', 'loss=null', '--sweep', 'redundancy=2,400'];
    const notes = async (metric: string): Promise<string> => {
      const r = await cliIn(['plot', 'scenarios/seed-foot-soldiers.yaml', ...args, '--trials', '2000', '--metric', metric]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^<svg/);
      return r.stderr;
    };
    const outcome = await notes('onlyA');
    assert.match(outcome, /^note: exact values left empty for 1 of 2 cells, first .*redundancy=400.*\n$/);
    assert.equal(outcome, await notes('disagreement'));
  });
});
