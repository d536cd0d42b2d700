import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, cli, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/**
 * A protocol file that keeps the contract in the cells the quick check explores (two rounds), and
 * breaks it, by one replacement each, only with 5 rounds: the engines meet the slip there first,
 * and must refuse it (one line naming the protocol and its file, exit 2) rather than count it,
 * crash, or end the command with exit 0 and nothing printed.
 */
const FILE = `export default ({ SEND, END, A_TO_B }) => ({
  name: 'far-cells',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: (c) => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;

const FAR: [string, [string, string], RegExp][] = [
  [
    'a state size that is no number',
    ['stateSize: (c) => 2,', 'stateSize: (c) => (c.rounds === 5 ? NaN : 2),'],
    /protocol far-cells \(\/.*\/far\.mjs\): stateSize returned NaN/,
  ],
  [
    'a state size past 2^20',
    ['stateSize: (c) => 2,', 'stateSize: (c) => (c.rounds === 5 ? 1e9 : 2),'],
    /protocol far-cells \(\/.*\/far\.mjs\): stateSize returned 1000000000/,
  ],
  [
    'a resolve that leaves the clock where it was',
    ['s[1] = r; s[0] = 1;', 's[1] = r; s[0] = c.rounds === 5 && r === 0 ? 0 : 1;'],
    // The exact engine meets the step that stops the clock; Monte Carlo's automaton, the state it comes back to.
    /protocol far-cells \(\/.*\/far\.mjs\): (resolve did not advance the clock|a trial can come back to a state it had left: resolve must advance the clock)/,
  ],
  [
    'process.exit in a method',
    ['resolve(s, c, step, r) {', 'resolve(s, c, step, r) { if (c.rounds === 5) process.exit(0);'],
    /far\.mjs: called process\.exit\(0\) while the command ran/,
  ],
  [
    'process.exit in configure',
    ['configure: (p) => ({ rounds: p.rounds }),', 'configure: (p) => { if (p.rounds === 5) process.exit(0); return { rounds: p.rounds }; },'],
    /far\.mjs: called process\.exit\(0\) while the command ran/,
  ],
  // Its draws would be counted as they fell (other numbers on every run), and the exact values follow the few calls the engines make.
  [
    'a resolve that draws with Math.random',
    ['s[1] = r; s[0] = 1;', 's[1] = c.rounds === 5 && Math.random() < 0.5 ? 0 : r; s[0] = 1;'],
    /^twogenerals: protocol far-cells \(\/.*\/far\.mjs\) threw: Math\.random was called: a protocol never draws; give the engine a choice instead \(step\.kind = CHOOSE, step\.choices\), which every engine draws or weighs \(\/.*\/far\.mjs:11:\d+\)$/m,
  ],
  // The time and the system's entropy, as Math.random: other numbers on every run at one seed, and the automata and exact keep what one call gave.
  // The engines give every result of a step the one step (exact's branches), and the automata keep it for the state: later branches and trials read the changed one.
  [
    'a resolve that changes the step it was given',
    ['s[1] = r; s[0] = 1;', 's[1] = r; s[0] = 1; if (c.rounds === 5) step.round = 2;'],
    /^twogenerals: protocol far-cells \(\/.*\/far\.mjs\): resolve changed step\.round \(1 as next filled it, 2 after resolve\): resolve must leave the step as next filled it/m,
  ],
  [
    'a resolve that reads the clock',
    ['s[1] = r; s[0] = 1;', 's[1] = c.rounds === 5 && Date.now() % 2 === 0 ? 0 : r; s[0] = 1;'],
    /^twogenerals: protocol far-cells \(\/.*\/far\.mjs\) threw: Date\.now was called: a protocol never reads the clock: .* \(\/.*\/far\.mjs:11:\d+\)$/m,
  ],
  [
    'a resolve that draws from crypto.getRandomValues',
    ['s[1] = r; s[0] = 1;', 's[1] = c.rounds === 5 && crypto.getRandomValues(new Uint8Array(1))[0] < 128 ? 0 : r; s[0] = 1;'],
    /^twogenerals: protocol far-cells \(\/.*\/far\.mjs\) threw: crypto\.getRandomValues was called: a protocol never draws; .* \(\/.*\/far\.mjs:11:\d+\)$/m,
  ],
];

/**
 * Several tests' commands in one CLI process (cliSeries), run once, when the first of those tests
 * asks: `shared(i)` is test i's results. Each test's commands name a file of its own, whose
 * refusal is its own, as within one test's series; a process each had cost most of this file's time.
 */
function sharedSeries(tests: readonly (readonly (readonly string[])[])[]): (test: number) => CliResult[] {
  let results: CliResult[][] | undefined;
  return (test) => {
    if (!results) {
      const all = cliSeries(tests.flat());
      let at = 0;
      results = tests.map((commands) => all.slice(at, (at += commands.length)));
    }
    return results[test]!;
  };
}

describe('a protocol file that breaks the contract only in cells the quick check does not explore', () => {
  const scenario = 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n';
  const plain = tempFiles({ 'far.mjs': FILE, 's.yaml': scenario });
  // Each file a name of its own (one process loads them all): far-cells-1, far-cells-2, …
  const named = (slip: number): string => `far-cells-${slip + 1}`;
  const slips = FAR.map(([what, [from, to]], slip) => {
    const text = FILE.replace(from, to);
    const dir = tempFiles({ 'far.mjs': text.replace("name: 'far-cells'", `name: '${named(slip)}'`), 's.yaml': scenario });
    const commands = [
      ['run', '--workers', '1'],
      ['run', '--workers', '1', '--no-exact', '--trials', '140000'],
      ['run', '--workers', '2', '--trials', '140000'],
      ['exact'],
      // A trial replayed step by step (trace, and blocks of fewer than 4,096 trials) holds no clock to the contract: the exact engine and the automata do.
      ...(what.includes('clock') ? [] : [['trace', '--trial', '1']]),
    ];
    return { text, dir, commands };
  });
  // One process for them all: each command is refused on its own.
  const series = sharedSeries([
    [['run', join(plain, 's.yaml'), '-f', 'csv', '--workers', '1']],
    ...slips.map(({ dir, commands }) => [['check', join(dir, 'far.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml')])]),
  ]);
  it('the file without a slip runs with 5 rounds', () => {
    const [r] = series(0);
    assert.equal(r!.status, 0, r!.stderr);
  });
  for (const [slip, [what, , expected]] of FAR.entries()) {
    it(`is refused by every engine, one line, exit 2: ${what}`, () => {
      const { text, commands } = slips[slip]!;
      assert.notEqual(text, FILE, 'the slip applies');
      const refusal = new RegExp(expected.source.replaceAll('far-cells', named(slip)), expected.flags);
      const [checked, ...results] = series(1 + slip);
      assert.equal(checked!.status, 0, 'check explores rounds 1 to 3 only: the slip is past it');
      for (const [i, args] of commands.entries()) {
        const command = args.join(' ');
        const r = results[i]!;
        assert.equal(r.status, 2, `${command}: ${r.stderr}`);
        assert.equal(r.stdout, '', command);
        assert.match(r.stderr, refusal, command);
        assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
      }
    });
  }
});

describe('a protocol file whose methods a helper module it imports makes, drawing with Math.random in cells the quick check does not explore', () => {
  it('is refused by every engine, one line naming the file and the helper line, exit 2', () => {
    // The file only re-exports: none of its own code is on the stack when resolve draws.
    const helper = FILE.replace('s[1] = r; s[0] = 1;', 's[1] = c.rounds === 5 && Math.random() < 0.5 ? 0 : r; s[0] = 1;');
    assert.notEqual(helper, FILE, 'the slip applies');
    const dir = tempFiles({
      'far.mjs': "export { default } from './far-base.mjs';\n",
      'far-base.mjs': helper,
      's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n',
    });
    const expected =
      /^twogenerals: \/.*\/far\.mjs: Math\.random was called: a protocol never draws; give the engine a choice instead \(step\.kind = CHOOSE, step\.choices\), which every engine draws or weighs \(\/.*\/far-base\.mjs:11:\d+\)\n$/;
    const commands = [['run', '--workers', '1'], ['run', '--workers', '2', '--no-exact', '--trials', '140000'], ['exact'], ['trace', '--trial', '1']];
    const [checked, ...results] = cliSeries([['check', join(dir, 'far.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml')])]);
    assert.equal(checked!.status, 0, 'check explores rounds 1 to 3 only: the slip is past it');
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(r.stderr, expected, command);
    }
  });
});

describe('a protocol file whose crashed node sends only in rounds the quick check does not explore', () => {
  it('is refused by every engine in one line naming the protocol and its file, exit 2', () => {
    const tcp = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8');
    // A sends SYN from round 5 on even after it crashed: check explores rounds 1 to 3 only.
    const text = tcp
      .replace('state[A_ESTABLISHED] === 0 && aUp)', 'state[A_ESTABLISHED] === 0 && (aUp || round >= 5))')
      .replace("name: 'tcp-handshake'", "name: 'late-sender'");
    assert.notEqual(text, tcp, 'the slip applies');
    const dir = tempFiles({ 'late.mjs': text, 's.yaml': 'protocol: ./late.mjs\nloss: 0.5\nredundancy: 1\nrounds: 6\ncrash: 0.3\ntrials: 2000\n' });
    const file = join(dir, 'late.mjs');
    const expected = `twogenerals: protocol late-sender (${file}): node 0 dispatched SYN in round 5 after it crashed (`;
    const commands = [
      ['run', '--workers', '1'],
      ['run', '--workers', '2', '--no-exact', '--trials', '2000000'],
      ['exact'],
      ['trace', '--trial', '1'],
      ['plan', '--vary', 'redundancy=1:2', '--target', 'success>=0.1'],
    ];
    const [checked, ...results] = cliSeries([['check', file], ...commands.map((args) => [...args, join(dir, 's.yaml')])]);
    assert.equal(checked!.status, 0, 'the slip is past what check explores');
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = results[i]!;
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.ok(r.stderr.startsWith(expected), `${command}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
});

