import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { refusal } from './assert-cli.js';

/**
 * A step labelled with a symbol (which trace tells by its description) is told so in every
 * message that names the step: a message written as `${step.label || …}` threw, no template
 * makes text of a symbol, and the command stopped as an internal error (exit 3), or as `the check
 * failed: Cannot convert a Symbol value to a string` for a file check should have passed.
 */

/**
 * The messenger with crash support; at rounds 3 its send is labelled with a symbol, and A sends
 * even after it crashed (a slip in a cell the quick check, at the default 2 rounds, does not see).
 */
const FILE = `const ORDER = Symbol('order');
export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'symbol-label',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ start: p.crashes === 1 ? 1 : 0, r: p.rounds }),
  stateSize: () => 4, // clock, B received, A crashed, B crashed
  init() {},
  next(s, c, step) {
    if (s[0] < c.start) { step.kind = ROUND; step.round = 1; return; }
    if (s[0] === c.start && (s[2] === 0 || c.r === 3)) {
      step.kind = SEND; step.direction = A_TO_B; step.round = 1;
      if (c.r === 3) step.label = ORDER;
      return;
    }
    step.kind = END; step.outcome = generalsOutcome(s[2] === 0, s[3] === 0 && s[1] === 1);
  },
  resolve(s, c, step, r) { if (step.kind === SEND) s[1] = r; s[0]++; },
  describe: (s) => \`\${s[1]}\`,
  roles: ['A', 'B'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => s[2 + node] === 1,
});
`;

describe('a step labelled with a symbol is named in messages by its description', () => {
  it('a crashed node sending a symbol-labelled message is refused in one line (exit 2), not an internal error', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 3\ntrials: 1000\ncrash: 0.5\n' });
    const commands = [
      ['run', join(dir, 's.yaml')],
      ['exact', join(dir, 's.yaml')],
      ['trace', join(dir, 's.yaml'), '--trial', '3'],
      ['check', join(dir, 'p.mjs')],
    ];
    for (const [i, r] of (cliSeries(commands) as CliResult[]).entries()) {
      assert.match(refusal(r, commands[i]![0]), /node 0 (dispatched|\(A\) dispatches) Symbol\(order\) in round 1 after it crashed/);
    }
  });

  it('a round start whose round is a symbol is refused in its one line (exit 2), not an internal error', () => {
    const text = FILE.replace('step.kind = ROUND; step.round = 1;', 'step.kind = ROUND; step.round = c.r === 3 ? ORDER : 1;');
    assert.notEqual(text, FILE, 'the slip applies');
    const dir = tempFiles({ 'p.mjs': text, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 3\ntrials: 1000\ncrash: 0.5\n' });
    const commands = [
      ['run', join(dir, 's.yaml')],
      ['exact', join(dir, 's.yaml')],
      ['trace', join(dir, 's.yaml'), '--trial', '1'],
    ];
    for (const [i, r] of (cliSeries(commands) as CliResult[]).entries()) {
      assert.equal(r.status, 2, `${commands[i]![0]}: ${r.stderr}`);
      assert.match(r.stderr, /next started round Symbol\(order\) \(step\.kind = ROUND\) after no round/);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
  });

  it('check passes a file whose sends are labelled with a symbol, as run and trace take it', () => {
    const everywhere = FILE.replace('if (c.r === 3) step.label = ORDER;', 'step.label = ORDER;').replace('(s[2] === 0 || c.r === 3)', 's[2] === 0');
    assert.notEqual(everywhere, FILE, 'the change applies');
    const dir = tempFiles({ 'p.mjs': everywhere, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 3\ntrials: 1000\ncrash: 0.5\n' });
    const [checked, traced] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['trace', join(dir, 's.yaml'), '--trial', '1'],
    ]) as [CliResult, CliResult];
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(checked.stdout, /: ok — protocol symbol-label:/);
    assert.equal(traced.status, 0, traced.stderr);
  });
});
