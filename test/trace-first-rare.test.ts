import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_SEARCH_TRIALS, searchBeyondReach } from '../src/trace/trace.js';
import { cliIn } from './in-process.js';

describe('trace --first an outcome too rare to be met', () => {
  it('is refused up front, naming its exact probability and the trials expected before the first', async () => {
    // The messenger at loss 1e-6 with two copies: A attacks alone with probability 1e-12.
    const r = await cliIn(['trace', '--first', 'disagreement', '--set', 'loss=1e-6', '--trials', '1e12']);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'twogenerals: --first disagreement: in cell 1 a trial ends in disagreement with exact probability 1e-12: the first is expected after about 1e12 trials, ' +
        'beyond what trace looks through (100,000,000); give --trials N (up to 100,000,000) to look through N trials anyway\n',
    );
    assert.equal(r.stdout, '');
  });

  it('is refused for each outcome and cell of a sweep by that outcome and cell', async () => {
    const r = await cliIn(['trace', '--first', 'onlyA', '--sweep', 'loss=0.5,1e-5', '--cell', '2', '--set', 'redundancy=3', '--trials', '1e15']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^twogenerals: --first onlyA: in cell 2 a trial ends in onlyA with exact probability 1e-15: the first is expected after about 1e15 trials, /,
    );
  });

  it('looks through the trials --trials gives where they are few enough, and says none was found', async () => {
    const r = await cliIn(['trace', '--first', 'disagreement', '--set', 'loss=1e-6', '--trials', '1000']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'twogenerals: no trial from 1 to 1,000 of cell 1 ended in disagreement\n');
  });

  it('searches for an outcome met within the trials it looks through, however many the scenario has', async () => {
    const r = await cliIn(['trace', '--first', 'disagreement', '--set', 'loss=0.01', '--set', 'redundancy=1', '--trials', '1e15']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /A attacks alone/);
  });

  it('draws the line at one in FIRST_SEARCH_TRIALS expected', () => {
    assert.equal(searchBeyondReach(1 / (FIRST_SEARCH_TRIALS * 2), FIRST_SEARCH_TRIALS + 1), true);
    assert.equal(searchBeyondReach(2 / FIRST_SEARCH_TRIALS, FIRST_SEARCH_TRIALS * 10), false);
    assert.equal(searchBeyondReach(1e-12, FIRST_SEARCH_TRIALS), false);
    assert.equal(searchBeyondReach(0, FIRST_SEARCH_TRIALS * 10), false);
  });
});
