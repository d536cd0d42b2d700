import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, cli, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliIn } from './in-process.js';
import { cliSeries } from './cli-series.js';
import { succeeded } from './assert-cli.js';

/** Protocols written as files: run, exact, trace, check, shards, and every way a file can be wrong. */
const GOOD = (name: string, extra = '') => `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: '${name}',
  outcomes: GENERALS_OUTCOMES,
  parameters: [{ name: 'extraCopies', description: 'unused', minimum: 0, maximum: 3, default: 1 }],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    ${extra}
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'order'; }
    else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'B has the order' : 'B lacks the order'),
});
`;

describe('protocol files', () => {
  it('run exactly like the built-in protocol they copy, with exact values, and their parameter in the CSV', () => {
    const dir = tempFiles({
      'p.mjs': GOOD('file-messenger'),
      's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\ntrials: 100000\nseed: 1\nsweep: { extraCopies: [0, 2] }\n',
    });
    // The four commands in one process (cli-series.ts).
    const [r, one, exact, trace] = cliSeries([
      ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2'],
      ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'],
      ['exact', join(dir, 's.yaml'), '-f', 'csv'],
      ['trace', join(dir, 's.yaml'), '--trial', '3', '--format', 'mermaid'],
    ]) as [CliResult, CliResult, CliResult, CliResult];
    assert.equal(r.status, 0, r.stderr);
    const [header, row] = r.stdout.trim().split('\n');
    assert.match(header!, /extraCopies/);
    assert.match(row!, /^s,file-messenger,bernoulli,0\.3,1,1,0,100000,/);
    assert.match(header!, /success_exact/);
    assert.equal(succeeded(one), r.stdout, 'same bytes for any worker count');
    assert.equal(exact.status, 0, exact.stderr);
    assert.match(exact.stdout, /^s,file-messenger,bernoulli,0\.3,1,1,0,0\.7,0,0\.3,0,0\.7,0\.3,/m);
    assert.equal(trace.status, 0, trace.stderr);
    assert.match(trace.stdout, /sequenceDiagram/);
  });

  it('pass check, and the shipped examples do too', () => {
    const dir = tempFiles({ 'p.mjs': GOOD('checked-messenger') });
    const examples = ['three-phase-commit.mjs', 'tcp-handshake.mjs'];
    const [r, ...checked] = cliSeries([['check', join(dir, 'p.mjs')], ...examples.map((example) => ['check', join(ROOT, 'examples', 'protocols', example)])]);
    assert.equal(r!.status, 0, r!.stderr);
    assert.match(r!.stdout, /ok — protocol checked-messenger/);
    for (const e of checked) assert.equal(e.status, 0, e.stderr);
  });

  it('record a digest, and a scenario recording another digest is refused', () => {
    const dir = tempFiles({
      'p.mjs': GOOD('digest-messenger'),
      's.yaml': 'protocol: ./p.mjs\ntrials: 1000\n',
      't.yaml': `protocol: ./p.mjs\nprotocolDigest: ${'0'.repeat(64)}\ntrials: 1000\n`,
    });
    const [recorded, r] = cliSeries([
      ['run', join(dir, 's.yaml'), '-f', 'json'],
      ['run', join(dir, 't.yaml')],
    ]) as [CliResult, CliResult];
    const json = JSON.parse(succeeded(recorded)) as { scenarios: { protocolDigest: string }[] };
    assert.match(json.scenarios[0]!.protocolDigest, /^[0-9a-f]{64}$/);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not the one these results were made with/);
  });

  it('shard and merge to the bytes of the whole run, and merge refuses shards run with a different file', async () => {
    const dir = tempFiles({ 'p.mjs': GOOD('sharded-messenger'), 's.yaml': 'protocol: ./p.mjs\nloss: 0.4\nredundancy: 1\ntrials: 200000\nseed: 3\n' });
    const scenario = join(dir, 's.yaml');
    // The whole run and its shards in one process (cli-series.ts); merge reads no protocol file, so it runs in this one.
    const [whole, shard1, shard2] = cliSeries([
      ['run', scenario, '-f', 'csv', '--workers', '1'],
      ['run', scenario, '--shard', '1/2', '--workers', '1'],
      ['run', scenario, '--shard', '2/2', '--workers', '1'],
    ]) as [CliResult, CliResult, CliResult];
    assert.equal(whole.status, 0, whole.stderr);
    writeFileSync(join(dir, 'shard-1.json'), succeeded(shard1));
    writeFileSync(join(dir, 'shard-2.json'), succeeded(shard2));
    const merged = await cliIn(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json'), '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
    writeFileSync(join(dir, 'p.mjs'), GOOD('sharded-messenger').replace("'B has the order'", "'B holds the order'"));
    writeFileSync(join(dir, 'shard-2.json'), succeeded(cli(['run', scenario, '--shard', '2/2', '--workers', '1'])));
    const refused = await cliIn(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json')]);
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /shard-2\.json: cannot merge: its protocolDigest differs from .*shard-1\.json's: the protocol file, or a file it imports, changed between the runs\n$/,
    );
  });

  it('written as a module in a .js or .ts file that a package.json makes CommonJS are refused saying so, not as a syntax error', async () => {
    const dir = tempFiles({
      'package.json': '{ "name": "mine", "type": "commonjs" }\n',
      'p.js': GOOD('commonjs-js'),
      's.yaml': 'protocol: ./p.js\ntrials: 1000\n',
    });
    const r = await cliIn(['run', join(dir, 's.yaml'), '--workers', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /p\.js: is written as an ES module \(export default …\), but Node\.js loads this \.js file as CommonJS \(.*package\.json says "type": "commonjs"\): name it \.mjs, or give that package\.json "type": "module"\n$/,
    );
    assert.doesNotMatch(r.stderr, /syntax error|internal error|\n\s+at /);
    writeFileSync(join(dir, 'package.json'), '{ "name": "mine", "type": "module" }\n');
    assert.equal(cli(['run', join(dir, 's.yaml'), '--workers', '1']).status, 0, 'the same file runs where the package is a module');
  });

  const bad: [string, string, RegExp][] = [
    ['missing file', '', /does not exist/],
    ['syntax error', 'export default {\n  name: "x",\n  next(s { }\n};\n', /syntax error at .*p\.mjs:3:\d+/],
    ['no default export', 'export const x = 1;\n', /has no default export/],
    ['a missing method', GOOD('no-describe').replace(/describe: .*\n/, ''), /needs the method describe/],
    ['a name of a built-in', GOOD('handshake'), /clashes with a built-in protocol/],
    ['a parameter named like another', GOOD('dup-parameter').replace("name: 'extraCopies'", "name: 'after'"), /parameter 'after' is already defined/],
    [
      'a parameter named like a member of every object',
      GOOD('proto-parameter').replace("name: 'extraCopies'", "name: 'constructor'"),
      /parameter 'constructor' is a name every JavaScript object already has: rename it/,
    ],
    [
      'a parameter whose integer is neither true nor false',
      GOOD('integer-one').replace('default: 1 }', 'default: 1.5, integer: 1 }'),
      /parameter extraCopies: integer, if given, must be true or false \(got number\)/,
    ],
    [
      'a parameter with a member only built-in declarations have',
      GOOD('per-direction').replace('default: 1 }', 'default: 1, perDirection: true }'),
      /parameter extraCopies has perDirection, which a protocol file's parameter cannot have \(name, description, minimum, maximum, default, integer\)/,
    ],
    ['a method that throws', GOOD('thrower', "if (s[0] === 0) throw new Error('boom');"), /boom.*p\.mjs:\d+:\d+/],
    ['a clock that stands still', GOOD('stuck').replace('s[0] = 1;', ''), /resolve did not advance the clock/],
    ['a call that never returns', GOOD('looper', 'for (;;) {}'), /watchdog.*next never returned/],
    [
      'a trial that never ends',
      GOOD('endless').replace('if (s[0] === 0) {', 'if (true) {').replace('s[0] = 1;', 's[0] = s[0] + 1;'),
      /without ending|did not end/,
    ],
  ];
  for (const [what, text, expected] of bad) {
    it(`are refused with one clear line and exit 2: ${what}`, async () => {
      const files: Record<string, string> = { 's.yaml': 'protocol: ./p.mjs\ntrials: 1000\n' };
      if (text) files['p.mjs'] = text;
      const dir = tempFiles(files);
      const args = ['run', join(dir, 's.yaml'), '--workers', '1'];
      // The watchdog's limits are a parameter of the process (its own where it must fire); each
      // file has a name of its own, so the others run in this process.
      const r = /watchdog/.test(expected.source) ? cli(args, { TWOGENERALS_WATCHDOG_MS: '1000' }) : await cliIn(args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    });
  }
});

describe('a protocol file whose trial never ends over a long replayed trace', () => {
  // A sends until one order gets through (a clock counts the sends): it ends over any channel
  // that ever delivers, so check passes it, and never over a trace where every packet is lost.
  const UNTIL_DELIVERED = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'until-delivered',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[1] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'order'; }
    else { step.kind = END; step.outcome = generalsOutcome(true, true); }
  },
  resolve(s, c, step, r) { s[0]++; s[1] = r; },
  describe: (s) => (s[1] ? 'delivered' : 'sending'),
});
`;
  for (const flags of [[], ['--trials', '200000', '--workers', '2']]) {
    it(`is refused by run in one line (exit 2), not run forever ${flags.length ? 'in worker threads' : 'in the main thread'}`, () => {
      const dir = tempFiles({
        'p.mjs': UNTIL_DELIVERED,
        'dead.txt': '1'.repeat(20_005), // past the tables' 20,000 packets: replayed
        's.yaml': 'protocol: ./p.mjs\nchannel: { model: trace, file: dead.txt }\nredundancy: 1\ntrials: 10\nseed: 1\n',
      });
      const r = cli(['run', join(dir, 's.yaml'), '--no-exact', '-f', 'csv', ...flags]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        /^twogenerals: protocol until-delivered \(\/.*\/p\.mjs\): a trial did not end after 10,000,000 steps \(state \[10000000, 0\]: sending\)\n$/,
      );
      assert.equal(r.stdout, '');
    });
  }
});
