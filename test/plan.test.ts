import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { retransmitForm } from './closed-forms.js';
import { refusal } from './assert-cli.js';
import { ownOutcomesProtocolFile, tempFiles } from './helpers.js';
import { join } from 'node:path';
import { cliIn } from './in-process.js';
import { withTrials } from '../src/cli/commands/plan.js';
import { runExperiment } from '../src/experiment.js';
import { loadScenario } from '../src/scenario/resolve.js';

type Row = Record<string, number | boolean>;
const plan = async (args: string[]) => {
  const r = await cliIn(['plan', ...args, '--format', 'csv']);
  return {
    ...r,
    rows: r.stdout
      ? (parseCsv(r.stdout, { columns: true, cast: (v, context) => (context.header ? v : v === 'true' ? true : v === 'false' ? false : Number(v)) }) as Row[])
      : [],
  };
};

describe('plan', () => {
  it('finds the least redundancy for the messenger: the least k with 1 − p^k ≥ target', async () => {
    for (const [loss, target] of [
      [0.05, 0.9999],
      [0.5, 0.99],
      [0.3, 0.999999],
    ] as const) {
      const r = await plan(['--set', `loss=${loss}`, '--target', `success>=${target}`, '--vary', 'redundancy=1:32']);
      assert.equal(r.status, 0, r.stderr);
      let k = 1;
      while (1 - loss ** k < target) k++;
      assert.equal(r.rows[0]!['redundancy'], k, `loss ${loss}, target ${target}`);
      assert.equal(r.rows[0]!['meets'], true);
      assert.equal(r.rows[0]!['exact'], true);
    }
  });

  it('shows a value just short of 1 as such in its table, not rounded to a sure 1', async () => {
    const r = await cliIn(['plan', '--set', 'loss=0.3', '--target', 'success>=0.99999', '--vary', 'redundancy=10:12', '--no-color']);
    assert.equal(r.status, 0, r.stderr);
    const cells = (k: number) =>
      r.stdout
        .split('\n')
        .find((line) => new RegExp(`^│\\s+(best)?\\s*│ ${k}\\s`).test(line))
        ?.split('│')
        .map((cell) => cell.trim());
    assert.equal(cells(10)?.[4], '0.99999 ✓'); // 1 − 0.3^10 = 0.9999941
    assert.equal(cells(11)?.[4], '1−1.8e-6 ✓'); // 1 − 0.3^11 = 0.99999823
    assert.equal(cells(12)?.[4], '1−5.3e-7 ✓');
  });

  it('names a parameter the scenario file sweeps that --vary leaves out, and the one value it is held at', async () => {
    // redundancy-vs-loss sweeps loss 0.1, 0.3, 0.5: plan answers for its loss 0.5 alone, and says so.
    const r = await plan(['scenarios/redundancy-vs-loss.yaml', '--target', 'success>=0.9', '--vary', 'redundancy=1:8']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.rows[0]!['redundancy'], 4);
    assert.match(
      r.stderr,
      /^note: plan searches only what --vary names; the file's sweep of loss is set aside, held at loss 0\.5 \(--vary loss=… searches it\)\n$/,
    );
    // Searched, or set by --set, it is no note.
    for (const more of [
      ['--vary', 'loss=0.1,0.5'],
      ['--set', 'loss=0.1'],
    ]) {
      const quiet = await plan(['scenarios/redundancy-vs-loss.yaml', '--target', 'success>=0.9', '--vary', 'redundancy=1:8', ...more]);
      assert.equal(quiet.status, 0, quiet.stderr);
      assert.equal(quiet.stderr, '');
    }
  });

  it('a refused target is one line: no note about a sweep set aside for a search that never starts', async () => {
    for (const target of ['bogus>=0.5', 'success>=1.5']) {
      const r = await plan(['scenarios/redundancy-vs-loss.yaml', '--target', target, '--vary', 'redundancy=1:8']);
      assert.equal(r.status, 2, target);
      assert.match(r.stderr, new RegExp(`^twogenerals: --target ${target.replace(/[.>=]/g, (c) => `\\${c}`)}: [^\n]*\n$`));
    }
  });

  it('says a frontier of exact values and Monte Carlo intervals is judged on both, each setting on its own', async () => {
    // Two-phase commit over Gilbert–Elliott: exact for 2 cohorts, none within the budget for 12.
    const channel = 'channel={model: gilbert-elliott, goodToBad: 0.01, badToGood: 0.5}';
    const args = [
      'plan',
      '--set',
      'protocol=two-phase-commit',
      '--set',
      'loss=null',
      '--set',
      channel,
      '--vary',
      'participants=2,12',
      '--target',
      'success>=0.5',
    ];
    const r = await cliIn([...args, '--trials', '2000']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Least expected cost meeting success ≥ 0\.5 \(exact values; Monte Carlo intervals where there are none\)/);
    const exact = await cliIn(['exact', '--set', 'protocol=two-phase-commit', '--set', 'loss=null', '--set', channel, '--set', 'participants=2', '-f', 'csv']);
    const success = (parseCsv(exact.stdout, { columns: true }) as Record<string, string>[])[0]!['success_exact']!;
    assert.match(r.stdout, new RegExp(`│ best │ 2 +│ [0-9.]+ +│ ${Number(success).toPrecision(5)} ✓`));
  });

  it("finds the cheapest retransmit setting, as SPEC's closed forms say", async () => {
    const r = await plan(['--set', 'protocol=retransmit', '--set', 'loss=0.3', '--target', 'success>=0.9999', '--vary', 'redundancy=1:4,rounds=1:20']);
    assert.equal(r.status, 0, r.stderr);
    let best: { k: number; R: number; cost: number } | null = null;
    for (let k = 1; k <= 4; k++) {
      for (let R = 1; R <= 20; R++) {
        const form = retransmitForm(0.3, k, R);
        const cost = k * form.messages;
        if (form.outcomes['both']! >= 0.9999 && (!best || cost < best.cost - 1e-12)) best = { k, R, cost };
      }
    }
    assert.deepEqual([r.rows[0]!['redundancy'], r.rows[0]!['rounds']], [best!.k, best!.R]);
    assert.ok(Math.abs((r.rows[0]!['messengers_mean'] as number) - best!.cost) < 1e-9);
  });

  it('says plainly when no setting in range meets the target, with the best reachable, and exits 1', async () => {
    // The handshake can never push disagreement below q^(R−1)(1−q): 1e-9 is out of reach here.
    const r = await plan(['--set', 'protocol=handshake', '--set', 'loss=0.1', '--target', 'disagreement<=1e-9', '--vary', 'redundancy=1:4,rounds=2:6']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no setting in range meets disagreement ≤ 1e-9; the best reachable disagreement is [\d.e-]+ \(redundancy=4, rounds=\d\)/);
  });

  it('names the target out of reach, not a first one that some setting meets', async () => {
    // success ≥ 0.9 is met at k 1 (0.9); disagreement ≤ 1e-4 nowhere (at best q^(R−1)(1−q) = 9.97e-4 at k 3, R 4).
    const args = ['--set', 'protocol=handshake', '--set', 'loss=0.1', '--vary', 'redundancy=1:3,rounds=1:4'];
    const r = await plan([...args, '--target', 'success>=0.9', '--target', 'disagreement<=0.0001']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /meets success ≥ 0\.9 and disagreement ≤ 0\.0001; the best reachable disagreement is 9\.97e-4 \(redundancy=3, rounds=4\)\n$/);
    const together = await plan([
      '--set',
      'protocol=handshake',
      '--set',
      'loss=0.5',
      '--vary',
      'redundancy=1:3,rounds=2:4',
      '--target',
      'both>=0.6',
      '--target',
      'neither>=0.6',
    ]);
    assert.equal(together.status, 1);
    assert.match(together.stderr, /meets both ≥ 0\.6 and neither ≥ 0\.6; each target is met by some setting, but none meets them all\n$/);
  });

  it('rejects malformed targets and a missing --vary with exit 2', async () => {
    assert.match(refusal(await plan(['--target', 'success>0.9', '--vary', 'redundancy=1:4'])), /expected METRIC>=VALUE/);
    assert.match(refusal(await plan(['--target', 'sucess>=0.9', '--vary', 'redundancy=1:4'])), /unknown metric 'sucess' \(did you mean 'success'\?\)/);
    assert.equal((await plan(['--target', 'success>=0.9'])).status, 2);
  });

  it("takes the protocol's own outcomes as targets, and no other protocol's: a name with digits or _ is one", async () => {
    // A protocol file's outcome may be named half_open or phase2 (its names are [A-Za-z][A-Za-z0-9_]*).
    const file = ownOutcomesProtocolFile('halves', "['both_ok', 'half_open2']");
    const dir = tempFiles({ 'halves.mjs': file, 'halves.yaml': 'protocol: ./halves.mjs\nloss: 0.5\n' });
    const own = await plan([join(dir, 'halves.yaml'), '--target', 'half_open2<=0.1', '--vary', 'redundancy=1:8']);
    assert.equal(own.status, 0, own.stderr);
    assert.deepEqual([own.rows[0]!['redundancy'], own.rows[0]!['half_open2']], [4, 0.0625]);
    // committed is two-phase commit's outcome: the messenger has none to judge, so it is no target, not one out of reach (exit 1).
    assert.match(
      refusal(await plan(['--target', 'committed>=0.5', '--vary', 'redundancy=1:4'])),
      /^twogenerals: --target committed>=0\.5: unknown metric 'committed'; choose one of: success, disagreement, both, neither, onlyA, onlyB\n$/,
    );
    // A metric that is no probability is named as unknown, not as a bound out of range.
    assert.match(
      refusal(await plan(['--target', 'messengers_mean<=3', '--vary', 'redundancy=1:4'])),
      /--target messengers_mean<=3: unknown metric 'messengers_mean'/,
    );
    assert.match(
      refusal(await plan(['--target', 'success>=1e400', '--vary', 'redundancy=1:4'])),
      /--target success>=1e400: success is a probability: give a bound from 0 to 1/,
    );
  });
});

