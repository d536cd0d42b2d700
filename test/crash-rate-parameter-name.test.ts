import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';
import { leaderFollowerFile } from './leader-follower-file.js';

/** The file with a parameter named PARAMETER; `crashFollower` stands for a parameter of the file's own. */
const FILE = leaderFollowerFile('named-rate', "[{ name: 'PARAMETER', description: 'a knob', minimum: 0, maximum: 1, default: 0.5 }]");

describe("a protocol file's parameter named like a role's crash rate", () => {
  it("is refused naming the role whose rate it is, not as a parameter 'for every protocol'", () => {
    const own = tempFiles({ 'p.mjs': FILE.replace('PARAMETER', 'crashFollower') });
    const shipped = tempFiles({ 'p.mjs': FILE.replace('PARAMETER', 'crashCoordinator') });
    const fine = tempFiles({ 'p.mjs': FILE.replace('PARAMETER', 'knob') });
    const [a, b, c] = cliSeries([
      ['check', join(own, 'p.mjs')],
      ['check', join(shipped, 'p.mjs')],
      ['check', join(fine, 'p.mjs')],
    ]) as [CliResult, CliResult, CliResult];
    assert.equal(a.status, 2);
    assert.match(
      a.stderr,
      /parameter 'crashFollower' is already defined \(as the crash rate of role follower, which crash: \{ follower: … \} sets\): rename it\n$/,
    );
    assert.equal(b.status, 2);
    assert.match(
      b.stderr,
      /parameter 'crashCoordinator' is already defined \(as the crash rate of role coordinator, which crash: \{ coordinator: … \} sets\): rename it\n$/,
    );
    assert.equal(c.status, 0, c.stderr);
  });
});
