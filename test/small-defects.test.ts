import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import stringWidth from 'string-width';
import { cli, tempFiles } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';
import { refusal, succeeded } from './assert-cli.js';

/** The lines of a text wider than 80 columns as a terminal draws them (a CJK character two). */
const wide = (text: string): string[] => text.split('\n').filter((line) => stringWidth(line) > 80);

describe('the table within 80 columns', () => {
  it('wraps a CJK or emoji description by its width on the terminal, not its length', async () => {
    // 84 CJK characters with no space: one line of 168 columns, counted as 84.
    const japanese =
      '二人の将軍が信頼できない通信路を介して攻撃の時刻を合意しようとする問題であり、伝令が失われる可能性があるため確実な合意は不可能であることが知られている古典的な問題です。';
    const emoji = Array.from({ length: 12 }, () => '🛡️⚔️ 伝令が失われる').join(' ');
    for (const description of [japanese, emoji, `Loss ${japanese} and more`]) {
      const dir = tempFiles({ 's.yaml': `name: wide\ndescription: ${JSON.stringify(description)}\nprotocol: messenger\ntrials: 1000\n` });
      const out = succeeded(await cliIn(['run', join(dir, 's.yaml'), '--format', 'table', '--no-exact']));
      assert.deepEqual(wide(out), [], description.slice(0, 10));
      const lines = out.split('\n');
      const printed = lines
        .slice(
          1,
          lines.findIndex((line) => line.startsWith('┌')),
        )
        .join('');
      assert.equal(printed.replace(/\s/g, ''), description.replace(/\s/g, ''), 'every character printed, in order');
    }
  });

  it('numbers the cells where the parameters and a figure do not fit side by side, every figure once', async () => {
    // Two-phase commit with four swept parameters beside k, R and n: each part of the split table took 81–84 columns.
    const args = [
      ...['--set', 'protocol=two-phase-commit', '--set', 'loss=null', '--set', 'channel.model=gilbert-elliott'],
      ...['--sweep', 'goodToBad=0.0125,0.5', '--sweep', 'badToGood=0.5', '--sweep', 'lossGood=0.0012345678', '--sweep', 'lossBad=0.9'],
      ...['--sweep', 'redundancy=2', '--sweep', 'rounds=3', '--sweep', 'participants=3', '--trials', '2000', '--format', 'table'],
    ];
    const out = succeeded(await cliIn(['run', ...args]));
    assert.deepEqual(wide(out), []);
    for (const head of ['#', 'goodToBad', 'lossGood', 'k', 'R', 'n', 'committed', 'blocked', 'inconsistent', 'messengers'])
      assert.equal(out.split(`│ ${head} `).length - 1, head === '#' ? 2 : 1, `${head}: once (# in each table)`);
    // Each cell's figures once: the cost of cell 2 as the CSV has it.
    const csv = succeeded(await cliIn(['run', ...args.slice(0, -2), '--format', 'csv']));
    const cost = Number(csv.trim().split('\n')[2]!.split(',')[csv.split('\n')[0]!.split(',').indexOf('messengers_mean')]);
    assert.equal(out.split(`│ ${+cost.toPrecision(5)} `).length - 1, 1, 'cell 2 cost once');
    assert.match(out, /│ 2 │ 0\.5 +│ 0\.5 +│ 0\.0012345678 │/);
  });
});

