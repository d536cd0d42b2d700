import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, retryProtocolFile as protocol, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeriesOnce } from './cli-series.js';

/**
 * A protocol file whose `next` turns a field of the step into a getter (here an outcome that
 * answers otherwise on every read), only in a cell `check` and the quick check do not explore, is
 * refused in one line naming its file and line (exit 2) by every command and engine: it was
 * counted (exact printed success 0 where the protocol succeeds 97% of the time, exit 0).
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));

const choicesGetter = join(dir, 'choices-getter.mjs');
writeFileSync(
  choicesGetter,
  protocol('choices-getter', 'false').replace(
    'choices: [0.75, 0.25] })',
    'choices: p.bad === 7 ? (() => { const a = [0, 0]; let n = 0; Object.defineProperty(a, 0, { get: () => (n++ % 2 ? 0.75 : 0.25) }); Object.defineProperty(a, 1, { get: () => 1 - ((n - 1) % 2 ? 0.75 : 0.25) }); return a; })() : [0.75, 0.25] })',
  ),
);

const choicesProxy = join(dir, 'choices-proxy.mjs');
writeFileSync(
  choicesProxy,
  protocol('choices-proxy', 'false').replace('choices: [0.75, 0.25] })', 'choices: p.bad === 7 ? new Proxy(Float64Array.of(0.75, 0.25), {}) : [0.75, 0.25] })'),
);
const proxyEverywhere = join(dir, 'proxy-everywhere.mjs');
writeFileSync(
  proxyEverywhere,
  protocol('proxy-everywhere', 'false').replace('choices: [0.75, 0.25] })', 'choices: new Proxy(Float64Array.of(0.75, 0.25), {}) })'),
);

const late = join(dir, 'late-getter.mjs');
writeFileSync(late, protocol('late-getter', 'c.bad'));
const always = join(dir, 'always-getter.mjs');
writeFileSync(always, protocol('always-getter', 'true'));

/** The commands each file is refused by: the four on one file in one CLI process (cli-series.ts), run once for the tests below. */
const COMMANDS = [['exact'], ['trace', '--trial', '3'], ['run', '--trials', '2000'], ['run', '--trials', '1000000', '--workers', '2']];
const seriesOnce = (cell: readonly string[]): (() => CliResult[]) => cliSeriesOnce(COMMANDS.map((command) => [...command, ...cell]));

describe('a getter on the step is refused, never counted', () => {
  const cell = ['--set', `protocol=${late}`, '--set', 'bad=7', '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet'];
  const refusals = {
    late: seriesOnce(cell),
    choicesGetter: seriesOnce(['--set', `protocol=${choicesGetter}`, ...cell.slice(2)]),
    choicesProxy: seriesOnce(['--set', `protocol=${choicesProxy}`, ...cell.slice(2)]),
  };
  for (const [i, command] of COMMANDS.entries()) {
    it(`${command.join(' ')}: one line, exit 2`, () => {
      const r = refusals.late()[i]!;
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: protocol late-getter \(.*late-getter\.mjs\) threw: Cannot redefine property: outcome \(.*late-getter\.mjs:\d+:\d+\)\n$/,
      );
    });
  }
  for (const [i, command] of COMMANDS.entries()) {
    it(`choices read through getters, ${command.join(' ')}: one line, exit 2`, () => {
      const r = refusals.choicesGetter()[i]!;
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: protocol choices-getter \(.*\): a choice's probability step\.choices\[0\] is a getter; .*\n$/);
    });
  }
  for (const [i, command] of COMMANDS.entries()) {
    it(`choices given as a Proxy of a Float64Array, ${command.join(' ')}: one line, exit 2 (not an internal error)`, () => {
      const r = refusals.choicesProxy()[i]!;
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: protocol choices-proxy \(.*\): a choice's probabilities are a Proxy; .*\n$/);
    });
  }
  it('check: names choices given as a Proxy', () => {
    const r = cli(['check', proxyEverywhere]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /breaks the protocol contract: cell .*: a choice's probabilities are a Proxy; /);
  });
  it('check: names the redefinition', () => {
    const r = cli(['check', always]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /breaks the protocol contract: cell .*: next threw: Cannot redefine property: outcome \(.*always-getter\.mjs:\d+:\d+\)\n$/);
  });
  it('the same file without the getter runs', () => {
    const r = cli(['exact', '--set', `protocol=${late}`, '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
  });
});
