import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ownOutcomesProtocolFile, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';
import { leaderFollowerFile } from './leader-follower-file.js';

/** One message A to B, with each file's own outcomes and parameters. */
const file = ownOutcomesProtocolFile;
const scenario = (protocol: string): string => `protocol: ./${protocol}\nloss: 0.25\nredundancy: 1\ntrials: 100\n`;

describe("a protocol file's parameter named like another protocol's outcome", () => {
  it('is refused in a command that runs both, whichever loads first, not written to one shared CSV column', () => {
    // The CSV wrote `tries` twice: the first (the parameter's) held the vote's count of its outcome tries, and the retry file's tries was left empty.
    const dir = tempFiles({
      'vote.mjs': file('vote-file', "['passed', 'tries']", '[]'),
      'retry.mjs': file('retry-file', "['acked', 'lost']", "[{ name: 'tries', description: 'sends', minimum: 1, maximum: 5, default: 2, integer: true }]"),
      'vote.yaml': scenario('vote.mjs'),
      'retry.yaml': scenario('retry.mjs'),
    });
    // A process each: a file registered by the first would still be registered for the second.
    const [voteFirst] = cliSeries([['run', join(dir, 'vote.yaml'), join(dir, 'retry.yaml'), '-f', 'csv', '--workers', '1']]) as [CliResult];
    const [retryFirst] = cliSeries([['run', join(dir, 'retry.yaml'), join(dir, 'vote.yaml'), '-f', 'csv', '--workers', '1']]) as [CliResult];
    assert.equal(voteFirst.status, 2, voteFirst.stdout + voteFirst.stderr);
    assert.equal(voteFirst.stdout, '');
    assert.match(
      voteFirst.stderr,
      /retry\.mjs: parameter 'tries' is named like outcome 'tries' of the vote-file protocol: in a command that runs both, its value and that outcome's count would share one column of the CSV and JSON; rename the parameter\n$/,
    );
    assert.equal(retryFirst.status, 2, retryFirst.stdout + retryFirst.stderr);
    assert.match(retryFirst.stderr, /vote\.mjs: outcome 'tries' is named like a column the tool writes \(tries\)/);
  });

  it("is refused where the outcome is a built-in protocol's (two-phase commit's blocked)", () => {
    const dir = tempFiles({
      'p.mjs': file('blocking-file', "['done', 'lost']", "[{ name: 'blocked', description: 'x', minimum: 0, maximum: 1, default: 0 }]"),
    });
    const [r] = cliSeries([['check', join(dir, 'p.mjs')]]) as [CliResult];
    assert.equal(r.status, 2);
    assert.match(r.stderr, /parameter 'blocked' is named like outcome 'blocked' of the two-phase-commit protocol/);
  });

  it("is refused for a role whose crash rate is named like another protocol's outcome", () => {
    // crashFollower, the rate of role follower, was written once for both: the vote's count under it, the retry's 0.2 left empty.
    const withRoles = leaderFollowerFile('crashing-file');
    const dir = tempFiles({
      'vote.mjs': file('vote-file', "['passed', 'crashFollower']", '[]'),
      'retry.mjs': withRoles,
      'vote.yaml': scenario('vote.mjs'),
      'retry.yaml': scenario('retry.mjs'),
    });
    const [r] = cliSeries([['run', join(dir, 'vote.yaml'), join(dir, 'retry.yaml'), '-f', 'csv', '--workers', '1']]) as [CliResult];
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /retry\.mjs: role 'follower' has the crash rate crashFollower, named like outcome 'crashFollower' of the vote-file protocol: .*; rename the role\n$/,
    );
  });
});
