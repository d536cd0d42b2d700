import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, cli, cliThroughPipe, tempFiles } from './helpers.js';

const SCENARIO = 'name: piped\nprotocol: messenger\nloss: 0.3\nredundancy: 2\ntrials: 2000\nseed: 7\n';
const TRACE_SCENARIO = 'protocol: messenger\nchannel: { model: trace, file: trace.txt }\nredundancy: 2\ntrials: 2000\nseed: 7\n';
const TRACE = '0001000100110000000100000001\n';

/** The CLI in `dir` with `name` a new named pipe through which `text` is written whole, then closed (cliThroughPipe). */
function cliThroughNewPipe(dir: string, name: string, text: string, args: readonly string[], abort: AbortSignal) {
  execFileSync('mkfifo', [join(dir, name)]);
  return cliThroughPipe(dir, name, text, args, abort);
}

/**
 * An input given as a named pipe is read once, as the file it streams: `run` peeked at a
 * scenario's first bytes to start its threads early, which took them from the pipe, and then
 * waited for ever (deaf to SIGTERM) for a writer gone.
 */
describe('inputs given through a named pipe, written whole and closed', { skip: process.platform !== 'linux' }, () => {
  it('run of a scenario prints what the same file gives', { timeout: 60_000 }, async (t) => {
    const dir = tempFiles({ 'file.yaml': SCENARIO });
    const expected = cli(['run', 'file.yaml', '-f', 'csv'], {}, dir);
    assert.equal(expected.status, 0, expected.stderr);
    const piped = await cliThroughNewPipe(dir, 's.yaml', SCENARIO, ['run', 's.yaml', '-f', 'csv'], t.signal);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, expected.stdout);
  });

  it("run of a scenario whose trace channel's file is the pipe prints what the same file gives, its digest included", { timeout: 60_000 }, async (t) => {
    const dir = tempFiles({ 's.yaml': TRACE_SCENARIO });
    const fileDir = tempFiles({ 's.yaml': TRACE_SCENARIO, 'trace.txt': TRACE });
    const expected = cli(['run', 's.yaml', '-f', 'csv'], {}, fileDir);
    assert.equal(expected.status, 0, expected.stderr);
    const piped = await cliThroughNewPipe(dir, 'trace.txt', TRACE, ['run', 's.yaml', '-f', 'csv'], t.signal);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, expected.stdout);
  });

  it('run of a scenario given as /dev/stdin by a Node.js parent (a socket) prints what the same file gives', () => {
    const dir = tempFiles({ 'file.yaml': SCENARIO });
    const expected = cli(['run', 'file.yaml', '-f', 'csv'], {}, dir);
    assert.equal(expected.status, 0, expected.stderr);
    const piped = spawnSync(process.execPath, [BIN, 'run', '/dev/stdin', '-f', 'csv'], { cwd: dir, input: SCENARIO, encoding: 'utf8' });
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, expected.stdout);
  });

  it('merge of a saved results.json re-exports what the file does', { timeout: 60_000 }, async (t) => {
    const dir = tempFiles({ 's.yaml': SCENARIO });
    const saved = cli(['run', 's.yaml', '--out', 'out', '-f', 'csv'], {}, dir);
    assert.equal(saved.status, 0, saved.stderr);
    const text = readFileSync(join(dir, 'out', readdirSync(join(dir, 'out'))[0]!, 'results.json'), 'utf8');
    writeFileSync(join(dir, 'copy.json'), text);
    const expected = cli(['merge', 'copy.json', '-f', 'csv'], {}, dir);
    assert.equal(expected.status, 0, expected.stderr);
    const piped = await cliThroughNewPipe(dir, 'piped.json', text, ['merge', 'piped.json', '-f', 'csv'], t.signal);
    assert.equal(piped.status, 0, piped.stderr);
    assert.equal(piped.stdout, expected.stdout);
  });
});
