import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/**
 * A protocol file's process.exit and its writes to stdout are told by its code on the stack.
 * These files hide from that (a stack limit of 0, a stack written their own way, a helper module
 * whose frames alone are on the stack) or end the process another way (process.reallyExit): each
 * must still be refused in one line, never exit 0 with nothing or junk printed.
 */
const base = (hook: string): string => `export default ({ SEND, END, A_TO_B }) => ({
  name: 'pinger',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init: (s) => { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    ${hook}
    if (s[1] === 1) { step.kind = END; step.outcome = 0; return; }
    if (s[0] >= c.rounds) { step.kind = END; step.outcome = 1; return; }
    step.kind = SEND; step.direction = A_TO_B; step.round = s[0] + 1; step.label = 'ping';
  },
  resolve(s, c, step, r) { s[0]++; if (r) s[1] = 1; },
  describe: (s) => 't' + s[0] + ' got ' + s[1],
});
`;
// Rounds 5: a cell neither check nor the quick check explores, so only the command meets the hook.
const SCENARIO = 'name: s\nprotocol: ./p.mjs\nloss: 0.5\nredundancy: 1\nrounds: 5\ntrials: 2000\nseed: 1\n';
const FAILING = `${SCENARIO}expect:\n  - { metric: delivered, atLeast: 0.999 }\n`;

describe('protocol files: exit and stdout guards a file cannot hide from', () => {
  for (const [what, hook] of [
    ['sets Error.stackTraceLimit to 0', 'if (c.rounds === 5) { Error.stackTraceLimit = 0; process.exit(0); }'],
    ['sets its own Error.prepareStackTrace', "if (c.rounds === 5) { Error.prepareStackTrace = () => ''; process.exit(0); }"],
    ['calls process.reallyExit', 'if (c.rounds === 5) process.reallyExit(0);'],
  ] as const) {
    it(`refuses a file that ${what} and ends the process in a method`, () => {
      const dir = tempFiles({ 'p.mjs': base(hook), 's.yaml': SCENARIO });
      const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /p\.mjs: called process\.(really)?[eE]xit\(0\) while the command ran: a protocol file must not end the process/);
    });
  }

  it('refuses a file that keeps process.reallyExit as it loads and calls it in a method', () => {
    const dir = tempFiles({ 'p.mjs': `const really = process.reallyExit;\n${base('if (c.rounds === 5) really.call(process, 0);')}`, 's.yaml': SCENARIO });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /p\.mjs: called process\.reallyExit\(0\) while the command ran/);
  });

  it("keeps an expect's failure when an 'exit' listener a file added calls process.reallyExit(0)", () => {
    const hook = "if (c.rounds === 5 && s[0] === 0 && !globalThis.added) { globalThis.added = 1; process.on('exit', () => process.reallyExit(0)); }";
    const dir = tempFiles({ 'p.mjs': base(hook), 's.yaml': FAILING });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /expect failed/);
  });

  it('sends the stdout writes of a helper a protocol file imports to stderr, and refuses its process.exit', () => {
    const helper = base("process.stdout.write('JUNK\\n'); if (c.rounds === 5 && s[0] === 1) process.exit(0);");
    const dir = tempFiles({
      'p.mjs': "import './h.cjs';\nexport { default } from './base.mjs';\n",
      'h.cjs': "process.stdout.write('JUNK\\n');\n",
      'base.mjs': helper,
      's.yaml': SCENARIO.replace('rounds: 5', 'rounds: 4'),
    });
    const ok = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^scenario,protocol,/);
    assert.doesNotMatch(ok.stdout, /JUNK/);
    const exits = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--set', 'rounds=5']);
    assert.equal(exits.status, 2, exits.stderr);
    assert.equal(exits.stdout, '');
    assert.match(exits.stderr, /p\.mjs: called process\.exit\(0\) while the command ran/);
  });
});

