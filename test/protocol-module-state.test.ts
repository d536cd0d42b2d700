import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';
import { cliSeries } from './cli-series.js';

/**
 * A protocol file that keeps what `configure` sets in the module, not in the config it returns:
 * every command builds all its cells' models before it computes any exact value, so each cell's
 * exact values were the last configured cell's (`exact` of a sweep printed one cell's figures on
 * every row, exit 0). Heads has probability 0.25, or 0.75 where `invert` is 1.
 */
const FLIP = `let invert = 0;
const coin = Float64Array.of(0.25, 0.75);
export default ({ CHOOSE, END }) => ({
  name: 'flip',
  outcomes: { names: ['heads', 'tails'], success: [0], disagreement: [1] },
  parameters: [{ name: 'invert', description: 'swap the sides', minimum: 0, maximum: 1, default: 0, integer: true }],
  configure: (p) => { invert = p.invert; return {}; },
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = -1; },
  next(s, c, step) {
    if (s[1] < 0) { step.kind = CHOOSE; step.choices = coin; step.label = 'flip'; }
    else { step.kind = END; step.outcome = s[1] ^ invert; }
  },
  resolve(s, c, step, r) { s[0]++; s[1] = r; },
  describe: (s) => 'side ' + s[1],
});
`;

/** The same coin, its probabilities one module-level array that each configure refills and returns. */
const REFILLED = `const table = new Float64Array(2);
export default ({ CHOOSE, END }) => ({
  name: 'refilled',
  outcomes: { names: ['heads', 'tails'], success: [0], disagreement: [1] },
  parameters: [{ name: 'bias', description: 'chance of tails', minimum: 0, maximum: 1, default: 0.5 }],
  configure: (p) => { table[0] = 1 - p.bias; table[1] = p.bias; return { choices: table }; },
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = -1; },
  next(s, c, step) {
    if (s[1] < 0) { step.kind = CHOOSE; step.choices = c.choices; step.label = 'flip'; }
    else { step.kind = END; step.outcome = s[1]; }
  },
  resolve(s, c, step, r) { s[0]++; s[1] = r; },
  describe: (s) => 'side ' + s[1],
});
`;

