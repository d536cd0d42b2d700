import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { misreadNumber, misreadText } from '../src/io/number-literal.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// A number the user typed that a double holds as another number ran as that other number, exit 0:
// `crash: 1e-400` as crash-free, `--set loss=1e-330` as loss 0, `--trials 9007199254740993` quoted
// as 9007199254740992. Each is refused where it is written, naming what is wrong.
describe('numbers a double would hold as other numbers', () => {
  const ZERO = /is below the smallest positive number a double holds \(about 4\.9e-324\), so it would be read as 0: write 0 if you mean 0$/;
  const SUBNORMAL = /is below the smallest number a double holds to all its digits \(about 2\.2e-308\): it would be read as /;
  const INFINITE = /is beyond the largest number a double holds \(about 1\.8e308\), so it would be read as infinity/;
  const PAST_2_53 = /is past 2\^53 \(9007199254740992\), beyond which a double does not hold every whole number, so it would be read as /;

  it('names each way of misreading, and leaves numbers read as written (or as the nearest double, 0.1) alone', () => {
    for (const text of ['1e-400', '-1e-330', '2.4e-324', '0.00001e-320']) assert.match(misreadText(text) ?? '', ZERO, text);
    for (const text of ['4e-324', '5e-324', '1e-310', '2e-308']) assert.match(misreadText(text) ?? '', SUBNORMAL, text);
    assert.match(misreadText('4e-324')!, /read as 4\.9406564584124654e-324; /);
    for (const text of ['1e400', '-1e309', '1.8e308']) assert.match(misreadText(text) ?? '', INFINITE, text);
    for (const text of ['9007199254740993', '9.007199254740993e15', '18014398509481985', '0x20000000000001', '9007199254740992.5'])
      assert.match(misreadText(text) ?? '', PAST_2_53, text);
    assert.match(misreadText('9007199254740993')!, /read as 9007199254740992$/);
    for (const text of [
      '0',
      '-0',
      '0.0',
      '0e999',
      '0.0000e-999999999999',
      '0.1',
      '2.2250738585072014e-308',
      '1e-300',
      '1e308',
      '9007199254740992',
      '9007199254740994',
      '1e20',
      '1e15',
      // Past 2^53, a whole number a double holds to its last digit, and one written as its shortest text.
      '1152921504606846976',
      '0x1000000000000000',
      '99999999999999991611392',
      '1e23',
      '179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368',
      '0x10',
      '0o17',
      '.5',
      '+3',
      '1.',
    ])
      assert.equal(misreadText(text), null, text);
    // What YAML reads as text, or as infinity on purpose, is no misread number.
    for (const [text, value] of [
      ['.inf', Number.POSITIVE_INFINITY],
      ['-.Inf', Number.NEGATIVE_INFINITY],
      ['.nan', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
    ] as const)
      assert.equal(misreadNumber(text, value), null, text);
  });

  const dir = tempFiles({
    'crash.yaml': 'protocol: two-phase-commit\nparticipants: 2\nloss: 0.1\ncrash: 1e-400\ntrials: 1000\n',
    'role.yaml': 'protocol: two-phase-commit\ncrash: { coordinator: 1e400 }\n',
    'rounds.json': '{"protocol": "handshake",\n  "rounds": 9007199254740993}\n',
    'sweep.yaml': 'protocol: messenger\nsweep:\n  loss: [0.1, 1e-330]\n',
    'range.yaml': 'protocol: messenger\nsweep:\n  redundancy: { from: 1, to: 3, step: 1e-999 }\n',
    'expect.yaml': 'protocol: messenger\nexpect:\n  - { metric: disagreement, atMost: 1e-999 }\n',
    'precision.yaml': 'protocol: messenger\ntrials: { precision: 0.001, maxTrials: 1e400 }\n',
    'seed.yaml': 'protocol: messenger\nseed: 1e400\n',
    'plain.yaml': 'protocol: messenger\nloss: 0.1\ntrials: 1000\n',
  });
  const at = (name: string): string => join(dir, name);
  /** Runs the command, held to exit 2, nothing on stdout, stderr starting with `start` and saying `problem`. */
  const refused = async (args: string[], start: string, problem: RegExp) => {
    const r = await cliIn(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.ok(r.stderr.startsWith(`twogenerals: ${start}`), r.stderr);
    assert.match(r.stderr.trim(), problem);
    return r;
  };

  it('in a scenario file, YAML or JSON: at the number, file:line:column, before anything runs', async () => {
    const cases: [string[], string, RegExp][] = [
      [['run', at('crash.yaml')], `${at('crash.yaml')}:4:8: 1e-400 `, ZERO],
      [['validate', at('role.yaml')], `${at('role.yaml')}:2:23: 1e400 `, INFINITE],
      [['exact', at('rounds.json')], `${at('rounds.json')}:2:13: 9007199254740993 `, PAST_2_53],
      [['exact', at('sweep.yaml')], `${at('sweep.yaml')}:3:15: 1e-330 `, ZERO],
      [['exact', at('range.yaml')], `${at('range.yaml')}:3:39: 1e-999 `, ZERO],
      [['run', at('expect.yaml')], `${at('expect.yaml')}:3:37: 1e-999 `, ZERO],
      [['run', at('precision.yaml')], `${at('precision.yaml')}:2:40: 1e400 `, INFINITE],
      [['run', at('seed.yaml')], `${at('seed.yaml')}:2:7: 1e400 `, INFINITE],
    ];
    for (const [args, place, problem] of cases) {
      const r = await refused(args, place, problem);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('in every flag that takes a number: naming the flag', async () => {
    const plain = at('plain.yaml');
    const cases: [string[], string, RegExp][] = [
      [['run', plain, '--set', 'loss=1e-330'], '--set loss=1e-330: 1e-330 ', ZERO],
      [['run', plain, '--set', 'loss=4e-324'], '--set loss=4e-324: 4e-324 ', SUBNORMAL],
      [['run', plain, '--set', 'crash=1e-400', '--set', 'protocol=two-phase-commit'], '--set crash=1e-400: 1e-400 ', ZERO],
      [['run', plain, '--set', 'loss={AtoB: 1e-400, BtoA: 0.1}'], '--set loss={AtoB: 1e-400, BtoA: 0.1}: 1e-400 ', ZERO],
      [['run', plain, '--set', 'expect=[{metric: success, atLeast: 1e-999}]'], '--set expect=[{metric: success, atLeast: 1e-999}]: 1e-999 ', ZERO],
      [['run', plain, '--set', 'seed=1e400'], '--set seed=1e400: 1e400 ', INFINITE],
      [['run', plain, '--trials', '9007199254740993'], '--trials 9007199254740993: 9007199254740993 ', PAST_2_53],
      [['run', plain, '--precision', '1e-400'], '--precision 1e-400: 1e-400 ', ZERO],
      [['run', plain, '--sweep', 'loss=0.1,1e-400'], '--sweep loss=0.1,1e-400: 1e-400 ', ZERO],
      [['exact', plain, '--sweep', 'rounds=1:9007199254740993'], '--sweep rounds=1:9007199254740993: 9007199254740993 ', PAST_2_53],
      [['plan', plain, '--target', 'disagreement<=1e-400', '--vary', 'redundancy=1:3'], '--target disagreement<=1e-400: 1e-400 ', ZERO],
      [['plan', plain, '--target', 'success>=0.9', '--vary', 'redundancy=1:1e400'], '--vary redundancy=1:1e400: 1e400 ', INFINITE],
      [['plan', plain, '--target', 'success>=0.9', '--vary', 'redundancy=1:3', '--trials', '1e400'], '--trials 1e400: 1e400 ', INFINITE],
      [['trace', plain, '--trial', '9007199254740993'], "option '--trial <n>' argument '9007199254740993' is invalid. 9007199254740993 ", PAST_2_53],
      [['run', plain, '--workers', '1e400'], "option '--workers <n>' argument '1e400' is invalid. 1e400 ", INFINITE],
      [['run', plain, '--confidence', '1e-400'], "option '--confidence <level>' argument '1e-400' is invalid. 1e-400 ", ZERO],
      [['fit', plain, '--lengths', '1e-400'], '--lengths 1e-400: 1e-400 ', ZERO],
    ];
    for (const [args, start, problem] of cases) await refused(args, start, problem);
  });

  it('a number read as written still runs, in a file and in a flag', async () => {
    const r = await cliIn([
      'exact',
      at('plain.yaml'),
      '--set',
      'crash=1e-300',
      '--set',
      'protocol=two-phase-commit',
      '--sweep',
      'loss=0.1,2.2250738585072014e-308',
      '-f',
      'csv',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /,1e-300,|,0\.0{299}1,/);
  });

  it('a whole number past 2^53 that a double holds exactly is judged as the number it is, not as misread', async () => {
    // 2^60 to its last digit: it was refused as "would be read as 1152921504606847000", which is the same double.
    const r = await cliIn(['run', at('plain.yaml'), '--set', 'channel={model: cut, after: 1152921504606846976}']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, PAST_2_53);
    assert.match(r.stderr.trim(), /channel\.after must be at most 10000 \(got 1152921504606847000\)$/);
  });
});
