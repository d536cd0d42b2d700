import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { ROOT, cli, tempFiles } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';
import { succeeded } from './assert-cli.js';

const SMALL = ['--trials', '20000'];

describe('twogenerals run', () => {
  it('runs the built-in default scenario and prints its table', async () => {
    const r = await cliIn(['run', ...SMALL]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /seed-foot-soldiers: messenger over bernoulli; 20,000 trials, seed 2026/);
    assert.match(r.stdout, /success/);
    assert.match(r.stdout, /= 0\.75000 z/);
    assert.ok(
      r.stdout.split('\n').every((line) => line.length <= 80),
      'fits 80 columns',
    );
    assert.equal(r.stderr, '');
  });

  it('keeps the table within 80 columns where its figures would not fit side by side', async () => {
    // Three swept parameters beside the generals' figures, and two-phase commit's four: each ran
    // to 85 and 100 columns. The figures that do not fit go to a second table, parameters repeated.
    const cases: [string[], string[]][] = [
      [
        ['--sweep', 'crashA=0.1,0.2', '--sweep', 'crashB=0.0000001,0.2', '--sweep', 'loss=0.123456789,0.5'],
        ['success', 'disagreement', 'messengers'],
      ],
      [['examples/two-phase-commit.yaml'], ['committed', 'blocked', 'inconsistent', 'messengers']],
    ];
    for (const [args, heads] of cases) {
      const r = await cliIn(['run', ...args, '--trials', '2000', '--format', 'table']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(
        r.stdout.split('\n').filter((line) => line.length > 80),
        [],
        `fits 80 columns: ${args.join(' ')}`,
      );
      for (const head of heads) assert.match(r.stdout, new RegExp(`│ ${head} `), `${head} still shown`);
    }
  });

  it('keeps the table within 80 columns where a column title is CJK text (two columns a character)', () => {
    // A protocol file's column titles may be any text: a CJK character takes two columns on a
    // terminal, as cli-table3 draws it. Counted as one, a table of 92 columns went unsplit.
    const protocol = `export default ({ SEND, END, A_TO_B }) => ({
  name: 'wide-titles',
  outcomes: { names: ['a1', 'b1', 'c1', 'd1'], success: [0], disagreement: [1], shown: [2, 3], labels: ['配達された確率配達された確率', '失われた確率失われた確率'] },
  configure: () => ({}),
  stateSize: () => 2,
  init(state) { state.fill(0); },
  next(state, config, step) {
    if (state[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'm'; return; }
    step.kind = END; step.outcome = state[1] === 1 ? 0 : 1;
  },
  resolve(state, config, step, received) { state[0] = 1; state[1] = received; },
  describe: (state) => String(state[0]) + String(state[1]),
});
`;
    const dir = tempFiles({ 'wide.mjs': protocol, 's.yaml': 'name: wide\nprotocol: ./wide.mjs\nloss: 0.1\ntrials: 2000\nseed: 1\n' });
    // Its own process: a protocol file loaded here would be listed by the other tests' commands.
    const r = cli(['run', join(dir, 's.yaml'), '--format', 'table']);
    assert.equal(r.status, 0, r.stderr);
    const columns = (line: string): number => [...line].reduce((n, ch) => n + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0);
    assert.deepEqual(
      r.stdout.split('\n').filter((line) => columns(line) > 80),
      [],
      'fits 80 columns',
    );
    for (const head of ['配達された確率配達された確率', 'c1', 'd1', '失われた確率失われた確率', 'messengers'])
      assert.equal(r.stdout.split(`│ ${head} `).length, 2, `${head} shown once`);
  });

  it('writes CSV with the SPEC column order and plain numbers', async () => {
    const r = await cliIn(['run', ...SMALL, '--format', 'csv', '--set', 'loss=0.05', '--set', 'redundancy=10']);
    assert.equal(r.status, 0, r.stderr);
    const [header, row] = r.stdout.trimEnd().split('\n');
    assert.equal(
      header,
      'scenario,protocol,channel,loss,redundancy,rounds,trials,seed,both,neither,onlyA,onlyB,success,success_low,success_high,' +
        'disagreement,disagreement_low,disagreement_high,messengers_mean,messengers_sd,messengers_min,messengers_p50,' +
        'messengers_p90,messengers_p99,messengers_max,delivered_mean,rounds_mean,success_exact,success_z,' +
        'disagreement_exact,disagreement_z,messengers_exact,messengers_z',
    );
    assert.doesNotMatch(row!, /e-|e\+|\x1b/, 'no exponents, no colour');
    const [record] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    assert.match(record!['disagreement_exact']!, /^0\.0000000000000976562\d*$/, '0.05^10 as a plain decimal');
    assert.equal(Number(record!['both']) + Number(record!['onlyA']), 20000);
    assert.equal(record!['messengers_min'], '10');
  });

  it('writes JSON with the same columns, the resolved scenario and the block size', async () => {
    const r = await cliIn(['run', ...SMALL, '--format', 'json', '--sweep', 'redundancy=1:3']);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.tool, 'twogenerals');
    assert.equal(json.blockSize, 65536);
    assert.equal(json.scenarios[0].seed, '2026');
    assert.deepEqual(json.scenarios[0].sweep, { redundancy: [1, 2, 3] });
    assert.equal(json.rows.length, 3);
    assert.deepEqual(Object.keys(json.rows[0]), json.columns);
    const csv = parseCsv(succeeded(await cliIn(['run', ...SMALL, '--format', 'csv', '--sweep', 'redundancy=1:3'])), { columns: true, cast: true });
    assert.deepEqual(json.rows, csv, 'CSV and JSON carry the same values');
  });

  it('writes Markdown tables', async () => {
    const r = await cliIn(['run', ...SMALL, '--format', 'markdown', 'scenarios/handshake-regress.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^### handshake-regress/m);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('| ')).length, 1 + 1 + 8);
  });

  it('is byte-identical for the same seed and different for another', async () => {
    const args = ['run', 'scenarios/retransmit-round-limit.yaml', '--trials', '100000', '--format', 'csv'];
    const a = (await cliIn(args)).stdout;
    assert.equal((await cliIn(args)).stdout, a);
    const other = succeeded(await cliIn([...args, '--seed', '7']));
    assert.notEqual(other, a);
    const counts = (csv: string) => (parseCsv(csv, { columns: true }) as Record<string, string>[]).map((r) => r['both']);
    assert.notDeepEqual(counts(other), counts(a));
  });

  it('is byte-identical for any number of workers, in every format', async () => {
    for (const format of ['csv', 'json', 'markdown', 'table']) {
      const args = ['run', 'scenarios/redundancy-vs-loss.yaml', '--trials', '300000', '--format', format];
      const one = await cliIn([...args, '--workers', '1']);
      assert.equal(one.status, 0, one.stderr);
      for (const workers of ['2', '3']) assert.equal(succeeded(await cliIn([...args, '--workers', workers])), one.stdout, `${format}, ${workers} workers`);
    }
  });

  it('is byte-identical for any number of workers in cells large enough for the SIMD lanes and the bit walk', async () => {
    // 2^24 trials: the cells get kernels of their own (schedule/blocks.ts), the messenger's on the
    // one-draw lanes and retransmit's on the bit walk (kernel.test.ts, bit-walk.test.ts).
    for (const workload of ['W1', 'W2']) {
      const args = ['run', `bench/${workload}.yaml`, '--trials', String(2 ** 24), '--format', 'csv'];
      const one = await cliIn([...args, '--workers', '1']);
      assert.equal(one.status, 0, one.stderr);
      for (const workers of ['2', '3']) assert.equal(succeeded(await cliIn([...args, '--workers', workers])), one.stdout, `${workload}, ${workers} workers`);
    }
  });

  it('gives the same bytes without WebAssembly (node --jitless), where the scalar kernel runs what the SIMD lanes would', async () => {
    const args = ['run', '--trials', '300000', '--format', 'csv'];
    // A process of its own: --jitless is a flag of the whole Node process (in this one it would change nothing).
    const plain = cli(args, { NODE_OPTIONS: '--jitless' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stdout, (await cliIn(args)).stdout);
  });

  it('ends with exit 3 and one clear line when a worker fails, with nothing on stdout', async () => {
    // A process: the failure is injected through the environment the worker threads inherit.
    const r = cli(['run', '--trials', '1000000', '--workers', '2'], { TWOGENERALS_TEST_WORKER_FAILURE: '1' });
    assert.equal(r.status, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: internal error \(please report it\): a worker thread failed: injected worker failure/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  });

  it('colours the table only when asked or on a terminal, never CSV', async () => {
    assert.doesNotMatch(succeeded(await cliIn(['run', ...SMALL])), /\x1b\[/);
    assert.match(succeeded(await cliIn(['run', ...SMALL], { FORCE_COLOR: '1' })), /\x1b\[32m/);
    assert.doesNotMatch(succeeded(await cliIn(['run', ...SMALL], { FORCE_COLOR: '1', NO_COLOR: '1' })), /\x1b\[/);
    assert.doesNotMatch(succeeded(await cliIn(['run', ...SMALL, '--format', 'csv'], { FORCE_COLOR: '1' })), /\x1b\[/);
  });

  it('runs every shipped scenario with exit code 0', async () => {
    const files = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 9);
    for (const file of files) {
      const r = await cliIn(['run', `scenarios/${file}`, '--trials', '5000', '--format', 'csv']);
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    }
  });

  it('exits 1 after printing everything when an expectation fails', async () => {
    const dir = tempFiles({ 'gate.yaml': 'protocol: messenger\nexpect:\n  - { metric: success, atLeast: 0.99 }\n' });
    const r = await cliIn(['run', join(dir, 'gate.yaml'), ...SMALL, '--format', 'csv']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trimEnd().split('\n').length, 2, 'the CSV is complete');
    assert.match(r.stderr, /expect failed: gate \(loss=0\.5, redundancy=2, rounds=1\): success \[0\.7\d+, 0\.7\d+\] is not at least 0\.99/);
  });
});

describe('twogenerals exact', () => {
  it('prints exact values without trials', async () => {
    const r = await cliIn(['exact', 'scenarios/handshake-regress.yaml', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const rows = parseCsv(r.stdout, { columns: true, cast: true }) as Record<string, number>[];
    assert.equal(rows.length, 8);
    assert.equal(
      r.stdout.split('\n')[0],
      'scenario,protocol,channel,loss,redundancy,rounds,both_exact,neither_exact,onlyA_exact,onlyB_exact,' +
        'success_exact,disagreement_exact,messengers_exact,messengers_sd_exact,delivered_mean_exact,rounds_mean_exact',
      'exact columns only: no trials, counts, intervals or z-scores',
    );
    for (const row of rows) {
      assert.ok(Math.abs(row['disagreement_exact']! - 0.9 ** (row['rounds']! - 1) * 0.1) < 1e-15);
    }
  });
});

describe('bad input: exit 2, one line on stderr, nothing on stdout', () => {
  const files: Record<string, [string, RegExp]> = {
    'malformed.yaml': ['protocol: messenger\nloss: [0.1\n', /malformed\.yaml:3:1: malformed YAML: flow sequence/],
    'malformed.json': [
      '{"protocol": "messenger", "loss": 0.5',
      /malformed\.json:1:\d+: malformed JSON: the text ends where a comma or \} belongs \(\} missing\?\)/,
    ],
    'range.yaml': ['protocol: messenger\nloss: 1.5\n', /range\.yaml:2:7: loss must be at most 1 \(got 1\.5\)/],
    'negative.yaml': ['protocol: messenger\nloss: -0.1\n', /negative\.yaml:2:7: loss must be at least 0 \(got -0\.1\)/],
    'type.yaml': ['protocol: messenger\nredundancy: two\n', /type\.yaml:2:13: redundancy must be a whole number \(got 'two'\)/],
    'fraction.yaml': ['protocol: messenger\nredundancy: 2.5\n', /fraction\.yaml:2:13: redundancy must be a whole number \(got 2\.5\)/],
    'rounds.yaml': ['protocol: handshake\nrounds: 0\n', /rounds\.yaml:2:9: rounds must be at least 1 \(got 0\)/],
    'trials.yaml': ['protocol: messenger\ntrials: -5\n', /trials\.yaml:2:9: trials must be at least 1 \(got -5\)/],
    'protocol.yaml': ['protocol: handshak\n', /protocol\.yaml:1:11: unknown protocol 'handshak' \(did you mean 'handshake'\?\)/],
    'key.yaml': ['protocol: messenger\nredundncy: 3\n', /key\.yaml:2:1: unknown key 'redundncy' \(did you mean 'redundancy'\?\)/],
    'sweepkey.yaml': ['protocol: messenger\nsweep:\n  los: [0.1]\n', /sweepkey\.yaml:3:3: unknown key 'los' in sweep \(did you mean 'loss'\?\)/],
    'empty.yaml': ['', /empty\.yaml: the file is empty/],
    'list.yaml': ['- a\n- b\n', /list\.yaml:1:1: a scenario must be a mapping/],
    'channel.yaml': ['protocol: messenger\nchannel: bernouli\n', /channel\.yaml:2:10: unknown channel model 'bernouli' \(did you mean 'bernoulli'\?\)/],
    'emptyrange.yaml': ['protocol: messenger\nsweep:\n  loss: {from: 0.5, to: 0.1}\n', /emptyrange\.yaml:3:9: sweep\.loss is empty/],
    'duplicate.yaml': ['protocol: messenger\nloss: 0.1\nloss: 0.2\n', /duplicate\.yaml:3:1: malformed YAML: map keys must be unique/],
  };
  const dir = tempFiles(Object.fromEntries(Object.entries(files).map(([name, [text]]) => [name, text])));

  for (const [name, [, message]] of Object.entries(files)) {
    it(name, async () => {
      const r = await cliInProcess(['run', join(dir, name)]); // a refusal needs no process of its own
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    });
  }

  const flags: [string[], RegExp][] = [
    [['run', 'no/such/file.yaml'], /no\/such\/file\.yaml: cannot read the scenario file: no such file/],
    [['run', '--frmat', 'csv'], /unknown option '--frmat' \(Did you mean --format\?\)/],
    [['run', '--format', 'xml'], /argument 'xml' is invalid\. Allowed choices are table, csv, json, markdown/],
    [['run', '--set', 'loss=2'], /--set loss=2: loss must be at most 1 \(got 2\)/],
    [['run', '--set', 'bogus=1'], /--set bogus=1: unknown key 'bogus'/],
    [['run', '--sweep', 'redundancy=5:1'], /--sweep redundancy=5:1: sweep\.redundancy is empty/],
    [['run', '--sweep', 'redundancy=a:3'], /--sweep redundancy=a:3: 'a' is not a number/],
    // Read as --set and a file read a number (YAML's core schema), not as JavaScript's Number, which ran these as 3.
    [['run', '--sweep', 'rounds=0b11'], /^twogenerals: --sweep rounds=0b11: '0b11' is not a number\n$/],
    [['run', '--sweep', 'rounds=1,0X3'], /^twogenerals: --sweep rounds=1,0X3: '0X3' is not a number\n$/],
    [['run', '--sweep', 'loss=0:0x1p-2'], /^twogenerals: --sweep loss=0:0x1p-2: '0x1p-2' is not a number\n$/],
    [['run', '--trials', '0'], /--trials 0: trials must be at least 1/],
    [['run', '--confidence', '2'], /expected a number strictly between 0 and 1/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of flags) {
    it(args.join(' '), async () => {
      const r = await cliInProcess(args);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    });
  }
});

describe('twogenerals validate, list, schema', () => {
  it('validate reports each file, and exits 2 if any is bad', async () => {
    const dir = tempFiles({ 'bad.yaml': 'protocol: messenger\nloss: 3\n' });
    const good = await cliIn(['validate', 'scenarios/redundancy-vs-loss.yaml']);
    assert.equal(good.status, 0);
    assert.match(good.stdout, /redundancy-vs-loss\.yaml: ok \(redundancy-vs-loss: messenger over bernoulli, 24 cells\)/);
    const mixed = await cliIn(['validate', 'scenarios/seed-foot-soldiers.yaml', join(dir, 'bad.yaml')]);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stdout, /seed-foot-soldiers\.yaml: ok/);
    assert.match(mixed.stderr, /bad\.yaml:2:7: loss must be at most 1/);
  });

  it('list names every protocol and channel with exact availability', async () => {
    const r = await cliIn(['list']);
    assert.equal(r.status, 0);
    for (const word of ['messenger', 'handshake', 'retransmit', 'bernoulli', 'exact:', 'redundancy']) assert.match(r.stdout, new RegExp(word));
  });

  it('schema prints the JSON Schema that ships beside the scenarios', async () => {
    const r = await cliIn(['schema']);
    assert.equal(r.status, 0);
    const schema = JSON.parse(r.stdout);
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(r.stdout, readFileSync(join(ROOT, 'scenarios', 'scenario.schema.json'), 'utf8'), 'run `twogenerals schema > scenarios/scenario.schema.json`');
  });

  it('prints help and version with exit 0', async () => {
    assert.equal((await cliIn(['--help'])).status, 0);
    assert.match(succeeded(await cliIn(['--version'])), /^\d+\.\d+\.\d+/);
  });
});