describe('plan where some setting has no exact value', () => {
  it("runs every setting's trials and keeps the exact values of the first pass, without computing them again", async () => {
    const scenario = await loadScenario(undefined, { set: ['loss=0.3', 'sweep=null', 'expect=null'], sweep: ['redundancy=1:2'], trials: '3000', seed: '1' });
    const first = await runExperiment([scenario], { exact: 'on', simulate: false, confidence: 0.95, workers: 1 });
    // A value no engine would give, in place of the first setting's: it must come through as it is.
    const exact = first.summaries[0]!.result.exact!;
    const planted = { ...exact, outcomes: [0.5, 0.25, 0.125, 0.125], figures: { ...exact.figures!, success: 0.5 } };
    const given = [{ ...first.summaries[0]!, result: { ...first.summaries[0]!.result, exact: planted } }, first.summaries[1]!];
    let written = '';
    const summaries = await withTrials(given, scenario, 1, { stdout: { write: () => true }, stderr: { write: (t: string) => (written += t) }, env: {} });
    assert.deepEqual(
      summaries.map((s) => s.trials),
      [3000, 3000],
    );
    assert.deepEqual(summaries[0]!.exact!.outcomes, planted.outcomes);
    assert.equal(summaries[0]!.exact!.success, 0.5);
    assert.equal(summaries[1]!.exact!.success, first.summaries[1]!.exact!.success);
    assert.equal(written, '', 'no progress bar where stderr is no terminal');
  });
});
