import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { refusal as refused } from './assert-cli.js';

/**
 * A symbol that next leaves in a numeric field of the step (round, direction, a run's peer,
 * outcome) is refused in the contract's one line, exit 2, on every path: the messages wrote it
 * with a template, which throws on a symbol, and the engines compared it or took its bits, which
 * throws too, so a trial that met it (one in a thousand here, past the 24 trials sampled first)
 * stopped the command as an internal error, exit 3. A BigInt is shown with its n (`round 1n`),
 * not as the round 1 it is not.
 */

/** A draw of 1 in 1,000, then A's order; at rounds 3, after the rare draw, FIELD set to a symbol. */
const FILE = `const ODD = Symbol('odd');
export default ({ SEND, END, CHOOSE, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'rare-field',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ odd: p.rounds === 3, oddEnd: false, draw: Float64Array.of(0.999, 0.001) }),
  stateSize: () => 3, // clock, the rare draw came out, B received
  init() {},
  next(s, c, step) {
    if (s[0] === 0) { step.kind = CHOOSE; step.choices = c.draw; step.label = 'draw'; return; }
    if (s[0] === 1) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; if (c.odd && s[1] === 1) step.SENT = ODD; return; }
    step.kind = END; step.outcome = c.odd && s[1] === 1 && c.oddEnd ? ODD : generalsOutcome(true, s[2] === 1);
  },
  resolve(s, c, step, r) { if (s[0] === 0) s[1] = r; else s[2] = r; s[0]++; },
  describe: (s) => \`\${s[2]}\`,
});
`;

const SCENARIO = 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 3\ntrials: 100000\nseed: 7\n';

describe('a symbol in a numeric field of the step is refused in one line on every path', () => {
  const cases = [
    { field: 'round', file: FILE.replace('step.SENT', 'step.round'), refusal: /: a send in round Symbol\(odd\), outside 1\.\.3 \(the round limit\)/ },
    {
      field: 'direction',
      file: FILE.replace('step.SENT', 'step.direction'),
      refusal: /: a send has direction Symbol\(odd\); it must be A_TO_B \(0\) or B_TO_A \(1\)/,
    },
    {
      field: 'round (a BigInt)',
      file: FILE.replace('step.SENT = ODD;', 'step.round = 1n;'),
      refusal: /: a send in round 1n, outside 1\.\.3 \(the round limit\)/,
    },
    {
      field: 'peer (of a run)',
      file: FILE.replace('step.SENT = ODD;', '{ step.peers = 1; step.peer = ODD; }'),
      refusal: /: step\.peers announces a run from peer Symbol\(odd\); step\.peer must be 0 or more/,
    },
    {
      field: 'outcome',
      file: FILE.replace('step.SENT', 'step.label').replace('oddEnd: false', 'oddEnd: true'),
      refusal: /: the trial ended with outcome Symbol\(odd\), not an index into outcomes\.names \(0 to 3\)/,
    },
  ];
  for (const { field, file, refusal } of cases) {
    it(`step.${field}: run (the compiled engines, and few trials) and trace --first`, () => {
      assert.notEqual(file, FILE, 'the slip applies');
      const dir = tempFiles({ 'p.mjs': file, 's.yaml': SCENARIO });
      const commands = [
        ['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv'],
        ['run', join(dir, 's.yaml'), '--workers', '2', '-f', 'csv'],
        ['run', join(dir, 's.yaml'), '--trials', '4000', '--seed', '3', '-f', 'csv'],
        ['trace', join(dir, 's.yaml'), '--first', 'onlyA'],
      ];
      for (const [i, r] of (cliSeries(commands) as CliResult[]).entries()) {
        assert.match(refused(r, commands[i]!.join(' ')), refusal, commands[i]!.join(' '));
      }
    });
  }
});
