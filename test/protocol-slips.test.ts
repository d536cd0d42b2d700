import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/** A protocol file with its own outcomes, in which each slip below is one replacement. */
const FILE = `export default ({ SEND, END, A_TO_B }) => ({
  name: 'slipper',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  parameters: [{ name: 'spare', description: 'unused', minimum: 0, maximum: 3, default: 1 }],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;

/** Slips that would print wrong numbers with exit 0 if accepted: each refused by check and by run, with the likely slip named. */
const SLIPS: [string, [string | RegExp, string], RegExp][] = [
  ['step.type written for step.kind', ['step.kind = END;', 'step.type = END;'], /step\.type.*did you mean step\.kind/],
  ['END without an outcome', ['step.outcome = s[1] === 1 ? 0 : 1;', ''], /END\) without an outcome/],
  ['an outcome out of range', ['step.outcome = s[1] === 1 ? 0 : 1;', 'step.outcome = 5;'], /outcome 5, not an index/],
  ['an object returned from next', ['next(s, c, step) {', 'next(s, c, step) { return { kind: END, outcome: 0 };'], /next returned an object/],
  ['an empty next', ['next(s, c, step) {', 'next(s, c, step) { return;'], /step\.kind unset/],
  ['an outcome named like a column', ["names: ['delivered', 'dark']", "names: ['delivered', 'trials']"], /outcome 'trials' is named like a column/],
  ['an outcome named like a parameter column', ["names: ['delivered', 'dark']", "names: ['loss', 'dark']"], /outcome 'loss' is named like a column/],
  ['an outcome named like a statistic', ["names: ['delivered', 'dark']", "names: ['success', 'dark']"], /outcome 'success' is named like a column/],
  // plan's CSV and JSON write a target's metric beside its verdict column: the verdict would overwrite the outcome's value.
  ["an outcome named like plan's verdict column", ["names: ['delivered', 'dark']", "names: ['delivered', 'meets']"], /outcome 'meets' is named like a column/],
  ["a parameter named like plan's verdict column", ["{ name: 'spare',", "{ name: 'meets',"], /parameter 'meets' is named like a column/],
  // Looked up by name, it finds every object's own member where no outcome is: plot --metric constructor stopped with an internal error.
  [
    'an outcome named like a member every object has',
    ["names: ['delivered', 'dark']", "names: ['delivered', 'constructor']"],
    /outcome 'constructor' is a name every JavaScript object already has/,
  ],
  ['duplicate outcomes', ["names: ['delivered', 'dark']", "names: ['dark', 'dark']"], /lists 'dark' twice/],
  ['overlapping success and disagreement', ['disagreement: [1]', 'disagreement: [0, 1]'], /in both outcomes\.success and outcomes\.disagreement/],
  // The table reads them (as COMMIT_OUTCOMES has them): an index past the outcomes, or titles that are no text, stopped it with an internal error.
  [
    'outcomes.shown naming no outcome',
    ['disagreement: [1] }', 'disagreement: [1], shown: [5] }'],
    /outcomes\.shown, if given, must list distinct indices into outcomes\.names \(0 to 1\)/,
  ],
  [
    'outcomes.labels that are not two titles',
    ['disagreement: [1] }', "disagreement: [1], labels: ['only'] }"],
    /outcomes\.labels, if given, must be two column titles/,
  ],
  [
    'duplicate parameters',
    ["parameters: [{ name: 'spare',", "parameters: [{ name: 'spare', description: 'x', minimum: 0, maximum: 1, default: 0 }, { name: 'spare',"],
    /declares 'spare' twice/,
  ],
  ['a parameter named like a column', ["{ name: 'spare',", "{ name: 'protocol',"], /parameter 'protocol'/],
  // validate reads the bounds from the checking process as JSON, where Infinity is null: it refused every value as "at most null".
  ['a parameter without a finite maximum', ['maximum: 3,', 'maximum: Infinity,'], /parameter spare needs a minimum and a maximum, finite numbers/],
  ['a parameter named like an outcome', ["{ name: 'spare',", "{ name: 'dark',"], /parameter|outcome 'dark'/],
  // A trial that depends on the trials before it, through a count kept in the config (here: dark from the 500th trial on).
  [
    'a count kept in the config',
    ['init(s) { s[0] = 0; s[1] = 0; }', 'init(s, c) { s[0] = 0; s[1] = 0; c.seen = (c.seen ?? 0) + 1; }'],
    /init threw: Cannot add property seen, object is not extensible \(.*p\.mjs:7:\d+\)/,
  ],
];

describe('protocol files that would print wrong numbers', () => {
  // The catalog is a plain object: its inherited constructor read as a protocol of that name.
  it("a protocol named 'constructor' (lower-case letters, a valid name) is its own, not one that 'already exists'", () => {
    const dir = tempFiles({
      'p.mjs': FILE.replace("name: 'slipper'", "name: 'constructor'"),
      's.yaml': 'protocol: ./p.mjs\nloss: 0.25\nredundancy: 1\ntrials: 1000\n',
    });
    const [r] = cliSeries([['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1']]) as [CliResult];
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^s,constructor,bernoulli,/m);
  });

  it('the file without a slip passes check and runs', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': 'protocol: ./p.mjs\nloss: 0.25\nredundancy: 1\ntrials: 1000\n' });
    // Both in one CLI process (cli-series.ts).
    const [checked, r] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'],
    ]) as [CliResult, CliResult];
    assert.equal(checked.status, 0);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /,trials,seed,delivered,dark,success,/);
  });
  it("a config holding a module's namespace (import * as) passes check and runs: the namespace is not frozen", () => {
    const text = `import * as tables from './tables.mjs';\n${FILE.replace('configure: (p) => p,', 'configure: (p) => ({ ...p, tables }),').replace(
      'step.kind = SEND; step.direction = A_TO_B; step.round = 1;',
      'step.kind = SEND; step.direction = c.tables.A_TO_B_ONLY; step.round = 1;',
    )}`;
    assert.ok(text.includes('c.tables.A_TO_B_ONLY') && text.includes('...p, tables'), 'the change applies');
    const dir = tempFiles({
      'p.mjs': text,
      'tables.mjs': 'export const A_TO_B_ONLY = 0;\nexport const LABELS = { heard: 1 };\n',
      's.yaml': 'protocol: ./p.mjs\nloss: 0.25\nredundancy: 1\ntrials: 1000\n',
    });
    const commands = [['run', '--workers', '1'], ['exact']];
    const [checked, ...results] = cliSeries([['check', join(dir, 'p.mjs')], ...commands.map((args) => [...args, join(dir, 's.yaml'), '-f', 'csv'])]);
    assert.equal(checked!.status, 0, checked!.stderr);
    for (const [i, args] of commands.entries()) {
      const r = results[i]!;
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^s,slipper,bernoulli,0\.25,1,/m);
    }
  });
  // Refused before anything registers (in the checking process), so all in one CLI process
  // (cli-series.ts), run the first time a test asks: a process each would add nothing.
  const slipped = SLIPS.map(([, [from, to]]) => {
    const text = FILE.replace(from, to);
    const dir = tempFiles({ 'p.mjs': text, 's.yaml': 'protocol: ./p.mjs\nloss: 0.25\nredundancy: 1\ntrials: 1000\n' });
    return {
      text,
      commands: [
        ['check', join(dir, 'p.mjs')],
        ['run', join(dir, 's.yaml'), '--workers', '1'],
      ],
    };
  });
  let refusals: CliResult[] | undefined;
  for (const [n, [what, , expected]] of SLIPS.entries()) {
    it(`are refused by check and by run, one line, exit 2: ${what}`, () => {
      const { text, commands } = slipped[n]!;
      assert.notEqual(text, FILE, 'the slip applies');
      const all = (refusals ??= cliSeries(slipped.flatMap((slip) => slip.commands)));
      for (const [i, args] of commands.entries()) {
        const r = all[2 * n + i]!;
        assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, expected);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    });
  }
  it('a slip outside the cells check explores stops the engines rather than counting the trial', () => {
    // Only with 5 rounds does next leave the step unfilled: the quick check (2 rounds) passes it.
    const text = FILE.replace('if (s[0] === 0) {', 'if (c.rounds === 5) return;\n    if (s[0] === 0) {');
    const dir = tempFiles({ 'p.mjs': text, 's.yaml': 'protocol: ./p.mjs\nrounds: 5\ntrials: 1000\n' });
    const commands = [['run', '--workers', '1'], ['run', '--workers', '2'], ['exact']];
    for (const [i, r] of cliSeries(commands.map((args) => [...args, join(dir, 's.yaml')])).entries()) {
      const command = commands[i]!.join(' ');
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr, /step\.kind unset/);
    }
  });
  it("a default cell whose trials end past the quick check's bound is refused as that bound, not as a trial that never ends", () => {
    // Every trial ends after `steps` steps: check (the three smallest values) passes it, and so does a run at --set steps=30000 with a small default.
    const text = `export default ({ CHOOSE, END, GENERALS_OUTCOMES }) => ({
  name: 'long-trials',
  outcomes: GENERALS_OUTCOMES,
  usesRounds: false,
  parameters: [{ name: 'steps', description: 'steps a trial takes', minimum: 1, maximum: 100000, default: 30000, integer: true }],
  configure: (p) => ({ steps: p.steps, choices: Float64Array.of(1) }),
  stateSize: () => 1,
  init(s) { s[0] = 0; },
  next(s, c, step) {
    if (s[0] < c.steps) { step.kind = CHOOSE; step.choices = c.choices; step.label = 'tick'; return; }
    step.kind = END; step.outcome = 0;
  },
  resolve(s) { s[0]++; },
  describe: (s) => 'tick ' + s[0],
});
`;
    const dir = tempFiles({ 'p.mjs': text, 's.yaml': 'protocol: ./p.mjs\ntrials: 100\n' });
    const [checked, r] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml')],
    ]) as [CliResult, CliResult];
    assert.equal(checked.status, 0);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /a trial took more than 20000 steps without ending \(the quick check before every command follows a trial of the default cell up to 20000 steps, `check` up to 100000: if its trials end, give the parameters defaults whose trials are shorter\); state \[20001\]/,
    );
  });
  it('per-direction traces of different lengths are refused, naming both', () => {
    const dir = tempFiles({
      'a.txt': '0\n1\n0\n0\n',
      'b.txt': '0\n0\n',
      's.yaml': 'protocol: messenger\nchannel: { model: trace, file: a.txt, BtoA: b.txt }\ntrials: 1000\n',
    });
    const r = cli(['run', join(dir, 's.yaml')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /B→A trace has 2 packets and the A→B trace .* 4/);
  });
});
