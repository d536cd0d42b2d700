import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { wilsonInterval } from '../src/stats/wilson.js';
import { folderName, writeResultFolder } from '../src/results/folder.js';
import { BIN, cli, closed, oneSendProtocolFile, ROOT, tempFiles } from './helpers.js';
import { refusal, succeeded } from './assert-cli.js';
import { cliIn } from './in-process.js';

const SCENARIO = 'scenarios/retransmit-round-limit.yaml';

describe('expectations', () => {
  it('pass: exit 0 with the output intact and marks in Markdown', async () => {
    const r = await cliIn(['run', SCENARIO, '--trials', '20000', '--format', 'markdown']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /✅ disagreement ≤ 0\.25: 10 of 10 cells pass/);
  });
  it('fail: exit 1 after all output, naming cell, metric, interval and bound', async () => {
    const r = await cliIn(['run', SCENARIO, '--trials', '20000', '--format', 'markdown', '--set', 'expect=[{metric: success, atLeast: 0.9}]']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /❌ success ≥ 0\.9: 7 of 10 cells pass/);
    assert.match(r.stderr, /expect failed: retransmit-round-limit \(loss=0\.3, redundancy=1, rounds=1\): success \[0\.4\d+, 0\.4\d+\] is not at least 0\.9/);
  });
});

describe('shards', () => {
  const dir = tempFiles({});
  // 200,000 trials: four blocks a cell, so the three shards hold two, one and one.
  const shard = async (i: number, extra: string[] = []): Promise<string> => {
    const r = await cliIn(['run', SCENARIO, '--trials', '200000', '--shard', `${i}/3`, ...extra]);
    assert.equal(r.status, 0, r.stderr);
    const path = join(dir, `shard-${i}${extra.length ? '-other' : ''}.json`);
    writeFileSync(path, r.stdout);
    return path;
  };
  const shards: string[] = [];
  before(async () => {
    for (const i of [1, 2, 3]) shards.push(await shard(i));
  });

  for (const format of ['csv', 'json']) {
    it(`merged 1/3, 2/3, 3/3 equal the unsharded run byte for byte (${format})`, async () => {
      const merged = await cliIn(['merge', ...shards, '--format', format]);
      assert.equal(merged.status, 0, merged.stderr);
      assert.equal(merged.stdout, succeeded(await cliIn(['run', SCENARIO, '--trials', '200000', '--format', format])));
    });
  }

  it('refuses shards of another seed, a shard twice, and a missing shard', async () => {
    const other = await shard(3, ['--seed', '7']);
    const mixed = await cliIn(['merge', shards[0]!, shards[1]!, other]);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /cannot merge: its seed differs from /);
    assert.match(
      refusal(await cliIn(['merge', shards[0]!, shards[0]!, shards[2]!])),
      /^twogenerals: [^\n]*shard-1\.json: given twice: give each shard once\n$/,
    );
    assert.match(refusal(await cliIn(['merge', shards[0]!, shards[1]!])), /^twogenerals: merge: shard 3\/3 missing\n$/);
    // --out [dir] before the shards takes the first as its folder: named as that, not as shard 1 missing.
    assert.match(
      refusal(await cliIn(['merge', '--out', shards[0]!, shards[1]!, shards[2]!])),
      /^twogenerals: --out .*shard-1\.json: --out takes the word after it as its folder, and .*shard-1\.json is a file of results: give the files first/,
    );
  });

  it('re-exports a saved results.json', async () => {
    const json = join(dir, 'results.json');
    writeFileSync(json, succeeded(await cliIn(['run', SCENARIO, '--trials', '50000', '--format', 'json'])));
    assert.equal(succeeded(await cliIn(['merge', json, '--format', 'csv'])), succeeded(await cliIn(['run', SCENARIO, '--trials', '50000', '--format', 'csv'])));
  });
});

