import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { runExperiment } from '../src/experiment.js';
import { proportionZ } from '../src/stats/zscore.js';
import { ROOT, cli, scenarioFrom, tempFiles } from './helpers.js';
import { succeeded } from './assert-cli.js';

/** Measured loss in: the trace channel replays a trace exactly and reproducibly; `fit` turns one into a channel. */
const TRACE = readFileSync(join(ROOT, 'test', 'fixtures', 'trace.txt'), 'utf8');

describe('the trace channel', () => {
  it('agrees with its exact values (the average over every start) on every protocol, one trace or one per direction', async () => {
    const reversed = TRACE.trim().split('').reverse().join('');
    const dir = tempFiles({ 'both.txt': TRACE, 'back.txt': `${reversed}\n` });
    const cases = [
      { protocol: 'messenger', redundancy: 2, channel: { model: 'trace', file: join(dir, 'both.txt') } },
      { protocol: 'retransmit', rounds: 4, redundancy: 1, channel: { model: 'trace', file: join(dir, 'both.txt') } },
      { protocol: 'handshake', rounds: 3, redundancy: 1, channel: { model: 'trace', file: join(dir, 'both.txt'), BtoA: join(dir, 'back.txt') } },
      { protocol: 'randomized', rounds: 5, redundancy: 1, channel: { model: 'trace', file: join(dir, 'both.txt') } },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.1, redundancy: 1, channel: { model: 'trace', file: join(dir, 'both.txt') } },
    ];
    for (const [i, data] of cases.entries()) {
      const report = await runExperiment([scenarioFrom({ ...data, trials: 60_000, seed: `trace-${i}` })], {
        exact: 'on',
        simulate: true,
        confidence: 0.95,
        workers: 1,
      });
      const s = report.summaries[0]!;
      assert.ok(s.exact, `${data.protocol}: exact values`);
      s.outcomes.forEach((o, j) =>
        assert.ok(
          Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 3.5,
          `${data.protocol} ${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`,
        ),
      );
    }
  });

  it('replays a deterministic trace exactly: all-delivered and all-lost traces', async () => {
    const dir = tempFiles({ 'good.txt': '0000000000\n', 'bad.txt': '1111\n' });
    const success = async (file: string) =>
      (
        await runExperiment([scenarioFrom({ protocol: 'messenger', redundancy: 3, channel: { model: 'trace', file: join(dir, file) }, trials: 1000 })], {
          exact: 'on',
          simulate: true,
          confidence: 0.95,
          workers: 1,
        })
      ).summaries[0]!;
    const good = await success('good.txt');
    assert.equal(good.success.count, 1000);
    assert.ok(Math.abs(good.exact!.success - 1) < 1e-12);
    const bad = await success('bad.txt');
    assert.equal(bad.success.count, 0);
    assert.ok(Math.abs(bad.exact!.success) < 1e-12);
  });

  it('gives the same bytes for any worker count and shard split, records the trace digest, and merge refuses shards of another trace', () => {
    const dir = tempFiles({
      'losses.txt': TRACE,
      's.yaml': 'protocol: retransmit\nchannel: { model: trace, file: losses.txt }\nrounds: 3\nredundancy: 1\ntrials: 300000\nseed: 4\n',
    });
    const scenario = join(dir, 's.yaml');
    const one = cli(['run', scenario, '-f', 'csv', '--workers', '1']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(succeeded(cli(['run', scenario, '-f', 'csv', '--workers', '2'])), one.stdout);
    const [row] = parseCsv(one.stdout, { columns: true }) as Record<string, string>[];
    assert.match(row!['digest']!, /^[0-9a-f]{64}$/);
    assert.equal(row!['file'], 'losses.txt');
    const shard1 = cli(['run', scenario, '--shard', '1/2', '--workers', '1']);
    assert.equal(shard1.status, 0, shard1.stderr);
    writeFileSync(join(dir, 'shard-1.json'), shard1.stdout);
    writeFileSync(join(dir, 'shard-2.json'), succeeded(cli(['run', scenario, '--shard', '2/2', '--workers', '1'])));
    const merged = cli(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json'), '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, one.stdout, 'merged shards print the bytes of the whole run');
    writeFileSync(join(dir, 'losses.txt'), TRACE.replace('0', '1'));
    writeFileSync(join(dir, 'shard-2.json'), succeeded(cli(['run', scenario, '--shard', '2/2', '--workers', '1'])));
    const refused = cli(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json')]);
    assert.equal(refused.status, 2);
  });

  it('validate and list say what the trace is', () => {
    const dir = tempFiles({ 'losses.txt': '0001100010\n', 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: losses.txt }\n' });
    const r = cli(['validate', join(dir, 's.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /trace: 10 packets, loss rate 0\.3, mean loss burst 1\.5/);
    assert.match(succeeded(cli(['list'])), /trace +A measured loss trace replayed/);
  });

  const bad: [string, string, RegExp][] = [
    ['an empty trace', '', /empty\.txt: the trace is empty/],
    ['a character other than 0 and 1', '0101\n01x1\n', /bad\.txt:2: unexpected character "x"/],
    [
      'a ping log with no replies',
      'PING h (1.2.3.4) 56(84) bytes of data.\n\n--- h ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2002ms\n',
      /no replies/,
    ],
    ['a trace too long to replay', '0'.repeat(20_001), /at most 20,000/],
    ['a file that is not there', '', /no such file/],
  ];
  for (const [what, text, expected] of bad) {
    it(`refuses ${what} with one line naming the file, exit 2`, () => {
      const name = what.includes('empty') ? 'empty.txt' : what.includes('not there') ? 'missing.txt' : 'bad.txt';
      const files: Record<string, string> = { 's.yaml': `protocol: messenger\nchannel: { model: trace, file: ${name} }\n` };
      if (!what.includes('not there')) files[name] = text;
      const r = cli(['run', join(tempFiles(files), 's.yaml')]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  }
});

describe('fit', () => {
  const sample = join(ROOT, 'examples', 'traces', 'radio-link-ping.txt');

  it('fits the three models to a ping log, chooses one by BIC and prints it as a scenario fragment', () => {
    const r = cli(['fit', sample]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3,600 packets, 174 lost/);
    for (const model of ['bernoulli', 'gilbert', 'gilbert-elliott']) assert.match(r.stdout, new RegExp(`${model} +│`));
    assert.match(r.stdout, /chosen \(lowest BIC\)/);
    assert.match(r.stdout, /channel:\n {2}model: gilbert-elliott\n {2}goodToBad: [0-9.]+/);
    const json = JSON.parse(succeeded(cli(['fit', sample, '--format', 'json']))) as { chosen: string; fits: { model: string; bic: number }[] };
    const best = [...json.fits].sort((a, b) => a.bic - b.bic)[0]!;
    assert.equal(json.chosen, best.model);
  });

  it('fits the chosen channel into a scenario that runs, and --model forces one', () => {
    const r = cli(['fit', sample, '--model', 'bernoulli', '--format', 'yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /chosen: bernoulli/);
    assert.match(r.stdout, /scenario:\n {2}loss: 0\.0483/);
    const fragment = succeeded(cli(['fit', sample])).split('to paste into a scenario:\n\n')[1]!;
    const dir = tempFiles({ 's.yaml': `protocol: messenger\ntrials: 1000\n${fragment}` });
    assert.equal(cli(['validate', join(dir, 's.yaml')]).status, 0);
  });

  it('draws the run lengths, measured against each model, like plot', () => {
    const dir = tempFiles({});
    const r = cli(['fit', sample, '-o', join(dir, 'fit.svg')]);
    assert.equal(r.status, 0, r.stderr);
    const svg = readFileSync(join(dir, 'fit.svg'), 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /loss bursts/);
  });

  it('refuses a trace with no losses and a CSV without the column, exit 2', () => {
    const dir = tempFiles({ 'clean.txt': '00000000\n', 'm.csv': 'seq,lost\n1,0\n2,1\n' });
    const clean = cli(['fit', join(dir, 'clean.txt')]);
    assert.equal(clean.status, 2);
    assert.match(clean.stderr, /no losses recorded/);
    const csv = cli(['fit', join(dir, 'm.csv'), '--column', 'dropped']);
    assert.equal(csv.status, 2);
    assert.match(csv.stderr, /lost/);
  });
});
