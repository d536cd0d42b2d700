import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { buildProgram } from '../src/cli/main.js';
import { ROOT, cli, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/** A protocol file with outcomes and a parameter of its own, as a new user writes one. */
const PROTOCOL = `export default ({ SEND, END, A_TO_B }) => ({
  name: 'beacon',
  outcomes: { names: ['lit', 'dark'], success: [0], disagreement: [1] },
  parameters: [{ name: 'spare', description: 'unused', minimum: 0, maximum: 3, default: 1, integer: true }],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'beacon'; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'lit' : 'dark'),
});
`;
const SCENARIO = `protocol: ./beacon.mjs
spare: 2
redundancy: 1
trials: 20000
seed: 5
sweep:
  loss: [0.1, 0.3]
expect:
  - metric: dark
    atMost: 0.5
`;

/** A project: the scenario and its protocol in a subfolder, shards and commands elsewhere. */
function project(): string {
  return withFolders({ 'sub/beacon.mjs': PROTOCOL, 'sub/beacon.yaml': SCENARIO, 'shards/': '', 'third/': '' });
}

/** tempFiles with folders: a path ending in / is a folder. */
function withFolders(files: Record<string, string>): string {
  const dir = tempFiles({});
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path.endsWith('/') ? path : join(path, '..')), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(join(dir, path), text);
  }
  return dir;
}

const run = (cwd: string, args: readonly string[]): CliResult => cli(args, {}, cwd);

/**
 * The commands of COMMANDS that run from the project's folder and load its protocol file, run the first
 * time one is asked for, together in one CLI process (cli-series.ts); any other command runs as `run`.
 */
function projectRuns(dir: string): (cwd: string, args: readonly string[]) => CliResult {
  const lines = [
    ['run', 'sub/beacon.yaml', '-f', 'csv'],
    ['exact', 'sub/beacon.yaml', '-f', 'csv'],
    ['trace', 'sub/beacon.yaml', '--first', 'dark'],
    ['plot', 'sub/beacon.yaml', '--metric', 'dark'],
    ['plan', 'sub/beacon.yaml', '--target', 'dark<=0.01', '--vary', 'redundancy=1:6', '--set', 'loss=0.3'],
    ['run', 'sub/beacon.yaml', '--shard', '1/2'],
    ['run', 'sub/beacon.yaml', '--shard', '2/2'],
    ['validate', 'sub/beacon.yaml'],
    ['list', '--protocol', 'sub/beacon.mjs'],
    ['check', 'sub/beacon.mjs'],
    ['schema', 'sub/beacon.yaml'],
  ];
  let results: Map<string, CliResult> | undefined;
  return (cwd, args) => {
    if (cwd === dir) {
      results ??= new Map(cliSeries(lines, {}, dir).map((r, i) => [JSON.stringify(lines[i]), r]));
      const r = results.get(JSON.stringify(args));
      if (r) return r;
    }
    return run(cwd, args);
  };
}

/**
 * Every command, run on the protocol-file scenario from the project's folder: what it must print.
 * A command missing here fails the first test, so a new command gets this test when it is added.
 */