describe('result folders', () => {
  it('hold results.csv, results.json, the resolved scenario and a manifest, and never overwrite', async () => {
    const out = join(tempFiles({}), 'results');
    const first = await cliIn(['run', SCENARIO, '--trials', '20000', '--format', 'csv', '--out', out]);
    assert.equal(first.status, 0, first.stderr);
    const second = await cliIn(['run', SCENARIO, '--trials', '20000', '--format', 'csv', '--out', out]);
    assert.equal(second.status, 0, second.stderr);
    const folders = readdirSync(out);
    assert.equal(folders.length, 2, folders.join(', '));
    for (const folder of folders) {
      assert.match(folder, /^retransmit-round-limit-\d{8}T\d{6}Z(-\d+)?$/);
      assert.deepEqual(readdirSync(join(out, folder)).sort(), ['chart.svg', 'manifest.json', 'results.csv', 'results.json', 'scenario.yaml']);
      assert.equal(readFileSync(join(out, folder, 'results.csv'), 'utf8'), first.stdout);
      const manifest = JSON.parse(readFileSync(join(out, folder, 'manifest.json'), 'utf8'));
      assert.equal(manifest.blockSize, 65536);
      assert.deepEqual(manifest.seeds, ['2026']);
      assert.ok(manifest.wallSeconds >= 0 && manifest.node.startsWith('v'));
    }
  });

  it('takes the next suffix when another run saves under its name while it writes (runs saving to one folder at once)', () => {
    const out = tempFiles({});
    const at = new Date('2026-01-02T03:04:05Z');
    let asked = 0;
    // The first free name is taken, whole, by another run between this one's choice and its rename.
    const name = () => {
      const chosen = folderName(out, 'race', at);
      if (asked++ === 0) {
        mkdirSync(join(out, chosen));
        writeFileSync(join(out, chosen, 'results.json'), 'the other run');
      }
      return chosen;
    };
    const path = writeResultFolder(out, name, { 'results.json': 'this run' });
    assert.equal(path, join(out, 'race-20260102T030405Z-2'));
    assert.equal(readFileSync(join(out, 'race-20260102T030405Z', 'results.json'), 'utf8'), 'the other run');
    assert.equal(readFileSync(join(path, 'results.json'), 'utf8'), 'this run');
    assert.deepEqual(readdirSync(out).sort(), ['race-20260102T030405Z', 'race-20260102T030405Z-2']);
  });

  it("a shipped example's protocol file is found when its saved scenario.yaml runs again from another folder", async () => {
    const out = join(tempFiles({}), 'results');
    const args = ['--trials', '2000', '--set', 'sweep=null', '--format', 'csv'];
    const first = await cliIn(['run', 'examples/tcp-handshake.yaml', ...args, '--out', out]);
    assert.equal(first.status, 0, first.stderr);
    const saved = join(out, readdirSync(out)[0]!);
    // From the saved folder: its `protocol: ./protocols/tcp-handshake.mjs` is the example's, not the folder's.
    const again = await cliIn(['run', 'scenario.yaml', '--format', 'csv'], {}, saved);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
  });

  it('a run of several scenarios saves a scenario.yaml that runs again to the same bytes, from another folder', async () => {
    const out = join(tempFiles({}), 'results');
    const args = ['--trials', '2000', '--format', 'csv'];
    const first = await cliIn(['run', 'scenarios/seed-foot-soldiers.yaml', 'scenarios/iid-redundancy.yaml', ...args, '--out', out]);
    assert.equal(first.status, 0, first.stderr);
    const saved = join(out, readdirSync(out)[0]!);
    const again = await cliIn(['run', 'scenario.yaml', '--format', 'csv'], {}, saved);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
    const valid = await cliIn(['validate', 'scenario.yaml'], {}, saved);
    assert.equal(valid.status, 0, valid.stderr);
    assert.match(valid.stdout, /ok \(seed-foot-soldiers: [^\n]*\n.*ok \(iid-redundancy: /);
    // Commands that take one scenario name the saved file as what it is, and what to do with it.
    for (const command of [
      ['trace', 'scenario.yaml', '--trial', '1'],
      ['plot', 'scenario.yaml'],
      ['schema', 'scenario.yaml'],
    ]) {
      const one = await cliIn(command, {}, saved);
      assert.equal(
        refusal(one, command[0]!),
        "twogenerals: scenario.yaml: holds the 2 scenarios of a saved run (a result folder's scenario.yaml), and this command takes one scenario: run them again with twogenerals run scenario.yaml, or give the folder's results.json to plot or merge\n",
      );
    }
  });

  it('--out followed by a scenario and no other file is refused: it would run the default scenario into a folder of that name', async () => {
    const dir = tempFiles({ 'mine.yaml': 'protocol: messenger\n' });
    for (const word of ['bursty-5pct', 'mine.yaml']) {
      const r = await cliIn(['run', '--out', word, '--trials', '100'], {}, dir);
      assert.equal(
        refusal(r, word),
        `twogenerals: --out ${word}: --out takes the word after it as its folder, and ${word} names ${word === 'mine.yaml' ? 'a scenario file' : 'a shipped scenario'}: give the scenario first (run ${word} --out), or --out ./${word} for a folder of that name\n`,
      );
    }
    assert.deepEqual(readdirSync(dir), ['mine.yaml']);
    assert.equal((await cliIn(['run', '--out', './bursty-5pct', '--trials', '100', '-f', 'csv'], {}, dir)).status, 0);
    assert.equal(readdirSync(join(dir, 'bursty-5pct')).length, 1);
  });

  it('a run of the default scenario given a protocol or trace file by --set saves a scenario.yaml that finds them from its folder', async () => {
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('p'), 't.txt': '0\n1\n0\n0\n1\n0\n0\n0\n' });
    for (const set of [
      ['--set', 'protocol=./p.mjs'],
      ['--set', 'loss=null', '--set', 'channel={model: trace, file: t.txt}'],
    ]) {
      const first = await cliIn(['run', ...set, '--trials', '2000', '--format', 'csv', '--out', 'saved'], {}, dir);
      assert.equal(first.status, 0, first.stderr);
      const saved = join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!);
      const again = await cliIn(['run', 'scenario.yaml', '--format', 'csv'], {}, saved);
      assert.equal(again.status, 0, again.stderr);
      // The same counts; a trace's file column shows its path as the saved scenario writes it.
      assert.equal(again.stdout.replace(',../../t.txt,', ',t.txt,'), first.stdout, set.join(' '));
      rmSync(join(dir, 'saved'), { recursive: true });
    }
  });

  it("a scenario file's protocol file and trace together: its saved scenario.yaml runs again from its folder and from /", () => {
    const dir = tempFiles({
      'p.mjs': oneSendProtocolFile('p'),
      't.txt': '0\n1\n0\n0\n1\n0\n0\n0\n',
      's.yaml': 'protocol: ./p.mjs\nchannel: { model: trace, file: ./t.txt }\ntrials: 2000\n',
    });
    const first = cli(['run', 's.yaml', '--format', 'csv', '--out', 'saved'], {}, dir);
    assert.equal(first.status, 0, first.stderr);
    const saved = join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!);
    for (const [file, cwd] of [
      ['scenario.yaml', saved],
      [join(saved, 'scenario.yaml'), '/'],
    ] as const) {
      // The trace was looked for beside the saved scenario.yaml alone: the recorded scenario file was dropped with the protocol file's path.
      const again = cli(['run', file, '--format', 'csv'], {}, cwd);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stdout, first.stdout);
    }
  });

  it('an unwritable place is refused before anything runs', async () => {
    const file = join(tempFiles({ 'plain-file': 'x' }), 'plain-file');
    const r = await cliIn(['run', '--trials', '1000', '--out', join(file, 'sub')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--out .*: cannot save results there/);
  });

  for (const [signal, code, words] of [
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated \\(SIGTERM\\)'],
  ] as const) {
    it(`a run stopped by ${signal} leaves no folder that looks complete, nor the folders --out made, and says so`, async () => {
      const base = tempFiles({});
      const out = join(base, 'results', 'sub');
      // 10^15 trials (the schema's maximum) is work no machine finishes, so the run is still going when
      // the signal arrives; --progress makes it say so on stderr, and the signal goes after that, never
      // after a guessed delay. The exit listener is in place before the signal, so no exit is missed.
      const child = spawn(process.execPath, [BIN, 'run', '--trials', '1e15', '--workers', '1', '--format', 'csv', '--out', out, '--progress'], {
        cwd: ROOT,
      });
      const exited = closed(child);
      let stderr = '';
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/trials/.test(stderr)) resolve();
        });
        void exited.then((c) => reject(new Error(`the run ended (exit ${c}) before it showed progress: ${stderr}`)));
      });
      child.kill(signal);
      assert.equal(await exited, code);
      assert.match(stderr, new RegExp(`${words}; no result folder was saved`));
      const complete = existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : [];
      assert.deepEqual(complete, []);
      assert.deepEqual(readdirSync(base), [], 'results/sub, made by --out, removed again');
    });
  }
});

