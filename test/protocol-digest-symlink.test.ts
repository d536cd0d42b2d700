import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { protocolDigest } from '../src/protocol-files/digest.js';
import { cli, oneMessageProtocolFile, tempFiles } from './helpers.js';

/**
 * A protocol file reached through a symbolic link imports, as Node.js loads it, the helpers
 * beside the file the link names. Its digest covered the helpers beside the link instead (or
 * none, where there were none): a change to the helper it ran left its digest as it was, so its
 * record of a passed check (check-cache.ts) held, and a helper changed to loop forever hung every
 * later run; shards made with one helper merged with shards made with another.
 */
const PROTOCOL = oneMessageProtocolFile('', { imports: "import { SUFFIX } from './helper.mjs';", nameCode: "'linked' + SUFFIX" });

/** A protocol file in `real/` importing its helper, linked from `link/`, where a helper of the same name says something else. */
function linkedProtocol(): { dir: string; link: string; helper: string } {
  const dir = tempFiles({});
  const files: Record<string, string> = {
    'real/p.mjs': PROTOCOL,
    'real/helper.mjs': "export const SUFFIX = '';\n",
    'link/helper.mjs': "export const SUFFIX = '-beside-the-link';\n",
    'link/s.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 2\ntrials: 2000\nseed: 3\n',
  };
  for (const folder of ['real', 'link']) mkdirSync(join(dir, folder));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  symlinkSync(join(dir, 'real', 'p.mjs'), join(dir, 'link', 'p.mjs'));
  return { dir, link: join(dir, 'link', 'p.mjs'), helper: join(dir, 'real', 'helper.mjs') };
}

describe('a protocol file reached through a symbolic link', { skip: process.platform === 'win32' }, () => {
  it('has a digest that covers the helpers it imports beside the file linked to', () => {
    const { link, helper } = linkedProtocol();
    const before = protocolDigest(link);
    assert.equal(before, protocolDigest(join(link, '..', '..', 'real', 'p.mjs')), 'the same as the file linked to');
    writeFileSync(helper, "export const SUFFIX = ''; // changed\n");
    assert.notEqual(protocolDigest(link), before);
  });

  it('is checked again once the helper it runs changes, and refused where that helper never finishes', () => {
    const { dir, helper } = linkedProtocol();
    mkdirSync(join(dir, 'cache'));
    const env = { TWOGENERALS_CACHE_DIR: join(dir, 'cache'), NODE_DEBUG: 'child_process', TWOGENERALS_WATCHDOG_MS: '1500' };
    const args = ['run', join(dir, 'link', 's.yaml'), '-f', 'csv', '--workers', '1'];
    const forked = (stderr: string): boolean => /CHILD_PROCESS \d+: spawn/.test(stderr);
    const first = cli(args, env);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /\ns,linked,/, 'the helper beside the file linked to ran');
    assert.ok(!forked(cli(args, env).stderr), 'remembered');
    writeFileSync(helper, "export const SUFFIX = ''; // changed\n");
    assert.ok(forked(cli(args, env).stderr), 'checked again: the helper it runs changed');
    writeFileSync(helper, "for (;;) {}\nexport const SUFFIX = '';\n");
    const r = cli(args, env);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /twogenerals: .*p\.mjs: stopped after 1\.5 s while evaluating the module \(the file's top-level code\): it never finished\n$/);
  });
});
