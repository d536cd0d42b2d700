import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIRST_SEARCH_MESSAGES, FIRST_SEARCH_TRIALS, searchBeyondReach, searchReach } from '../src/trace/trace.js';
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

  it('looks through fewer trials where each sends many messages, so that a search of hundreds of messages a trial is refused as soon', {
    timeout: 120_000,
  }, async () => {
    // Two-phase commit with 64 cohorts sends about 264 messages a trial: a cohort stays blocked
    // with probability 4.5e-8, expected after 2.2e7 trials, within FIRST_SEARCH_TRIALS but about
    // twenty minutes of replay. The guard's timeout is reached only by a failing run (one that searches).
    const r = await cliIn([
      'trace',
      '--first',
      'blocked',
      '--set',
      'protocol=two-phase-commit',
      '--set',
      'participants=64',
      '--set',
      'rounds=7',
      '--set',
      'loss=0.05',
      '--set',
      'abortRate=0.05',
      '--set',
      'redundancy=1',
      '--trials',
      '1e12',
    ]);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'twogenerals: --first blocked: in cell 1 a trial ends in blocked with exact probability 4.525e-8: the first is expected after about 2.21e7 trials, ' +
        'beyond what trace looks through (1,895,378 trials of 263.8 messages on average); give --trials N (up to 1,895,378) to look through N trials anyway\n',
    );
  });
  it('reaches FIRST_SEARCH_TRIALS trials of up to 5 messages, and as many messages in cells of more', () => {
    assert.equal(searchReach(0), FIRST_SEARCH_TRIALS);
    assert.equal(searchReach(2.5), FIRST_SEARCH_TRIALS);
    assert.equal(searchReach(5), FIRST_SEARCH_TRIALS);
    assert.equal(searchReach(10), FIRST_SEARCH_MESSAGES / 10);
    assert.equal(searchReach(263.8), Math.floor(FIRST_SEARCH_MESSAGES / 263.8));
    assert.equal(searchBeyondReach(1 / 2e7, 1e12, searchReach(263.8)), true);
    assert.equal(searchBeyondReach(1 / 2e7, 1e6, searchReach(263.8)), false);
  });
  it('draws the line at one in FIRST_SEARCH_TRIALS expected', () => {
    assert.equal(searchBeyondReach(1 / (FIRST_SEARCH_TRIALS * 2), FIRST_SEARCH_TRIALS + 1), true);
    assert.equal(searchBeyondReach(2 / FIRST_SEARCH_TRIALS, FIRST_SEARCH_TRIALS * 10), false);
    assert.equal(searchBeyondReach(1e-12, FIRST_SEARCH_TRIALS), false);
    assert.equal(searchBeyondReach(0, FIRST_SEARCH_TRIALS * 10), false);
  });
});
