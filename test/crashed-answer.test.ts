import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { refusal } from './assert-cli.js';

/** The messenger with crash support, whose `crashed` returns the node's flag as the state keeps it (0 or 1). */
const FLAG = `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'flag-crashed',
  outcomes: GENERALS_OUTCOMES,
  usesRounds: false,
  configure: (p) => ({ start: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 4, // clock, B received, A crashed, B crashed
  init(s) { s.fill(0); },
  next(s, c, step) {
    if (s[0] < c.start) { step.kind = ROUND; step.round = 1; return; }
    if (s[0] === c.start && s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; return; }
    step.kind = END; step.outcome = generalsOutcome(s[2] === 0, s[3] === 0 && s[1] === 1);
  },
  resolve(s, c, step, r) { if (step.kind === SEND) s[1] = r; s[0]++; },
  describe: (s) => \`\${s[1]}\`,
  roles: ['A', 'B'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => s[2 + node],
});
`;

describe('a crashed that returns no boolean', () => {
  it('is refused by check and run naming the slip (true or false), not as a crash it disagrees with', () => {
    const dir = tempFiles({ 'p.mjs': FLAG, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\ntrials: 1000\ncrash: 0.1\n' });
    // Before: `crashed(node 0) returned 0, but node 0 has not crashed`, which it has not.
    const commands = [
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '--workers', '1'],
    ];
    for (const [i, r] of (cliSeries(commands) as CliResult[]).entries()) {
      assert.match(refusal(r, commands[i]![0]), /crashed\(node 0\) returned 0, not true or false: crashed must return a boolean/);
      assert.doesNotMatch(r.stderr, /but node 0 has not crashed/);
    }
  });
  it('shows text as text: a crashed that returns the text false is not said to return false', () => {
    const words = FLAG.replace('crashed: (s, c, node) => s[2 + node],', "crashed: (s, c, node) => (s[2 + node] ? 'true' : 'false'),");
    const dir = tempFiles({ 'p.mjs': words, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\ntrials: 1000\ncrash: 0.1\n' });
    const [r] = cliSeries([['run', join(dir, 's.yaml'), '--workers', '1']]) as CliResult[];
    assert.equal(r!.status, 2, r!.stderr);
    assert.match(r!.stderr, /crashed\(node 0\) returned the text 'false', not true or false: crashed must return a boolean/);
  });
});