/** The CSV's rows as records by column name. */
function rows(csv: string): Record<string, string>[] {
  const [head, ...lines] = csv.trim().split('\n');
  const names = head!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

describe('a protocol file that keeps what configure sets in the module', () => {
  it('gets each cell’s own exact values from exact, run (either thread) and plan', () => {
    const dir = tempFiles({ 'flip.mjs': FLIP, 's.yaml': 'protocol: ./flip.mjs\ntrials: 2000\nsweep:\n  invert: [0, 1]\n' });
    const scenario = join(dir, 's.yaml');
    const commands = [['exact'], ['run', '--workers', '1'], ['run', '--workers', '2', '--trials', '140000']];
    // One process for the commands (cli-series.ts): each configures every cell of its own again.
    const results = cliSeries([
      ...commands.map((args) => [...args, scenario, '-f', 'csv']),
      ['run', scenario, '--shard', '1/2'],
      ['run', scenario, '--shard', '2/2'],
      ['plan', scenario, '--vary', 'invert=0:1', '--target', 'heads>=0.5', '-f', 'csv'],
    ]);
    const [shard1, shard2, plan] = results.slice(commands.length);
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 0, `${command}: ${r.stderr}`);
      assert.deepEqual(
        rows(r.stdout).map((row) => [row['invert'], row['success_exact']]),
        [
          ['0', '0.25'],
          ['1', '0.75'],
        ],
        command,
      );
    }
    // merge works out the exact values of the shards' cells as run does.
    for (const [shard, r] of [shard1!, shard2!].entries()) writeFileSync(join(dir, `${shard + 1}.json`), r.stdout);
    const merged = cli(['merge', join(dir, '1.json'), join(dir, '2.json'), '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.deepEqual(
      rows(merged.stdout).map((row) => [row['invert'], row['success_exact']]),
      [
        ['0', '0.25'],
        ['1', '0.75'],
      ],
    );
    assert.equal(plan!.status, 0, plan!.stderr);
    assert.deepEqual(
      rows(plan!.stdout).map((row) => [row['invert'], row['heads'], row['meets']]),
      [['1', '0.75', 'true']],
    );
  });

  it('a module-level array each configure refills and returns as step.choices is refused by exact and run, as by check', () => {
    const dir = tempFiles({ 'refilled.mjs': REFILLED, 's.yaml': 'protocol: ./refilled.mjs\ntrials: 2000\nsweep:\n  bias: [0.1, 0.5, 0.9]\n' });
    const commands = [['exact'], ['run', '--workers', '1'], ['run', '--workers', '2', '--trials', '140000']];
    const [checked, ...results] = cliSeries([['check', join(dir, 'refilled.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml'), '-f', 'csv'])]);
    assert.equal(checked!.status, 2);
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(
        r.stderr,
        /^twogenerals: protocol refilled \(\/.*\/refilled\.mjs\): next gave step\.choices an array it had given before with other probabilities/,
        command,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
});

/** One message, delivered or dark, whose end reads `source` where the hook is: a clock or the system's entropy. */
const ONE_SEND = `IMPORT
export default ({ SEND, END, A_TO_B }) => ({
  name: 'timed',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = SOURCE ? 1 : s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;

describe('a protocol file that reads the clock or draws from the system', () => {
  // Each read agrees between check's two calls on a state more often than not: only the call itself tells.
  const SOURCES: [string, string, string][] = [
    ['Date.now', '', 'Date.now() < 0'],
    ['new Date()', '', 'new Date().getTime() < 0'],
    ['performance.now', '', 'performance.now() < 0'],
    ['process.hrtime', '', 'process.hrtime()[0] < 0'],
    ['process.hrtime.bigint', "import { hrtime } from 'node:process';", 'hrtime.bigint() < 0n'],
    ['crypto.randomInt', "import { randomInt } from 'node:crypto';", 'randomInt(1000) > 1000'],
    ['crypto.randomBytes', "import crypto from 'node:crypto';", 'crypto.randomBytes(1)[0] > 255'],
    ['crypto.getRandomValues', '', 'crypto.getRandomValues(new Uint8Array(1))[0] > 255'],
    ['crypto.randomUUID', '', 'crypto.randomUUID() === ""'],
    ['Date()', '', 'Date().length < 0'],
    ['crypto.randomFill', "import { randomFill } from 'node:crypto';", '(randomFill(new Uint8Array(1), () => undefined), false)'],
    ['crypto.randomFillSync', "import { randomFillSync } from 'node:crypto';", 'randomFillSync(new Uint8Array(1))[0] > 255'],
    ['crypto.randomUUID', "import { randomUUID } from 'node:crypto';", 'randomUUID() === ""'],
  ];
  for (const [name, imports, source] of SOURCES) {
    it(`is refused by check and before a run, naming the call and its line: ${name}${imports ? ' (imported)' : ''}`, () => {
      const dir = tempFiles({
        't.mjs': ONE_SEND.replace('IMPORT', imports).replace('SOURCE', source),
        's.yaml': 'protocol: ./t.mjs\nloss: 0.5\ntrials: 2000\n',
      });
      for (const r of cliSeries([
        ['check', join(dir, 't.mjs')],
        ['run', join(dir, 's.yaml')],
      ])) {
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.startsWith(`twogenerals: ${join(dir, 't.mjs')}: called ${name} while checked: a protocol never `), r.stderr);
        assert.match(r.stderr, /\(\/.*\/t\.mjs:10:\d+\)\n$/);
      }
    });
  }
  it('the tool’s own clocks are not the file’s: a file that reads none runs', () => {
    const dir = tempFiles({ 't.mjs': ONE_SEND.replace('IMPORT', '').replace('SOURCE', 'false'), 's.yaml': 'protocol: ./t.mjs\nloss: 0.5\ntrials: 140000\n' });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
  });
});

/** A coin whose resolve changes the probabilities it was given, with 5 rounds (check explores 1 to 3), and init puts them back. */
const RESOLVE_CHANGES = `export default ({ CHOOSE, END }) => ({
  name: 'changing',
  outcomes: { names: ['heads', 'tails'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds, coin: Float64Array.of(0.5, 0.5) }),
  stateSize: () => 2,
  init(s, c) { s[0] = 0; s[1] = -1; c.coin[0] = 0.5; c.coin[1] = 0.5; },
  next(s, c, step) {
    if (s[0] < 1) { step.kind = CHOOSE; step.choices = c.coin; step.label = 'flip'; }
    else { step.kind = END; step.outcome = s[1]; }
  },
  resolve(s, c, step, r) { if (c.rounds === 5) { c.coin[0] = 0.9; c.coin[1] = 0.1; } s[1] = r; s[0]++; },
  describe: (s) => 'side ' + s[1],
});
`;

describe('a protocol file whose resolve changes the step.choices it was given', () => {
  it('is refused by every engine in a cell check does not explore (exact weighed its second branch by the changed array: heads 0.83, exit 0)', () => {
    const dir = tempFiles({ 'c.mjs': RESOLVE_CHANGES, 's.yaml': 'protocol: ./c.mjs\nrounds: 5\ntrials: 2000\n' });
    const commands = [['exact'], ['run', '--workers', '1'], ['run', '--workers', '2', '--trials', '140000'], ['trace', '--trial', '1']];
    const [checked, ...results] = cliSeries([['check', join(dir, 'c.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml')])]);
    assert.equal(checked!.status, 0, 'check explores rounds 1 to 3 only');
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(
        r.stderr,
        /^twogenerals: protocol changing \(\/.*\/c\.mjs\): resolve changed the probabilities of the step\.choices it was given \(\[0\.5, 0\.5\] as next gave them, \[0\.9, 0\.1\] after resolve\)/,
        command,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
  it('is refused by check in the cells it explores', () => {
    const dir = tempFiles({ 'c.mjs': RESOLVE_CHANGES.replace('c.rounds === 5', 'c.rounds === 2') });
    const r = cli(['check', join(dir, 'c.mjs')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /breaks the protocol contract: cell rounds=2: resolve changed the probabilities of the step\.choices it was given/);
  });
});

describe('a protocol file whose resolve changes the step it was given', () => {
  it('is refused by check in the cells it explores, naming the field', () => {
    const dir = tempFiles({
      't.mjs': ONE_SEND.replace('IMPORT', '').replace('SOURCE', 'false').replace('s[1] = r; s[0] = 1;', 's[1] = r; s[0] = 1; step.label = "spent";'),
    });
    const r = cli(['check', join(dir, 't.mjs')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /breaks the protocol contract: cell rounds=1: resolve changed step\.label \("" as next filled it, "spent" after resolve\)/);
  });
});

/** The coin of FLIP, whose end a module-level Map caches by the state alone: each cell then reads the first cell's outcomes. */
/** A file that keeps steps outside its state: `check` of it, and `exact` of the scenario, refused as met in another order (exit 2, nothing on stdout). */
function refusedApartByCheckAndExact(name: string, text: string, scenario: string): void {
  const dir = tempFiles({ [name]: text, 's.yaml': scenario });
  for (const r of cliSeries([
    ['check', join(dir, name)],
    ['exact', join(dir, 's.yaml')],
  ])) {
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /next takes another step here than it did when the cells and states before this one were met in another order/);
  }
}

const CACHED = FLIP.replace("name: 'flip'", "name: 'cached'")
  .replace('let invert = 0;', 'const seen = new Map();')
  .replace('configure: (p) => { invert = p.invert; return {}; },', 'configure: (p) => ({ invert: p.invert }),')
  .replace(
    'else { step.kind = END; step.outcome = s[1] ^ invert; }',
    'else { const key = s.join(); if (!seen.has(key)) seen.set(key, s[1] ^ c.invert); step.kind = END; step.outcome = seen.get(key); }',
  );

describe('a protocol file that keeps something of one cell for another outside its config', () => {
  it('is refused by check, and by the quick check before exact and run (each cell read the first cell’s outcomes: exit 0)', () => {
    assert.notEqual(CACHED, FLIP);
    const dir = tempFiles({ 'cached.mjs': CACHED, 's.yaml': 'protocol: ./cached.mjs\ntrials: 2000\nsweep:\n  invert: [0, 1]\n' });
    const commands = [['exact'], ['run', '--workers', '1']];
    const [check, ...results] = cliSeries([['check', join(dir, 'cached.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml'), '-f', 'csv'])]);
    assert.equal(check!.status, 2, check!.stderr);
    assert.match(
      check!.stderr,
      /breaks the protocol contract: cell rounds=3, invert=1: next takes another step here than it did when the cells and states before this one were met in another order/,
    );
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(
        r.stderr,
        /cached\.mjs: breaks the protocol contract: cell rounds=1, invert=1: next takes another step here than it did when the cells and states before this one were met in another order/,
        command,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
  it('kept in globalThis, which a fresh copy of the module shares, is refused as well', () => {
    const global = CACHED.replace('const seen = new Map();', 'const seen = (globalThis.cachedSteps ??= new Map());');
    assert.notEqual(global, CACHED);
    refusedApartByCheckAndExact('cached.mjs', global, 'protocol: ./cached.mjs\ntrials: 2000\nsweep:\n  invert: [0, 1]\n');
  });
  it('a table the file, or a file it imports, puts in globalThis as it loads passes check, as it did before the fresh copy', () => {
    const labelled = FLIP.replace("step.label = 'flip';", 'step.label = globalThis.flipLabels[0];');
    assert.notEqual(labelled, FLIP);
    const plainDir = tempFiles({ 'flip.mjs': FLIP });
    const dirs = [
      { 'flip.mjs': `globalThis.flipLabels = ['flip'];\n${labelled}` },
      { 'flip.mjs': `import './labels.mjs';\n${labelled}`, 'labels.mjs': "globalThis.flipLabels = ['flip'];\n" },
    ].map((files) => tempFiles(files));
    // check runs the files only in checking processes of their own: one CLI process for the three.
    const [plain, ...results] = cliSeries([plainDir, ...dirs].map((dir) => ['check', join(dir, 'flip.mjs')]));
    assert.equal(plain!.status, 0, plain!.stderr);
    for (const [i, dir] of dirs.entries()) {
      const r = results[i]!;
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.replace(dir, plainDir), plain!.stdout);
    }
  });
  it('a variable resolve sets and next reads (the last result) is refused by check and before exact (exact printed success 1 of a message lost half the time, exit 0)', () => {
    const last = ONE_SEND.replace('IMPORT', 'let lastHeard = 0;')
      .replace('SOURCE ? 1 : s[1] === 1 ? 0 : 1', 's[1] === 1 || lastHeard === 1 ? 0 : 1')
      .replace('s[1] = r; s[0] = 1;', 's[1] = r; s[0] = 1; lastHeard = r;');
    assert.notEqual(last, ONE_SEND);
    refusedApartByCheckAndExact('t.mjs', last, 'protocol: ./t.mjs\nloss: 0.5\ntrials: 2000\n');
  });
  it('a file that sets module variables in configure, or keeps a cache keyed by the cell too, passes check', () => {
    const keyed = CACHED.replace('const key = s.join();', 'const key = s.join() + "/" + c.invert;');
    const files = [FLIP, keyed].map((text) => join(tempFiles({ 'p.mjs': text }), 'p.mjs'));
    for (const r of cliSeries(files.map((file) => ['check', file]))) assert.equal(r.status, 0, r.stderr);
  });
});

describe('a protocol file that computes otherwise as the command goes on', () => {
  it('a counter in the module that changes its end after 50 calls is refused by run and exact (they printed it, exit 0)', () => {
    const text = ONE_SEND.replace('IMPORT', 'let calls = 0;').replace('SOURCE', '++calls > 50');
    const dir = tempFiles({ 't.mjs': text, 's.yaml': 'protocol: ./t.mjs\nloss: 0.5\ntrials: 2000\n' });
    for (const args of [['run', '--workers', '1'], ['run', '--workers', '1', '--trials', '200'], ['exact']]) {
      const command = args.join(' ');
      const r = cli([...args, join(dir, 's.yaml'), '-f', 'csv']);
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(
        r.stderr,
        /^twogenerals: \/.*\/t\.mjs: computes something else as the command goes on: in the cell .*rounds=1, the first 16 trials of block 0, run again once the command's work was done, counted delivered \d+, and \d+ before it began: a protocol must keep nothing across trials or cells outside the state and the config/,
        command,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
});
