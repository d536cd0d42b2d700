import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/** One send from a leader to a follower, with crash support; `crashFollower` stands for a parameter of the file's own. */
const FILE = `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'named-rate',
  outcomes: GENERALS_OUTCOMES,
  parameters: [{ name: 'PARAMETER', description: 'a knob', minimum: 0, maximum: 1, default: 0.5 }],
  configure: (p) => ({ start: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 4,
  init(s) { s.fill(0); },
  next(s, c, step) {
    step.round = 1;
    if (s[0] < c.start) step.kind = ROUND;
    else if (s[0] === c.start && s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; }
    else { step.kind = END; step.outcome = generalsOutcome(s[2] === 0, s[1] === 1 && s[3] === 0); }
  },
  resolve(s, c, step, r) { if (step.kind === SEND) s[1] = r; s[0] = step.kind === ROUND ? c.start : c.start + 1; },
  roles: ['leader', 'follower'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => s[2 + node] === 1,
  describe: (s) => String(s[1]),
});
`;

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
