import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { oneSendProtocolFile, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// --junit over a file the command reads was refused for the scenario files given, but not for the
// files a scenario names: `run s.yaml --junit p.mjs` wrote the report over its protocol file, exit 0.
describe('--junit over a file a scenario names', () => {
  const dir = tempFiles({
    'trace.txt': '0101101001\n',
    'p.mjs': oneSendProtocolFile('one-send'),
    't.yaml': 'protocol: messenger\ntrials: 100\nchannel: { model: trace, file: trace.txt }\n',
    'p.yaml': 'protocol: ./p.mjs\ntrials: 100\n',
  });

  it('is refused before any work, the file untouched: a trace file (run, exact, merge) and a protocol file', async () => {
    const shard = await cliIn(['run', join(dir, 't.yaml'), '--shard', '1/1']);
    assert.equal(shard.status, 0, shard.stderr);
    const shardFile = join(dir, 'shard.json');
    writeFileSync(shardFile, shard.stdout);
    for (const [args, named] of [
      [['run', join(dir, 't.yaml')], 'trace.txt'],
      [['exact', join(dir, 't.yaml')], 'trace.txt'],
      [['merge', shardFile], 'trace.txt'],
      [['run', join(dir, 'p.yaml')], 'p.mjs'],
    ] as const) {
      const before = readFileSync(join(dir, named), 'utf8');
      const r = await cliIn([...args, '--junit', join(dir, named)]);
      assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /--junit .*: cannot write the JUnit report: it is a file this command reads\n$/);
      assert.equal(readFileSync(join(dir, named), 'utf8'), before);
    }
  });
});