describe('merge stopped by a signal', () => {
  it('removes the folders --out made and says nothing was saved', async () => {
    // A protocol file that, in merge's own process, waits an hour as it loads (after --out's folders
    // are made): the merge is still loading when the signal arrives, however fast the machine. The
    // run that wrote the shard, and the check's own process (which has an IPC channel), do not wait.
    const protocol = `if (process.env.WAIT_AT_LOAD && process.send === undefined) await new Promise((r) => setTimeout(r, 3_600_000));\n${oneSendProtocolFile('waits-at-load')}`;
    const dir = tempFiles({ 'waits.mjs': protocol, 's.yaml': 'name: waits\nprotocol: ./waits.mjs\nloss: 0.1\ntrials: 1000\nseed: 1\n' });
    const shard = await cliIn(['run', join(dir, 's.yaml'), '--shard', '1/1']);
    assert.equal(shard.status, 0, shard.stderr);
    writeFileSync(join(dir, 'shard.json'), shard.stdout);
    const base = join(dir, 'out');
    const out = join(base, 'sub');
    const child = spawn(process.execPath, [BIN, 'merge', join(dir, 'shard.json'), '--out', out], { cwd: ROOT, env: { ...process.env, WAIT_AT_LOAD: '1' } });
    const exited = closed(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let ended = false;
    void exited.then(() => (ended = true));
    while (!existsSync(out) && !ended) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(!ended, `the merge ended before it made ${out}: ${stderr}`);
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted; no result folder was saved/);
    assert.equal(existsSync(base), false, 'out/sub, made by --out, removed again');
  });
});

