import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, ROOT, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** The shipped scenarios, found from the package itself (as an installed package finds them). */
describe('twogenerals scenarios', () => {
  it('lists the shipped scenarios with where they are', async () => {
    const r = await cliIn(['scenarios']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Shipped scenarios \(in .*scenarios\):/);
    assert.match(r.stdout, /bursty-5pct +The question an engineer brings/);
    assert.match(r.stdout, /Run one by name: twogenerals run bursty-5pct/);
  });

  it('prints one to copy, the same scenario the package ships', async () => {
    const r = await cliIn(['scenarios', 'two-phase-commit']);
    assert.equal(r.status, 0, r.stderr);
    const body = (text: string) => text.replace(/^(# .*\n)+/, '');
    assert.equal(body(r.stdout), body(readFileSync(join(ROOT, 'scenarios', 'two-phase-commit.yaml'), 'utf8')));
  });

  it('prints a complete starting file: a $schema line and how to get the schema where it cannot resolve', async () => {
    const r = await cliIn(['scenarios', 'bursty-5pct']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^# yaml-language-server: \$schema=\.\/scenario\.schema\.json\n# the schema beside this file: twogenerals schema > scenario\.schema\.json\n/,
    );
    assert.doesNotMatch(r.stdout, /scenarios\//, 'the description names shipped scenarios by name, not by a path a package user lacks');
  });

  it('runs, validates and traces a shipped scenario or example by its name', async () => {
    for (const name of ['bursty-5pct', 'bursty-5pct.yaml', 'scenarios/bursty-5pct.yaml', 'tcp-handshake']) {
      const r = await cliIn(['validate', name], {});
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }
    const dir = tempFiles({});
    const r = spawnSync(process.execPath, [BIN, 'run', 'handshake-regress', '--trials', '1000', '--format', 'csv'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,protocol/);
    const missing = spawnSync(process.execPath, [BIN, 'run', 'no-such-scenario'], { cwd: dir, encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no-such-scenario: cannot read the scenario file: no such file or directory/);
  });

  it('lists the shipped examples, which run by name, with where they are', async () => {
    const r = await cliIn(['scenarios']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Examples \(in .*examples, beside the protocol and trace files they name; run one by name\):/);
    assert.match(r.stdout, /\n {2}three-phase-commit +Three-phase commit with its timeout rules/);
    assert.match(r.stdout, /\n {2}tcp-handshake +TCP's three-way handshake/);
    const copied = await cliIn(['scenarios', 'commit-crash-3pc']);
    assert.equal(copied.status, 2);
    assert.match(
      copied.stderr,
      /'commit-crash-3pc' is an example, not a shipped scenario: it is .*examples[/\\]commit-crash-3pc\.yaml, beside the files it names \(copy the folder to edit it\); run it by name: twogenerals run commit-crash-3pc\n$/,
    );
  });

  it('names the shipped ones when asked for one it does not ship', async () => {
    const r = await cliIn(['scenarios', 'bursty-5pc']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no shipped scenario named 'bursty-5pc' \(did you mean 'bursty-5pct'\?\)/);
  });
});
