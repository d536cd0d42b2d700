import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { oneSendProtocolFile, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** A scenario whose gates are at known lines: line 8 always holds, line 9 never does. */
const GATED = `name: gated
protocol: messenger
loss: 0.5
redundancy: 2
trials: 20000
sweep: { loss: [0.2, 0.5] }
expect:
  - { metric: disagreement, atMost: 0.5 }
  - { metric: success, atLeast: 0.99 }
`;

/** The same gate, judged against a baseline: redundancy as given, trials as given. */
const againstBaseline = (redundancy: number, baseline: string, extra = ''): string => `name: regress
protocol: messenger
redundancy: ${redundancy}
trials: 100000
sweep: { loss: [0.2, 0.3] }
${extra}expect:
  - metric: disagreement
    notWorseThan: ${baseline}
`;

async function savedResults(dir: string, file: string, args: readonly string[] = []): Promise<string> {
  const r = await cliIn(['run', join(dir, file), '--out', join(dir, 'saved'), '--format', 'csv', ...args]);
  assert.equal(r.status, 0, r.stderr);
  const folder = readdirSync(join(dir, 'saved')).find((f) => f.startsWith(file.replace(/\.yaml$/, '').replace('base-', '')) || true)!;
  return join(dir, 'saved', folder, 'results.json');
}

describe('CI gates', () => {
  it('puts every gate verdict in --format json', async () => {
    const dir = tempFiles({ 'gated.yaml': GATED });
    const r = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'json']);
    assert.equal(r.status, 1, 'a failed gate exits 1');
    const data = JSON.parse(r.stdout) as { verdicts: { metric: string; passed: boolean; kind: string; cell: number; bound: string }[] };
    assert.equal(data.verdicts.length, 4, 'two gates on two cells');
    assert.deepEqual(
      data.verdicts.map((v) => [v.cell, v.metric, v.kind, v.passed, v.bound]),
      [
        [1, 'disagreement', 'atMost', true, '≤ 0.5'],
        [1, 'success', 'atLeast', false, '≥ 0.99'],
        [2, 'disagreement', 'atMost', true, '≤ 0.5'],
        [2, 'success', 'atLeast', false, '≥ 0.99'],
      ],
    );
  });

  it('annotates a failed gate at its expect entry and appends the summary under GitHub Actions', async () => {
    const dir = tempFiles({ 'gated.yaml': GATED, 'summary.md': '# before\n' });
    const summary = join(dir, 'summary.md');
    const r = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'csv'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir });
    assert.equal(r.status, 1);
    const annotations = r.stderr.split('\n').filter((l) => l.startsWith('::error '));
    assert.equal(annotations.length, 2, r.stderr);
    assert.match(
      annotations[0]!,
      /^::error file=gated\.yaml,line=9,col=\d+,title=[^:]*::gated \(loss=0\.2, redundancy=2, rounds=1\): success .* is not at least 0\.99$/,
    );
    assert.doesNotMatch(r.stdout, /::error/, 'the data on stdout stays data');
    const text = readFileSync(summary, 'utf8');
    assert.ok(text.startsWith('# before\n'), 'appended, not overwritten');
    assert.match(text, /❌ success ≥ 0\.99: 0 of 2 cells pass/);
    assert.match(text, /✅ disagreement ≤ 0\.5: 2 of 2 cells pass/);
  });

  it('turns both off with --no-github, and does neither outside GitHub Actions', async () => {
    const dir = tempFiles({ 'gated.yaml': GATED, 'summary.md': '' });
    const summary = join(dir, 'summary.md');
    for (const [args, env] of [
      [['--no-github'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }],
      [[], { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: summary }],
    ] as const) {
      const r = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'csv', ...args], env);
      assert.equal(r.status, 1);
      assert.doesNotMatch(r.stderr, /::error/);
      assert.equal(readFileSync(summary, 'utf8'), '');
    }
  });

  it('writes JUnit XML that a standard parser reads: one test case per gate and cell, failures marked', async () => {
    const dir = tempFiles({ 'gated.yaml': GATED });
    const junit = join(dir, 'junit.xml');
    const r = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'csv', '--junit', junit]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^scenario,/, 'the chosen format still goes to stdout');
    const viaFormat = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'junit']);
    assert.equal(viaFormat.status, 1);
    assert.equal(viaFormat.stdout, readFileSync(junit, 'utf8'), '--junit FILE and --format junit write the same report');
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
    const doc = parser.parse(viaFormat.stdout) as {
      testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: { name: string; line: string; failure?: { message: string } }[] }[] };
    };
    assert.equal(doc.testsuites.tests, '4');
    assert.equal(doc.testsuites.failures, '2');
    const cases = doc.testsuites.testsuite[0]!.testcase;
    assert.equal(doc.testsuites.testsuite[0]!.name, 'gated');
    assert.deepEqual(
      cases.map((c) => [c.name, c.line, c.failure !== undefined]),
      [
        ['disagreement ≤ 0.5 (loss=0.2, redundancy=2, rounds=1)', '8', false],
        ['success ≥ 0.99 (loss=0.2, redundancy=2, rounds=1)', '9', true],
        ['disagreement ≤ 0.5 (loss=0.5, redundancy=2, rounds=1)', '8', false],
        ['success ≥ 0.99 (loss=0.5, redundancy=2, rounds=1)', '9', true],
      ],
    );
    assert.match(cases[1]!.failure!.message, /is not at least 0\.99/);
  });

  it("points merged shards' gates at the expect entries, as the unsharded run does: the same JUnit bytes", async () => {
    const dir = tempFiles({ 'gated.yaml': GATED.replace('trials: 20000', 'trials: 70000') });
    const shards: string[] = [];
    for (const i of [1, 2]) {
      const r = await cliIn(['run', join(dir, 'gated.yaml'), '--shard', `${i}/2`]);
      assert.equal(r.status, 0, r.stderr);
      shards.push(join(dir, `shard-${i}.json`));
      writeFileSync(shards[i - 1]!, r.stdout);
    }
    const whole = await cliIn(['run', join(dir, 'gated.yaml'), '--format', 'junit']);
    assert.equal(whole.status, 1);
    assert.match(whole.stdout, /file="[^"]*gated\.yaml" line="9"/);
    const merged = await cliIn(['merge', shards[1]!, shards[0]!, '--format', 'junit']);
    assert.equal(merged.status, 1, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
  });

  it('refuses an unwritable --junit place before running anything', async () => {
    const dir = tempFiles({ 'gated.yaml': GATED });
    const r = await cliIn(['run', join(dir, 'gated.yaml'), '--junit', join(dir, 'no', 'such', 'junit.xml')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: --junit .*: cannot write the JUnit report: no such file or directory\n$/);
  });
});