const COMMANDS: Record<string, (dir: string, run: (cwd: string, args: readonly string[]) => CliResult) => void> = {
  run(dir, run) {
    const r = run(dir, ['run', 'sub/beacon.yaml', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /,spare,trials,seed,lit,dark,success,/);
  },
  exact(dir, run) {
    const r = run(dir, ['exact', 'sub/beacon.yaml', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /lit_exact,dark_exact/);
  },
  trace(dir, run) {
    const r = run(dir, ['trace', 'sub/beacon.yaml', '--first', 'dark']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dark/);
  },
  plot(dir, run) {
    const r = run(dir, ['plot', 'sub/beacon.yaml', '--metric', 'dark']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^<svg/);
  },
  plan(dir, run) {
    const r = run(dir, ['plan', 'sub/beacon.yaml', '--target', 'dark<=0.01', '--vary', 'redundancy=1:6', '--set', 'loss=0.3']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dark ≤ 0\.01/);
  },
  merge(dir, run) {
    for (const i of [1, 2]) writeFileSync(join(dir, 'shards', `${i}.json`), run(dir, ['run', 'sub/beacon.yaml', '--shard', `${i}/2`]).stdout);
    const merged = run(join(dir, 'third'), ['merge', '../shards/1.json', '../shards/2.json', '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, run(dir, ['run', 'sub/beacon.yaml', '-f', 'csv']).stdout);
  },
  validate(dir, run) {
    const r = run(dir, ['validate', 'sub/beacon.yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ok \(beacon: beacon over bernoulli, 2 cells\)/);
  },
  list(dir, run) {
    const r = run(dir, ['list', '--protocol', 'sub/beacon.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /outcomes: lit, dark/);
    assert.match(r.stdout, /spare .*\[beacon\]/);
  },
  check(dir, run) {
    const r = run(dir, ['check', 'sub/beacon.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ok — protocol beacon/);
  },
  schema(dir, run) {
    const r = run(dir, ['schema', 'sub/beacon.yaml']);
    assert.equal(r.status, 0, r.stderr);
    const schema = JSON.parse(r.stdout);
    assert.deepEqual(schema.properties.expect.items.properties.metric.enum, ['success', 'disagreement', 'lit', 'dark']);
    assert.equal(schema.properties.spare.maximum, 3);
    const validate = new Ajv({ allowUnionTypes: true }).compile(schema);
    assert.ok(validate(parse(SCENARIO)), JSON.stringify(validate.errors));
    assert.ok(!validate(parse(SCENARIO.replace('metric: dark', 'metric: both'))));
  },
  scenarios(dir, run) {
    // Lists the shipped scenarios; a protocol file is no input of it, and loading one must not disturb it.
    const r = run(dir, ['scenarios']);
    assert.equal(r.status, 0, r.stderr);
  },
  fit(dir, run) {
    // Fits channels to a loss trace; no protocol involved.
    writeFileSync(join(dir, 'trace.txt'), '0001000100000011000010000000100000000011'.repeat(20));
    const r = run(dir, ['fit', 'trace.txt']);
    assert.equal(r.status, 0, r.stderr);
  },
};

describe('every command takes a protocol file with its own outcomes and parameters', () => {
  const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, env: process.env });
  const names = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  it('every command is covered here', () => {
    assert.deepEqual(
      names.filter((n) => !(n in COMMANDS)),
      [],
      'add the new command to COMMANDS',
    );
  });
  const dir = project();
  const runs = projectRuns(dir);
  for (const name of names) {
    it(name, () => COMMANDS[name]?.(dir, runs));
  }

  it('the shipped schema accepts every shipped scenario and example, a protocol file with its parameters, and refuses an unknown key of a built-in', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'scenario.schema.json'), 'utf8'));
    const validate = new Ajv({ allowUnionTypes: true }).compile(schema);
    const files = ['scenarios', 'examples'].flatMap((folder) =>
      readdirSync(join(ROOT, folder))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(ROOT, folder, f)),
    );
    assert.ok(files.length >= 10);
    for (const file of [...files, join(dir, 'sub', 'beacon.yaml')])
      assert.ok(validate(parse(readFileSync(file, 'utf8'))), `${file}: ${JSON.stringify(validate.errors)}`);
    assert.ok(!validate({ protocol: 'messenger', spare: 2 }));
    assert.ok(!validate({ protocol: 'messenger', expect: [{ metric: 'dark', atMost: 0.1 }] }));
    assert.ok(!validate({ protocol: './beacon.mjs', spare: 'two' }));
  });

  it('three-phase-commit shards merge, from another folder, to the bytes of the whole run', () => {
    const work = withFolders({
      'x/three-phase-commit.yaml': readFileSync(join(ROOT, 'examples', 'three-phase-commit.yaml'), 'utf8'),
      'x/protocols/three-phase-commit.mjs': readFileSync(join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'), 'utf8'),
    });
    // The two shards and the whole run in one CLI process (cli-series.ts).
    const [whole, ...shards] = cliSeries(
      [
        ['run', 'x/three-phase-commit.yaml', '--trials', '30000', '-f', 'csv'],
        ...[1, 2].map((i) => ['run', 'x/three-phase-commit.yaml', '--trials', '30000', '--shard', `${i}/2`]),
      ],
      {},
      work,
    );
    for (const [i, shard] of shards.entries()) writeFileSync(join(work, `${i + 1}.json`), shard.stdout);
    const merged = run(work, ['merge', '1.json', '2.json', '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole!.stdout);
  });

  it("shards run in the scenario's own folder and written elsewhere merge from a third folder (the scenario recorded by its full path)", () => {
    const dir = project();
    const [whole, ...runs] = cliSeries(
      [['run', 'beacon.yaml', '--trials', '2000', '-f', 'csv'], ...[1, 2].map((i) => ['run', 'beacon.yaml', '--trials', '2000', '--shard', `${i}/2`])],
      {},
      join(dir, 'sub'),
    );
    const shards = runs.map((shard, i) => {
      assert.equal(shard.status, 0, shard.stderr);
      writeFileSync(join(dir, 'shards', `${i + 1}.json`), shard.stdout);
      return join(dir, 'shards', `${i + 1}.json`);
    });
    const merged = run(join(dir, 'third'), ['merge', ...shards, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole!.stdout);
  });

  it('merge says where it looked for a protocol file it cannot find, and --protocol-dir finds it', () => {
    const work = withFolders({ 'a/beacon.mjs': PROTOCOL, 'a/beacon.yaml': SCENARIO, 'moved/beacon.mjs': PROTOCOL });
    cliSeries(
      [1, 2].map((i) => ['run', 'a/beacon.yaml', '--shard', `${i}/2`]),
      {},
      work,
    ).forEach((shard, i) => writeFileSync(join(work, `${i + 1}.json`), shard.stdout));
    writeFileSync(join(work, 'a', 'beacon.mjs'), PROTOCOL.replace("'lit' : 'dark'", "'on' : 'off'"));
    // The four merges in one CLI process.
    const [lost, found, before, twice] = cliSeries(
      [
        ['merge', '1.json', '2.json'],
        ['merge', '1.json', '2.json', '--protocol-dir', 'moved', '-f', 'csv'],
        // The flag takes one folder: the shards after it stay shards, and it repeats.
        ['merge', '--protocol-dir', 'moved', '1.json', '2.json', '-f', 'csv'],
        ['merge', '--protocol-dir', 'a', '--protocol-dir', 'moved', '1.json', '2.json', '-f', 'csv'],
      ],
      {},
      work,
    ) as [CliResult, CliResult, CliResult, CliResult];
    assert.equal(lost.status, 2);
    assert.match(lost.stderr, /beacon\.mjs .*was not found; looked at .*a\/beacon\.mjs \(another sha256\).*--protocol-dir/);
    assert.equal(found.status, 0, found.stderr);
    assert.equal(before.status, 0, before.stderr);
    assert.equal(before.stdout, found.stdout);
    assert.equal(twice.status, 0, twice.stderr);
    assert.equal(twice.stdout, found.stdout);
  });
});
