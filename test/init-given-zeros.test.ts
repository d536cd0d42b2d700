import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import { arqFile } from './arq-file.js';
import type { CliResult } from './helpers.js';

/**
 * Every engine gives a protocol's `init` a state of zeros, as `check` and the exact engine do:
 * the engines that run trial by trial gave it the array as the trial before had left it, so an
 * `init` that sets only some fields started each trial where the one before ended.
 */

const arq = (init: string): string => arqFile('arq-init-zeros', init);

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
