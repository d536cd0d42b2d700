import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, ownOutcomesProtocolFile, tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

const PROTOCOL = ownOutcomesProtocolFile('searched', "['lit', 'dark']");

/**
 * merge finds a protocol file by its recorded digest where the scenario named it, beside the
 * shards, or in --protocol-dir, and nowhere else: refused, it names every place it looked
 * (a folder it was not told of would show up in the list, or worse, serve a file).
 */
describe('merge: where it looks for a protocol file, and nowhere else', () => {
  it('names exactly the scenario’s place and the shards’ folder, then each --protocol-dir (finding it there: protocol-commands)', async () => {
    const dir = tempFiles({ 'searched.mjs': PROTOCOL, 'searched.yaml': 'protocol: ./searched.mjs\nloss: 0.2\ntrials: 200\nseed: 5\n' });
    for (const folder of ['shards', 'empty']) mkdirSync(join(dir, folder));
    const shards = [1, 2].map((i) => join(dir, 'shards', `${i}.json`));
    for (const [i, shard] of shards.entries()) {
      const r = await cliInProcess(['run', join(dir, 'searched.yaml'), '--shard', `${i + 1}/2`]);
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(shard, r.stdout);
    }
    writeFileSync(join(dir, 'searched.mjs'), PROTOCOL.replace("'lit' : 'dark'", "'on' : 'off'"));
    const refused = (looked: string) =>
      `twogenerals: ${shards[0]} (scenario 1): the protocol file ./searched.mjs these counts were made with (sha256 ${digest}…) was not found; looked at ${looked} (and relative to the folders above): give its folder with --protocol-dir\n`;
    const digest = createHash('sha256').update(PROTOCOL).digest('hex').slice(0, 12);
    const places = `${join(dir, 'searched.mjs')} (another sha256), ${join(dir, 'shards', 'searched.mjs')} (none)`;
    for (const [flags, looked] of [
      [[], places],
      [['--protocol-dir', join(dir, 'empty')], `${places}, ${join(dir, 'empty', 'searched.mjs')} (none)`],
    ] as const) {
      const r = await cliInProcess(['merge', ...shards, ...flags]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, refused(looked));
    }
    // Many folders: the first places and a count, not kilobytes of paths.
    const many = Array.from({ length: 6 }, (_, i) => join(dir, `d${i}`));
    for (const folder of many) mkdirSync(folder);
    const r = await cliInProcess(['merge', ...shards, ...many.flatMap((folder) => ['--protocol-dir', folder])]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, refused(`${places}, ${join(many[0]!, 'searched.mjs')} (none), ${join(many[1]!, 'searched.mjs')} (none) and 4 other places`));
    // The file as it was, only in a --protocol-dir: found there and loaded from there (not from
    // the scenario's place, which holds the changed file), so the merge runs. In a process of its
    // own: this one holds the file the shards ran, under the same name from another path.
    mkdirSync(join(dir, 'kept'));
    writeFileSync(join(dir, 'kept', 'searched.mjs'), PROTOCOL);
    const found = cli(['merge', ...shards, '--protocol-dir', join(dir, 'kept'), '-f', 'csv']);
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout.split('\n')[1]!, /^searched,searched,bernoulli,/);
  });
});

describe('merge: shards run from two checkouts of one project', () => {
  it('merges shards whose scenario file lay at other paths (other machines), to the counts of one run; a changed protocol file is still refused', async () => {
    const scenario = 'protocol: ./searched.mjs\nloss: 0.2\ntrials: 4000\nseed: 5\n';
    const dir = tempFiles({});
    for (const checkout of ['a', 'b']) {
      mkdirSync(join(dir, checkout));
      writeFileSync(join(dir, checkout, 'searched.mjs'), PROTOCOL);
      writeFileSync(join(dir, checkout, 's.yaml'), scenario);
    }
    const shards = ['a', 'b'].map((checkout) => join(dir, `${checkout}.json`));
    for (const [i, checkout] of ['a', 'b'].entries()) {
      const r = await cliInProcess(['run', join(dir, checkout, 's.yaml'), '--shard', `${i + 1}/2`]);
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(shards[i]!, r.stdout);
    }
    const merged = await cliInProcess(['merge', ...shards, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    const whole = await cliInProcess(['run', join(dir, 'a', 's.yaml'), '-f', 'csv']);
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(merged.stdout, whole.stdout);
    // As JSON, which records the scenario file (shard 1's, which ran in a): the same bytes in either order.
    const wholeJson = await cliInProcess(['run', join(dir, 'a', 's.yaml'), '-f', 'json']);
    for (const order of [shards, [...shards].reverse()]) {
      const json = await cliInProcess(['merge', ...order, '-f', 'json']);
      assert.equal(json.status, 0, json.stderr);
      assert.equal(json.stdout, wholeJson.stdout);
    }
    // Merged on the machine of checkout b alone (a's path is not there): its files are found beside
    // the scenario file b's shard records, whichever shard is given first. In a process of its own:
    // this one has loaded a's file.
    renameSync(join(dir, 'a'), join(dir, 'a-gone'));
    for (const order of [shards, [...shards].reverse()]) {
      const there = cli(['merge', ...order, '-f', 'csv']);
      assert.equal(there.status, 0, there.stderr);
      assert.equal(there.stdout, whole.stdout);
    }
    renameSync(join(dir, 'a-gone'), join(dir, 'a'));
    // Checkout b's file changed before its shard ran: the digests part, and merge says so. In a
    // process of its own: this one has loaded the file as it was.
    writeFileSync(join(dir, 'b', 'searched.mjs'), PROTOCOL.replace("'lit' : 'dark'", "'on' : 'off'"));
    const r = cli(['run', join(dir, 'b', 's.yaml'), '--shard', '2/2']);
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(shards[1]!, r.stdout);
    const refused = await cliInProcess(['merge', ...shards, '-f', 'csv']);
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      /b\.json: cannot merge: its protocolDigest differs from .*a\.json's: the protocol file, or a file it imports, changed between the runs\n$/,
    );
  });
});

describe('merge: a folder to look in that is none', () => {
  it('--protocol-dir or --trace-dir naming no folder is refused before the shards are read, naming the flag', async () => {
    const dir = tempFiles({ 'file.txt': 'x\n' });
    for (const [flag, value, problem] of [
      ['--protocol-dir', join(dir, 'nope'), 'no such folder'],
      ['--trace-dir', join(dir, 'file.txt'), 'is not a folder'],
    ] as const) {
      const r = await cliInProcess(['merge', join(dir, 'missing-shard.json'), flag, value, '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `twogenerals: ${flag} ${value}: ${problem}\n`);
    }
  });
});
