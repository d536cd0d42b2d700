import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, cli, shellWord, tempFiles } from './helpers.js';
import { succeeded } from './assert-cli.js';
import type { CliResult } from './helpers.js';
import { STACK_LINE, cliIn, cliInProcess } from './in-process.js';

/**
 * Issue 15, "Trustworthy under misuse and faults", as a table: every case a subprocess, as a
 * user runs it. Each row: what to run, the exit code, and what stderr must say.
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const json = (path: string): Record<string, any> => JSON.parse(readFileSync(path, 'utf8')); // eslint-disable-line @typescript-eslint/no-explicit-any

/** One line on stderr, starting "twogenerals: ", no stack trace, no control characters, nothing on stdout. */
function assertOneLine(r: CliResult, status: number, message: RegExp, context: string): void {
  assert.equal(r.status, status, `${context}: exit ${r.status}\n${r.stderr}`);
  assert.equal(r.stdout, '', `${context}: stdout`);
  assert.match(r.stderr, message, context);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${context}: ${r.stderr}`);
  assert.match(r.stderr, /^twogenerals: /, context);
  assert.doesNotMatch(r.stderr, STACK_LINE, context);
  assert.doesNotMatch(r.stderr, /\bE[A-Z]{3,}\b/, `${context}: a raw error code`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr.trimEnd(), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, `${context}: control characters`);
}

/** Runs a shell pipeline; returns the exit code of the twogenerals command (PIPESTATUS[0]). */
function pipeline(command: string): CliResult {
  const r = spawnSync('bash', ['-c', `${command}; exit \${PIPESTATUS[0]}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0' },
  });
  // bash's own word on a locale the machine lacks (LC_ALL=tr_TR.UTF-8 where it is not installed) is not the tool's.
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^bash: warning: setlocale: .*\n/gm, '') };
}
const TG = `${shellWord(process.execPath)} ${shellWord(BIN)}`;

