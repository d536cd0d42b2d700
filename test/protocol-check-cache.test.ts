import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkCacheFolder, checkCacheKey, passedBefore, rememberPassed } from '../src/protocol-files/check-cache.js';
import { protocolDigest } from '../src/protocol-files/digest.js';
import { assertCheckedAndStoppedLooping, cliWithCheckRecord, oneMessageProtocolFile, tempFiles } from './helpers.js';

/**
 * A protocol file that passed the quick check in a process of its own is not checked again while
 * it (and all its verdict depends on) stays the same: every run of it spared a Node.js process.
 * NODE_DEBUG=child_process shows each process a command starts, without changing the record's key.
 */
const FILE = oneMessageProtocolFile('remembered');
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 2\ntrials: 5000\nseed: 3\n';

const run = cliWithCheckRecord;

describe('a protocol file that passed the quick check', () => {
  it('is checked in its own process once: the next run of it, unchanged, loads it at once and prints the same bytes', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': SCENARIO });
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2'];
    const first = run(args, cache);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(first.forked, 'the first run checks the file in a process of its own');
    assert.equal(readdirSync(join(cache, 'checked')).length, 1, 'one record');
    const second = run(args, cache);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(!second.forked, 'the second run starts no process');
    assert.equal(second.stdout, first.stdout);
    assert.match(first.stdout, /remembered/);
  });

  it('is checked again once it changes, and refused where the change breaks it (a module that never finishes)', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': SCENARIO });
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    assert.equal(run(args, cache).status, 0);
    writeFileSync(join(dir, 'p.mjs'), `for (;;) {}\n${FILE}`);
    const r = run(args, cache, { TWOGENERALS_WATCHDOG_MS: '1500' });
    assertCheckedAndStoppedLooping(r);
  });

  it('is checked again when a file it imports changes, when the check’s limits change, and when Node’s options do', () => {
    const dir = tempFiles({
      'helper.mjs': 'export const ROUND = 1;\n',
      'p.mjs': `import { ROUND } from './helper.mjs';\n${FILE.replace('step.round = 1', 'step.round = ROUND')}`,
      's.yaml': SCENARIO,
    });
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    assert.ok(run(args, cache).forked);
    assert.ok(!run(args, cache).forked, 'unchanged: remembered');
    writeFileSync(join(dir, 'helper.mjs'), 'export const ROUND = 1; // changed\n');
    assert.ok(run(args, cache).forked, 'a helper changed');
    assert.ok(run(args, cache, { TWOGENERALS_WATCHDOG_MS: '20000' }).forked, 'another deadline');
    assert.ok(run(args, cache, { TWOGENERALS_ISOLATED_HEAP_MB: '300' }).forked, 'another heap');
    assert.ok(run(args, cache, { NODE_OPTIONS: '--no-deprecation' }).forked, 'other Node.js options');
    assert.ok(!run(args, cache).forked, 'and the first conditions are still remembered');
  });

  it('is not remembered where it fails the check, nor where no record is kept', () => {
    const dir = tempFiles({ 'p.mjs': FILE.replace('step.outcome = s[1] === 1 ? 0 : 1', 'step.outcome = s[1] === 1 ? 0 : 5'), 's.yaml': SCENARIO });
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    const failed = run(args, cache);
    assert.equal(failed.status, 2, failed.stderr);
    assert.ok(!existsSync(join(cache, 'checked')) || readdirSync(join(cache, 'checked')).length === 0, 'no record of a file that failed');
    writeFileSync(join(dir, 'p.mjs'), FILE);
    for (let i = 0; i < 2; i++) {
      const r = run(args, '');
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.forked, 'TWOGENERALS_CACHE_DIR empty: checked every time');
    }
  });

  it('is checked as new where the record folder cannot be written or read, with the same output', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': SCENARIO, 'a-file': '' });
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    const readable = run(args, join(dir, 'cache'));
    // A folder below a plain file: nothing can be made there.
    for (let i = 0; i < 2; i++) {
      const r = run(args, join(dir, 'a-file', 'cache'));
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.ok(r.forked);
      assert.equal(r.stdout, readable.stdout);
    }
  });
});

describe('the record of checked files (check-cache.ts)', () => {
  it('is kept under TWOGENERALS_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache; none where the variable is empty', () => {
    assert.equal(checkCacheFolder({ TWOGENERALS_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y' }), join('/x', 'checked'));
    assert.equal(checkCacheFolder({ XDG_CACHE_HOME: '/y' }), join('/y', 'twogenerals', 'checked'));
    assert.match(checkCacheFolder({}) ?? '', /[\\/]\.cache[\\/]twogenerals[\\/]checked$/);
    assert.equal(checkCacheFolder({ TWOGENERALS_CACHE_DIR: '' }), null);
  });

  it('keys a file by its path, its digest and the check’s limits', () => {
    const key = checkCacheKey('/a/p.mjs', 'd1', {});
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(checkCacheKey('/a/p.mjs', 'd1', {}), key);
    assert.notEqual(checkCacheKey('/b/p.mjs', 'd1', {}), key);
    assert.notEqual(checkCacheKey('/a/p.mjs', 'd2', {}), key);
    assert.notEqual(checkCacheKey('/a/p.mjs', 'd1', { TWOGENERALS_WATCHDOG_MS: '5' }), key);
    assert.notEqual(checkCacheKey('/a/p.mjs', 'd1', { TWOGENERALS_ISOLATED_HEAP_MB: '64' }), key);
    assert.notEqual(checkCacheKey('/a/p.mjs', 'd1', { NODE_OPTIONS: '--no-warnings' }), key);
  });

  it('remembers what passed and nothing else, and empties a full folder before the next record', () => {
    const dir = tempFiles({ 'p.mjs': FILE });
    const file = join(dir, 'p.mjs');
    const digest = protocolDigest(file);
    const saved = process.env['TWOGENERALS_CACHE_DIR'];
    process.env['TWOGENERALS_CACHE_DIR'] = join(dir, 'cache');
    try {
      assert.equal(passedBefore(file, digest), false);
      rememberPassed(file, digest);
      assert.equal(passedBefore(file, digest), true);
      assert.equal(passedBefore(file, `${digest}0`), false);
      const folder = join(dir, 'cache', 'checked');
      for (let i = 0; i < 2000; i++) writeFileSync(join(folder, `old${i}`), '');
      rememberPassed(file, 'other');
      assert.deepEqual(readdirSync(folder), [checkCacheKey(file, 'other')]);
      // A folder that cannot be listed or written: no record, no error.
      if (process.getuid?.() !== 0) {
        chmodSync(folder, 0o000);
        assert.doesNotThrow(() => rememberPassed(file, digest));
        assert.equal(passedBefore(file, digest), false);
        chmodSync(folder, 0o700);
      }
    } finally {
      process.env['TWOGENERALS_CACHE_DIR'] = saved;
    }
  });
});