describe('the notWorseThan baseline gate', () => {
  it('passes on the same protocol and fails on a measurably worse one, exact against exact', async () => {
    const dir = tempFiles({ 'base.yaml': againstBaseline(3, 'none').replace(/expect:[\s\S]*/, '') });
    const baseline = await savedResults(dir, 'base.yaml');
    const same = tempFiles({ 'same.yaml': againstBaseline(3, baseline), 'worse.yaml': againstBaseline(2, baseline) });
    const pass = await cliIn(['run', join(same, 'same.yaml'), '--format', 'json']);
    assert.equal(pass.status, 0, pass.stderr);
    const verdicts = (JSON.parse(pass.stdout) as { verdicts: { passed: boolean; baselineExact: boolean }[] }).verdicts;
    assert.deepEqual(
      verdicts.map((v) => [v.passed, v.baselineExact]),
      [
        [true, true],
        [true, true],
      ],
    );
    const fail = await cliIn(['run', join(same, 'worse.yaml'), '--format', 'csv']);
    assert.equal(fail.status, 1);
    assert.match(
      fail.stderr,
      /expect failed: regress \(loss=0\.2, redundancy=2, rounds=1\): disagreement 0\.04\d* \(exact\) is higher than the baseline's 0\.008\d* \(exact/,
    );
  });

  it('judges Monte Carlo against Monte Carlo with a one-sided two-sample test where exact values are missing', async () => {
    const dir = tempFiles({ 'base.yaml': againstBaseline(3, 'none').replace(/expect:[\s\S]*/, '') });
    const baseline = await savedResults(dir, 'base.yaml', ['--no-exact']);
    const runs = tempFiles({
      'same.yaml': againstBaseline(3, baseline),
      'worse.yaml': againstBaseline(2, baseline),
      'reseeded.yaml': againstBaseline(3, baseline, 'seed: 7\n'),
    });
    const same = await cliIn(['run', join(runs, 'same.yaml'), '--no-exact', '--format', 'json']);
    assert.equal(same.status, 0, same.stderr);
    const z = (JSON.parse(same.stdout) as { verdicts: { z: number }[] }).verdicts.map((v) => v.z);
    // The same counts: Fisher's one-sided p is above one half, its z below 0.
    assert.ok(
      z.every((v) => v < 0 && v > -0.1),
      `the same seed gives the same counts: ${z}`,
    );
    const reseeded = await cliIn(['run', join(runs, 'reseeded.yaml'), '--no-exact', '--format', 'csv']);
    assert.equal(reseeded.status, 0, `another seed of the same protocol is not significantly worse: ${reseeded.stderr}`);
    const worse = await cliIn(['run', join(runs, 'worse.yaml'), '--no-exact', '--format', 'csv']);
    assert.equal(worse.status, 1);
    assert.match(worse.stderr, /significantly higher than the baseline's .*one-sided z = \d+\.\d\d, critical 1\.64 at 0\.95/);
  });

  it('merges shards (and re-exports a saved run) of a scenario in another folder against the baseline beside it: the bytes of the unsharded run', async () => {
    const base = 'name: gate\nprotocol: messenger\ntrials: 100000\nsweep: { loss: [0.1, 0.3] }\n';
    const gate = `${base}seed: 9\nexpect:\n  - { metric: disagreement, notWorseThan: baseline }\n`;
    const dir = tempFiles({});
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'base.yaml'), base);
    writeFileSync(join(dir, 'ci', 'gate.yaml'), gate);
    assert.equal((await cliIn(['run', 'ci/base.yaml', '--out', 'ci/saved', '--format', 'csv'], {}, dir)).status, 0);
    // The result folder, relative to the scenario file (ci/baseline), not to where the commands run.
    renameSync(join(dir, 'ci', 'saved', readdirSync(join(dir, 'ci', 'saved'))[0]!), join(dir, 'ci', 'baseline'));
    const whole = await cliIn(['run', 'ci/gate.yaml', '--format', 'json'], {}, dir);
    assert.equal(whole.status, 0, whole.stderr);
    for (const i of [1, 2]) writeFileSync(join(dir, `shard-${i}.json`), (await cliIn(['run', 'ci/gate.yaml', '--shard', `${i}/2`], {}, dir)).stdout);
    const merged = await cliIn(['merge', 'shard-2.json', 'shard-1.json', '--format', 'json'], {}, dir);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
    // A saved run of it re-exported from the same folder: the same bytes, JUnit's places included.
    assert.equal((await cliIn(['run', 'ci/gate.yaml', '--out', 'out', '--format', 'csv'], {}, dir)).status, 0);
    const folder = join('out', readdirSync(join(dir, 'out'))[0]!);
    for (const format of ['json', 'junit']) {
      const again = await cliIn(['merge', folder, '--format', format], {}, dir);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout, format === 'json' ? whole.stdout : (await cliIn(['run', 'ci/gate.yaml', '--format', 'junit'], {}, dir)).stdout);
    }
    assert.match(whole.stdout, /"places": \[\["ci\/gate\.yaml:7:5"\]\]/);
  });

  it('merges shards of that scenario from another folder, finding the baseline beside the shards: the bytes of the unsharded run', async () => {
    const base = 'name: gate\nprotocol: messenger\ntrials: 100000\nsweep: { loss: [0.1, 0.3] }\n';
    const gate = `${base}seed: 9\nexpect:\n  - { metric: disagreement, notWorseThan: baseline }\n`;
    const dir = tempFiles({});
    mkdirSync(join(dir, 'ci'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'ci', 'base.yaml'), base);
    writeFileSync(join(dir, 'ci', 'gate.yaml'), gate);
    assert.equal((await cliIn(['run', 'ci/base.yaml', '--out', 'ci/saved', '--format', 'csv'], {}, dir)).status, 0);
    renameSync(join(dir, 'ci', 'saved', readdirSync(join(dir, 'ci', 'saved'))[0]!), join(dir, 'ci', 'baseline'));
    const whole = await cliIn(['run', 'ci/gate.yaml', '--format', 'junit'], {}, dir);
    assert.equal(whole.status, 0, whole.stderr);
    for (const i of [1, 2]) writeFileSync(join(dir, `shard-${i}.json`), (await cliIn(['run', 'ci/gate.yaml', '--shard', `${i}/2`], {}, dir)).stdout);
    // Merged in another folder: the entries' place (ci/gate.yaml) is relative to where the shards ran, beside them.
    const merged = await cliIn(['merge', '../shard-2.json', '../shard-1.json', '--format', 'junit'], {}, join(dir, 'elsewhere'));
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
  });

  it('merges shards of a protocol-file scenario, moved to a folder of their own and merged there, against its baseline: the bytes of the unsharded run', async () => {
    const base = 'name: gate\nprotocol: ./p.mjs\nloss: 0.2\ntrials: 100000\n';
    const gate = `${base}seed: 9\nexpect:\n  - { metric: disagreement, notWorseThan: baseline }\n`;
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('p'), 'base.yaml': base, 'gate.yaml': gate });
    mkdirSync(join(dir, 'shards'));
    assert.equal((await cliIn(['run', 'base.yaml', '--out', 'saved', '--format', 'csv'], {}, dir)).status, 0);
    renameSync(join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!), join(dir, 'baseline'));
    const whole = await cliIn(['run', 'gate.yaml', '--format', 'junit'], {}, dir);
    assert.equal(whole.status, 0, whole.stderr);
    for (const i of [1, 2]) writeFileSync(join(dir, 'shards', `shard-${i}.json`), (await cliIn(['run', 'gate.yaml', '--shard', `${i}/2`], {}, dir)).stdout);
    // Neither where the shards ran nor beside them: the scenario file the shards record names the baseline's folder.
    const merged = await cliIn(['merge', 'shard-2.json', 'shard-1.json', '--format', 'junit'], {}, join(dir, 'shards'));
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
  });

  it('merges shards of a built-in protocol’s gate, moved to a folder of their own and merged there, and re-exports its saved run from inside the result folder: the bytes of the unsharded run', async () => {
    const base = 'name: gate\nprotocol: messenger\ntrials: 100000\nsweep: { loss: [0.1, 0.3] }\n';
    const gate = `${base}seed: 9\nexpect:\n  - { metric: disagreement, notWorseThan: baseline }\n`;
    const dir = tempFiles({});
    mkdirSync(join(dir, 'ci'));
    mkdirSync(join(dir, 'shards'));
    writeFileSync(join(dir, 'ci', 'base.yaml'), base);
    writeFileSync(join(dir, 'ci', 'gate.yaml'), gate);
    assert.equal((await cliIn(['run', 'ci/base.yaml', '--out', 'ci/saved', '--format', 'csv'], {}, dir)).status, 0);
    renameSync(join(dir, 'ci', 'saved', readdirSync(join(dir, 'ci', 'saved'))[0]!), join(dir, 'ci', 'baseline'));
    const whole = await cliIn(['run', 'ci/gate.yaml', '--format', 'json'], {}, dir);
    assert.equal(whole.status, 0, whole.stderr);
    for (const i of [1, 2]) writeFileSync(join(dir, 'shards', `shard-${i}.json`), (await cliIn(['run', 'ci/gate.yaml', '--shard', `${i}/2`], {}, dir)).stdout);
    // The entry's place (ci/gate.yaml) is the project folder's, above the shards: it was read from shards/ (no such baseline).
    const merged = await cliIn(['merge', 'shard-2.json', 'shard-1.json', '--format', 'json'], {}, join(dir, 'shards'));
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
    assert.equal((await cliIn(['run', 'ci/gate.yaml', '--out', 'out', '--format', 'csv'], {}, dir)).status, 0);
    const folder = join(dir, 'out', readdirSync(join(dir, 'out'))[0]!);
    const again = await cliIn(['merge', 'results.json', '--format', 'json'], {}, folder);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, whole.stdout);
  });

  it('annotates gates of shards merged in another folder at the entry beside the shards, as the unsharded run does', async () => {
    const dir = tempFiles({});
    mkdirSync(join(dir, 'ci'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'ci', 'g.yaml'), 'name: g\nprotocol: messenger\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.99 }\n');
    const github = { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir };
    const whole = await cliIn(['run', 'ci/g.yaml', '--format', 'csv'], github, dir);
    assert.equal(whole.status, 1, whole.stderr);
    assert.match(whole.stderr, /^::error file=ci\/g\.yaml,line=5,col=5,title=/m);
    for (const i of [1, 2]) writeFileSync(join(dir, `shard-${i}.json`), (await cliIn(['run', 'ci/g.yaml', '--shard', `${i}/2`], {}, dir)).stdout);
    // ci/g.yaml is not where merge runs: the entry is the file beside the shards, where the baseline is looked for too.
    const merged = await cliIn(['merge', '../shard-2.json', '../shard-1.json', '--format', 'csv'], github, join(dir, 'elsewhere'));
    assert.equal(merged.status, 1, merged.stderr);
    assert.match(merged.stderr, /^::error file=ci\/g\.yaml,line=5,col=5,title=/m);
  });

  it("names a baseline of exact values only (exact's JSON) as what it is, not as a re-export", async () => {
    const dir = tempFiles({ 'g.yaml': 'name: g\nprotocol: messenger\ntrials: 1000\nexpect:\n  - { metric: disagreement, notWorseThan: exact.json }\n' });
    const exact = await cliIn(['exact', join(dir, 'g.yaml'), '--set', 'expect=null', '--format', 'json']);
    assert.equal(exact.status, 0, exact.stderr);
    writeFileSync(join(dir, 'exact.json'), exact.stdout);
    const r = await cliIn(['run', join(dir, 'g.yaml'), '--format', 'csv']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /g\.yaml:5:5: notWorseThan: .*exact\.json: cell 1 \(.*\): it has no counts \(exact values only, as `exact` prints them: a baseline is a run saved with `twogenerals run --out`\)\n$/,
    );
  });

  it("saves a run's scenario.yaml with its baseline named from the result folder: run again from elsewhere, it finds it", async () => {
    const dir = tempFiles({ 'base.yaml': 'name: base\nprotocol: messenger\ntrials: 1000\nseed: 3\n' });
    assert.equal((await cliIn(['run', 'base.yaml', '--out', 'baseline', '--format', 'csv'], {}, dir)).status, 0);
    const baseline = join('baseline', readdirSync(join(dir, 'baseline'))[0]!);
    writeFileSync(join(dir, 'g.yaml'), `name: g\nprotocol: messenger\ntrials: 1000\nseed: 3\nexpect:\n  - { metric: success, notWorseThan: ${baseline} }\n`);
    const first = await cliIn(['run', 'g.yaml', '--out', 'runs', '--format', 'csv'], {}, dir);
    assert.equal(first.status, 0, first.stderr);
    const saved = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!);
    // From the saved folder itself: neither the folder the gate was written in nor where it first ran.
    const again = await cliIn(['run', 'scenario.yaml', '--format', 'json'], {}, saved);
    assert.equal(again.status, 0, again.stderr);
    const verdicts = (JSON.parse(again.stdout) as { verdicts: { passed: boolean; kind: string }[] }).verdicts;
    assert.deepEqual(
      verdicts.map((v) => [v.kind, v.passed]),
      [['notWorseThan', true]],
    );
  });

  it('keeps a baseline given by its absolute path as written in the saved scenario.yaml: the project folder moved, it is still found', async () => {
    const base = tempFiles({ 'base.yaml': 'name: base\nprotocol: messenger\ntrials: 1000\nseed: 3\n' });
    assert.equal((await cliIn(['run', 'base.yaml', '--out', 'baseline', '--format', 'csv'], {}, base)).status, 0);
    const baseline = join(base, 'baseline', readdirSync(join(base, 'baseline'))[0]!, 'results.json');
    const dir = tempFiles({});
    mkdirSync(join(dir, 'project'));
    writeFileSync(
      join(dir, 'project', 'g.yaml'),
      `name: g\nprotocol: messenger\ntrials: 1000\nseed: 3\nexpect:\n  - { metric: success, notWorseThan: ${baseline} }\n`,
    );
    assert.equal((await cliIn(['run', 'g.yaml', '--out', 'runs', '--format', 'csv'], {}, join(dir, 'project'))).status, 0);
    const name = readdirSync(join(dir, 'project', 'runs'))[0]!;
    // Moved one level deeper: a path relative to the folder would now point one level short.
    mkdirSync(join(dir, 'moved'));
    renameSync(join(dir, 'project'), join(dir, 'moved', 'project'));
    const again = await cliIn(['run', 'scenario.yaml', '--format', 'csv'], {}, join(dir, 'moved', 'project', 'runs', name));
    assert.equal(again.status, 0, again.stderr);
    // Read as YAML: a long path (a long TMPDIR, or one with spaces) is folded onto two lines there.
    const saved = parseYaml(readFileSync(join(dir, 'moved', 'project', 'runs', name, 'scenario.yaml'), 'utf8')) as { expect: { notWorseThan: string }[] };
    assert.equal(saved.expect[0]!.notWorseThan, baseline);
  });

  it('refuses a missing or altered baseline before running, at the expect entry', async () => {
    const dir = tempFiles({ 'base.yaml': againstBaseline(3, 'none').replace(/expect:[\s\S]*/, '') });
    const baseline = await savedResults(dir, 'base.yaml');
    const missing = tempFiles({ 'm.yaml': againstBaseline(3, 'no-such/results.json') });
    const r = await cliIn(['run', join(missing, 'm.yaml')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: .*m\.yaml:7:5: notWorseThan: .*no-such\/results\.json: cannot read .*no such file or directory\n$/);
    const saved = JSON.parse(readFileSync(baseline, 'utf8')) as { tallies: { outcomes: number[] }[] };
    saved.tallies[0]!.outcomes[0]! -= 1;
    saved.tallies[0]!.outcomes[1]! += 1;
    const altered = tempFiles({ 'results.json': JSON.stringify(saved), 'a.yaml': againstBaseline(3, 'results.json') });
    const a = await cliIn(['run', join(altered, 'a.yaml')]);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /notWorseThan: .*results\.json: counts do not match its digest/);
  });
  it('refuses a gate it cannot judge: no trials (`exact`) and no exact value for the cell (it was skipped, exit 0)', async () => {
    // 21 nodes able to crash at once are more than the exact engine branches over (16): `exact` has nothing to judge.
    const trace = '0\n'.repeat(20_049) + '1\n';
    const gate =
      'protocol: two-phase-commit\nchannel: { model: trace, file: t.txt }\nparticipants: 20\ncrash: 0.01\nexpect:\n  - { metric: committed, atLeast: 0.999 }\n';
    const dir = tempFiles({ 't.txt': trace, 'g.yaml': gate });
    for (const format of ['table', 'json', 'csv']) {
      const r = await cliIn(['exact', join(dir, 'g.yaml'), '--format', format]);
      assert.equal(r.status, 2, `${format}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /(^|\n)twogenerals: .*g\.yaml:6:5: the gate on committed cannot be judged in g \(file=t\.txt, .*\): it has no trials and no exact value \(judge it with trials: twogenerals run\)\n$/,
        format,
      );
    }
    // With trials the same gate is judged (and fails: committed is well below 0.999).
    const run = await cliIn(['run', join(dir, 'g.yaml'), '--trials', '2000', '--format', 'csv']);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^expect failed: g \(file=t\.txt, .*\): committed \[0\.\d+, 0\.\d+\] is not at least 0\.999\n/m);
  });
});
