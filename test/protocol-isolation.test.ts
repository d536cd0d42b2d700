import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, cliAsync, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliIn } from './in-process.js';
import { cliSeries, cliSeriesAsync } from './cli-series.js';
import { MAX_WATCHDOG_MS, watchdogMs } from '../src/protocol-files/watchdog.js';

/** A protocol file in which each hostile change below is one replacement. */
const FILE = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => {
  const definition = {
    name: 'hostile',
    outcomes: GENERALS_OUTCOMES,
    configure: (p) => p,
    stateSize: () => 2,
    init(s) { s[0] = 0; s[1] = 0; },
    next(s, c, step) {
      if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
      else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
    },
    resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
    describe: (s) => (s[1] ? 'heard' : 'not heard'),
  };
  return definition;
};
`;

/**
 * The watchdog's limits shortened for the suite (TWOGENERALS_WATCHDOG_MS): a second, a hundred
 * times what any stage of these tiny files needs, so that only the stage that never ends meets it.
 */
const SHORT = { TWOGENERALS_WATCHDOG_MS: '1000' };
/** Code that never returns and uses no CPU while it waits: a stage that blocks, not spins (the suite's other processes keep the core). */
const BLOCK = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);';
/** Lengthened past anything a loaded machine needs to fill the heap, so that memory, not the clock, stops an allocating file; a small heap fills sooner. */
const LONG = { TWOGENERALS_WATCHDOG_MS: '300000', TWOGENERALS_ISOLATED_HEAP_MB: '64' };
/** For a file refused for what it does, not for time: a limit no loaded machine meets, so that the clock cannot decide the refusal. */
const PATIENT = { TWOGENERALS_WATCHDOG_MS: '300000' };

// The stages the parent process times (module, default export, getters) are tried with code that
// blocks; the method with code that spins, which the check's own watchdog must interrupt.
const HOSTILE: [string, [string, string], RegExp][] = [
  ['blocks forever in its top-level code', ['export default', `${BLOCK}\nexport default`], /hostile\.mjs: stopped after 1 s while evaluating the module/],
  [
    'blocks forever in its default export',
    ['const definition = {', `${BLOCK}\n  const definition = {`],
    /hostile\.mjs: stopped after 1 s while calling its default export/,
  ],
  ['blocks forever in a getter', ["name: 'hostile',", `get name() { ${BLOCK} },`], /hostile\.mjs: stopped after 1 s while reading the definition's members/],
  ['loops in a method', ['next(s, c, step) {', 'next(s, c, step) { for (;;) {}'], /hostile\.mjs: stopped by the watchdog after 1 s: next never returned/],
  [
    'allocates without bound',
    ['export default', 'const hog = []; for (;;) hog.push(new Array(1e7).fill(1.5));\nexport default'],
    /hostile\.mjs: used more than 64 MB of memory while evaluating the module/,
  ],
  [
    'awaits a promise that never settles in its top-level code',
    ['export default', 'await new Promise(() => {});\nexport default'],
    /hostile\.mjs: never finished while evaluating the module \(the file's top-level code\): it waits for a promise that never settles$/m,
  ],
  [
    'returns a promise that never settles from its default export',
    ['return definition;', 'return new Promise(() => {});'],
    /hostile\.mjs: never finished while calling its default export: it waits for a promise that never settles$/m,
  ],
  ['calls process.exit at load', ['export default', 'process.exit(0);\nexport default'], /hostile\.mjs: called process\.exit\(0\) while evaluating the module/],
  [
    'calls process.exit in a method',
    ['next(s, c, step) {', 'next(s, c, step) { process.exit(0);'],
    /hostile\.mjs: ended the process \(exit code 0\) while checking it/,
  ],
  [
    'throws in a getter',
    ["name: 'hostile',", "get name() { throw new Error('no name'); },"],
    /hostile\.mjs: reading its definition's name threw: no name \(.*hostile\.mjs:\d+:\d+\)/,
  ],
  [
    'changes the shared constants',
    ['const definition = {', 'GENERALS_OUTCOMES.success.push(2);\n  const definition = {'],
    /hostile\.mjs: its default export threw: .*not extensible/,
  ],
  // The tool computes its numbers with JavaScript's built-ins, in the file's realm: Math.sqrt = x => x
  // narrowed every interval (exit 0), a push that does nothing left check nothing to explore ("ok").
  [
    'replaces a Math function the intervals use',
    ['export default', 'Math.sqrt = (x) => x;\nexport default'],
    /hostile\.mjs: changed JavaScript's built-in Math\.sqrt while evaluating the module/,
  ],
  [
    'replaces an array method in its default export',
    ['const definition = {', 'Array.prototype.push = function () { return 0; };\n  const definition = {'],
    /hostile\.mjs: changed JavaScript's built-in Array\.prototype\.push while calling its default export/,
  ],
  // Every for…of, spread and destructuring goes through the iterators' prototypes, and the run's
  // tasks are a generator's: a next that skipped every other task printed 196,608 trials of
  // 300,000, exit 0. A Buffer's toString that read every 0 as 1 read a trace as all lost (both 0).
  [
    "replaces the array iterators' next",
    [
      'export default',
      'const ai = Object.getPrototypeOf([][Symbol.iterator]());\nai.next = ((n) => function () { return n.call(this); })(ai.next);\nexport default',
    ],
    /hostile\.mjs: changed JavaScript's built-in ArrayIterator\.prototype\.next while evaluating the module/,
  ],
  [
    "replaces the iterators' shared Symbol.iterator",
    [
      'export default',
      'const ip = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));\nip[Symbol.iterator] = function () { return this; };\nexport default',
    ],
    /hostile\.mjs: changed JavaScript's built-in Iterator\.prototype\[Symbol\.iterator\] while evaluating the module/,
  ],
  [
    "replaces the generators' next in its default export",
    [
      'const definition = {',
      'const gp = Object.getPrototypeOf(function* () {}).prototype;\n  gp.next = ((n) => function (v) { return n.call(this, v); })(gp.next);\n  const definition = {',
    ],
    /hostile\.mjs: changed JavaScript's built-in Generator\.prototype\.next while calling its default export/,
  ],
  [
    "replaces Buffer's toString, which reads a trace's digits",
    [
      'export default',
      "Buffer.prototype.toString = ((t) => function (...a) { return t.apply(this, a).replace(/0/g, '1'); })(Buffer.prototype.toString);\nexport default",
    ],
    /hostile\.mjs: changed JavaScript's built-in Buffer\.prototype\.toString while evaluating the module/,
  ],
  // Paths are relative to it: the command then said "protocol file ./hostile.mjs is not loaded".
  [
    'changes the working folder at load',
    ['export default', "process.chdir('/');\nexport default"],
    /hostile\.mjs: changed the working folder \(process\.chdir\) while evaluating the module/,
  ],
  [
    'adds to every object in a method',
    ['next(s, c, step) {', 'next(s, c, step) { Object.prototype.trials = 5;'],
    /hostile\.mjs: changed JavaScript's built-in Object\.prototype\.trials while checking it/,
  ],
];

/** Both commands that load a hostile file refuse it: one line naming the file and the stage, exit 2. */
async function refusedByEveryCommand(what: string, [from, to]: [string, string], expected: RegExp): Promise<void> {
  const text = FILE.replace(from, to);
  assert.notEqual(text, FILE);
  const dir = tempFiles({ 'hostile.mjs': text, 's.yaml': 'protocol: ./hostile.mjs\ntrials: 1000\n' });
  const commands = [
    ['run', join(dir, 's.yaml'), '--workers', '1'],
    ['check', join(dir, 'hostile.mjs')],
  ];
  // Each loads the file in a checking process of its own, where the watchdog (or the heap) stops it: the two commands share one CLI process (cli-series.ts).
  const env = what.includes('allocates') ? LONG : /stopped/.test(expected.source) ? SHORT : PATIENT;
  const results = await cliSeriesAsync(commands, env);
  for (const [i, r] of results.entries()) {
    const args = commands[i]!;
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, expected);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
}

const title = (what: string): string => `a file that ${what}: one line naming the file and the stage, exit 2, for every command that loads it`;

describe('protocol files are isolated', () => {
  // A blocked stage uses no CPU while the watchdog's second runs out: these wait side by side.
  describe('stages that block until the watchdog stops them', { concurrency: true }, () => {
    for (const [what, change, expected] of HOSTILE.filter(([, [, to]]) => to.includes(BLOCK)))
      it(title(what), () => refusedByEveryCommand(what, change, expected));
  });
  for (const [what, change, expected] of HOSTILE.filter(([, [, to]]) => !to.includes(BLOCK)))
    it(title(what), () => refusedByEveryCommand(what, change, expected));

  it('a watchdog limit beyond what Node timers hold (TWOGENERALS_WATCHDOG_MS=1e12) is a long limit, not one that fires at once', async () => {
    const dir = tempFiles({ 'quiet.mjs': FILE, 's.yaml': 'protocol: ./quiet.mjs\ntrials: 1000\n' });
    for (const r of cliSeries(
      [
        ['check', join(dir, 'quiet.mjs')],
        ['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv'],
      ],
      { TWOGENERALS_WATCHDOG_MS: '1e12' },
    )) {
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning|never finished|options\.timeout/);
    }
  });

  it('TWOGENERALS_WATCHDOG_MS=Infinity is the longest limit, not the default', () => {
    const before = process.env['TWOGENERALS_WATCHDOG_MS'];
    try {
      for (const [given, ms] of [
        ['Infinity', MAX_WATCHDOG_MS],
        ['1e400', MAX_WATCHDOG_MS],
        ['1e12', MAX_WATCHDOG_MS],
        ['2500.2', 2501],
        ['0', 10_000],
        ['-5', 10_000],
        ['-Infinity', 10_000],
        ['soon', 10_000],
      ] as const) {
        process.env['TWOGENERALS_WATCHDOG_MS'] = given;
        assert.equal(watchdogMs('load'), ms, given);
      }
    } finally {
      if (before === undefined) delete process.env['TWOGENERALS_WATCHDOG_MS'];
      else process.env['TWOGENERALS_WATCHDOG_MS'] = before;
    }
  });

  it('a checking process that cannot start is named as such, not blamed on the file', async () => {
    const dir = tempFiles({ 'quiet.mjs': FILE });
    // The checking process is forked with this process's Node flags: an unknown one stops Node before any code of the file runs.
    process.execArgv.push('--no-such-node-flag');
    try {
      const r = await cliIn(['check', join(dir, 'quiet.mjs')]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /quiet\.mjs: could not be loaded: the process it is loaded in ended before it started \(exit code 9\); it said: .*no-such-node-flag/,
      );
      assert.doesNotMatch(r.stderr, /process\.exit/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    } finally {
      process.execArgv.pop();
    }
  });

  it("a file's console output never reaches stdout, and the results are those of the same file without it", () => {
    // Now and then, not every call: a line each call would be megabytes. 70,000 trials are two
    // blocks, so that with two workers the file runs (and prints) in pool threads too.
    const noisy = FILE.replace('next(s, c, step) {', "next(s, c, step) { if (calls++ % 50000 === 0) console.log('noise');").replace(
      'export default',
      "console.log('top');\nlet calls = 0;\nexport default",
    );
    const dir = tempFiles({
      'hostile.mjs': noisy,
      'quiet.mjs': FILE,
      's.yaml': 'protocol: ./hostile.mjs\ntrials: 70000\nloss: 0.3\n',
      'q.yaml': 'protocol: ./quiet.mjs\ntrials: 70000\nloss: 0.3\nname: s\n',
    });
    // The noisy file's output is the process's (a process each); the quiet file's results, one process for both.
    const workerCounts = ['1', '2'];
    const quiet = cliSeries(workerCounts.map((workers) => ['run', join(dir, 'q.yaml'), '-f', 'csv', '--workers', workers]));
    for (const [i, workers] of workerCounts.entries()) {
      const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', workers]);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /noise|top/);
      assert.match(r.stderr, /noise/, 'the protocol did print');
      assert.equal(quiet[i]!.status, 0, quiet[i]!.stderr);
      assert.equal(r.stdout, quiet[i]!.stdout);
    }
  });

  it("validate runs none of the file's code in the tool (only in the checking process, whose output is discarded)", () => {
    const loud = FILE.replace('export default', "console.error('top-level code ran');\nexport default");
    const dir = tempFiles({ 'hostile.mjs': loud, 's.yaml': 'protocol: ./hostile.mjs\ntrials: 1000\n' });
    const r = cli(['validate', join(dir, 's.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ok \(s: hostile over bernoulli/);
    assert.equal(r.stderr, '');
  });

  // Past the checks at load: a callback the file scheduled changes Math.sqrt while the trials run
  // (on the worker threads' turns), and every interval printed was a point, exit 0.
  it('a file whose scheduled callback changes a built-in while the command runs prints no results: one line, exit 2', () => {
    const late = FILE.replace('export default', 'setTimeout(() => { Math.sqrt = (x) => x; }, 0);\nexport default');
    const dir = tempFiles({ 'hostile.mjs': late, 's.yaml': 'protocol: ./hostile.mjs\nloss: 0.3\nredundancy: 1\ntrials: 200000\n' });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /hostile\.mjs: changed JavaScript's built-in Math\.sqrt while the command ran/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  // Charts and result folders are written to files, not standard output, and were drawn and saved from
  // the changed built-in (every band a point), exit 0.
  it('nor writes them to a chart file or a result folder', () => {
    const late = FILE.replace('export default', 'setTimeout(() => { Math.sqrt = (x) => x; }, 0);\nexport default');
    const dir = tempFiles({
      'hostile.mjs': late,
      's.yaml': 'protocol: ./hostile.mjs\nloss: 0.3\nredundancy: 1\ntrials: 200000\nsweep:\n  loss: [0.1, 0.3]\n',
    });
    for (const args of [
      ['plot', join(dir, 's.yaml'), '-o', join(dir, 'chart.svg'), '--workers', '1'],
      ['run', join(dir, 's.yaml'), '--out', join(dir, 'results'), '--workers', '1', '--quiet'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /hostile\.mjs: changed JavaScript's built-in Math\.sqrt while the command ran/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(existsSync(join(dir, 'chart.svg')), false);
    assert.equal(existsSync(join(dir, 'results')) && readdirSync(join(dir, 'results')).length > 0, false);
  });

  // The checking process made the file's timers do nothing, also those its top-level code awaits:
  // the file was refused as waiting for a promise that never settles (it settles in a millisecond).
  it('a file whose top-level code awaits a timer loads, is checked and runs as before', () => {
    const plain = tempFiles({ 'hostile.mjs': FILE, 's.yaml': 'protocol: ./hostile.mjs\nloss: 0.3\ntrials: 2000\n' });
    const expected = cli(['run', join(plain, 's.yaml'), '-f', 'csv']);
    assert.equal(expected.status, 0, expected.stderr);
    for (const wait of ['await new Promise((r) => setTimeout(r, 1));', 'await new Promise((r) => setImmediate(r));']) {
      const dir = tempFiles({ 'hostile.mjs': `${wait}\n${FILE}`, 's.yaml': 'protocol: ./hostile.mjs\nloss: 0.3\ntrials: 2000\n' });
      // check and run in one CLI process (cli-series.ts).
      const [checked, r] = cliSeries([
        ['check', join(dir, 'hostile.mjs')],
        ['run', join(dir, 's.yaml'), '-f', 'csv'],
      ]) as [CliResult, CliResult];
      assert.equal(checked.status, 0, `${wait}: ${checked.stderr}`);
      assert.equal(r.status, 0, `${wait}: ${r.stderr}`);
      assert.equal(r.stdout, expected.stdout);
    }
  });

  // A timer kept the process alive after its results, for ever (a leftover setInterval); a listener
  // of the process's exit set the code back to 0 under a failing gate.
  // A kept-alive command never exits: the test's own timeout (not a measured time) says so.
  it("a file's timer or exit listener neither keeps the command alive nor changes its exit code", { timeout: 300_000 }, async () => {
    const zero = "process.on('exit', () => { process.exitCode = 0; });";
    // The third: the file's own error (a callback that throws), whose exit 2 the listener set to 0 too.
    for (const [code, status, said] of [
      ['setInterval(() => {}, 1000);', 1, /expect failed/],
      [zero, 1, /expect failed/],
      [`${zero} setTimeout(() => { throw new Error('late'); }, 0);`, 2, /hostile\.mjs\) threw: late/],
    ] as const) {
      const dir = tempFiles({
        'hostile.mjs': FILE.replace('export default', `${code}\nexport default`),
        's.yaml': 'protocol: ./hostile.mjs\nloss: 0.3\nredundancy: 1\ntrials: 200000\nexpect:\n  - metric: success\n    atLeast: 0.99\n',
      });
      const r = await cliAsync(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'], {});
      assert.equal(r.status, status, `${code}: ${r.stderr}`);
      assert.match(r.stderr, said);
    }
  });

  it('a built-in protocol beside a file that tries to change the shared outcomes keeps its numbers', () => {
    const sneaky = FILE.replace('const definition = {', 'try { GENERALS_OUTCOMES.success.push(2); } catch {}\n  const definition = {');
    const dir = tempFiles({
      'hostile.mjs': sneaky,
      's.yaml': 'protocol: ./hostile.mjs\ntrials: 1000\n',
      'm.yaml': 'protocol: messenger\nloss: 0.5\nredundancy: 1\ntrials: 1000\n',
    });
    const [alone, beside] = cliSeries([
      ['run', join(dir, 'm.yaml'), '-f', 'csv'],
      ['run', join(dir, 's.yaml'), join(dir, 'm.yaml'), '-f', 'csv'],
    ]) as [CliResult, CliResult];
    assert.equal(beside.status, 0, beside.stderr);
    assert.equal(beside.stdout.trim().split('\n').at(-1), alone.stdout.trim().split('\n').at(-1));
  });
});
