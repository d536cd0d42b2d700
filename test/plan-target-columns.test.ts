import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

// plan's CSV and JSON had one column per metric: with targets both ways on one metric
// (`success>=0.3` and `success<=0.4`), judged by trials on the interval's two ends, the column
// held only the second's value, so the row failing the first showed `success 0.32045, meets false`.
describe("plan's CSV and JSON columns for targets both ways on one metric", () => {
  // 21 nodes able to crash: past the exact engine's reach, so each target is judged on its interval's end.
  const args = [
    'plan',
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

  it('names them as run names the interval ends, success_low and success_high', async () => {
    const r = await cliIn([...args, '--target', 'success>=0.3', '--target', 'success<=0.4', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), ['redundancy', 'messengers_mean', 'success_low', 'success_high', 'exact', 'meets']);
    const failing = rows.find((row) => row['redundancy'] === '1')!;
    assert.equal(failing['meets'], 'false');
    assert.ok(Number(failing['success_low']) < 0.3, failing['success_low']);
    assert.ok(Number(failing['success_high']) <= 0.4, failing['success_high']);
  });

  it('keeps one column named as the metric where its targets go one way', async () => {
    const r = await cliIn(['plan', '--target', 'success>=0.3', '--target', 'success>=0.4', '--vary', 'redundancy=1:2', '--format', 'csv']);
    assert.equal(r.stdout, 'redundancy,messengers_mean,success,exact,meets\n1,1,0.5,true,true\n2,2,0.75,true,true\n');
  });
});
