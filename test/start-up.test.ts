import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, temporaryDirectory } from './helpers.js';
import { cliInProcess } from './in-process.js';

/** The CLI as bin/twogenerals.js runs it: one script and the V8 code cache the build saved for it (scripts/bundle.ts). */
const { codeCacheFile } = createRequire(BIN)('./code-cache.js') as { codeCacheFile: (dir: string, source: string) => string };

describe('start-up', () => {
  const bundle = join(ROOT, 'dist', 'bundle');

  it('has a code cache named by the script it was saved for, and no other', () => {
    const script = readFileSync(join(bundle, 'cli.cjs'), 'utf8');
    const [first, ...rest] = script.split('\n');
    const id = first!.slice(2);
    assert.equal(id, createHash('sha256').update(rest.join('\n')).digest('hex').slice(0, 16));
    const cache = codeCacheFile(bundle, script);
    assert.ok(cache.includes(`cli.${id}.node-${process.version}-${process.arch}-`), cache);
    assert.deepEqual(
      readdirSync(bundle).filter((f) => f.endsWith('.cache')),
      [cache.slice(bundle.length + 1)],
    );
  });

  it("reads only the cache saved by the Node.js running it, not another Node's cache of the same script", () => {
    // Node 20.18 and 20.20 share V8's version number, so V8 took either's cache and each crashed
    // at start on the other's. A copy of the launcher and bundle: the cache under this Node's name,
    // then under another's (the old name, and another version's), each run logging what it reads.
    const dir = temporaryDirectory('twogenerals-code-cache-');
    try {
      cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
      cpSync(join(ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const copy = join(dir, 'dist', 'bundle');
      const ours = codeCacheFile(copy, readFileSync(join(copy, 'cli.cjs'), 'latin1'));
      const read = join(dir, 'read.json');
      const preload = join(dir, 'preload.cjs');
      writeFileSync(
        preload,
        `const fs = require('node:fs'); const read = []; const original = fs.readFileSync;
         fs.readFileSync = (path, ...rest) => { if (String(path).endsWith('.cache')) read.push(String(path)); return original(path, ...rest); };
         process.on('exit', () => fs.writeFileSync(${JSON.stringify(read)}, JSON.stringify(read)));`,
      );
      const runReading = (): string[] => {
        rmSync(read, { force: true });
        const run = spawnSync(process.execPath, ['--require', preload, join(dir, 'bin', 'twogenerals.js'), 'run', '--trials', '1000', '--format', 'csv'], {
          cwd: dir,
          encoding: 'utf8',
          timeout: CLI_TIMEOUT_MS,
        });
        assert.equal(run.status, 0, run.stderr);
        return JSON.parse(readFileSync(read, 'utf8')) as string[];
      };
      assert.deepEqual(runReading(), [ours], 'the cache saved by this Node.js is read');
      const id = readFileSync(join(copy, 'cli.cjs'), 'latin1').split('\n')[0]!.slice(2);
      const others = [join(copy, `cli.${id}.cache`), ours.replace(`node-${process.version}-`, 'node-v20.18.0-')];
      for (const other of others) {
        rmSync(join(copy, readdirSync(copy).find((f) => f.endsWith('.cache'))!));
        copyFileSync(join(bundle, codeCacheFile(bundle, readFileSync(join(bundle, 'cli.cjs'), 'latin1')).slice(bundle.length + 1)), other);
        assert.deepEqual(runReading(), [], `${other} is not read`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
      cachedData: readFileSync(codeCacheFile(bundle, source)),
    });
    assert.equal(script.cachedDataRejected, false);
    assert.equal(typeof script.runInNewContext(), 'function', 'the script is the function the launcher calls');
  });

  it('prints from the cached script the bytes the compiled sources print, loading none of stream, net and tty', async () => {
    const args = ['run', '--trials', '1000', '--format', 'csv'];
    const dir = temporaryDirectory('twogenerals-start-up-');
    try {
      // A look at the modules the process loaded, taken as it exits; its standard output is a pipe.
      const loaded = join(dir, 'loaded.json');
      const preload = join(dir, 'preload.cjs');
      writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(process.moduleLoadList)));`);
      const bundled = spawnSync(process.execPath, ['--require', preload, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
      const sources = await cliInProcess(args);
      assert.equal(bundled.status, 0, bundled.stderr);
      assert.equal(bundled.stdout, sources.stdout);
      assert.equal(bundled.stderr, sources.stderr);
      const modules = JSON.parse(readFileSync(loaded, 'utf8')) as string[];
      assert.ok(modules.includes('NativeModule vm'), 'the list is of the modules Node loaded');
      for (const unwanted of ['stream', 'net', 'tty', 'internal/fs/sync_write_stream', 'child_process', 'worker_threads'])
        assert.ok(!modules.includes(`NativeModule ${unwanted}`), `the default run loads ${unwanted}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
