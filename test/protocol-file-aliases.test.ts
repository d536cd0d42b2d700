import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, oneSendProtocolFile, tempFiles } from './helpers.js';

/**
 * One protocol file named two ways in one command — through a symlink, or a copy of it in another
 * folder (the same digest) — is one protocol: two scenarios naming it so were refused as two
 * files with the same protocol name ("clashes with another protocol file", exit 2). Another file
 * with the same name still is.
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'b'));
writeFileSync(join(dir, 'p.mjs'), oneSendProtocolFile('aliased'));
symlinkSync(join(dir, 'p.mjs'), join(dir, 'link.mjs'));
writeFileSync(join(dir, 'b', 'p.mjs'), oneSendProtocolFile('aliased'));
writeFileSync(join(dir, 'b', 'other.mjs'), oneSendProtocolFile('aliased').replace("summary: 'test'", "summary: 'another'"));
const scenario = (name: string, protocol: string): string => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `name: ${name}\nprotocol: ${protocol}\nloss: 0.3\ntrials: 20000\nseed: 5\n`);
  return path;
};
const direct = scenario('direct', './p.mjs');

describe('one protocol file named two ways in one command', () => {
  const alone = cli(['run', direct, '-f', 'csv', '--quiet']);
  assert.equal(alone.status, 0, alone.stderr);
  const row = alone.stdout.split('\n')[1]!.replace(/^direct,/, '');
  for (const [what, protocol] of [
    ['a symlink', './link.mjs'],
    ['a copy in another folder', './b/p.mjs'],
  ] as const) {
    it(`${what}: runs, the same counts`, () => {
      const r = cli(['run', direct, scenario(`via-${what.length}`, protocol), '-f', 'csv', '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      const rows = r.stdout.trim().split('\n').slice(1);
      assert.equal(rows.length, 2);
      for (const line of rows) assert.equal(line.replace(/^[^,]+,/, ''), row);
    });
  }
  it('another file with the same name is still refused', () => {
    const r = cli(['run', direct, scenario('other', './b/other.mjs'), '-f', 'csv', '--quiet']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /its name 'aliased' clashes with another protocol file/);
  });
});
