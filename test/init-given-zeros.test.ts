import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';

/**
 * Every engine gives a protocol's `init` a state of zeros, as `check` and the exact engine do:
 * the engines that run trial by trial gave it the array as the trial before had left it, so an
 * `init` that sets only some fields started each trial where the one before ended.
 */

/** Retransmit in rounds: A's order until acknowledged, B's ack of an order of this round; init as written below. */
const arq = (init: string): string => `export default ({ SEND, END, A_TO_B, B_TO_A, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'arq-init-zeros',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 4, // clock (2 a round), B holds the order, A holds the ack, order arrived this round
  ${init},
  next(s, c, step) {
    for (;;) {
      const round = (s[0] >> 1) + 1;
      if (s[2] === 1 || round > c.rounds) { step.kind = END; step.outcome = generalsOutcome(s[2] === 1, s[1] === 1); return; }
      if ((s[0] & 1) === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = round; step.label = 'order'; return; }
      if (s[3] === 1) { step.kind = SEND; step.direction = B_TO_A; step.round = round; step.label = 'ack'; return; }
      s[0]++;
    }
  },
  resolve(s, c, step, r) {
    if ((s[0] & 1) === 0) { s[3] = r; if (r) s[1] = 1; } else if (r) s[2] = 1;
    s[0]++;
  },
  describe: (s) => \`order \${s[1]}, ack \${s[2]}\`,
});
`;

const SCENARIO = 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 3\ntrials: 100000\nseed: 7\n';

describe('init is given zeros in every engine', () => {
  it('an init that sets only the clock runs as one that sets every field: the same bytes, retransmit’s numbers', () => {
    const partial = tempFiles({ 'p.mjs': arq('init(s) { s[0] = 0; }'), 's.yaml': SCENARIO });
    const full = tempFiles({ 'p.mjs': arq('init(s) { s.fill(0); }'), 's.yaml': SCENARIO });
    // Before: with 3,000 trials (run trial by trial) every trial after the first began holding
    // the ack, so success was 1 (3,000 of 3,000) against the exact 0.867349, exit 0; with 100,000
    // the run stopped with "behaves differently on a worker thread".
    const commands = (dir: string) => [
      ['run', join(dir, 's.yaml'), '--workers', '1', '--trials', '3000', '-f', 'csv'],
      ['run', join(dir, 's.yaml'), '-f', 'csv'],
    ];
    const ours = cliSeries(commands(partial)) as CliResult[];
    const theirs = cliSeries(commands(full)) as CliResult[];
    for (const [i, r] of ours.entries()) {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.replace(partial, ''), theirs[i]!.stdout.replace(full, ''));
      const [header, row] = r.stdout.trim().split('\n') as [string, string];
      const at = (column: string): number => Number(row.split(',')[header.split(',').indexOf(column)]);
      // retransmit at loss 0.3, R = 3: success 0.867349
      assert.equal(at('success_exact'), 0.867349);
      assert.ok(Math.abs(at('success_z')) < 4, `success ${at('success')} against 0.867349 (z ${at('success_z')})`);
    }
  });
});
