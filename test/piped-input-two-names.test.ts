import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, cliThroughPipe, tempFiles } from './helpers.js';

const SCENARIO = 'name: piped\nprotocol: messenger\nloss: 0.3\nredundancy: 2\ntrials: 2000\nseed: 7\n';
const TRACE = '0001000100110000000100000001\n';
const traceScenario = (name: string, file: string): string =>
  `name: ${name}\nprotocol: messenger\nchannel: { model: trace, file: ${file} }\nredundancy: 2\ntrials: 2000\nseed: 7\n`;

/**
 * A named pipe given by two names (itself and a symbolic link to it) is one input, read once:
 * the second name opened the pipe again and waited for ever for a writer gone (`merge a.fifo
 * link.fifo`, two scenarios whose trace is the pipe by either name).
 */
describe('a named pipe given by two names in one command', { skip: process.platform !== 'linux' }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const pipeDir = (files: Record<string, string>): string => {
    const dir = tempFiles(files);
    dirs.push(dir);
    execFileSync('mkfifo', [join(dir, 'in.fifo')]);
    symlinkSync('in.fifo', join(dir, 'link.fifo'));
    return dir;
  };

  it('merge of a shard by both names refuses it as given twice (exit 2)', { timeout: 60_000 }, async (t) => {
    const dir = pipeDir({ 's.yaml': SCENARIO });
    const shard = cli(['run', 's.yaml', '--shard', '1/2'], {}, dir);
    assert.equal(shard.status, 0, shard.stderr);
    const piped = await cliThroughPipe(dir, 'in.fifo', shard.stdout, ['merge', 'in.fifo', 'link.fifo'], t.signal);
    assert.equal(piped.status, 2, piped.stderr);
    assert.equal(piped.stderr, 'twogenerals: link.fifo: is in.fifo, given twice: give each shard once\n');
  });

  it('run of two scenarios whose trace is the pipe by either name prints what the file gives', { timeout: 60_000 }, async (t) => {
    const dir = pipeDir({ 'a.yaml': traceScenario('a', 'in.fifo'), 'b.yaml': traceScenario('b', 'link.fifo') });
    const fileDir = tempFiles({ 'a.yaml': traceScenario('a', 'in.txt'), 'b.yaml': traceScenario('b', 'in.txt'), 'in.txt': TRACE });
    dirs.push(fileDir);
    const expected = cli(['run', 'a.yaml', 'b.yaml', '-f', 'csv'], {}, fileDir);
    assert.equal(expected.status, 0, expected.stderr);
    const piped = await cliThroughPipe(dir, 'in.fifo', TRACE, ['run', 'a.yaml', 'b.yaml', '-f', 'csv'], t.signal);
    assert.equal(piped.status, 0, piped.stderr);
    const withoutFiles = (csv: string): string => csv.replace(/,(in\.txt|in\.fifo|link\.fifo),/g, ',FILE,');
    assert.equal(withoutFiles(piped.stdout), withoutFiles(expected.stdout));
  });
});