describe('the shard examples in docs/shards', () => {
  it('are well-formed YAML and name the shard and merge commands', async () => {
    const { parseAllDocuments } = await import('yaml');
    for (const file of ['github-actions.yml', 'kubernetes-indexed-job.yaml']) {
      const text = readFileSync(join(ROOT, 'docs', 'shards', file), 'utf8');
      const docs = parseAllDocuments(text);
      assert.ok(docs.length > 0 && docs.every((d) => d.errors.length === 0), file);
      assert.match(text, /--shard .+\/4/);
      assert.match(text, /twogenerals merge /);
    }
  });
});

describe('adaptive precision', () => {
  const widest = (row: Record<string, number>, outcomes: string[]): number => {
    const n = row['trials']!;
    const counts = [...outcomes.map((o) => row[o]!), row['both']!, row['onlyA']! + row['onlyB']!];
    return Math.max(
      ...counts.map((c) => {
        const { low, high } = wilsonInterval(c, n, 0.95);
        return Math.max(high - c / n, c / n - low);
      }),
    );
  };
  const rows = async (args: string[]) =>
    parseCsv(succeeded(await cliIn(['run', SCENARIO, '--format', 'csv', ...args])), { columns: true, cast: true }) as Record<string, number>[];

  it('stops at the first block boundary where every half-width is within the target, for any worker count', async () => {
    const one = succeeded(await cliIn(['run', SCENARIO, '--precision', '0.003', '--format', 'csv', '--workers', '1']));
    assert.equal(succeeded(await cliIn(['run', SCENARIO, '--precision', '0.003', '--format', 'csv', '--workers', '2'])), one);
    const outcomes = ['both', 'neither', 'onlyA', 'onlyB'];
    for (const row of parseCsv(one, { columns: true, cast: true }) as Record<string, number>[]) {
      assert.equal(row['trials']! % 65536, 0);
      assert.ok(widest(row, outcomes) <= 0.003, `R=${row['rounds']}: met at ${row['trials']}`);
      if (row['trials']! > 65536) {
        // One block fewer, run as a fixed count: the same first blocks, not yet precise enough.
        const [before] = await rows(['--trials', String(row['trials']! - 65536), '--set', `rounds=${row['rounds']}`, '--set', 'sweep=null']);
        assert.ok(widest(before!, outcomes) > 0.003, `R=${row['rounds']}: already met at ${before!['trials']}`);
      }
    }
  });

  it('judges the wider side of a lopsided interval: onlyA 60 of 65,536 is +0.000263 −0.000204 (their mean 0.000233), so 0.00025 takes a second block', async () => {
    // The default scenario's messenger at loss 0.001, one copy: its intervals near 0 and 1 are lopsided.
    const args = ['run', '--set', 'loss=0.001', '--set', 'redundancy=1', '--format', 'csv'];
    const parse = (text: string) => parseCsv(text, { columns: true, cast: true }) as Record<string, number>[];
    const [row] = parse(succeeded(await cliIn([...args, '--precision', '0.00025'])));
    assert.equal(row!['trials'], 131072);
    assert.ok(widest(row!, ['both', 'neither', 'onlyA', 'onlyB']) <= 0.00025);
    const [first] = parse(succeeded(await cliIn([...args, '--trials', '65536'])));
    assert.equal(first!['onlyA'], 60);
    assert.ok(widest(first!, ['both', 'neither', 'onlyA', 'onlyB']) > 0.00025, 'one block is not yet precise enough');
  });

  it('respects maxTrials', async () => {
    const [row] = await rows(['--set', 'trials={precision: 0.0001, maxTrials: 100000}', '--set', 'sweep=null']);
    assert.equal(row!['trials'], 100000);
  });
});

