import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { writeWholeFile } from '../src/io/output-place.js';
import { chartSpec } from '../src/plot/chart.js';
import { trace } from '../src/channels/trace.js';
import { ROOT, cli, countingCallsAsync, oneSendProtocolFile, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

const SWEEP = 'scenarios/redundancy-vs-loss.yaml';

describe('an output file is whole or untouched', () => {
  it('keeps the previous content when the write fails, and leaves no temporary file', () => {
    const dir = tempFiles({ 'chart.svg': 'previous' });
    // The temporary file's place is taken (by a folder): the write fails as a full disk would.
    mkdirSync(join(dir, `.chart.svg.partial-${process.pid}`));
    assert.throws(() => writeWholeFile(join(dir, 'chart.svg'), '<svg>new</svg>'), { code: 'EISDIR' });
    assert.equal(readFileSync(join(dir, 'chart.svg'), 'utf8'), 'previous');
  });

  it('replaces the file whole when the write succeeds', () => {
    const dir = tempFiles({ 'report.xml': 'previous' });
    writeWholeFile(join(dir, 'report.xml'), '<testsuites/>');
    assert.equal(readFileSync(join(dir, 'report.xml'), 'utf8'), '<testsuites/>');
    assert.deepEqual(readdirSync(dir), ['report.xml']);
  });

  it('plot -o and --junit over an existing file leave only the new file', async () => {
    const dir = tempFiles({ 'chart.svg': 'previous', 'gates.xml': 'previous' });
    const plot = await cliIn(['plot', SWEEP, '--trials', '1000', '-o', join(dir, 'chart.svg')]);
    assert.equal(plot.status, 0, plot.stderr);
    const run = await cliIn(['run', SWEEP, '--trials', '1000', '-f', 'csv', '--junit', join(dir, 'gates.xml')]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(readFileSync(join(dir, 'chart.svg'), 'utf8'), /^<svg /);
    assert.match(readFileSync(join(dir, 'gates.xml'), 'utf8'), /^<\?xml /);
    assert.deepEqual(readdirSync(dir).sort(), ['chart.svg', 'gates.xml']);
  });
});

describe('a requested file that cannot be written: the line says what was done, and nothing --out made is left', () => {
  const full = { skip: !existsSync('/dev/full') };
  const SMALL = ['--trials', '1000', '-f', 'csv'];
  /** Exit 2 after the results on stdout, with `message` the last line of stderr. */
  const refusedAfter = (r: { status: number | null; stdout: string; stderr: string }, message: string): void => {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
    assert.equal(r.stderr.split('\n').at(-2), `twogenerals: ${message}`);
  };

  it('run --junit /dev/full says the results went to stdout', full, async () => {
    refusedAfter(
      await cliIn(['run', ...SMALL, '--junit', '/dev/full']),
      '--junit /dev/full: cannot write the JUnit report: no space left on the device (the results went to stdout)',
    );
  });

  it('run and merge with --out and --junit /dev/full say where the results were saved', full, async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', ...SMALL, '--out', join(dir, 'sub', 'results'), '--junit', '/dev/full']);
    const [folder] = readdirSync(join(dir, 'sub', 'results'));
    const saved = join(dir, 'sub', 'results', folder!);
    assert.ok(existsSync(join(saved, 'results.json')));
    refusedAfter(run, `--junit /dev/full: cannot write the JUnit report: no space left on the device (the results went to stdout and were saved in ${saved})`);
    const shards = [1, 2].map((i) => join(dir, `shard-${i}.json`));
    for (const [i, shard] of shards.entries()) writeFileSync(shard, (await cliIn(['run', '--trials', '1000', '--shard', `${i + 1}/2`])).stdout);
    const merge = await cliIn(['merge', ...shards, '-f', 'csv', '--out', join(dir, 'merged'), '--junit', '/dev/full']);
    const [merged] = readdirSync(join(dir, 'merged'));
    refusedAfter(
      merge,
      `--junit /dev/full: cannot write the JUnit report: no space left on the device (the results went to stdout and were saved in ${join(dir, 'merged', merged!)})`,
    );
  });

  it('a result folder that cannot be written (its path too long) leaves none of the folders --out made, and says the results went to stdout', {
    skip: process.platform !== 'linux',
  }, async () => {
    const dir = tempFiles({});
    // Folders nested to just short of Linux's 4,096-byte path limit: --out makes them, and the
    // result folder's files, one level deeper, are past it (ENAMETOOLONG) after the folder is made.
    const temporary = `.seed-foot-soldiers-20260101T000000Z.partial-${process.pid}`.length;
    const target = 4095 - 1 - temporary - 5;
    let out = dir;
    while (out.length < target) out = join(out, 'a'.repeat(Math.min(200, target - out.length - 1)));
    const r = await cliIn(['run', ...SMALL, '--out', out]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
    assert.match(r.stderr, /^twogenerals: --out [^\n]*: cannot save results: [^\n]*\(the results went to stdout\)\n$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a run refused after --out made DIR/sub/results (a missing baseline) leaves no folder', async () => {
    const dir = tempFiles({});
    const gate = `expect=[{metric: success, notWorseThan: ${join(dir, 'none', 'results.json')}}]`;
    const r = await cliIn(['run', ...SMALL, '--out', join(dir, 'sub', 'results'), '--set', gate]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /notWorseThan: .*cannot read the results file: no such file or directory\n$/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a merge refused after --out made DIR/sub/results leaves no folder', async () => {
    const dir = tempFiles({});
    const gate = `expect=[{metric: success, notWorseThan: ${join(dir, 'none', 'results.json')}}]`;
    const shards = [1, 2].map((i) => join(dir, `shard-${i}.json`));
    for (const [i, shard] of shards.entries()) writeFileSync(shard, (await cliIn(['run', '--trials', '1000', '--set', gate, '--shard', `${i + 1}/2`])).stdout);
    const r = await cliIn(['merge', ...shards, '-f', 'csv', '--out', join(dir, 'sub', 'results')]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(dir).sort(), ['shard-1.json', 'shard-2.json']);
  });

  it('a folder that was there already stays', async () => {
    const dir = tempFiles({});
    mkdirSync(join(dir, 'kept'));
    const gate = `expect=[{metric: success, notWorseThan: ${join(dir, 'none.json')}}]`;
    const r = await cliIn(['run', ...SMALL, '--out', join(dir, 'kept', 'results'), '--set', gate]);
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(readdirSync(dir), ['kept']);
    assert.deepEqual(readdirSync(join(dir, 'kept')), []);
  });
});

describe('plot draws a chart or refuses', () => {
  it('the seed is no metric', async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', SWEEP, '--trials', '1000', '-f', 'csv']);
    writeFileSync(join(dir, 'results.csv'), run.stdout);
    const r = await cliIn(['plot', join(dir, 'results.csv'), '--metric', 'seed']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: --metric seed: unknown metric; choose one of: .*onlyB\n$/);
    assert.doesNotMatch(r.stderr, /, seed/);
    assert.equal(r.stdout, '');
  });

  it('names no --protocol-dir, a flag plot has not, where the protocol file of saved results is gone', () => {
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('p'), 's.yaml': 'name: s\nprotocol: ./p.mjs\ntrials: 1000\nsweep: { loss: [0.1, 0.2] }\n' });
    assert.equal(cli(['run', 's.yaml', '--out', 'saved', '--format', 'csv'], {}, dir).status, 0);
    rmSync(join(dir, 'p.mjs'));
    const r = cli(['plot', join('saved', readdirSync(join(dir, 'saved'))[0]!)], {}, dir);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the protocol file \.\/p\.mjs these counts were made with .* was not found; .*: put it beside the results\n$/);
    assert.doesNotMatch(r.stderr, /--protocol-dir/);
  });

  it("draws run's CSV and JSON saved under another extension as the results they are", async () => {
    const dir = tempFiles({});
    for (const format of ['csv', 'json']) {
      const run = await cliIn(['run', SWEEP, '--trials', '1000', '-f', format]);
      writeFileSync(join(dir, `results-${format}.txt`), run.stdout);
      writeFileSync(join(dir, `results.${format}`), run.stdout);
      const drawn = await cliIn(['plot', join(dir, `results-${format}.txt`)]);
      assert.equal(drawn.status, 0, drawn.stderr);
      assert.equal(drawn.stdout, (await cliIn(['plot', join(dir, `results.${format}`)])).stdout, format);
    }
  });

  it('a metric that is 0 in every cell is refused on a logarithmic axis, not drawn as an empty chart', async () => {
    const r = await cliIn(['plot', SWEEP, '--trials', '1000', '--metric', 'neither', '--log-y']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'twogenerals: --log-y: neither is 0 in every cell, which a logarithmic axis cannot show: draw it without --log-y\n');
    assert.equal(r.stdout, '');
  });
});

