import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

// Where a setting has no exact value, plan judges a target on its interval's unfavourable end, and
// its refusal printed that end as `the best reachable success is 0.3417`, where the same trials
// estimate 0.3625: a number lower than anything the run measured, given as what the setting reaches.
describe('plan without exact values: the best reachable value', () => {
  // 21 nodes able to crash: past the exact engine's reach, so every setting is judged by its trials.
  const args = [
    'scenarios/two-phase-commit.yaml',
    '--set',
    'participants=20',
    '--set',
    'crash=0.001',
    '--vary',
    'redundancy=1:2',
    '--trials',
    '2000',
    '--workers',
    '1',
  ];

  it('names the interval end it is and gives the estimate, which run prints for the same trials', async () => {
    const r = await cliIn(['plan', ...args, '--target', 'success>=0.9', '--target', 'blocked<=0.0001', '--quiet']);
    assert.equal(r.status, 1, r.stderr);
    const run = await cliIn([
      'run',
      'scenarios/two-phase-commit.yaml',
      '--set',
      'participants=20',
      '--set',
      'crash=0.001',
      '--sweep',
      'redundancy=2',
      '--trials',
      '2000',
      '--format',
      'csv',
      '--quiet',
    ]);
    const [row] = parseCsv(run.stdout, { columns: true }) as Record<string, string>[];
    const short = (v: string | undefined): string => String(Number(Number(v).toPrecision(4)));
    assert.equal(
      r.stderr,
      'twogenerals: no setting in range meets success ≥ 0.9 and blocked ≤ 0.0001; ' +
        `the best reachable success is at least ${short(row!['success_low'])} (redundancy=2: the lower end of its 95% interval; estimate ${short(row!['success'])}); ` +
        `the best reachable blocked is at most 0.003639 (redundancy=2: the upper end of its 95% interval; estimate ${Number(row!['blocked']) / 2000})\n`,
    );
  });
});
