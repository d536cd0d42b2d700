import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliIn } from './in-process.js';
import { temporaryDirectory } from './helpers.js';

// A double holds 1 − 1.2e-21 as 1: the messenger at loss 0.3 with 40 copies has success
// 1 − 0.3^40, printed as 1 beside its disagreement of 1.22e-21. Every verdict judged that 1:
// `exact`'s gate `success atLeast 1` passed (exit 0), `plan --target success>=1` named 31 copies
// its winner with `1 ✓`, and a notWorseThan gate found 40 copies not worse than 42.
describe('verdicts on an exact value a double holds as 1', () => {
  const dir = temporaryDirectory('tg-near-one-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = (name: string, redundancy: number, expect: readonly string[]): string => {
    const file = join(dir, `${name}.yaml`);
    const gates = expect.length ? `expect:\n${expect.map((e) => `  - ${e}\n`).join('')}` : '';
    writeFileSync(file, `name: m\nprotocol: messenger\nloss: 0.3\nredundancy: ${redundancy}\n${gates}`);
    return file;
  };

  it('exact fails success atLeast 1 by the mass of the other outcomes, and says it', async () => {
    const r = await cliIn(['exact', scenario('sure', 40, ['{ metric: success, atLeast: 1 }']), '--quiet', '--format', 'csv']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^expect failed: m \(.*redundancy=40.*\): success 1 − 1\.21576654590\d*e-21 \(exact; a double holds it as 1\) is not at least 1\n$/);
    // Bounds below 1 are judged as before.
    const met = await cliIn(['exact', scenario('met', 40, ['{ metric: success, atLeast: 0.9999999 }', '{ metric: success, atMost: 1 }']), '--quiet']);
    assert.equal(met.status, 0, met.stderr);
  });

  it('judges a value below the double 1 as it is, with the rounding allowance: an exact 0.99999 meets success >= 0.99999', async () => {
    // One loss in 100,000 packets, replayed: success is exactly 0.99999. Judged by its complement
    // it failed, since 1 − 0.99999 rounds to 9.99999999995449e-6, below the true 1e-5.
    writeFileSync(join(dir, 't.txt'), `${'0'.repeat(99_999)}1\n`);
    const file = join(dir, 'nines.yaml');
    const gates = ['{ metric: success, atLeast: 0.99999 }', '{ metric: success, atMost: 0.99999 }', '{ metric: disagreement, atMost: 0.00001 }'];
    writeFileSync(
      file,
      `name: n\nprotocol: messenger\nchannel: { model: trace, file: t.txt }\nredundancy: 1\ntrials: 1000\nexpect:\n${gates.map((g) => `  - ${g}\n`).join('')}`,
    );
    const exact = await cliIn(['exact', file, '--quiet', '--format', 'csv']);
    assert.equal(exact.status, 0, exact.stderr);
    const planned = await cliIn(['plan', file, '--target', 'success>=0.99999', '--vary', 'redundancy=1:1']);
    assert.equal(planned.status, 0, planned.stderr);
    assert.match(planned.stdout, /0\.99999 ✓/);
  });

  it('plan finds no setting meeting success>=1 and names the best reachable by its complement', async () => {
    const r = await cliIn(['plan', '--set', 'protocol=messenger', '--set', 'loss=0.3', '--vary', 'redundancy=38:42', '--target', 'success>=1']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /│ +│ 40 +│ 40 +│ 1−1\.2e-21 ✗ │/);
    assert.doesNotMatch(r.stdout, /✓/);
    assert.match(r.stderr, /^twogenerals: no setting in range meets success ≥ 1; the best reachable success is 1−1\.1e-22 \(redundancy=42\)\n$/);
  });

  it('plan names a best reachable value short of its target in digits that tell it from the target', async () => {
    const r = await cliIn(['plan', '--set', 'protocol=messenger', '--set', 'loss=0.3', '--vary', 'redundancy=1:9', '--target', 'success>=0.99999999']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the best reachable success is 0\.99998 \(redundancy=9\)\n$/);
  });

  it('notWorseThan tells 1 − 1.2e-21 from a baseline of 1 − 1.1e-22', async () => {
    const out = join(dir, 'base');
    const saved = await cliIn(['run', scenario('base', 42, []), '--trials', '100', '--out', out, '--quiet', '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join(out, readdirSync(out)[0]!);
    const worse = await cliIn(['exact', scenario('worse', 40, [`{ metric: success, notWorseThan: ${baseline} }`]), '--quiet', '--format', 'junit']);
    assert.equal(worse.status, 1, worse.stderr);
    assert.match(worse.stdout, /failures="1"/);
    assert.match(
      worse.stderr,
      /success 1 − 1\.2\d*e-21 \(exact; a double holds it as 1\) is lower than the baseline's 1 − 1\.09\d*e-22 \(exact; a double holds it as 1, /,
    );
    const better = await cliIn(['exact', scenario('better', 44, [`{ metric: success, notWorseThan: ${baseline} }`]), '--quiet']);
    assert.equal(better.status, 0, better.stderr);
  });
});
