import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, it } from 'node:test';
import { cli, ROOT } from './helpers.js';
import { cliInProcess } from './in-process.js';

/** The CLI as bin/twogenerals.js runs it: one script and the V8 code cache the build saved for it (scripts/bundle.ts). */
describe('start-up', () => {
  const bundle = join(ROOT, 'dist', 'bundle');

  it('has a code cache named by the script it was saved for, and no other', () => {
    const script = readFileSync(join(bundle, 'cli.cjs'), 'utf8');
    const [first, ...rest] = script.split('\n');
    const id = first!.slice(2);
    assert.equal(id, createHash('sha256').update(rest.join('\n')).digest('hex').slice(0, 16));
    assert.deepEqual(
      readdirSync(bundle).filter((f) => f.endsWith('.cache')),
      [`cli.${id}.cache`],
    );
  });

  it('has a cache that V8 takes for the script as bin/twogenerals.js reads it, an ASCII function', () => {
    const launcher = readFileSync(join(ROOT, 'bin', 'twogenerals.js'), 'utf8');
    assert.match(launcher, /readFileSync\(file, 'latin1'\)/, 'bin/twogenerals.js reads the script as this test expects');
    const bytes = readFileSync(join(bundle, 'cli.cjs'));
    assert.ok(
      bytes.every((byte) => byte < 0x80),
      'the script is ASCII (scripts/bundle.ts), so that Latin-1 reads it as UTF-8 would',
    );
    const source = bytes.toString('latin1');
    assert.match(source.split('\n')[1]!, /^\(function \(exports, require, module, __filename, __dirname, __twogeneralsImport\) \{/);
    const script = new Script(source, {
      filename: join(bundle, 'cli.cjs'),
      cachedData: readFileSync(join(bundle, `cli.${source.slice(2, source.indexOf('\n'))}.cache`)),
    });
    assert.equal(script.cachedDataRejected, false);
    assert.equal(typeof script.runInNewContext(), 'function', 'the script is the function the launcher calls');
  });

  it('prints from the cached script the bytes the compiled sources print', async () => {
    const args = ['run', '--trials', '1000', '--format', 'csv'];
    const bundled = cli(args);
    const sources = await cliInProcess(args);
    assert.equal(bundled.status, 0, bundled.stderr);
    assert.equal(bundled.stdout, sources.stdout);
    assert.equal(bundled.stderr, sources.stderr);
  });
});
