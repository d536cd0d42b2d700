import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A scenario names a crash role in any case (`crash: { a: 0.1 }` is role A), so two keys may name
 * one role. One of the two rates was dropped unsaid: `{ A: 0.1, a: 0.2 }` ran at crashA 0.2, exit
 * 0, and `--set crash.a=0.4 --set crash.A=0.3` over `{ A: 0.1 }` at 0.4, the last flag ignored.
 */
describe('a crash role given twice', () => {
  const dir = tempFiles({
    'twice.yaml': 'name: x\nprotocol: handshake\nrounds: 2\ncrash: { A: 0.1, a: 0.2 }\n',
    'twice.json': '{"name": "x", "protocol": "two-phase-commit", "crash": {"coordinator": 0.1, "Coordinator": 0.3}}\n',
    'once.yaml': 'name: x\nprotocol: handshake\nrounds: 2\ncrash: { A: 0.1 }\n',
  });
  const crashA = (stdout: string): string[] => (parseCsv(stdout, { columns: true }) as Record<string, string>[]).map((row) => row['crashA']!);

  it('in a file, by keys differing in case: refused at the second, naming both', async () => {
    const yaml = join(dir, 'twice.yaml');
    assert.equal(
      refusal(await cliIn(['exact', yaml, '--format', 'csv'])),
      `twogenerals: ${yaml}:4:18: crash.a gives role A a rate again (crash.A gives it 0.1; a role is named in any case): give each role once\n`,
    );
    const json = join(dir, 'twice.json');
    assert.match(
      refusal(await cliIn(['run', json, '--trials', '10'])),
      /crash\.Coordinator gives role coordinator a rate again \(crash\.coordinator gives it 0\.1;/,
    );
    assert.match(refusal(await cliIn(['validate', yaml])), /crash\.a gives role A a rate again/);
  });

  it('by --set: the role takes the flag’s rate in whatever case the file or an earlier flag wrote it', async () => {
    const once = join(dir, 'once.yaml');
    const exact = (sets: readonly string[]) => cliIn(['exact', once, '--format', 'csv', ...sets.flatMap((s) => ['--set', s])]);
    assert.deepEqual(crashA(succeeded(await exact(['crash.a=0.4']))), ['0.4']);
    assert.deepEqual(crashA(succeeded(await exact(['crash.a=0.4', 'crash.A=0.3']))), ['0.3']);
    assert.deepEqual(crashA(succeeded(await exact(['crash.A=0.3', 'crash.a=0.4']))), ['0.4']);
  });
});