describe('a protocol file whose describe returns no text in a cell the quick check does not explore', () => {
  // trace is the one command that shows it: a symbol stopped it with an internal error (exit 3),
  // undefined or an object printed as if it were the sides' state (exit 0).
  const values = ["Symbol('s')", 'undefined', '42'];
  // One process for the three files, each a protocol name of its own: far-cells-1, far-cells-2, …
  const cases = values.map((value, n) => {
    const text = FILE.replace("describe: (s) => (s[1] ? 'heard' : 'dark'),", `describe: (s, c) => (c.rounds === 5 ? ${value} : 'dark'),`);
    const name = `far-cells-${n + 1}`;
    const scenario = 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n';
    const dir = tempFiles({ 'far.mjs': text.replace("name: 'far-cells'", `name: '${name}'`), 's.yaml': scenario });
    return { text, name, dir };
  });
  const series = sharedSeries(cases.map(({ dir }) => [['trace', join(dir, 's.yaml'), '--trial', '1']]));
  for (const [n, value] of values.entries()) {
    it(`trace refuses it in one line, exit 2: ${value}`, () => {
      const { text, name, dir } = cases[n]!;
      assert.notEqual(text, FILE, 'the slip applies');
      const [r] = series(n) as [CliResult];
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(`twogenerals: protocol ${name} (${join(dir, 'far.mjs')}): describe returned `), r.stderr);
      assert.match(r.stderr, /, not text \(state \[/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
});

describe('a protocol file whose send is labelled with a symbol in a cell the quick check does not explore', () => {
  it('is told by trace with the symbol as its label (it was an internal error, exit 3)', () => {
    const text = FILE.replace(
      'step.direction = A_TO_B; step.round = 1;',
      "step.direction = A_TO_B; step.round = 1; if (c.rounds === 5) step.label = Symbol('order');",
    );
    assert.notEqual(text, FILE, 'the slip applies');
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n' });
    const formats = ['text', 'mermaid'];
    for (const [i, r] of cliSeries(formats.map((format) => ['trace', join(dir, 's.yaml'), '--trial', '1', '--format', format])).entries()) {
      assert.equal(r.status, 0, `${formats[i]}: ${r.stderr}`);
      assert.match(r.stdout, /Symbol\(order\)/);
    }
  });
});

describe('a protocol file that fills the heap in a cell the quick check does not explore', () => {
  it('is named in one line, exit 2, where a worker thread ran it (not an internal error, exit 3)', () => {
    const text = FILE.replace('next(s, c, step) {', 'next(s, c, step) { if (c.rounds === 5) for (;;) kept.push(new Array(1e6).fill(1.5));');
    const dir = tempFiles({ 'far.mjs': `const kept = [];\n${text}`, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 2000\n' });
    // A small heap, so that it fills in a moment (the worker threads take the process's limit).
    const r = cli(['run', join(dir, 's.yaml'), '--no-exact', '--workers', '2', '--trials', '1e9', '-f', 'csv'], { NODE_OPTIONS: '--max-old-space-size=200' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `twogenerals: ${join(dir, 'far.mjs')}: its code ran out of memory in a worker thread (the JavaScript heap filled up): a method that keeps what it allocates, in a cell the quick check did not visit?\n`,
    );
  });

  it('names the file whose code filled it, not another protocol file the same run ran in its threads before', () => {
    const text = FILE.replace('next(s, c, step) {', 'next(s, c, step) { if (c.rounds === 5) for (;;) kept.push(new Array(1e6).fill(1.5));');
    const dir = tempFiles({
      'good.mjs': FILE.replace("name: 'far-cells'", "name: 'good'"),
      'a.yaml': 'protocol: ./good.mjs\nrounds: 5\nloss: 0.5\ntrials: 200000\n',
      'far.mjs': `const kept = [];\n${text}`,
      'b.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 1e9\n',
    });
    const r = cli(['run', join(dir, 'a.yaml'), join(dir, 'b.yaml'), '--no-exact', '--workers', '2', '-f', 'csv'], { NODE_OPTIONS: '--max-old-space-size=200' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      `twogenerals: ${join(dir, 'far.mjs')}: its code ran out of memory in a worker thread (the JavaScript heap filled up): a method that keeps what it allocates, in a cell the quick check did not visit?\n`,
    );
  });
});

describe('a protocol file whose method throws in a cell the quick check does not explore', () => {
  it('is the file’s error where a worker thread ran it, as where the command’s own thread does: one line naming it and the place, exit 2 (not an internal error, exit 3)', () => {
    const text = FILE.replace('next(s, c, step) {', "next(s, c, step) { if (c.rounds === 5) throw new Error('boom');");
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 1000\n' });
    const file = join(dir, 'far.mjs');
    const expected = new RegExp(
      `^twogenerals: protocol far-cells \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) threw: boom \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+\\)\\n$`,
    );
    const trialCounts = ['1000', '1e9'];
    for (const [i, r] of cliSeries(
      trialCounts.map((trials) => ['run', join(dir, 's.yaml'), '--no-exact', '--workers', '2', '--trials', trials, '-f', 'csv']),
    ).entries()) {
      const trials = trialCounts[i]!;
      assert.equal(r.status, 2, `${trials}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, expected, trials);
    }
  });
});

describe('a protocol file that throws a value that is not an Error (no stack to name the file)', () => {
  const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [thrown, shown] of [
    ['42', '42'],
    ['null', 'null'],
    ['{ code: 7 }', '{ code: 7 }'],
    ["Symbol('s')", 'Symbol(s)'],
  ] as const) {
    it(`(throw ${thrown}) is the file's error in one line, exit 2, on a worker thread and on the command's own (not an internal error, exit 3)`, () => {
      const text = FILE.replace('next(s, c, step) {', `next(s, c, step) { if (c.rounds === 5) throw ${thrown};`);
      const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 1000\n' });
      const expected = `twogenerals: protocol far-cells (${join(dir, 'far.mjs')}) threw: ${shown} (not an Error, so no place in the file to name)\n`;
      const commands = [
        ['run', join(dir, 's.yaml'), '--no-exact', '--workers', '2', '--trials', '1e9', '-f', 'csv'],
        ['run', join(dir, 's.yaml'), '--no-exact', '--trials', '10', '-f', 'csv'],
        ['exact', join(dir, 's.yaml')],
      ];
      for (const [i, r] of cliSeries(commands).entries()) {
        const args = commands[i]!;
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, expected, args.join(' '));
      }
    });
  }

  it('thrown in a cell the check explores, or by the module as it loads, is named by check in one line', () => {
    const dir = tempFiles({ 'every.mjs': FILE.replace('next(s, c, step) {', 'next(s, c, step) { throw 42;'), 'top.mjs': `throw 42;\n${FILE}` });
    const [every, top] = cliSeries([
      ['check', join(dir, 'every.mjs')],
      ['check', join(dir, 'top.mjs')],
    ]) as [CliResult, CliResult];
    assert.equal(every.status, 2, every.stderr);
    assert.match(
      every.stderr,
      new RegExp(
        `^twogenerals: ${escaped(join(dir, 'every.mjs'))}: breaks the protocol contract: cell rounds=1: next threw: 42 \\(not an Error, so no place in the file to name\\)\\n$`,
      ),
    );
    assert.equal(top.status, 2, top.stderr);
    assert.equal(top.stderr, `twogenerals: ${join(dir, 'top.mjs')}: it threw while loading: 42 (not an Error, so no place in the file to name)\n`);
  });

  it("thrown by a callback the file scheduled is the file's error, exit 2", () => {
    const text = FILE.replace(
      'configure: (p) => ({ rounds: p.rounds }),',
      'configure: (p) => { if (p.rounds === 5) queueMicrotask(() => { throw 42; }); return { rounds: p.rounds }; },',
    );
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 2000\n' });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `twogenerals: protocol far-cells (${join(dir, 'far.mjs')}) threw: 42 (not an Error, so no place in the file to name)\n`);
  });
});

describe('a thrown value whose own code throws as it is asked about, or that cannot be copied between threads', () => {
  const WORKERS = ['run', '--no-exact', '--workers', '2', '--trials', '1e9', '-f', 'csv'];
  const MAIN = ['run', '--workers', '1', '-f', 'csv'];
  const NOT_AN_ERROR = '(not an Error, so no place in the file to name)';
  const cases: [string, string, string, string, string[][]][] = [
    // [what, a declaration of V, where it is thrown, what is shown, the commands]
    ['42 from a callback that next scheduled on a worker thread', 'const V = 42;', 'queueMicrotask(() => { throw V; });', `42 ${NOT_AN_ERROR}`, [WORKERS]],
    ['a promise rejected with 42 that nothing handles, on a worker thread', 'const V = 42;', 'Promise.reject(V);', `42 ${NOT_AN_ERROR}`, [WORKERS, MAIN]],
    [
      'null from a callback that next scheduled on a worker thread',
      'const V = null;',
      'queueMicrotask(() => { throw V; });',
      `null ${NOT_AN_ERROR}`,
      [WORKERS],
    ],
    [
      'a proxy whose traps throw',
      'const V = new Proxy({}, { getPrototypeOf() { throw 7; }, get() { throw 8; }, getOwnPropertyDescriptor() { throw 9; } });',
      'throw V;',
      `a Proxy ${NOT_AN_ERROR}`,
      [WORKERS],
    ],
    [
      'a proxy whose traps throw, from a callback',
      'const V = new Proxy({}, { getPrototypeOf() { throw 7; } });',
      'queueMicrotask(() => { throw V; });',
      `a Proxy ${NOT_AN_ERROR}`,
      [MAIN, WORKERS],
    ],
    ['a proxy of an Error (not shown with its stack)', 'const V = new Proxy(new Error("pe"), {});', 'throw V;', `a Proxy ${NOT_AN_ERROR}`, [MAIN, WORKERS]],
    [
      'an Error whose message is a symbol',
      'const V = new Error("m"); V.message = Symbol("q");',
      'throw V;',
      'an Error whose message is not text: Symbol(q)',
      [MAIN, WORKERS, ['exact']],
    ],
    [
      'an Error whose stack throws as it is read',
      'const V = new Error("m"); Object.defineProperty(V, "stack", { get() { throw 5; } });',
      'throw V;',
      'm',
      [MAIN, WORKERS],
    ],
  ];
  for (const [what, declaration, thrown, shown, commands] of cases) {
    it(`${what}: the file's error in one line, exit 2 (not exit 3 or 7, nor a stack)`, () => {
      const text = `${declaration}\n${FILE.replace('next(s, c, step) {', `next(s, c, step) { if (c.rounds === 5) ${thrown}`)}`;
      const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 2000\n' });
      const lines = commands.map((args) => [...args, join(dir, 's.yaml')]);
      // A callback or a promise the file left behind is met after the command, by the process: a process each. The rest share one.
      const results = /queueMicrotask|Promise\.reject/.test(thrown) ? lines.map((line) => cli(line)) : cliSeries(lines);
      for (const [i, args] of commands.entries()) {
        const r = results[i]!;
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, `twogenerals: protocol far-cells (${join(dir, 'far.mjs')}) threw: ${shown}\n`, args.join(' '));
      }
    });
  }

  it("an Error made in another realm (vm) is an Error: its message and the file's place", () => {
    const text = `import { runInNewContext } from 'node:vm';\n${FILE.replace('next(s, c, step) {', 'next(s, c, step) { if (c.rounds === 5) throw runInNewContext(\'new Error("boom")\');')}`;
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\ntrials: 2000\n' });
    const commands = [MAIN, WORKERS];
    for (const [i, r] of cliSeries(commands.map((args) => [...args, join(dir, 's.yaml')])).entries()) {
      const args = commands[i]!;
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^twogenerals: protocol far-cells \(.*\) threw: boom \(.*far\.mjs:8:\d+\)\n$/, args.join(' '));
    }
  });
});

describe('check holds resolve to being deterministic', () => {
  // Three files checked in one process (each check loads its file in a process of its own); the one
  // whose draws show in its message has a process of its own, as TWOGENERALS_TEST_SERIES_CHECK=1 compares.
  const agree = tempFiles({
    'far.mjs': FILE.replace('s[1] = r; s[0] = 1;', 's[1] = Math.random() < 2 ? r : 0; s[0] = 1;'),
    's.yaml': 'protocol: ./far.mjs\nloss: 0.5\ntrials: 2000\n',
  });
  const counter = tempFiles({
    'far.mjs': FILE.replace('s[1] = r; s[0] = 1;', 'calls++; s[1] = calls % 2; s[0] = 1;').replace('export default', 'let calls = 0;\nexport default'),
  });
  const roundNaN = tempFiles({ 'far.mjs': FILE.replace('step.round = 1;', 'step.round = NaN;') });
  const series = sharedSeries([
    [
      ['check', join(agree, 'far.mjs')],
      ['run', join(agree, 's.yaml')],
    ],
    [['check', join(counter, 'far.mjs')]],
    [['check', join(roundNaN, 'far.mjs')]],
  ]);
  it('a resolve that draws for itself is refused, naming resolve', () => {
    // The clock moves on by a draw of the file's own: two calls agree once in a thousand, and the check makes six such pairs.
    const text = FILE.replace('s[1] = r; s[0] = 1;', 's[1] = r; s[0] = 1 + Math.floor(Math.random() * 1000);');
    const dir = tempFiles({ 'far.mjs': text });
    const r = cli(['check', join(dir, 'far.mjs')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /resolve is not deterministic: two calls on the same state with the same result/);
  });
  it('a file that draws with Math.random is refused by check and before a run, also where its draws agree', () => {
    for (const r of series(0)) {
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: \/.*\/far\.mjs: called Math\.random while checked: a protocol never draws; give the engine a choice instead \(step\.kind = CHOOSE, step\.choices\), which every engine draws or weighs \(\/.*\/far\.mjs:11:\d+\)\n$/,
      );
    }
  });
  it('a resolve that keeps a counter outside the state is refused', () => {
    const [r] = series(1) as [CliResult];
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /resolve is not deterministic/);
  });
  it('a send in round NaN is reported as such, not as a next that is not deterministic', () => {
    const [r] = series(2) as [CliResult];
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /a send in round NaN/);
    assert.doesNotMatch(r.stderr, /not deterministic/);
  });
});

describe("a protocol file's own writes to process.stdout", () => {
  it('go to stderr, at load and in its methods, in every thread: the results are those of the file without them', () => {
    const noisy = FILE.replace(
      'resolve(s, c, step, r) {',
      "resolve(s, c, step, r) { if (r === 1 && s[0] === 0 && (calls++ & 4095) === 0) process.stdout.write('noise\\n');",
    ).replace('export default', "process.stdout.write('top\\n');\nlet calls = 0;\nexport default");
    // 140,000 trials are three blocks: with two workers the file runs (and writes) in pool threads too.
    const scenario = 'protocol: ./far.mjs\nloss: 0.3\nredundancy: 1\ntrials: 140000\nname: s\n';
    const dir = tempFiles({ 'far.mjs': noisy, 's.yaml': scenario });
    const quiet = tempFiles({ 'far.mjs': FILE, 's.yaml': scenario });
    const commands = [
      ['run', '-f', 'csv', '--workers', '1'],
      ['run', '-f', 'csv', '--workers', '2'],
      ['exact', '-f', 'csv'],
      ['trace', '--trial', '3'],
    ];
    // The noisy file's writes are the process's own (a process each); the quiet file's results, one process for all.
    const expected = cliSeries(commands.map((args) => [...args, join(quiet, 's.yaml')]));
    for (const [i, args] of commands.entries()) {
      const command = args.join(' ');
      const r = cli([...args, join(dir, 's.yaml')]);
      assert.equal(r.status, 0, `${command}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /noise|top/, command);
      assert.match(r.stderr, /top/, `${command}: the file did write`);
      assert.equal(expected[i]!.status, 0, `${command}: ${expected[i]!.stderr}`);
      assert.equal(r.stdout, expected[i]!.stdout, command);
    }
  });
});

describe('a canonicalize that merges states whose futures differ', () => {
  it('is refused before run or exact prints its exact values beside the estimates', () => {
    // Forgetting whether the message arrived merges the two ends: every exact value of the cell moves.
    const text = FILE.replace('describe: (s) =>', 'canonicalize(s) { s[1] = 0; },\n  describe: (s) =>');
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nloss: 0.3\nredundancy: 1\ntrials: 20000\n' });
    const commands = [['run', '-f', 'csv'], ['exact'], ['plan', '--target', 'delivered>=0.5', '--vary', 'redundancy=1:3']];
    for (const [i, r] of cliSeries(commands.map((args) => [...args, join(dir, 's.yaml')])).entries()) {
      const command = commands[i]!.join(' ');
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.equal(r.stdout, '', command);
      assert.match(
        r.stderr,
        /far\.mjs: breaks the protocol contract: cell rounds=2, loss 0\.3: canonicalize changes the exact probability of delivered/,
        command,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1, `${command}: ${r.stderr}`);
    }
  });
});

describe('a protocol file that changes its own outcomes or parameters once loaded', () => {
  it('changes no column and no count: the tool holds frozen copies of what it checked', () => {
    const own = FILE.replace(
      "outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },",
      'outcomes: OUTCOMES,\n  parameters: PARAMETERS,',
    ).replace(
      'export default',
      "const OUTCOMES = { names: ['delivered', 'dark'], success: [0], disagreement: [1] };\nconst PARAMETERS = [{ name: 'spare', description: 'unused', minimum: 0, maximum: 3, default: 1 }];\nexport default",
    );
    // configure runs once per cell, in the tool and in every worker thread, after the checks: it renames a column, marks a failure a success, adds a parameter.
    const changing = own.replace(
      'configure: (p) => ({ rounds: p.rounds }),',
      "configure: (p) => { OUTCOMES.names[1] = 'trials'; OUTCOMES.names.push('seed'); OUTCOMES.success.push(1); PARAMETERS[0].name = 'loss'; PARAMETERS.push({ name: 'x', description: 'x', minimum: 0, maximum: 1, default: 0 }); return { rounds: p.rounds }; },",
    );
    assert.notEqual(changing, own);
    const scenario = 'protocol: ./far.mjs\nloss: 0.3\nredundancy: 1\ntrials: 140000\nname: s\nsweep:\n  spare: [0, 2]\n';
    const dir = tempFiles({ 'far.mjs': changing, 's.yaml': scenario });
    const plain = tempFiles({ 'far.mjs': own, 's.yaml': scenario });
    const workerCounts = ['1', '2'];
    const changed = cliSeries(workerCounts.map((workers) => ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', workers]));
    const unchanged = cliSeries(workerCounts.map((workers) => ['run', join(plain, 's.yaml'), '-f', 'csv', '--workers', workers]));
    for (const [i, r] of changed.entries()) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout.split('\n')[0]!, /,spare,trials,seed,delivered,dark,success,/);
      assert.equal(r.stdout, unchanged[i]!.stdout, workerCounts[i]);
    }
  });
});

describe('crash roles of one name', () => {
  it('are refused when the file loads: crash: { A: … } would set the rate of both', () => {
    const tcp = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8');
    const cases = ["['A', 'A']", "['a', 'A']"].map((roles) => {
      const text = tcp.replace("roles: ['A', 'B'],", `roles: ${roles},`);
      const dir = tempFiles({ 'tcp.mjs': text, 's.yaml': 'protocol: ./tcp.mjs\nloss: 0.1\nrounds: 2\ncrash: { A: 0.1 }\ntrials: 2000\n' });
      return { roles, text, dir };
    });
    // Both files in one process: neither is ever loaded beside the tool (refused as it loads in its own).
    const commandsOf = (dir: string): string[][] => [
      ['check', join(dir, 'tcp.mjs')],
      ['run', join(dir, 's.yaml')],
    ];
    const all = cliSeries(cases.flatMap(({ dir }) => commandsOf(dir)));
    for (const [n, { roles, text, dir }] of cases.entries()) {
      assert.notEqual(text, tcp);
      const commands = commandsOf(dir);
      for (const [i, r] of all.slice(2 * n, 2 * n + 2).entries()) {
        const args = commands[i]!;
        assert.equal(r.status, 2, `${roles} ${args[0]}: ${r.stderr}`);
        assert.match(r.stderr, /roles names 'A' twice \(or in two cases\): each role needs a name of its own, its crash rate crashA/);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    }
  });
});

describe('an error from a callback a protocol file scheduled', () => {
  for (const [what, body, expected] of [
    ['throws', "throw new Error('later');", /^twogenerals: protocol far-cells \(.*far\.mjs\) threw: later \(.*far\.mjs:\d+:\d+\)$/],
    ['calls process.exit', 'process.exit(0);', /^twogenerals: .*far\.mjs: called process\.exit\(0\) while the command ran/],
  ] as const) {
    it(`that ${what} is the file's error (exit 2), not an internal one, nor an exit 0`, () => {
      // Scheduled from configure in a cell the checks do not visit: it runs in the tool, after the isolated check.
      const text = FILE.replace(
        'configure: (p) => ({ rounds: p.rounds }),',
        `configure: (p) => { if (p.rounds === 5) queueMicrotask(() => { ${body} }); return { rounds: p.rounds }; },`,
      );
      const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n' });
      const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr.trim(), expected);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
});

describe('a protocol file that changes a built-in in a cell the quick check does not explore, on a worker thread', () => {
  // Math.imul draws every random number: replaced (in the worker thread that runs the cell, whose
  // built-ins the main thread's check before its output does not see), every draw was 0 and the
  // counts were printed, exit 0.
  it('prints no results: one line naming the file and the built-in, exit 2', () => {
    const text = FILE.replace('next(s, c, step) {', 'next(s, c, step) { if (c.rounds === 5) Math.imul = () => 0;');
    assert.notEqual(text, FILE, 'the slip applies');
    const dir = tempFiles({ 'far.mjs': text, 's.yaml': 'protocol: ./far.mjs\nrounds: 5\nloss: 0.5\nredundancy: 1\ntrials: 2000\n' });
    const r = cli(['run', join(dir, 's.yaml'), '--workers', '2', '--no-exact', '--trials', '2000000', '-f', 'csv']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`twogenerals: ${join(dir, 'far.mjs')}: changed JavaScript's built-in Math.imul while the command ran`), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

describe('a protocol file whose crashes do not stick only with rounds the quick check does not explore', () => {
  // With 5 rounds or more: check explores rounds 1 to 3 only, the quick check 2.
  const slips = [
    [
      'a crash that marks nothing',
      'crash(state, _config, node) {\n      state[CRASHED + node] = 1;',
      'crash(state, config, node) {\n      if (config.rounds < 5) state[CRASHED + node] = 1;',
      /crashed\(node [01]\) returned false after round \d+'s crashes were drawn, but node [01] has crashed: crash must mark the node it is given \(and only it\) crashed in the state, and the mark stay/,
    ],
    [
      'a resolve that revives the crashed',
      'resolve(state, { start }, step, received) {',
      'resolve(state, { start, rounds }, step, received) {\n      if (rounds >= 5 && step.kind !== ROUND) { state[CRASHED] = 0; state[CRASHED + 1] = 0; }',
      /crashed\(node [01]\) returned false (in round \d+, but node [01] has crashed: a crashed node stays crashed \(keep its mark in the state\)|after round \d+'s crashes were drawn, but node [01] has crashed: crash must mark the node it is given \(and only it\) crashed in the state, and the mark stay)/,
    ],
  ] as const;
  const tcp = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8');
  // One process for both files, each a protocol name of its own: forgets-crashes-1, forgets-crashes-2.
  const cases = slips.map(([what, from, to], n) => {
    const name = `forgets-crashes-${n + 1}`;
    const text = tcp.replace(from, to).replace("name: 'tcp-handshake'", `name: '${name}'`);
    const dir = tempFiles({ 'forgets.mjs': text, 's.yaml': 'protocol: ./forgets.mjs\nloss: 0.5\nredundancy: 1\nrounds: 6\ncrash: 0.3\ntrials: 2000\n' });
    const commands = [
      ['run', '--workers', '1'],
      ['run', '--workers', '2', '--no-exact', '--trials', '300000'],
      ['exact'],
      // (trace replays one trial: the first of this seed whose crashed node meets a later step)
      ['trace', '--trial', what.includes('revives') ? '9' : '1'],
      ['plan', '--vary', 'redundancy=1:2', '--target', 'success>=0.1'],
    ];
    return { name, text, dir, commands };
  });
  const series = sharedSeries(
    cases.map(({ dir, commands }) => [['check', join(dir, 'forgets.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml')])]),
  );
  for (const [n, [what, , , rule]] of slips.entries()) {
    it(`is refused by every engine in one line, not run on as if its nodes were up: ${what}`, () => {
      const { name, text, commands } = cases[n]!;
      assert.notEqual(text.replace(`name: '${name}'`, "name: 'tcp-handshake'"), tcp, 'the slip applies');
      const [checked, ...results] = series(n);
      assert.equal(checked!.status, 0, 'the slip is past what check explores');
      for (const [i, args] of commands.entries()) {
        const command = args.join(' ');
        const r = results[i]!;
        assert.equal(r.status, 2, `${command}: ${r.stderr}`);
        assert.equal(r.stdout, '', command);
        assert.match(r.stderr, new RegExp(`^twogenerals: protocol ${name} \\(.*forgets\\.mjs\\): (${rule.source}) \\(state \\[[-0-9, ]+\\]\\)\\n$`), command);
      }
    });
  }
});

describe('a protocol file that changes a choice’s probability array between trials', () => {
  it('is refused by run (small and large), not counted as a mix of its two distributions', () => {
    // From its 1,000th trial on (counted outside the state), the coin it gives is [0.9, 0.1], no longer [0.5, 0.5].
    const text = `let trials = 0;
export default ({ CHOOSE, END }) => ({
  name: 'changed-coin',
  outcomes: { names: ['heads', 'tails'], success: [0], disagreement: [1] },
  configure: () => ({ coin: Float64Array.of(0.5, 0.5) }),
  stateSize: () => 2,
  init(s, c) { s[0] = 0; s[1] = 0; if (++trials === 1000) c.coin.set([0.9, 0.1]); },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = CHOOSE; step.choices = c.coin; }
    else { step.kind = END; step.outcome = s[1]; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => String(s[1]),
});
`;
    const dir = tempFiles({ 'coin.mjs': text, 's.yaml': 'protocol: ./coin.mjs\ntrials: 2000\n' });
    for (const trials of ['2000', '200000']) {
      const r = cli(['run', join(dir, 's.yaml'), '--workers', '1', '--trials', trials, '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: protocol changed-coin \(.*coin\.mjs\): next gave step\.choices an array it had given before with other probabilities \(\[0\.5, 0\.5\] then, \[0\.9, 0\.1\] now\): the engines keep one sampling table per array, so give each distribution an array of its own and never change it \(state \[0, 0\]\)\n$/,
      );
    }
  });
});
