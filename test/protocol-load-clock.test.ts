import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, ROOT, tempFiles } from './helpers.js';

const HANDSHAKE = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8');

describe('a protocol file that reads the clock or draws as its module loads', () => {
  for (const [name, call] of [
    ['Date.now', 'const started = Date.now();'],
    ['Math.random', 'const salt = Math.random();'],
  ] as const) {
    it(`is refused naming the load, not the check: ${name}`, () => {
      const dir = tempFiles({ 't.mjs': `${call}\n${HANDSHAKE}` });
      const r = cli(['check', join(dir, 't.mjs')]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(`twogenerals: ${join(dir, 't.mjs')}: called ${name} as it loaded: a protocol never `), r.stderr);
      assert.match(r.stderr, /\(\/.*\/t\.mjs:1:\d+\)\n$/);
    });
  }
});
