import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries, cliSeriesOnce } from './cli-series.js';

/**
 * A protocol file whose parameter `participants` is two-phase commit's name with a range of its
 * own (1 to `maximum`): A sends each participant one message in round 1, and a trial succeeds
 * when every one arrives, so a cell's exact messenger cost is its participants at 1 copy, a
 * figure that tells which cell's value the file ran with.
 */
const allHear = (name: string, maximum: number, extra = ''): string => `export default ({ SEND, END, A_TO_B }) => ({
  name: '${name}',
  outcomes: { names: ['heard', 'missed'], success: [0], disagreement: [1] },
  parameters: [
    { name: 'participants', description: 'receivers of ${name}, one message each', integer: true, minimum: 1, maximum: ${maximum}, default: 2 },${extra}
  ],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] < c.participants) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1]; }
  },
  resolve(s, c, step, r) { if (r === 0) s[1] = 1; s[0] += 1; },
  describe: (s) => s[0] + ' sent',
});
`;

const scenario = (protocol: string, more = ''): string => `protocol: ${protocol}\nloss: 0.5\nredundancy: 1\ntrials: 400\nseed: 7\n${more}`;

/** The CSV as records by column name, and its header. */
function csvRecords(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = text.trim().split('\n');
  const header = head!.split(',');
  return { header, rows: lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v]))) };
}

const dir = tempFiles({
  'all.mjs': allHear('all-hear', 4),
  'other.mjs': allHear('other-hear', 3),
  'all.yaml': scenario('./all.mjs'),
  'other.yaml': scenario('./other.mjs'),
  '2pc.yaml': scenario('two-phase-commit'),
  'all-to-6.yaml': scenario('./all.mjs', 'sweep:\n  participants: { from: 1, to: 6 }\n'),
  'all-to-4.yaml': scenario('./all.mjs', 'sweep:\n  participants: { from: 1, to: 4 }\n'),
  '2pc-to-6.yaml': scenario('two-phase-commit', 'sweep:\n  participants: { from: 1, to: 6 }\n'),
  'messenger.yaml': scenario('messenger', 'participants: 3\n'),
  'all-3.yaml': scenario('./all.mjs', 'participants: 3\n'),
  'all-4.yaml': scenario('./all.mjs', 'participants: 4\n'),
});
const at = (name: string): string => join(dir, name);
const run = ['run', '--workers', '1', '-f', 'csv'];

const series = cliSeriesOnce([
  [...run, at('2pc.yaml'), at('all.yaml'), '--sweep', 'participants=1:6'],
  [...run, at('2pc-to-6.yaml'), at('all-to-4.yaml')],
  [...run, at('2pc-to-6.yaml'), at('all-to-6.yaml')],
  [...run, at('2pc.yaml'), at('all.yaml'), '--set', 'participants=4'],
  [...run, at('2pc.yaml'), at('all.yaml'), '--set', 'participants=5'],
  [...run, at('2pc.yaml'), '--set', 'participants=65'],
  ['list', '--protocol', at('all.mjs')],
  ['schema', '--protocol', at('all.mjs')],
  ['validate', at('all-to-6.yaml')],
  ['plan', at('all.yaml'), '--target', 'heard>=0.1', '--vary', 'participants=1:6', '-f', 'csv', '--workers', '1'],
  [...run, at('all.yaml'), at('messenger.yaml')],
]);