// --- 1. merge refuses counts that cannot be right --------------------------------------------
describe('1. merge: counts that cannot be right are refused', () => {
  const SCENARIO = ['--sweep', 'redundancy=1:2', '--trials', '200000'];
  const shards = [1, 2, 3].map((i) => {
    const r = cli(['run', ...SCENARIO, '--shard', `${i}/3`, '--workers', '1']);
    assert.equal(r.status, 0, r.stderr);
    return file(`shard-${i}.json`, r.stdout);
  });
  const mutated = (name: string, i: number, edit: (shard: Record<string, any>) => void): string[] => {
    // eslint-disable-line @typescript-eslint/no-explicit-any
    const data = json(shards[i]!);
    edit(data);
    const path = file(name, JSON.stringify(data, null, 1));
    return shards.map((s, j) => (j === i ? path : s));
  };
  const tally = (d: Record<string, any>) => d['cells'][0].tally; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('intact shards merge to the unsharded run, byte for byte', async () => {
    const merged = await cliIn(['merge', ...shards, '--format', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, succeeded(await cliIn(['run', ...SCENARIO, '--format', 'csv'])));
    assert.match(readFileSync(shards[0]!, 'utf8'), /"digest": "sha256:[0-9a-f]{64}"/);
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      'an outcome count +1',
      () => mutated('plus-one.json', 1, (d) => (tally(d).outcomes[0] += 1)),
      /plus-one\.json: cell 1 .*outcome counts add up to \d+, not its \d+ trials/,
    ],
    [
      'a count moved between outcomes',
      () => mutated('moved.json', 1, (d) => ((tally(d).outcomes[0] -= 1), (tally(d).outcomes[1] += 1))),
      /moved\.json: counts do not match its digest/,
    ],
    [
      'a negative count',
      () => mutated('negative.json', 0, (d) => (tally(d).messages[2] = -5)),
      /negative\.json: .*messages count 3 is -5, not a non-negative whole number/,
    ],
    ['a fractional count', () => mutated('fraction.json', 0, (d) => (tally(d).outcomes[0] = 392820.5)), /fraction\.json: .*outcomes count 1 is 392820\.5/],
    ['a string count', () => mutated('string.json', 2, (d) => (tally(d).trials = '65536')), /string\.json: .*trial count is the text '65536'/],
    ['a null tally', () => mutated('null.json', 2, (d) => (d['cells'][0].tally = null)), /null\.json: cell 1 .*it has no counts/],
    ['a missing tally field', () => mutated('missing.json', 2, (d) => delete tally(d).messages), /missing\.json: .*messages counts are missing/],
    ['a relabelled shard', () => mutated('relabel.json', 0, (d) => (d['shard'].index = 2)), /relabel\.json: counts do not match its digest|like/],
    [
      'a zeroed shard',
      () =>
        mutated('zeroed.json', 1, (d) =>
          d['cells'].forEach((c: any) => ((c.tally.outcomes = c.tally.outcomes.map(() => 0)), (c.tally.messages = []), (c.tally.trials = 0))),
        ),
      /zeroed\.json: counts do not match its digest/,
    ], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['a digest removed', () => mutated('nodigest.json', 1, (d) => delete d['digest']), /nodigest\.json: it has no digest/],
    [
      'a duplicate shard',
      () => [shards[0]!, file('copy.json', readFileSync(shards[0]!, 'utf8')), shards[2]!],
      /copy\.json: cannot merge: it is shard 1\/3, like/,
    ],
    ['one shard given twice', () => [shards[0]!, shards[0]!, shards[2]!], /shard-1\.json: given twice: give each shard once\n$/],
    ['a missing shard', () => [shards[0]!, shards[1]!], /merge: shard 3\/3 missing/],
    ['a shard of another seed', () => mutated('seed.json', 2, (d) => (d['scenarios'][0].seed = '7')), /seed\.json: counts do not match its digest/],
    ['not JSON', () => [file('garbage.json', '\u0000\u0001garbage')], /garbage\.json: not a text file/],
    ['another JSON', () => [file('other.json', '{"name": "x"}')], /other\.json: not a shard file/],
  ];
  for (const [what, files, message] of cases) {
    it(what, async () => assertOneLine(await cliInProcess(['merge', ...files()]), 2, message, what));
  }

  it('counts no run can produce, with a recomputed digest, are refused', async () => {
    const { contentDigest } = await import('../src/results/verify.js');
    const received = mutated('received.json', 0, (d) => {
      tally(d).deliveries[0] += 10 ** 9;
      d['digest'] = contentDigest(d);
    });
    assertOneLine(await cliIn(['merge', ...received]), 2, /received\.json: cell 1 .*messages received of \d+ dispatched/, 'deliveries');
    const rounds = mutated('rounds.json', 0, (d) => {
      tally(d).rounds += 10 ** 9;
      d['digest'] = contentDigest(d);
    });
    assertOneLine(await cliIn(['merge', ...rounds]), 2, /rounds used, more than its round limit allows/, 'rounds');
  });

  it('a relabelled shard with a recomputed digest is caught by its trials', async () => {
    const { contentDigest } = await import('../src/results/verify.js');
    // 200,000 trials are 4 blocks: shard 1/3 holds blocks 1 (65,536 trials); 3/3 holds 0 and 3 (65,536 + 3,392).
    const files = mutated('relabel-digest.json', 2, (d) => {
      d['shard'].index = 1;
      d['digest'] = contentDigest(d);
    });
    // Labelled 1/3 beside the real 2/3 and 3/3: every label present once, but its blocks are 3/3's.
    assertOneLine(
      await cliIn(['merge', files[2]!, shards[1]!, shards[2]!]),
      2,
      /relabel-digest\.json: cell 1 .*holds 68928 trials; shard 1\/3 of 200000 trials holds 65536/,
      'relabelled',
    );
  });
});

// --- 2. re-exports reproduce the saved run ---------------------------------------------------
describe('2. merge results.json reproduces the saved run byte for byte', () => {
  for (const flags of [[], ['--confidence', '0.99', '--no-exact'], ['--exact']]) {
    it(`run ${flags.join(' ') || '(defaults)'}`, async () => {
      const out = join(dir, `saved${flags.join('')}`);
      const r = await cliIn(['run', 'scenarios/retransmit-round-limit.yaml', '--trials', '30000', '--format', 'csv', '--out', out, ...flags]);
      assert.equal(r.status, 0, r.stderr);
      const [folder] = readdirSync(out);
      const saved = join(out, folder!);
      for (const [format, name] of [
        ['csv', 'results.csv'],
        ['json', 'results.json'],
      ] as const) {
        const again = await cliIn(['merge', join(saved, 'results.json'), '--format', format]);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout, readFileSync(join(saved, name), 'utf8'), `${format} re-export`);
      }
      // An edited results.json is refused, not re-exported.
      const data = json(join(saved, 'results.json'));
      data['tallies'][0].outcomes[0] -= 1;
      data['tallies'][0].outcomes[1] += 1;
      assertOneLine(
        await cliIn(['merge', file(`edited${flags.join('')}.json`, JSON.stringify(data))]),
        2,
        /edited.*\.json: counts do not match its digest/,
        'edited results.json',
      );
      data['tallies'][0].outcomes[1] += 1;
      assertOneLine(
        await cliIn(['merge', file(`edited2${flags.join('')}.json`, JSON.stringify(data))]),
        2,
        /edited2.*\.json: cell 1 .*outcome counts add up to/,
        'edited results.json',
      );
      // A flag asks otherwise: recomputed at that confidence.
      const other = await cliIn(['merge', join(saved, 'results.json'), '--format', 'csv', '--confidence', '0.5']);
      assert.equal(other.status, 0, other.stderr);
      assert.notEqual(other.stdout, readFileSync(join(saved, 'results.csv'), 'utf8'));
    });
  }
});

