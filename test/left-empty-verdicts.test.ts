import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';
import { outsideStrings, temporaryDirectory } from './helpers.js';

// An exact value too small for a double to hold is left empty (NaN inside), known only to lie
// below a bound. Every verdict read the NaN as failing: `exact` said `disagreement [NaN, NaN] is
// not at most 0.01` (exit 1) of a disagreement below 2.2e-307, `run`'s notWorseThan gate failed a
// run against its own saved results (`NaN (exact) is higher than the baseline's NaN`), and `plan`
// found no setting meeting `disagreement<=0.01` where 400 copies over a bursty channel do.
describe('verdicts on an exact value left empty (too small for a double)', () => {
  const dir = temporaryDirectory('tg-left-empty-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const BURSTY = '{ model: gilbert-elliott, goodToBad: 0.5, badToGood: 0.9 }';
  /** A messenger scenario over a bursty channel: at 330 copies and more, every copy lost is below 2.2e-307. */
  const scenario = (name: string, redundancy: number, expect: readonly string[]): string => {
    const file = join(dir, `${name}.yaml`);
    const gates = expect.length ? `expect:\n${expect.map((e) => `  - ${e}\n`).join('')}` : '';
    writeFileSync(file, `name: ge\nprotocol: messenger\nchannel: ${BURSTY}\nredundancy: ${redundancy}\ntrials: 4000\n${gates}`);
    return file;
  };

  it('exact judges an atMost gate above the bound as met and an atLeast gate as failed, saying below what', async () => {
    const met = await cliIn(['exact', scenario('met', 400, ['{ metric: disagreement, atMost: 0.01 }']), '--quiet']);
    assert.equal(met.status, 0, met.stderr);
    const failed = await cliIn(['exact', scenario('failed', 400, ['{ metric: onlyA, atLeast: 0.001 }']), '--quiet', '--format', 'json']);
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(
      failed.stderr,
      /^expect failed: ge \(.*redundancy=400, rounds=1\): onlyA below 2\.2\d*e-307 \(exact, too small for a double to hold to its last digit\) is not at least 0\.001\n$/,
    );
    assert.doesNotMatch(outsideStrings(failed.stdout), /NaN/);
  });

  it("a notWorseThan gate against the run's own saved results passes in run, and exact tells empty from held values", async () => {
    const out = join(dir, 'base');
    const saved = await cliIn(['run', scenario('base', 400, []), '--out', out, '--quiet', '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join(out, readdirSync(out)[0]!);
    const again = await cliIn(['run', scenario('again', 400, [`{ metric: disagreement, notWorseThan: ${baseline} }`]), '--quiet', '--format', 'csv']);
    assert.equal(again.status, 0, again.stderr);
    // Exact values only: two values left empty cannot be told apart, so the gate is refused in one line.
    const both = await cliIn(['exact', scenario('both', 400, [`{ metric: disagreement, notWorseThan: ${baseline} }`]), '--quiet']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /^twogenerals: .*both\.yaml:\d+:\d+: notWorseThan: .*disagreement's exact values, below .* cannot be told apart without trials/);
    assert.equal(both.stderr.split('\n').length, 2, both.stderr);
    // 100 copies (3.6e-100, held) against the baseline's empty value: worse; the empty one against it: not worse.
    const held = join(dir, 'held');
    assert.equal((await cliIn(['run', scenario('held-base', 100, []), '--out', held, '--quiet', '--format', 'csv'])).status, 0);
    const heldBaseline = join(held, readdirSync(held)[0]!);
    const worse = await cliIn(['exact', scenario('worse', 100, [`{ metric: disagreement, notWorseThan: ${baseline} }`]), '--quiet']);
    assert.equal(worse.status, 1, worse.stderr);
    assert.match(
      worse.stderr,
      /disagreement 3\.5\d*e-100 \(exact\) is higher than the baseline's below 2\.2\d*e-307 \(exact, too small for a double to hold, /,
    );
    const better = await cliIn(['exact', scenario('better', 400, [`{ metric: disagreement, notWorseThan: ${heldBaseline} }`]), '--quiet']);
    assert.equal(better.status, 0, better.stderr);
    assert.match(better.stdout, /=/);
  });

  it('plan counts a setting whose value is left empty below the bound as meeting a target above it', async () => {
    const file = scenario('plan', 2, []);
    const table = await cliIn(['plan', file, '--vary', 'redundancy=400', '--target', 'disagreement<=0.01', '--quiet']);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /│ best │ 400 +│ 400 +│ < 2\.2\d*e-307 ✓ │/);
    const csv = await cliIn(['plan', file, '--vary', 'redundancy=330:334', '--target', 'disagreement<=0.01', '--format', 'csv', '--quiet']);
    assert.equal(csv.status, 0, csv.stderr);
    const [winner] = parseCsv(csv.stdout, { columns: true }) as Record<string, string>[];
    assert.deepEqual(winner, { redundancy: '330', messengers_mean: '330', disagreement: '', exact: 'true', meets: 'true' });
    // The messenger at loss 1e-170: one copy leaves 1e-170, two leave 1e-340 (left empty), which meets 1e-300.
    const tiny = await cliIn([
      'plan',
      '--set',
      'protocol=messenger',
      '--set',
      'loss=1e-170',
      '--vary',
      'redundancy=1:3',
      '--target',
      'disagreement<=1e-300',
      '--format',
      'csv',
      '--quiet',
    ]);
    assert.equal(tiny.status, 0, tiny.stderr);
    assert.match(tiny.stdout, /^redundancy,messengers_mean,disagreement,exact,meets\n2,2,,true,true\n/);
    // An atLeast target such a setting cannot meet names the bound as the best reachable, not a dash.
    const none = await cliIn(['plan', file, '--vary', 'redundancy=330:334', '--target', 'onlyA>=0.01', '--quiet']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^twogenerals: no setting in range meets onlyA ≥ 0\.01; the best reachable onlyA is below 2\.2\d*e-307 \(redundancy=330\)\n$/);
  });
});