describe("protocol files: Node.js's modules the tool writes its results with", () => {
  const patch =
    "const w = fs.writeFileSync; fs.writeFileSync = function (f, s, ...a) { return w.call(this, f, typeof s === 'string' ? s.replace(/,/g, ';') : s, ...a); };";
  for (const [when, file] of [
    ['as it loads', `import fs from 'node:fs';\n${patch}\n${base('')}`],
    [
      'in a method the quick check does not visit',
      `import fs from 'node:fs';\n${base(`if (c.rounds === 5 && !globalThis.patched) { globalThis.patched = 1; ${patch} }`)}`,
    ],
  ] as const) {
    it(`refuses a file that replaces fs.writeFileSync ${when}, and saves no result folder`, () => {
      const dir = tempFiles({ 'p.mjs': file, 's.yaml': SCENARIO });
      const out = join(dir, 'out');
      const r = cli(['run', join(dir, 's.yaml'), '--out', out, '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /p\.mjs: changed Node\.js's built-in module member node:fs\.writeFileSync while/);
      assert.equal(existsSync(out), false);
    });
  }

  it('runs a file that imports every such module and reads their lazy members', () => {
    const imports = ['fs', 'fs/promises', 'path', 'url', 'util', 'os', 'crypto', 'events', 'child_process', 'worker_threads', 'module']
      .map((m, i) => `import * as m${i} from 'node:${m}';`)
      .join('\n');
    const dir = tempFiles({ 'p.mjs': `${imports}\nm0.promises; m6.webcrypto; m4.types;\n${base('')}`, 's.yaml': SCENARIO });
    const r = cli(['run', join(dir, 's.yaml'), '--out', join(dir, 'out'), '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
  });
});

describe('protocol files: npm packages a file imports', () => {
  it('sends what a package writes to stdout as it loads to stderr, not into the CSV', () => {
    const dir = tempFiles({ 'p.mjs': `import 'noisy';\nimport 'noisyesm';\n${base('')}`, 's.yaml': SCENARIO });
    const packages: [string, string, string][] = [
      ['noisy', 'index.js', "process.stdout.write('JUNK\\n');\nmodule.exports = {};\n"],
      ['noisyesm', 'index.mjs', "process.stdout.write('JUNK\\n');\nexport const y = 2;\n"],
    ];
    for (const [name, main, text] of packages) {
      const folder = join(dir, 'node_modules', name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'package.json'), JSON.stringify({ name, version: '1.0.0', exports: `./${main}` }));
      writeFileSync(join(folder, main), text);
    }
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
    assert.doesNotMatch(r.stdout, /JUNK/);
    assert.match(r.stderr, /JUNK/);
  });
});

describe('protocol files: process.exit and stdout.write handed to a timer or a promise', () => {
  for (const [what, hook] of [
    ['setImmediate(process.exit, 0)', 'setImmediate(process.exit, 0);'],
    ['.then(process.exit)', 'Promise.resolve(0).then(process.exit);'],
    ['setImmediate(process.reallyExit, 0)', 'setImmediate(process.reallyExit, 0);'],
  ] as const) {
    it(`refuses a file whose method schedules ${what}`, () => {
      const dir = tempFiles({ 'p.mjs': base(`if (c.rounds === 5 && !globalThis.scheduled) { globalThis.scheduled = 1; ${hook} }`), 's.yaml': SCENARIO });
      // Enough trials that the run waits on its worker threads, so the callback runs before the results are out.
      const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--trials', '200000', '--workers', '1']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /p\.mjs: process\.(really)?[eE]xit\(0\) ran as a callback handed to a timer or a promise/);
    });
  }

  it('sends a bound process.stdout.write a file hands to a promise to stderr', () => {
    const hook =
      "if (c.rounds === 5 && !globalThis.scheduled) { globalThis.scheduled = 1; Promise.resolve('JUNK\\n').then(process.stdout.write.bind(process.stdout)); }";
    const dir = tempFiles({ 'p.mjs': base(hook), 's.yaml': SCENARIO });
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
    assert.doesNotMatch(r.stdout, /JUNK/);
  });
});

describe('protocol files: the command line a file reads', () => {
  it('is the same in every command and thread, so run and exact agree on a file that reads process.argv', () => {
    const file = `const RUN = process.argv.includes('run');\n${base('if (RUN || process.argv.length !== 2) { step.kind = END; step.outcome = 1; return; }')}`;
    const dir = tempFiles({ 'p.mjs': file, 's.yaml': SCENARIO });
    const run = cli(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const exact = cli(['exact', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(exact.status, 0, exact.stderr);
    const column = (csv: string, name: string): string => {
      const [head, row] = csv.trim().split('\n');
      return row!.split(',')[head!.split(',').indexOf(name)]!;
    };
    assert.equal(column(exact.stdout, 'success_exact'), '0.96875');
    assert.equal(column(run.stdout, 'success_exact'), '0.96875');
    assert.ok(Math.abs(Number(column(run.stdout, 'success_z'))) < 5);
  });
});