// --- 3. closed and failing stdout ------------------------------------------------------------
describe('3. closed or failing standard output', () => {
  const gate = file('gate.yaml', 'protocol: messenger\nexpect:\n  - { metric: success, atLeast: 0.99 }\n');
  it('a failing gate piped into head -1 still exits 1', async () => {
    for (const format of ['csv', 'table', 'json', 'markdown']) {
      const r = pipeline(`${TG} run ${shellWord(gate)} --trials 20000 -f ${format} | head -1 > /dev/null`);
      assert.equal(r.status, 1, `${format}: ${r.stderr}`);
      assert.match(r.stderr, /expect failed/);
    }
  });
  it('a passing run piped into head -1 exits 0, silently', async () => {
    const r = pipeline(`${TG} run scenarios/handshake-regress.yaml --trials 20000 -f csv | head -1 > /dev/null`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
  it('run --out x -f csv | true still saves the folder', async () => {
    const out = join(dir, 'piped');
    const r = pipeline(`${TG} run --trials 20000 --out ${shellWord(out)} -f csv | true`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /saved /);
    const folders = readdirSync(out).filter((f) => !f.startsWith('.'));
    assert.equal(folders.length, 1);
    assert.ok(existsSync(join(out, folders[0]!, 'results.csv')));
  });
  it('a write to /dev/full is one line and exit 2, never "expect failed" nor a stack trace', { skip: !existsSync('/dev/full') }, async () => {
    for (const args of [['run', gate, '--trials', '20000'], ['schema']]) {
      const fd = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], timeout: CLI_TIMEOUT_MS });
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /twogenerals: cannot write the output: no space left on the device/);
        assert.doesNotMatch(r.stderr, STACK_LINE);
      } finally {
        closeSync(fd);
      }
    }
  });
});

