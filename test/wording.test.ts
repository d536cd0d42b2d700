import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { counted, nounFor, possessive } from '../src/io/wording.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

describe('a count and its noun', () => {
  it('is singular for exactly one, plural otherwise', () => {
    assert.equal(counted(1, 'packet'), '1 packet');
    assert.equal(counted(0, 'packet'), '0 packets');
    assert.equal(counted(2048, 'packet'), '2,048 packets');
    assert.equal(nounFor(1.5, 'packet'), 'packets');
    assert.equal(nounFor('1', 'packet'), 'packet');
    assert.equal(nounFor(2, 'outcome probability', 'outcome probabilities'), 'outcome probabilities');
  });
  it('fit on a one-packet trace says "1 packet" and "mean loss burst 1 packet"', async () => {
    const dir = tempFiles({ 'one.txt': '1\n' });
    const r = await cliIn(['fit', join(dir, 'one.txt')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\(digits\): 1 packet, 1 lost \(100%\), mean loss burst 1 packet, mean gap/);
    assert.match(r.stdout, /The fits rest on 1 packet: 1 loss burst and 0 gaps between them\./);
    assert.doesNotMatch(r.stdout, /\b1 packets\b/);
  });
  it('validate on a one-packet trace channel says "1 packet"', async () => {
    const dir = tempFiles({ 'one.txt': '1\n', 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: one.txt }\n' });
    const r = await cliIn(['validate', join(dir, 's.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\b1 packet, loss rate 1\b/);
  });

  it('fit on a ping -q log of one reply says "1 reply"', async () => {
    const log = 'PING h (1.2.3.4) 56(84) bytes of data.\n\n--- h ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n';
    const dir = tempFiles({ 'q.txt': log });
    const r = await cliIn(['fit', join(dir, 'q.txt')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /q\.txt:4: the summary counts 1 reply but no reply line/);
  });
  it('trace past the last of one trial says "the cell has 1 trial"', async () => {
    const r = await cliIn(['trace', '--trials', '1', '--trial', '2']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'twogenerals: --trial 2: the cell has 1 trial\n');
  });
});

describe('the possessive of a name', () => {
  it('takes a bare apostrophe after an s', () => {
    assert.equal(possessive('rounds'), "rounds'");
    assert.equal(possessive('redundancy'), "redundancy's");
  });
  it("plan --vary rounds beyond its range says rounds' range end", async () => {
    const r = await cliIn(['plan', 'scenarios/retransmit-round-limit.yaml', '--target', 'success>=0.9', '--vary', 'rounds=1:100000']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "twogenerals: --vary rounds=1:100000: rounds' range end must be at most 10000 (got 100000)\n");
  });
});