describe("a protocol file's parameter named like two-phase commit's (participants)", () => {
  it('is refused for the file in a sweep past its own range, naming that range, in one command beside the built-in', () => {
    const [swept] = series() as [CliResult];
    assert.equal(swept.status, 2, swept.stderr);
    assert.equal(swept.stdout, '');
    assert.match(
      swept.stderr,
      /--sweep participants=1:6: sweep\.participants\.to must be at most 4 \(got 6\) \(the all-hear protocol's participants: integer 1\.\.4; other protocols declare participants with a range of their own\)\n$/,
    );
    const [, , , , , , , , validated] = series() as CliResult[];
    assert.equal(validated!.status, 2);
    assert.match(
      validated!.stderr,
      /all-to-6\.yaml:\d+:\d+: sweep\.participants\.to must be at most 4 \(got 6\) \(the all-hear protocol's participants: integer 1\.\.4;/,
    );
    const [, , refused] = series() as CliResult[];
    assert.equal(refused!.status, 2);
    assert.equal(refused!.stdout, '');
    assert.match(refused!.stderr, /all-to-6\.yaml:\d+:\d+: sweep\.participants\.to must be at most 4 \(got 6\)/);
  });

  it("runs each scenario's sweep in its own range: built-in cells to 6, the file's to 4, in one shared column", () => {
    const [, both] = series() as CliResult[];
    assert.equal(both!.status, 0, both!.stderr);
    const { header, rows } = csvRecords(both!.stdout);
    assert.equal(header.filter((c) => c === 'participants').length, 1, header.join(','));
    const of = (protocol: string): string[] => rows.filter((r) => r['protocol'] === protocol).map((r) => r['participants']!);
    assert.deepEqual(of('two-phase-commit'), ['1', '2', '3', '4', '5', '6']);
    assert.deepEqual(of('all-hear'), ['1', '2', '3', '4']);
    // The file ran each cell with its own participants: one message each, at 1 copy.
    for (const r of rows.filter((r) => r['protocol'] === 'all-hear')) assert.equal(r['messengers_exact'], r['participants']);
    // A column the file's protocol does not have is left empty in its rows (two-phase commit's abortRate).
    assert.ok(rows.filter((r) => r['protocol'] === 'all-hear').every((r) => r['abortRate'] === ''));
    assert.ok(rows.filter((r) => r['protocol'] === 'two-phase-commit').every((r) => r['abortRate'] === '0'));
  });

  it("holds --set participants to each scenario's own protocol's range", () => {
    const [, , , four, five, sixtyFive] = series() as CliResult[];
    assert.equal(four!.status, 0, four!.stderr);
    const { rows } = csvRecords(four!.stdout);
    assert.deepEqual(
      rows.map((r) => [r['protocol'], r['participants']]),
      [
        ['two-phase-commit', '4'],
        ['all-hear', '4'],
      ],
    );
    assert.equal(rows[1]!['messengers_exact'], '4');
    assert.equal(five!.status, 2);
    assert.equal(five!.stdout, '');
    assert.match(five!.stderr, /--set participants=5: participants must be at most 4 \(got 5\) \(the all-hear protocol's participants: integer 1\.\.4;/);
    assert.equal(sixtyFive!.status, 2);
    assert.match(sixtyFive!.stderr, /--set participants=65: participants must be at most 64 \(got 65\)/);
  });

  it("is listed, and given by the file's schema, with the file's own range beside two-phase commit's", () => {
    const [, , , , , , listed, schema] = series() as CliResult[];
    assert.equal(listed!.status, 0, listed!.stderr);
    assert.match(listed!.stdout, /\n {2}participants cohorts of the coordinator; integer 1\.\.64; default 3 \[two-phase-commit\]\n/);
    assert.match(listed!.stdout, /\n {2}participants receivers of all-hear, one message each; integer 1\.\.4; default 2 \[all-hear\]\n/);
    assert.equal(schema!.status, 0, schema!.stderr);
    const properties = JSON.parse(schema!.stdout).properties;
    assert.equal(properties.participants.maximum, 4);
    assert.equal(properties.participants.default, 2);
    assert.equal(properties.sweep.properties.participants.items.maximum, 4);
    assert.equal(properties.abortRate, undefined, "two-phase commit's other parameter is not the file's");
  });

  it("holds plan --vary to the file's range", () => {
    const planned = (series() as CliResult[])[9]!;
    assert.equal(planned.status, 2);
    assert.match(planned.stderr, /--vary participants=1:6: .*must be at most 4 \(got 6\) \(the all-hear protocol's participants: integer 1\.\.4;/);
  });
});

describe('a shared parameter name set for a protocol that declares none of it', () => {
  it('is refused, naming every protocol that declares it', () => {
    const refused = (series() as CliResult[])[10]!;
    assert.equal(refused.status, 2);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /messenger\.yaml:\d+:\d+: participants applies only to the two-phase-commit and all-hear protocols, not to messenger\n$/);
  });
});

describe('two protocol files that share a parameter name', () => {
  it('run in one command, each held to its own range, into one column', () => {
    const [shared, past] = cliSeries([
      [...run, at('all.yaml'), at('other.yaml'), '--sweep', 'participants=1:3'],
      [...run, at('all.yaml'), at('other.yaml'), '--sweep', 'participants=1:4'],
    ]) as [CliResult, CliResult];
    assert.equal(shared.status, 0, shared.stderr);
    const { header, rows } = csvRecords(shared.stdout);
    assert.equal(header.filter((c) => c === 'participants').length, 1);
    assert.deepEqual(
      rows.map((r) => `${r['protocol']} ${r['participants']} ${r['messengers_exact']}`),
      ['all-hear 1 1', 'all-hear 2 2', 'all-hear 3 3', 'other-hear 1 1', 'other-hear 2 2', 'other-hear 3 3'],
    );
    assert.equal(past.status, 2);
    assert.match(past.stderr, /sweep\.participants\.to must be at most 3 \(got 4\) \(the other-hear protocol's participants: integer 1\.\.3;/);
  });

  it("keep a file's value under --set protocol=the other file, held to the other's range, not called left behind", () => {
    const [kept, past] = cliSeries([
      [...run, at('all-3.yaml'), '--set', 'protocol=./other.mjs'],
      [...run, at('all-4.yaml'), '--set', 'protocol=./other.mjs'],
    ]) as [CliResult, CliResult];
    assert.equal(kept.status, 0, kept.stderr);
    assert.deepEqual(
      csvRecords(kept.stdout).rows.map((r) => `${r['protocol']} ${r['participants']} ${r['messengers_exact']}`),
      ['other-hear 3 3'],
    );
    assert.equal(past.status, 2);
    assert.match(
      past.stderr,
      /^twogenerals: [^\n]*all-4\.yaml:6:15: participants must be at most 3 \(got 4\) \(the other-hear protocol's participants: integer 1\.\.3;[^\n]*\n$/,
    );
    assert.doesNotMatch(past.stderr, /was written for its/);
  });
});

describe('results over a shared parameter name', () => {
  it('are drawn by plot --x participants, one line per scenario, and merge from shards and results.json as run prints them', () => {
    const files = tempFiles({});
    const both = [at('2pc-to-6.yaml'), at('all-to-4.yaml'), '--workers', '1'];
    const [direct, shard1, shard2, saved] = cliSeries([
      ['run', ...both, '-f', 'csv'],
      ['run', ...both, '--shard', '1/2'],
      ['run', ...both, '--shard', '2/2'],
      ['run', ...both, '--out', join(files, 'out'), '--quiet'],
    ]) as [CliResult, CliResult, CliResult, CliResult];
    for (const r of [direct, shard1, shard2, saved]) assert.equal(r.status, 0, r.stderr);
    writeFileSync(join(files, 'results.csv'), direct.stdout);
    writeFileSync(join(files, 's1.json'), shard1.stdout);
    writeFileSync(join(files, 's2.json'), shard2.stdout);
    const [folder] = readdirSync(join(files, 'out'));
    const [drawn, merged, again] = cliSeries([
      ['plot', join(files, 'results.csv'), '--x', 'participants', '--metric', 'success', '-o', join(files, 'chart.svg')],
      ['merge', join(files, 's1.json'), join(files, 's2.json'), '-f', 'csv'],
      ['merge', join(files, 'out', folder!, 'results.json'), '-f', 'csv'],
    ]) as [CliResult, CliResult, CliResult];
    assert.equal(drawn.status, 0, drawn.stderr);
    const svg = readFileSync(join(files, 'chart.svg'), 'utf8');
    assert.match(svg, />2pc-to-6</);
    assert.match(svg, />all-to-4</);
    assert.match(svg, />participants</);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, direct.stdout);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, direct.stdout);
  });
});

describe('a protocol parameter name that is still refused', () => {
  it("is a channel's, a common one, a crash rate, a column, another protocol's outcome, or one the file declares twice", () => {
    const named = (name: string, twice = false): string =>
      allHear(
        `named-${name.toLowerCase()}`,
        4,
        `\n    { name: '${name}', description: 'x', minimum: 0, maximum: 1, default: 0 },${twice ? `\n    { name: '${name}', description: 'y', minimum: 0, maximum: 1, default: 0 },` : ''}`,
      );
    const cases: [string, string, RegExp][] = [
      ['loss.mjs', named('loss'), /parameter 'loss' is already defined \(by the bernoulli channel\): rename it\n$/],
      ['rounds.mjs', named('rounds'), /parameter 'rounds' is already defined \(for every protocol\): rename it\n$/],
      ['crash.mjs', named('crash'), /parameter 'crash' is already defined/],
      ['trials.mjs', named('trials'), /parameter 'trials' is named like a column the tool writes or a scenario key/],
      ['blocked.mjs', named('blocked'), /parameter 'blocked' is named like outcome 'blocked' of the two-phase-commit protocol/],
      ['twice.mjs', named('abortRate', true), /parameters declares 'abortRate' twice/],
    ];
    const files = tempFiles(Object.fromEntries(cases.map(([file, text]) => [file, text])));
    const results = cliSeries(cases.map(([file]) => ['check', join(files, file)]));
    for (const [i, [file, , refusal]] of cases.entries()) {
      assert.equal(results[i]!.status, 2, `${file}: ${results[i]!.stdout}`);
      assert.match(results[i]!.stderr, refusal, file);
      assert.equal(results[i]!.stderr.split('\n').length, 2, `${file}: one line`);
    }
  });
});