// --- 4. a precision never reached -------------------------------------------------------------
describe('4. --precision never reached', () => {
  it('is warned about on stderr and recorded in the manifest', async () => {
    const out = join(dir, 'precision');
    const r = await cliIn(['run', '--precision', '1e-12', '--set', 'trials={precision: 1e-12, maxTrials: 100000}', '-f', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /warning: seed-foot-soldiers \(loss=0\.5, redundancy=2, rounds=1\): precision 1e-12 not reached: stopped at maxTrials, 100,000 trials/,
    );
    const [folder] = readdirSync(out);
    const manifest = json(join(out, folder!, 'manifest.json'));
    assert.equal(manifest['precisionNotReached'].length, 1);
    assert.equal(manifest['precisionNotReached'][0].trials, 100000);
  });
  it('a precision reached says nothing and records none', async () => {
    const out = join(dir, 'precision-ok');
    const r = await cliIn(['run', '--precision', '0.01', '-f', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /not reached/);
    const [folder] = readdirSync(out);
    assert.deepEqual(json(join(out, folder!, 'manifest.json'))['precisionNotReached'], []);
  });
});

// --- 6-14. bad input: exit 2 and one readable line ---------------------------------------------
describe('6-14. bad input: exit 2, one readable line', () => {
  const bigScenario = file('big.yaml', `protocol: messenger\njunk:\n${'  - 12345678\n'.repeat(100_000)}`);
  const sparse = (name: string, size: number): string => {
    const path = file(name, '');
    truncateSync(path, size);
    return path;
  };
  const bomb = file(
    'bomb.yaml',
    'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nprotocol: messenger\n',
  );
  const random = file('random.csv', Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256)));
  const randomYaml = file('random.yaml', Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 104729 + 7) % 256)));
  const results = succeeded(cli(['run', 'scenarios/handshake-regress.yaml', '--trials', '2000', '-f', 'csv']));
  const lines = results.trimEnd().split('\n');
  const ragged = file('ragged.csv', [lines[0], lines[1], lines[2]!.split(',').slice(0, -3).join(','), ...lines.slice(3)].join('\n'));
  const nonNumeric = file('nonnumeric.csv', [lines[0], lines[1]!.replace(/,0\.\d+,/, ',abc,'), ...lines.slice(2)].join('\n'));
  /** The first row with one column's value replaced. */
  const withValue = (name: string, column: string, value: string): string => {
    const header = lines[0]!.split(',');
    const row = lines[1]!.split(',');
    row[header.indexOf(column)] = value;
    return file(name, [lines[0], row.join(','), ...lines.slice(2)].join('\n'));
  };
  const aboveOne = withValue('above-one.csv', 'disagreement', '1.5');
  const negativeLow = withValue('negative-low.csv', 'success_low', '-0.2');
  const countOver = withValue('count-over.csv', 'both', '999999');
  const countHalf = withValue('count-half.csv', 'onlyA', '2.5');
  const binaryLoss = file('binary-loss.yaml', 'protocol: messenger\nloss: !!binary aGVsbG8=\n');
  const dateInSweep = file('date-sweep.yaml', 'protocol: messenger\nsweep: {loss: [0.1, !!timestamp 2001-12-14]}\n');
  const foreign = file('people.csv', 'name,age\nbob,3\nann,5\n');
  const utf16 = file('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('protocol: messenger\n', 'utf16le')]));
  const utf16be = file('utf16be.yaml', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('protocol: messenger\n', 'utf16le').swap16()]));
  const multi = file('multi.yaml', 'protocol: messenger\n---\nprotocol: handshake\n');
  const bigSeed = file('seed.yaml', 'protocol: messenger\nseed: 123456789012345678901\n');
  const sciSeed = file('sci-seed.yaml', 'protocol: messenger\nseed: 1e3\n');
  const hexSeed = file('hex-seed.yaml', 'protocol: messenger\nseed: 0x3e8\n');
  const hexSeedJson = file('hex-seed.json', '{"protocol": "messenger", "seed": 0x3e8}');
  const unreadable = file('unreadable.yaml', 'protocol: messenger\n');
  const plainFile = file('plain-file', 'x');

  const cases: [string, string[], RegExp][] = [
    // 6. size limits
    ['a scenario over 1 MB', ['run', bigScenario], /big\.yaml: the scenario file is larger than 1 MB/],
    ['a shard over 64 MB', ['merge', sparse('huge.json', 65 * 1024 * 1024)], /huge\.json: the results file is larger than 64 MB/],
    ['a CSV over 64 MB', ['plot', sparse('huge.csv', 65 * 1024 * 1024)], /huge\.csv: the CSV file is larger than 64 MB/],
    // 7. malformed input is exit 2, not 3
    ['a YAML alias bomb', ['run', bomb], /bomb\.yaml:\d+:\d+: malformed YAML: its aliases \(\*name\) expand to too much/],
    ['plot of random bytes', ['plot', random], /random\.csv: not a text file/],
    ['run of random bytes', ['run', randomYaml], /random\.yaml: not a text file/],
    [
      'plot of ragged CSV rows',
      ['plot', ragged],
      /ragged\.csv: not a CSV file twogenerals can read: a row has a different number of values than the header on line 3/,
    ],
    // 8. foreign CSV and non-numbers
    [
      "plot of another tool's CSV",
      ['plot', foreign],
      /people\.csv: not results of twogenerals run: missing columns 'scenario', 'protocol', 'channel', 'trials'/,
    ],
    ['plot of a non-numeric value', ['plot', nonNumeric], /nonnumeric\.csv: row 1, column \w+: 'abc' is not a number/],
    // numbers twogenerals could not have written: not drawn as points
    ['plot of a probability above 1', ['plot', aboveOne], /above-one\.csv: row 1, column disagreement: 1\.5 is not a probability \(0 to 1\)/],
    ['plot of a negative interval end', ['plot', negativeLow], /negative-low\.csv: row 1, column success_low: -0\.2 is not a probability/],
    ['plot of a count above the trials', ['plot', countOver], /count-over\.csv: row 1, column both: 999999 is not a count of the row's 2000 trials/],
    ['plot of a fractional count', ['plot', countHalf], /count-half\.csv: row 1, column onlyA: 2\.5 is not a count/],
    [
      'plot of a CSV without the metric',
      [
        'plot',
        file('nometric.csv', 'scenario,protocol,channel,redundancy,trials\na,messenger,bernoulli,1,10\na,messenger,bernoulli,2,10\n'),
        '--metric',
        'success',
      ],
      /nometric\.csv: missing columns 'success', 'success_low', 'success_high'/,
    ],
    // 9. path errors never hang
    ['--out under /proc', ['run', '--trials', '1000', '--out', '/proc/twogenerals-x'], /--out \/proc\/twogenerals-x: cannot save results there: /],
    ['--out under a file', ['run', '--trials', '1000', '--out', join(plainFile, 'sub')], /cannot save results there: it is not a directory/],
    ['--out under /dev/null', ['run', '--trials', '1000', '--out', '/dev/null/x'], /cannot save results there: it is not a directory/],
    [
      'plot -o into a missing directory',
      ['plot', 'scenarios/handshake-regress.yaml', '--trials', '1000', '-o', join(dir, 'no', 'such', 'chart.svg')],
      /cannot write the chart: no such file or directory/,
    ],
    // 11. the user's words
    [
      '--set channel.after=2 on the default scenario',
      ['run', '--set', 'channel.after=2'],
      /--set channel\.after=2: channel 'bernoulli' has no parameter 'after' \(after belongs to the cut channel\)/,
    ],
    [
      '--set channel.goodToBad on a cut channel',
      ['run', '--set', 'channel=cut', '--set', 'channel.goodToBad=0.1'],
      /channel 'cut' has no parameter 'goodToBad' \(goodToBad belongs to the gilbert-elliott channel\); it takes after, direction/,
    ],
    [
      'plan --vary beyond the range',
      ['plan', '--target', 'success>=0.9', '--vary', 'redundancy=1:1000000'],
      /^twogenerals: --vary redundancy=1:1000000: redundancy's range end must be at most 1000/,
    ],
    ['plan --vary of an unknown parameter', ['plan', '--target', 'success>=0.9', '--vary', 'bogus=1:3'], /^twogenerals: --vary bogus=1:3: unknown key 'bogus'/],
    ['a UTF-16 file', ['run', utf16], /utf16\.yaml: the scenario file is UTF-16 text; save it as UTF-8/],
    ['a UTF-16 big-endian file', ['validate', utf16be], /utf16be\.yaml: the scenario file is UTF-16 text; save it as UTF-8/],
    ['a multi-document YAML file', ['run', multi], /multi\.yaml:2:1: malformed YAML: the file holds more than one document/],
    ['a multi-document YAML file given to validate', ['validate', multi], /multi\.yaml:2:1: malformed YAML: the file holds more than one document/],
    ['a multi-document YAML file given to trace', ['trace', multi, '--trial', '1'], /multi\.yaml:2:1: malformed YAML: the file holds more than one document/],
    ['a directory', ['run', dir], /cannot read the scenario file: it is a directory/],
    ['a missing file', ['run', join(dir, 'nope.yaml')], /nope\.yaml: cannot read the scenario file: no such file or directory/],
    ['a missing shard file', ['merge', join(dir, 'nope.json')], /nope\.json: cannot read the results file: no such file or directory/],
    ['an empty shard file', ['merge', file('empty-shard.json', '')], /empty-shard\.json: the file is empty: not a shard file/],
    ['a missing results file for plot', ['plot', join(dir, 'nope.csv')], /nope\.csv: cannot read the CSV file: no such file or directory/],
    // 12. values that would collide
    [
      'a YAML seed beyond 2^53',
      ['run', bigSeed],
      /seed\.yaml:2:7: seed 123456789012345678901 is beyond 2\^53, too large to be kept exactly as a number; quote it/,
    ],
    ['--set seed beyond 2^53', ['run', '--set', 'seed=123456789012345678901'], /--set seed=123456789012345678901: seed 123456789012345678901 is beyond 2\^53/],
    // a whole number written otherwise runs as its decimal: the same streams as that seed, not those of --seed with the text
    [
      'a YAML seed written 1e3',
      ['run', sciSeed],
      /sci-seed\.yaml:2:7: seed 1e3 is read as the number 1000, the same seed as 1000 \(and not what --seed 1e3 gives\); write seed: 1000, or quote it/,
    ],
    ['a seed written 0x3e8', ['run', hexSeed], /hex-seed\.yaml:.*: seed 0x3e8 is read as the number 1000/],
    ['a seed written 0x3e8 in JSON', ['run', hexSeedJson], /hex-seed\.json:1:35: malformed JSON: a number JSON does not allow \("0x3e8"\)/],
    ['--set seed=1000.0', ['run', '--set', 'seed=1000.0'], /--set seed=1000\.0: seed 1000\.0 is read as the number 1000/],
    ['--set loss= (empty)', ['run', '--set', 'loss='], /--set loss=: give loss a value/],
    ['--set loss=  (blank)', ['run', '--set', 'loss=  '], /give loss a value/],
    ['--seed empty', ['run', '--seed', ''], /--seed : give a seed/],
    // a YAML 1.1 tag's value is named as what it is, not asked for a mapping's keys
    ['a !!binary loss', ['run', binaryLoss], /binary-loss\.yaml:2:16: loss is binary data \(!!binary\), which no scenario value is/],
    ['a !!timestamp in a sweep', ['validate', dateInSweep], /date-sweep\.yaml:2:\d+: sweep\.loss\.1 is a date \(!!timestamp\)/],
    [
      '--set loss=!!binary',
      ['run', '--set', 'loss=!!binary aGVsbG8='],
      /--set loss=!!binary aGVsbG8=: loss must be a number or a mapping \(got '!!binary aGVsbG8='\)/,
    ],
    [
      '--set a mapping holding a !!set',
      ['run', '--set', 'sweep={loss: !!set {a}}'],
      /--set sweep=\{loss: !!set \{a\}\}: sweep\.loss is a set \(!!set\), which no scenario value is/,
    ],
    [
      '--set loss.AtoB a !!timestamp in a mapping',
      ['run', '--set', 'loss={AtoB: !!timestamp 2001-12-14, BtoA: 0.1}'],
      /--set loss=.*: loss\.AtoB is a date \(!!timestamp\)/,
    ],
    // a parameter `list` names that the file writes inside another key is pointed there
    [
      '--set a channel parameter at the top level',
      ['run', '--set', 'after=2'],
      /--set after=2: unknown key 'after' \(after is a parameter of the cut channel: give it in the channel object, channel: \{ model: cut, after: … \}, or --set channel\.after=…\); known keys:/,
    ],
    [
      '--set a direction of loss flat',
      ['run', '--set', 'lossAtoB=0.2'],
      /--set lossAtoB=0\.2: unknown key 'lossAtoB' \(give it as loss: \{ AtoB: … \}, or --set loss\.AtoB=…\); known keys:/,
    ],
    [
      "--set a role's crash rate flat",
      ['run', '--set', 'crashB=0.2'],
      /--set crashB=0\.2: unknown key 'crashB' \(give it as crash: \{ B: … \}, or --set crash\.B=…\); known keys:/,
    ],
    // a member every object has is no key: never followed into the prototype, never silently ignored
    ['--set __proto__.loss', ['run', '--set', '__proto__.loss=0.1'], /--set __proto__\.loss=0\.1: unknown key '__proto__'/],
    ['--sweep __proto__', ['run', '--sweep', '__proto__=1,2'], /--sweep __proto__=1,2: unknown key '__proto__'/],
    ['--set constructor.prototype', ['run', '--set', 'constructor.prototype.loss=0.2'], /unknown key 'constructor'/],
    // an empty file name is no file: not stdout, not the working folder
    ['plot -o empty', ['plot', 'scenarios/handshake-regress.yaml', '--trials', '1000', '-o', ''], /-o : plot writes SVG or PNG/],
    ['--junit empty', ['run', '--trials', '1000', '--junit', ''], /--junit : cannot write the JUnit report: give a file name/],
    ['--trials empty', ['run', '--trials', ''], /--trials : give a number of trials/],
    ['--trials null', ['run', '--trials', 'null'], /--trials null: give a number of trials/],
    ['--precision empty', ['run', '--precision', ''], /--precision : give a half-width/],
    // 14. exact and shards
    [
      'run --shard with --out',
      ['run', '--shard', '1/2', '--out', join(dir, 'shard-out')],
      /--shard 1\/2: a shard prints its counts as JSON for `twogenerals merge`, so --out does not apply/,
    ],
    ['run --shard with --format', ['run', '--shard', '1/2', '--format', 'csv'], /so --format does not apply/],
    ['run --shard with --exact', ['run', '--shard', '1/2', '--exact'], /so --exact does not apply/],
    ['exact --trials', ['exact', '--trials', '10'], /unknown option '--trials'/],
    ['exact --workers', ['exact', '--workers', '2'], /unknown option '--workers'/],
  ];
  if (process.getuid?.() !== 0) {
    // The file exists already (file() above): writeFileSync's mode applies only to a file it creates.
    chmodSync(unreadable, 0o000);
    cases.push(['an unreadable file', ['run', unreadable], /unreadable\.yaml: cannot read the scenario file: permission denied/]);
  }
  for (const [what, args, message] of cases) {
    it(what, async () => {
      // An oversized run that was not refused would never end, so exit 2 with the message is the proof.
      // A refusal needs no process of its own: in-process, as the CLI's own streams see it.
      assertOneLine(await cliInProcess(args), 2, message, what);
    });
  }

  it('--metric bogus lists each metric once, before running anything', async () => {
    const r = await cliIn(['plot', 'scenarios/redundancy-vs-loss.yaml', '--metric', 'bogus']);
    assertOneLine(r, 2, /--metric bogus: unknown metric/, 'metric');
    const names = r.stderr.split('choose one of: ')[1]!.trim().split(', ');
    assert.deepEqual(names, [...new Set(names)]);
  });
});