describe('a value given twice is refused, not silently replaced', () => {
  for (const [args, message] of [
    [['run', '--set', 'loss=0.1', '--set', 'loss=0.2'], '--set loss=0.1 and loss=0.2: loss is given two values: give it once'],
    [
      ['run', '--sweep', 'redundancy=1:8', '--sweep', 'redundancy=1:4'],
      '--sweep redundancy=1:8 and redundancy=1:4: redundancy is given two values: give it once',
    ],
    [['run', '--seed', '-5', '--seed', '-6'], '--seed -5 --seed -6: --seed is given twice with different values: give it once'],
    [
      ['plan', '--target', 'success>=0.9', '--vary', 'redundancy=1:8', '--vary', 'redundancy=1:4'],
      '--vary redundancy=1:8 and redundancy=1:4: redundancy is given two values: give it once',
    ],
    [[SWEEP, '--set', 'loss=0.3', '--sweep', 'loss=0.1,0.2'], '--set loss=… with --sweep loss=…: loss is either set to one value or swept: give one of them'],
    [
      [SWEEP, '--set', 'loss.AtoB=0.3'],
      `--set loss.AtoB=0.3: loss is also swept (${SWEEP}:13:9): it is either set to one value or swept; to set it, remove the sweep with --set sweep.loss=null`,
    ],
    [
      ['plan', '--set', 'redundancy=2', '--target', 'success>=0.9', '--vary', 'redundancy=1:8'],
      '--set redundancy=… with --vary redundancy=…: redundancy is either set to one value or varied: give one of them',
    ],
  ] as const) {
    it(args.join(' '), async () => {
      const r = await cliIn(args[0] === SWEEP ? ['run', ...args, '--trials', '100'] : [...args, '--trials', '100']);
      assert.equal(r.status, 2, r.stdout);
      assert.equal(r.stderr, `twogenerals: ${message}\n`);
      assert.equal(r.stdout, '');
    });
  }

  it('--set of a parameter whose direction or role the file sweeps is refused: it would set it only in part', async () => {
    const dir = tempFiles({
      'dir.yaml': 'name: dir\nprotocol: handshake\nloss: { AtoB: 0.1, BtoA: 0.2 }\ntrials: 100\nseed: 1\nsweep:\n  lossAtoB: [0.1, 0.3]\n',
      'crash.yaml': 'name: cr\nprotocol: two-phase-commit\nloss: 0.1\ntrials: 100\nseed: 1\nsweep:\n  crashCoordinator: [0.01, 0.02]\n',
    });
    for (const [file, set, swept, line] of [
      ['dir.yaml', 'loss=0.2', 'lossAtoB', '7:13'],
      ['crash.yaml', 'crash=0.05', 'crashCoordinator', '7:21'],
    ] as const) {
      const r = await cliIn(['run', join(dir, file), '--set', set]);
      assert.equal(r.status, 2, r.stdout);
      assert.equal(
        r.stderr,
        `twogenerals: --set ${set}: ${swept} is also swept (${join(dir, file)}:${line}): it is either set to one value or swept; to set it, remove the sweep with --set sweep.${swept}=null\n`,
      );
    }
    const other = await cliIn(['run', join(dir, 'dir.yaml'), '--set', 'loss.BtoA=0.4', '-f', 'csv']);
    assert.equal(other.status, 0, other.stderr);
    assert.deepEqual(
      other.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(',').slice(4, 6).join(',')),
      ['0.1,0.4', '0.3,0.4'],
    );
  });

  it('--set of a parameter by role or direction conflicts only with the sweeps of the roles or directions it names', async () => {
    const dir = tempFiles({ 'cr.yaml': 'name: cr\nprotocol: messenger\nloss: 0.5\ntrials: 100\nseed: 1\nsweep:\n  crashB: [0, 0.1]\n' });
    const file = join(dir, 'cr.yaml');
    for (const args of [
      ['run', '--set', 'crash={A: 0.1}', '--sweep', 'crashB=0,0.1'],
      ['run', file, '--set', 'crash={A: 0.1}'],
    ]) {
      const r = await cliIn([...args, '--trials', '100', '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      assert.deepEqual(
        rows.map((row) => [row['crashA'], row['crashB']]),
        [
          ['0.1', '0'],
          ['0.1', '0.1'],
        ],
        args.join(' '),
      );
    }
    const named = await cliIn(['run', file, '--set', 'crash={A: 0.1, B: 0.2}']);
    assert.equal(named.status, 2, named.stdout);
    assert.equal(
      named.stderr,
      `twogenerals: --set crash={A: 0.1, B: 0.2}: crashB is also swept (${file}:7:11): it is either set to one value or swept; to set it, remove the sweep with --set sweep.crashB=null\n`,
    );
  });

  it("--set of a parameter the file sweeps sets it in place of the file's sweep (the command line overrides the file)", async () => {
    for (const set of [['loss=0.3'], ['sweep.loss=null', 'loss=0.3']]) {
      const r = await cliIn(['run', SWEEP, ...set.flatMap((s) => ['--set', s]), '--trials', '100', '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').slice(1);
      assert.deepEqual(
        rows.map((row) => row.split(',').slice(3, 5).join(',')),
        Array.from({ length: 8 }, (_, k) => `0.3,${k + 1}`),
        set.join(' '),
      );
    }
    const fixed = await cliIn(['exact', SWEEP, '--set', 'loss=0.2', '--set', 'redundancy=3', '-f', 'csv']);
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.match(fixed.stdout.trim().split('\n').slice(1).join('\n'), /^redundancy-vs-loss,messenger,bernoulli,0\.2,3,[^\n]*$/);
  });

  it('the same value twice, and a sweep removed before setting, still run', async () => {
    const twice = await cliIn(['run', '--set', 'loss=0.1', '--set', 'loss=0.1', '--seed', '-5', '--seed', '-5', '--trials', '100', '-f', 'csv']);
    assert.equal(twice.status, 0, twice.stderr);
    const unswept = await cliIn(['run', SWEEP, '--set', 'sweep.loss=null', '--set', 'loss=0.3', '--trials', '100', '-f', 'csv']);
    assert.equal(unswept.status, 0, unswept.stderr);
    assert.match(unswept.stdout.split('\n')[1]!, /^redundancy-vs-loss,messenger,bernoulli,0\.3,1,/);
  });
});

describe("'-' given as an input file", () => {
  for (const args of [
    ['run', '-'],
    ['validate', '-'],
    ['trace', '-', '--trial', '1'],
    ['plot', '-'],
    ['merge', '-'],
    ['fit', '-'],
  ]) {
    it(args.join(' '), async () => {
      const r = await cliIn(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: -: the (scenario|results|trace) file is not read from standard input: name the file/);
      assert.doesNotMatch(r.stderr, /no such file/);
    });
  }
});

describe('a file of another kind is named as what it is', () => {
  for (const [args, words] of [
    [['fit', 'scenarios/bursty-5pct.yaml'], /bursty-5pct\.yaml:\d+: this is YAML \(a scenario\?\), not a loss trace/],
    [['fit', 'examples/protocols/tcp-handshake.mjs'], /tcp-handshake\.mjs:1: this is JavaScript \(a protocol file\?\), not a loss trace/],
    [
      ['fit', 'test/golden/scenarios-redundancy-vs-loss.csv'],
      /scenarios-redundancy-vs-loss\.csv:1: this is results as CSV from `twogenerals run`, not a loss trace/,
    ],
    [
      ['run', 'scenarios/scenario.schema.json'],
      /scenario\.schema\.json: is a JSON Schema \(of scenario files, as `twogenerals schema` prints it\), not a scenario/,
    ],
  ] as const) {
    it(args.join(' '), async () => {
      const r = await cliIn([...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, words);
      assert.doesNotMatch(r.stderr, /looks like a CSV|needs the key/);
    });
  }
});

describe('plan targets are probabilities', () => {
  for (const target of ['success>=1.5', 'disagreement<=-0.1']) {
    it(target, async () => {
      const r = await cliIn(['plan', '--target', target, '--vary', 'redundancy=1:4']);
      assert.equal(r.status, 2);
      assert.match(r.stderr, new RegExp(`^twogenerals: --target ${target}: \\w+ is a probability: give a bound from 0 to 1 \\(got -?[0-9.]+\\)\\n$`));
      assert.equal(r.stdout, '');
    });
  }
});

describe('one line on stderr', () => {
  it('a YAML key that is a list: no Node warning beside the refusal', () => {
    const dir = tempFiles({ 'odd.yaml': '? [a, b]\n: 1\nprotocol: messenger\n' });
    const r = cli(['validate', join(dir, 'odd.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*odd\.yaml:1:1: unknown key '\[ a, b \]'; known keys: [^\n]*\n$/);
  });
});

describe('trace of a run to a precision', () => {
  it('is refused: where the run stops each cell depends on its tallies; --trials N names the trials it ran', async () => {
    const r = await cliIn(['trace', '--trial', '5', '--precision', '0.01']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: --precision 0\.01: a run to a precision decides from its tallies where each cell stops[^\n]*--trials N\n$/);
    const given = await cliIn(['trace', '--trial', '5', '--trials', '65536']);
    assert.equal(given.status, 0, given.stderr);
    assert.match(given.stdout.split('\n')[0]!, /: trial 5 of 65,536, seed 2026$/);
  });
});

describe('inputs that could only give a wrong or empty answer', () => {
  it('fit --column naming two columns', async () => {
    const dir = tempFiles({ 'link.csv': 'lost,lost\n1,0\n1,0\n0,0\n' });
    const r = await cliIn(['fit', join(dir, 'link.csv'), '--column', 'lost']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*link\.csv:1: the column "lost" appears twice \(fields 1 and 2\)\n$/);
    assert.equal(r.stdout, '');
  });

  it('an expect entry with atLeast above atMost', async () => {
    const dir = tempFiles({ 'gate.yaml': 'protocol: messenger\ntrials: 100\nexpect:\n  - { metric: success, atLeast: 0.9, atMost: 0.5 }\n' });
    const r = await cliIn(['run', join(dir, 'gate.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*gate\.yaml:4:5: expect\[0\] can never hold: atLeast 0\.9 is above atMost 0\.5\n$/);
    assert.equal(r.stdout, '');
  });

  it('a confidence so near 1 that every interval would be NaN (empty in CSV)', async () => {
    const r = await cliIn(['run', '--trials', '100', '--confidence', '0.9999999999999999', '-f', 'csv']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*'0\.9999999999999999' is invalid\. [^\n]*too close to 1[^\n]*\n$/);
    assert.equal(r.stdout, '');
    // Fifteen nines a double holds as 1 − 9.992e-16 (test/confidence-near-one.test.ts); eleven, to six digits.
    const near = await cliIn(['run', '--trials', '100', '--confidence', '0.99999999999', '-f', 'csv']);
    assert.equal(near.status, 0, near.stderr);
    assert.match(near.stdout.split('\n')[1]!, /,0\.74,0\.\d+,0\.\d+,0\.26,0\.\d+,0\.\d+,/);
  });

  it("a protocol file's whole-number parameter with a fractional default", async () => {
    const protocol = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8').replace(
      'outcomes: GENERALS_OUTCOMES,',
      "outcomes: GENERALS_OUTCOMES,\n    parameters: [{ name: 'window', description: 'w', minimum: 1, maximum: 8, default: 2.5, integer: true }],",
    );
    assert.match(protocol, /default: 2\.5/);
    const dir = tempFiles({ 'p.mjs': protocol, 'p.yaml': 'protocol: ./p.mjs\ntrials: 100\n' });
    const r = await cliIn(['run', join(dir, 'p.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*p\.mjs: parameter window is a whole number \(integer: true\), but its default 2\.5 is not\n$/);
    assert.equal(r.stdout, '');
  });

  it('a protocol file listing one outcome twice as success (a success of 2)', async () => {
    const protocol = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8').replace(
      'outcomes: GENERALS_OUTCOMES,',
      'outcomes: { ...GENERALS_OUTCOMES, success: [0, 0] },',
    );
    const dir = tempFiles({ 'p.mjs': protocol, 'p.yaml': 'protocol: ./p.mjs\ntrials: 100\n' });
    const r = await cliIn(['run', join(dir, 'p.yaml'), '-f', 'csv']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*p\.mjs: outcomes\.success lists 0 \(both\) twice: each outcome counts once\n$/);
    assert.equal(r.stdout, '');
  });

  it('plot --metric OUTCOME draws proportions of the trials, not counts', async () => {
    const rows = [
      { scenario: 's', trials: 1000, loss: 0.1, onlyA: 250 },
      { scenario: 's', trials: 4000, loss: 0.2, onlyA: 1000 },
    ];
    const spec = chartSpec(rows, { metric: 'onlyA', x: 'loss', series: null, logY: false, title: 's' });
    const values = (spec['data'] as { values: { estimate: number }[] }).values.map((d) => d.estimate);
    assert.deepEqual(values, [0.25, 0.25]);
    const dir = tempFiles({
      'rows.csv': 'scenario,protocol,channel,loss,trials,seed,both,onlyA,success,disagreement\ns,messenger,bernoulli,0.1,0,1,0,0,0,0\n',
    });
    const r = await cliIn(['plot', join(dir, 'rows.csv'), '--metric', 'onlyA']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*rows\.csv: row 1, column trials: 0 is not a number of trials \(a whole number, 1 or more\)\n$/);
  });

  it('plot --series names a parameter, not a result column', async () => {
    const r = await cliIn(['plot', SWEEP, '--trials', '1000', '--series', 'success']);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      'twogenerals: --series success: not a parameter of these results: draw one line per value of scenario, protocol, channel, loss, redundancy, rounds\n',
    );
    assert.equal(r.stdout, '');
  });

  it('a sweep of flags alone that has too many cells is named at its flags', async () => {
    const r = await cliIn(['run', '--sweep', 'loss=0:1:0.0001', '--sweep', 'redundancy=1:10', '--trials', '1']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'twogenerals: --sweep loss=0:1:0.0001 --sweep redundancy=1:10: the sweep has 100010 cells; at most 100000 are allowed\n');
  });

  it('trace --first an outcome the exact engine finds impossible answers at once, not after a billion trials', async () => {
    const r = await cliIn(['trace', '--first', 'neither', '--trials', '1e12']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'twogenerals: no trial of cell 1 ends in neither: its exact probability there is 0\n');
    assert.equal(r.stdout, '');
    const possible = await cliIn(['trace', '--first', 'disagreement', '--trials', '1e12']);
    assert.equal(possible.status, 0, possible.stderr);
    assert.match(possible.stdout, /A attacks alone/);
  });

  it('a mapping made by --set is named at that flag, not at a line of the file', async () => {
    const r = await cliIn(['validate', 'scenarios/two-phase-commit.yaml', '--set', 'loss=null', '--set', 'channel.model=gilbert-elliott']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "twogenerals: --set channel.model=gilbert-elliott: channel needs the key 'goodToBad'\n");
  });

  it('a mapping written without a space after its colons ({model:cut}) is told as one key, in a file and with --set', async () => {
    // YAML reads `model:cut` as a single key with no value: "channel needs the key 'model'" alone
    // named a key the user had written.
    const dir = tempFiles({ 'glued.yaml': 'protocol: messenger\nchannel: {model:cut, after: 2}\n' });
    const file = await cliIn(['validate', join(dir, 'glued.yaml')]);
    assert.equal(file.status, 2);
    assert.match(
      file.stderr,
      /^twogenerals: [^\n]*glued\.yaml:2:10: channel needs the key 'model' \('model:cut' is one key: YAML needs a space after the colon, model: cut\)\n$/,
    );
    const set = await cliIn(['run', '--set', 'loss={AtoB:0.1,BtoA:0.2}', '--trials', '10']);
    assert.equal(set.status, 2);
    assert.equal(set.stdout, '');
    assert.equal(
      set.stderr,
      "twogenerals: --set loss={AtoB:0.1,BtoA:0.2}: loss needs the key 'AtoB' ('AtoB:0.1' is one key: YAML needs a space after the colon, AtoB: 0.1)\n",
    );
  });
});

describe('a channel key the sweep gives every cell', () => {
  const scenario = (channel: string, sweep: string[]): string =>
    ['name: ge', 'protocol: messenger', `channel: ${channel}`, 'trials: 1000', 'seed: 1', 'sweep:', ...sweep.map((line) => `  ${line}`), ''].join('\n');
  const dir = tempFiles({
    'object.yaml': scenario('{ model: gilbert-elliott }', ['goodToBad: [0.01, 0.05]', 'badToGood: [0.5]']),
    'name.yaml': scenario('gilbert-elliott', ['goodToBad: [0.01, 0.05]', 'badToGood: [0.5]']),
    'given.yaml': scenario('{ model: gilbert-elliott, goodToBad: 0.2, badToGood: 0.5 }', ['goodToBad: [0.01, 0.05]']),
    'half.yaml': scenario('{ model: gilbert-elliott }', ['goodToBad: [0.01, 0.05]']),
  });
  it('need not be in the channel too: the cells are the sweep’s, as where the channel names a value the sweep replaces', async () => {
    const given = await cliIn(['run', join(dir, 'given.yaml'), '-f', 'csv']);
    assert.equal(given.status, 0, given.stderr);
    for (const file of ['object.yaml', 'name.yaml']) {
      const r = await cliIn(['run', join(dir, file), '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      // The same cells, counts and columns as with the key in the channel (the scenario's name aside).
      assert.equal(r.stdout, given.stdout);
    }
  });
  it('--sweep takes a key as --set writes it (channel.after, channel.goodToBad, loss.AtoB, crash.A): the same cells as its parameter name', async () => {
    const cut = ['--set', 'protocol=handshake', '--set', 'loss=null', '--set', 'channel={model: cut, after: 1}', '--set', 'rounds=4'];
    const ge = ['--set', 'loss=null', '--set', 'channel={model: gilbert-elliott, goodToBad: 0.1, badToGood: 0.5}'];
    for (const [base, given, name, values] of [
      [cut, 'channel.after', 'after', '1:3'],
      [ge, 'channel.goodToBad', 'goodToBad', '0.1,0.2'],
      [ge, 'channel.badToGood', 'badToGood', '0.3,0.5'],
      [ge, 'channel.lossGood', 'lossGood', '0,0.1'],
      [ge, 'channel.lossBad', 'lossBad', '0.5,1'],
      [[], 'loss.AtoB', 'lossAtoB', '0.1,0.2'],
      [[], 'crash.A', 'crashA', '0,0.1'],
    ] as const) {
      const args = ['run', ...base, '--trials', '1000', '-f', 'csv', '--no-exact', '--sweep'];
      const byName = await cliIn([...args, `${name}=${values}`]);
      assert.equal(byName.status, 0, byName.stderr);
      const bySet = await cliIn([...args, `${given}=${values}`]);
      assert.equal(bySet.status, 0, `${given}: ${bySet.stderr}`);
      assert.equal(bySet.stdout, byName.stdout, given);
      assert.ok(bySet.stdout.trim().split('\n').length >= 3, `${given}: a sweep of its values`);
    }
    // Given both ways, it is one key given twice; plan --vary takes it too, its column named as run names it.
    const twice = await cliIn(['run', ...cut, '--sweep', 'after=1:2', '--sweep', 'channel.after=1:3']);
    assert.equal(twice.status, 2, twice.stderr);
    const vary = await cliIn(['plan', ...ge, '--vary', 'channel.goodToBad=0.1:0.3:0.1', '--target', 'success>=0.5', '-f', 'csv']);
    assert.equal(vary.status, 0, vary.stderr);
    assert.match(vary.stdout, /^goodToBad,messengers_mean,success,exact,meets\n0\.1,/);
  });
  it('a key neither the channel nor the sweep gives is refused at the channel', async () => {
    const r = await cliIn(['run', join(dir, 'half.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*half\.yaml:3:10: channel needs the key 'badToGood'\n$/);
  });
  it('validate says whose channel it describes where the sweep varies it', async () => {
    const r = await cliIn(['validate', join(dir, 'object.yaml'), join(dir, 'given.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /2 cells; in cell 1, mean loss 0\.01961, mean bad burst 2 copies \(the sweep varies it\)\)$/);
    assert.match(lines[1]!, /2 cells; in cell 1, mean loss 0\.01961, mean bad burst 2 copies \(the sweep varies it\)\)$/);
    const fixed = await cliIn(['validate', 'scenarios/bursty-5pct.yaml']);
    assert.match(fixed.stdout, /; mean loss 0\.05, mean bad burst 2 copies\)\n$/);
  });
  it("validate describes a trace once where the sweep varies none of the channel's values (each cell read its statistics: 600 cells of a 20,000,000-packet trace took 5.9 s)", async () => {
    const files = tempFiles({
      'trace.txt': '0010\n',
      'sweep.yaml':
        'name: t\nprotocol: messenger\nchannel: { model: trace, file: trace.txt }\ntrials: 1000\nseed: 1\nsweep:\n  redundancy: { from: 1, to: 50 }\n',
    });
    const { result, calls } = await countingCallsAsync(trace, 'describe', () => cliIn(['validate', join(files, 'sweep.yaml')]));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /50 cells; trace: 4 packets, loss rate 0\.25, mean loss burst 1\)\n$/);
    assert.equal(calls, 1);
  });
});

describe('no output flag takes - for stdout or writes a file named -…', () => {
  // `--junit -` wrote a file named -, and `--junit --exact` one named --exact (the run going without --exact).
  const dir = tempFiles({});
  // Refusals of the command line need no process of their own: each runs in this one.
  before(async () => {
    for (const shard of ['1/2', '2/2']) {
      const r = await cliIn(['run', '--trials', '1000', '--shard', shard], {}, dir);
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(join(dir, `s${shard[0]}.json`), r.stdout);
    }
  });
  const cases: [string[], RegExp][] = [
    [
      ['run', '--trials', '1000', '--junit', '-'],
      /^twogenerals: --junit -: cannot write the JUnit report: - is not stdout here \(--format junit prints it there\); \.\/- names a file -\n$/,
    ],
    [
      ['run', '--trials', '1000', '--junit', '--exact'],
      /^twogenerals: --junit --exact: cannot write the JUnit report: --exact starts with -, an option taken as the name\? \.\/--exact names such a file\n$/,
    ],
    [
      ['run', '--trials', '1000', '--out', '-'],
      /^twogenerals: --out -: cannot save the result folder: - is not stdout here \(--format csv or json prints the results there\); \.\/- names a folder -\n$/,
    ],
    [['run', '--trials', '1000', '--out=-x'], /^twogenerals: --out -x: cannot save the result folder: -x starts with -/],
    [['exact', '--junit', '-'], /^twogenerals: --junit -: cannot write the JUnit report: - is not stdout here/],
    [['merge', 's1.json', 's2.json', '--junit', '-'], /^twogenerals: --junit -: cannot write the JUnit report: - is not stdout here/],
    [['merge', 's1.json', 's2.json', '--out', '-'], /^twogenerals: --out -: cannot save the result folder: - is not stdout here/],
    [['plot', 's1.json', '-o', '-'], /^twogenerals: -o -: cannot write the chart: - is not stdout here \(without -o, plot prints the SVG there\)/],
    [['plot', 's1.json', '-o', '-chart.svg'], /^twogenerals: -o -chart\.svg: cannot write the chart: -chart\.svg starts with -/],
    [['fit', 's1.json', '-o', '-'], /^twogenerals: -o -: cannot write the chart: - is not stdout here \(stdout carries the fit\)/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), async () => {
      const r = await cliIn(args, {}, dir);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.deepEqual(
        readdirSync(dir).filter((name) => name.startsWith('-')),
        [],
      );
    });
  }
  it('./-name writes a file of that name on purpose', async () => {
    const r = await cliIn(['run', '--trials', '1000', '--junit', './-gates.xml'], {}, dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(join(dir, '-gates.xml'), 'utf8'), /^<\?xml /);
  });
});