describe('progress', () => {
  it('stays silent when piped, and shows cells, trials, rate and ETA with --progress', async () => {
    const quiet = await cliIn(['run', '--trials', '100000', '--format', 'csv']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    // The bar's delay (1 s) is a parameter: 0 shows it on the first update, however fast the run.
    const args = ['run', 'scenarios/two-phase-commit.yaml', '--trials', '100000', '--set', 'sweep=null', '--set', 'participants=10'];
    const forced = await cliIn([...args, '--format', 'csv', '--progress', '--workers', '2'], { TWOGENERALS_PROGRESS_DELAY_MS: '0' });
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stderr, /\d+% \| [\d,]+\/100,000 trials \| cells \d\/1 \| [\d,]+ trials\/s \| ETA/);
    assert.equal(forced.stdout.split('\n').length, 3, 'the data on stdout is untouched');
  });
  it("counts a shard's own trials and cells, not the whole run's", async () => {
    // 200,000 trials a cell are blocks 0–3; shard 3/3 holds blocks 0 and 3: 65,536 + 3,392 trials of each of 10 cells.
    const r = await cliIn(['run', SCENARIO, '--trials', '200000', '--shard', '3/3', '--progress', '--workers', '2'], { TWOGENERALS_PROGRESS_DELAY_MS: '0' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /\/689,280 trials \| cells \d+\/10 \|/);
    assert.doesNotMatch(r.stderr, /\/2,000,000 trials/);
    assert.match(r.stderr, /100% \| 689,280\/689,280 trials \| cells 10\/10 \|/);
  });
});