// --- 10. no command ----------------------------------------------------------------------------
describe('10. no command, or help on an unknown one', () => {
  it('bare twogenerals prints the help on stderr, exit 2', async () => {
    const r = await cliIn([]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: twogenerals/);
    assert.match(r.stderr, /run \[options\] \[files\.\.\.\]/);
  });
  it('twogenerals with only options every command takes (--quiet, --color, --no-color, --no-github) is no command either', async () => {
    for (const args of [['--quiet'], ['--color'], ['--no-color'], ['--no-github'], ['--quiet', '--no-color']]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^Usage: twogenerals/);
    }
    assert.equal(succeeded(await cliIn(['--version'])).trim(), succeeded(await cliIn(['--quiet', '-V'])).trim());
  });
  it('help bogus says so and prints the help on stderr, exit 2', async () => {
    const r = await cliIn(['help', 'bogus']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: help: unknown command 'bogus'\nUsage: twogenerals/);
  });
  it('help run and help still print the help on stdout, exit 0', async () => {
    assert.match(succeeded(await cliIn(['help', 'run'])), /Usage: twogenerals run/);
    assert.equal((await cliIn(['help'])).status, 0);
  });
});

// --- 13. terminal and document safety ------------------------------------------------------------
describe('13. escape sequences and markup in a scenario are neutralized', () => {
  const hostile = file(
    'hostile.yaml',
    'protocol: messenger\ndescription: "\\e]0;pwned\\a\\e[2J\\e[31mred\\u009b1m <script>alert(1)</script> **bold** [x](http://e) | pipe"\n',
  );
  it('on the terminal (table)', async () => {
    const r = await cliIn(['run', hostile, '--trials', '1000'], { FORCE_COLOR: '1' });
    assert.equal(r.status, 0, r.stderr);
    const description = r.stdout.split('\n').find((l) => l.includes('pwned'))!;
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(description.replace(/\u001b\[(2|22|39|90|0)m/g, ''), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(description, /\\x1b\]0;pwned\\x07\\x1b\[2J/);
  });
  it('in Markdown', async () => {
    const r = await cliIn(['run', hostile, '--trials', '1000', '--format', 'markdown']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /<script>/);
    assert.match(r.stdout, /&lt;script&gt;alert\(1\)&lt;\/script&gt; \\\*\\\*bold\\\*\\\* \\\[x\\\]\(http:\/\/e\) \\\| pipe/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
  it('in error messages', async () => {
    const r = await cliIn(['run', file('hostile-key.yaml', 'protocol: messenger\n"\\e[2Jbad": 1\n')]);
    assertOneLine(r, 2, /unknown key '\\x1b\[2Jbad'/, 'key');
  });
});

// --- 14. exact shows only what exact output means -------------------------------------------------
describe('14. exact', () => {
  it('--help offers no trial options', async () => {
    const r = await cliIn(['exact', '--help']);
    assert.equal(r.status, 0);
    for (const flag of ['--trials', '--seed', '--precision', '--workers', '--confidence']) assert.doesNotMatch(r.stdout, new RegExp(flag));
    for (const flag of ['--set', '--sweep', '--format']) assert.match(r.stdout, new RegExp(flag));
  });
  it('-f csv and json carry exact columns only', async () => {
    const csv = await cliIn(['exact', 'scenarios/two-phase-commit.yaml', '-f', 'csv']);
    assert.equal(csv.status, 0, csv.stderr);
    const header = csv.stdout.split('\n')[0]!.split(',');
    assert.ok(header.includes('committed_exact') && header.includes('success_exact') && header.includes('messengers_exact'));
    for (const column of ['trials', 'success', 'success_low', 'success_z', 'committed', 'messengers_mean']) assert.ok(!header.includes(column), column);
    const out = JSON.parse(succeeded(await cliIn(['exact', 'scenarios/two-phase-commit.yaml', '-f', 'json'])));
    assert.deepEqual(out.columns, header);
  });
  it('the table has no intervals', async () => {
    const r = await cliIn(['exact']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /±|Wilson/);
  });
});
