import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_TIMEOUT_MS, ROOT, tempFiles } from './helpers.js';

/**
 * A protocol file remembered as checked (check-cache.ts) skips the checking process, not the
 * conditions under which no file can be checked or loaded as it must. A library caller that froze
 * the built-ins the load watches (Date, Math) was refused with one clear line the first time,
 * and given a TypeError from the tool's own code (`Cannot assign to read only property 'now'`)
 * once a record of the file existed.
 */
const LIBRARY = new URL('../src/index.js', import.meta.url).href;

/** Loads `scenario` through the library in a Node.js process of its own (the same options either way: the record's key has them), the built-ins frozen first where asked; what it threw, or 'loaded'. */
function loadThroughLibrary(scenario: string, cache: string, freeze: boolean): string {
  const script = `
    const { loadScenario } = await import(${JSON.stringify(LIBRARY)});
    if (process.argv[1] === 'freeze') { Object.freeze(Math); Object.freeze(Date); }
    try {
      await loadScenario(${JSON.stringify(scenario)});
      process.stdout.write('loaded');
    } catch (error) {
      process.stdout.write(error.constructor.name + ': ' + error.message);
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, freeze ? 'freeze' : 'as-is'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    env: { ...process.env, TWOGENERALS_CACHE_DIR: cache },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('a protocol file remembered as checked, where built-ins the load watches are frozen', () => {
  it('is refused in one line, as with no record', () => {
    const dir = tempFiles({ 's.yaml': `protocol: ${join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs')}\nloss: 0.1\nrounds: 2\ntrials: 1000\n` });
    const cache = join(dir, 'cache');
    const scenario = join(dir, 's.yaml');
    const refusal = `UsageError: ${scenario}:1:11: loading a protocol file needs to watch Math.random and the clocks (a protocol that draws or reads the time is refused), which --frozen-intrinsics forbids here: run it without that option`;
    assert.equal(loadThroughLibrary(scenario, cache, true), refusal, 'no record yet');
    assert.equal(loadThroughLibrary(scenario, cache, false), 'loaded');
    assert.ok(existsSync(join(cache, 'checked')) && readdirSync(join(cache, 'checked')).length === 1, 'remembered');
    assert.equal(loadThroughLibrary(scenario, cache, true), refusal, 'with the record');
  });
});