describe('--junit inside the folder --out makes', () => {
  it('run and merge both write it there', async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', '--trials', '1000', '--format', 'csv', '--out', join(dir, 'new'), '--junit', join(dir, 'new', 'r.xml')]);
    succeeded(run, 'run');
    assert.ok(existsSync(join(dir, 'new', 'r.xml')), 'run wrote the JUnit report');
    assert.equal(readdirSync(join(dir, 'new')).length, 2, 'the report and the result folder');
    const shards = [1, 2].map((i) => join(dir, `s${i}.json`));
    for (const [i, shard] of shards.entries()) writeFileSync(shard, succeeded(await cliIn(['run', '--trials', '1000', '--shard', `${i + 1}/2`])));
    succeeded(await cliIn(['merge', ...shards, '--format', 'csv', '--out', join(dir, 'merged'), '--junit', join(dir, 'merged', 'r.xml')]), 'merge');
    assert.ok(existsSync(join(dir, 'merged', 'r.xml')), 'merge wrote the JUnit report');
  });

  it('a JUnit report in a folder that does not exist is still refused, and --out leaves no folder behind', async () => {
    const dir = tempFiles({});
    const line = refusal(await cliIn(['run', '--trials', '1000', '--out', join(dir, 'new'), '--junit', join(dir, 'other', 'r.xml')]));
    assert.match(line, /--junit .*other\/r\.xml: cannot write the JUnit report: /);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('merge of one shard given twice', () => {
  it('says so once', async () => {
    const dir = tempFiles({});
    const shard = join(dir, 's1.json');
    writeFileSync(shard, succeeded(await cliIn(['run', '--trials', '1000', '--shard', '1/2'])));
    assert.equal(refusal(await cliIn(['merge', shard, shard])), `twogenerals: ${shard}: given twice: give each shard once\n`);
    const other = join(dir, '.', '..', dir.split('/').at(-1)!, 's1.json');
    assert.equal(refusal(await cliIn(['merge', shard, `${dir}//s1.json`])), `twogenerals: ${dir}//s1.json: is ${shard}, given twice: give each shard once\n`);
    assert.match(refusal(await cliIn(['merge', other, shard])), /given twice: give each shard once\n$/);
  });
});

describe('a .json file is strict JSON', () => {
  it('refuses a scenario with a trailing comma, a comment, a bare key or a number JSON has not, at its line and column', async () => {
    const cases: [string, string][] = [
      ['{\n  "protocol": "messenger",\n  "loss": 0.5,\n}\n', ':3:14: malformed JSON: a comma before }: JSON allows none after the last member'],
      ['{"protocol": "messenger", "sweep": {"loss": [0.1, 0.2,]}}', ':1:54: malformed JSON: a comma before ]: JSON allows none after the last item'],
      ['{\n  "protocol": "messenger", /* c */\n  "loss": 0.5\n}\n', ':2:28: malformed JSON: JSON does not allow comments'],
      ['{\n  protocol: "messenger"\n}\n', ':2:3: malformed JSON: protocol is not JSON'],
      ['{"protocol": "messenger", "loss": .5}', ':1:35: malformed JSON: unexpected "." where a value belongs'],
      ["{'protocol': 'messenger'}", ':1:2: malformed JSON: a text in single quotes'],
      ['{"protocol": "messenger"}\n{}', ':2:1: malformed JSON: more text after the JSON value'],
    ];
    for (const [text, expected] of cases) {
      const file = join(tempFiles({ 's.json': text }), 's.json');
      for (const command of ['validate', 'run']) {
        const line = refusal(await cliIn([command, file, '--trials', '1000'].slice(0, command === 'run' ? 4 : 2)));
        assert.ok(line.startsWith(`twogenerals: ${file}${expected}`), `${JSON.stringify(text)}: ${line}`);
      }
    }
    // The same text as YAML is YAML's to read.
    succeeded(await cliIn(['validate', join(tempFiles({ 's.yaml': '{"protocol": "messenger", "loss": 0.5,}' }), 's.yaml')]));
  });

  it('names the line and column where a shard is not JSON', async () => {
    const dir = tempFiles({});
    const shard = join(dir, 's1.json');
    writeFileSync(shard, succeeded(await cliIn(['run', '--trials', '1000', '--shard', '1/1'])).replace(/\n}\n$/, ',\n}\n'));
    const lines = (await cliIn(['merge', shard])).stderr;
    assert.match(
      lines,
      new RegExp(
        `^twogenerals: ${shard}:\\d+:\\d+: not a shard file .*: it is not valid JSON \\(a comma before }: JSON allows none after the last member\\)\\n$`,
      ),
    );
  });
});

describe('plan says where the time goes', () => {
  it('notes once, where no progress line shows, that it works out each setting exactly before any trials', () => {
    // Two-phase commit, 4 cohorts over Gilbert–Elliott at R 5: a second or two of exact work.
    const dir = tempFiles({
      's.yaml': 'name: slow\nprotocol: two-phase-commit\nparticipants: 4\nrounds: 5\nchannel: { model: gilbert-elliott, goodToBad: 0.05, badToGood: 0.5 }\n',
    });
    const slow = cli(['plan', join(dir, 's.yaml'), '--target', 'success>=0.9', '--vary', 'redundancy=1:1', '--trials', '1000']);
    assert.equal(slow.status, 0, slow.stderr);
    assert.equal(
      slow.stderr,
      "note: plan works out each setting's exact values first, up to the exact engine's limits (tens of seconds a setting where they are out of reach), then runs trials for the settings left without them: setting 1 of 1 is taking long\n",
    );
    const quick = cli(['plan', '--target', 'success>=0.9', '--vary', 'redundancy=1:8']);
    assert.equal(quick.status, 0, quick.stderr);
    assert.equal(quick.stderr, '', 'nothing where the exact values are quick');
    assert.equal(cli(['plan', join(dir, 's.yaml'), '--target', 'success>=0.9', '--vary', 'redundancy=1:1', '--quiet']).stderr, '', '--quiet: no note');
  });
});

describe('the default scenario given another channel by a flag', () => {
  it('leaves out its own loss (bernoulli’s), and still refuses a loss the user gives that channel', async () => {
    const channel = 'channel={model: gilbert-elliott, goodToBad: 0.1, badToGood: 0.5}';
    const ran = await cliInProcess(['run', '--set', channel, '--trials', '1000', '-f', 'csv']);
    assert.equal(ran.status, 0, ran.stderr);
    const [header, row] = ran.stdout.split('\n');
    const cells = Object.fromEntries(header!.split(',').map((name, i) => [name, row!.split(',')[i]]));
    assert.equal(cells['channel'], 'gilbert-elliott');
    assert.equal(cells['loss'], '');
    assert.equal(cells['success_exact'], String(11 / 12)); // both copies lost: bad at the first (1/6), then bad again (1/2)
    const cut = await cliInProcess(['exact', '--set', 'channel=cut', '-f', 'csv']);
    assert.equal(cut.status, 0, cut.stderr);
    assert.match(cut.stdout.split('\n')[1]!, /^seed-foot-soldiers,messenger,cut,,2,1,0,both,0,0,1,0,/);
    const refused = await cliInProcess(['run', '--set', channel, '--set', 'loss=0.2', '--trials', '1000']);
    assert.equal(refused.status, 2);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^twogenerals: --set loss=0\.2: loss applies only to the bernoulli channel; the gilbert-elliott channel takes /);
    const swept = await cliInProcess(['run', '--sweep', 'loss=0.1,0.2', '--trials', '1000', '-f', 'csv']);
    assert.equal(swept.status, 0, swept.stderr);
    assert.equal(swept.stdout.split('\n').filter((line) => line.startsWith('seed-foot-soldiers,messenger,bernoulli,0.')).length, 2);
  });
});

describe('--set crash.ROLE over one crash rate for every role', () => {
  it('says how to give that role a rate of its own, and the way it names works', async () => {
    const file = join(tempFiles({ 'c.yaml': 'protocol: messenger\ncrash: 0.1\n' }), 'c.yaml');
    const refused = await cliInProcess(['run', file, '--set', 'crash.B=0.04', '--trials', '100']);
    assert.equal(refused.status, 2);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      "twogenerals: --set crash.B=0.04: crash is one rate for every role (0.1), so it has no B of its own: give each role its rate (--set 'crash={B: …, …}'), or --set crash=null before --set crash.B=… (roles left out do not crash)\n",
    );
    const both = await cliInProcess(['exact', file, '--set', 'crash={A: 0.1, B: 0.04}', '-f', 'csv']);
    const then = await cliInProcess(['exact', file, '--set', 'crash=null', '--set', 'crash.A=0.1', '--set', 'crash.B=0.04', '-f', 'csv']);
    assert.equal(both.status, 0, both.stderr);
    assert.match(both.stdout.split('\n')[1]!, /^c,messenger,bernoulli,0\.5,2,1,0\.1,0\.04,0\.648,/);
    assert.equal(then.stdout, both.stdout);
  });
});

describe("the default scenario's description", () => {
  it('says what the flags changed, never the loss and redundancy they replaced; --trials and --seed leave it as it is', async () => {
    const description = async (args: readonly string[]): Promise<string> =>
      JSON.parse(succeeded(await cliIn(['run', '--trials', '100', '-f', 'json', ...args]))).scenarios[0].description;
    const own = await description([]);
    assert.match(own, /^One in two messengers is lost; A sends two\./);
    assert.equal(await description(['--seed', '9']), own);
    assert.equal(await description(['--set', 'seed=5', '--set', 'name=mine']), own);
    assert.equal(
      await description(['--set', 'loss=0.0001', '--sweep', 'redundancy=1,2']),
      'The default scenario (messenger, loss 0.5, redundancy 2) with --set loss=0.0001 --sweep redundancy=1,2.',
    );
    assert.doesNotMatch(await description(['--set', 'protocol=retransmit']), /One in two/);
    assert.equal(await description(['--set', 'loss=0.1', '--set', 'description=mine']), 'mine');
  });
});
