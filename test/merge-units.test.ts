import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { mergeShards, parseShard } from '../src/results/shard.js';
import type { ShardFile } from '../src/results/shard.js';
import { canonicalJson, contentDigest, shardTrials, tallyProblem } from '../src/results/verify.js';

/**
 * The rules merge reads counts back by, each in-process: a count that cannot be right is refused
 * with its own words, and shards are split and merged as an independent enumeration says
 * (merge-rules.test.ts drives the same rules through the command).
 */

const good = { trials: 3, outcomes: [1, 2, 0, 0], messages: [0, 2, 1], deliveries: [2], rounds: 4 };

describe('tallyProblem: every count read back is checked', () => {
  it('a good tally passes, with or without the outcome count, and an empty one of 0 trials', () => {
    assert.equal(tallyProblem(good), null);
    assert.equal(tallyProblem(good, 4), null);
    assert.equal(tallyProblem({ trials: 0, outcomes: [0, 0], messages: [], deliveries: [], rounds: 0 }, 2), null);
  });
  it('refuses what is not a set of counts', () => {
    assert.equal(tallyProblem(null), 'it has no counts');
    assert.equal(tallyProblem(undefined), 'it has no counts');
    assert.equal(tallyProblem(7), 'its counts are not a set of counts');
    assert.equal(tallyProblem([good]), 'its counts are not a set of counts');
  });
  it('refuses a trial count that is not a non-negative whole number, saying what it is', () => {
    const cases: [unknown, string][] = [
      [-1, '-1'],
      [1.5, '1.5'],
      [2 ** 53, '9007199254740992'],
      ['3', "the text '3'"],
      ['a very long piece of text', "the text 'a very long piece…'"],
      [null, 'null'],
      [undefined, 'missing'],
      [[3], 'a list'],
      [{ n: 3 }, 'an object'],
      [true, 'true'],
    ];
    for (const [trials, said] of cases) {
      assert.equal(tallyProblem({ ...good, trials }), `its trial count is ${said}, not a non-negative whole number`, String(trials));
    }
  });
  it('refuses lists that are not lists, and the first bad count in each, numbered from 1', () => {
    for (const field of ['outcomes', 'messages', 'deliveries'] as const) {
      assert.equal(tallyProblem({ ...good, [field]: { 0: 1 } }), `its ${field} counts are an object, not a list`);
      assert.equal(tallyProblem({ ...good, [field]: undefined }), `its ${field} counts are missing, not a list`);
      assert.equal(tallyProblem({ ...good, [field]: [0, -2, 0.5] }), `its ${field} count 2 is -2, not a non-negative whole number`);
      assert.equal(tallyProblem({ ...good, [field]: [0.5] }), `its ${field} count 1 is 0.5, not a non-negative whole number`);
    }
    assert.equal(tallyProblem({ ...good, rounds: -4 }), 'its rounds count is -4, not a non-negative whole number');
    assert.equal(tallyProblem({ ...good, rounds: undefined }), 'its rounds count is missing, not a non-negative whole number');
  });
  it('refuses outcome counts of another protocol, and counts that do not add up to the trials', () => {
    assert.equal(tallyProblem(good, 3), 'it has 4 outcome counts; its protocol has 3 outcomes');
    assert.equal(tallyProblem(good, 5), 'it has 4 outcome counts; its protocol has 5 outcomes');
    assert.equal(tallyProblem({ ...good, outcomes: [1, 1, 0, 0] }), 'its outcome counts add up to 2, not its 3 trials');
    assert.equal(tallyProblem({ ...good, outcomes: [1, 3, 0, 0] }), 'its outcome counts add up to 4, not its 3 trials');
    assert.equal(tallyProblem({ ...good, messages: [0, 2, 2] }), 'its histogram of messages per trial adds up to 4, not its 3 trials');
    assert.equal(tallyProblem({ ...good, messages: [0, 2] }), 'its histogram of messages per trial adds up to 2, not its 3 trials');
  });
});

describe('canonicalJson and contentDigest', () => {
  it('sorts keys at every depth, drops undefined members, and keeps arrays in order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }, 'x"y'], e: null }), '{"a":[{"d":2},"x\\"y"],"b":1,"e":null}');
    assert.equal(canonicalJson([3, 1, 2]), '[3,1,2]');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson(0.1), '0.1');
  });
  it('is the sha256 of the canonical content without the digest, whatever the key order', () => {
    const expected = `sha256:${createHash('sha256').update('{"a":1,"b":[2]}').digest('hex')}`;
    assert.equal(contentDigest({ b: [2], a: 1 }), expected);
    assert.equal(contentDigest({ a: 1, digest: 'sha256:old', b: [2] }), expected);
    assert.notEqual(contentDigest({ a: 1, b: [3] }), expected);
  });
});

describe('shards: which trials each holds', () => {
  /** Independently: block b (of blockSize trials, the last one short) belongs to the shard i with i ≡ b (mod n). */
  const byEnumeration = (trials: number, blockSize: number, index: number, count: number): number => {
    let held = 0;
    for (let b = 0; b * blockSize < trials; b++) if (b % count === index % count) held += Math.min(blockSize, trials - b * blockSize);
    return held;
  };
  it('shardTrials agrees with enumerating the blocks, and the shards add up to the trials', () => {
    for (let trials = 0; trials <= 40; trials++) {
      for (const blockSize of [1, 3, 7, 64]) {
        for (let count = 1; count <= 5; count++) {
          let total = 0;
          for (let index = 1; index <= count; index++) {
            const held = shardTrials(trials, blockSize, { index, count });
            assert.equal(held, byEnumeration(trials, blockSize, index, count), `${trials} trials, blocks of ${blockSize}, shard ${index}/${count}`);
            total += held;
          }
          assert.equal(total, trials);
        }
      }
    }
  });
  it('parseShard reads i/n with 1 ≤ i ≤ n ≤ 100000 and refuses anything else', () => {
    assert.deepEqual(parseShard('2/8', '--shard'), { index: 2, count: 8 });
    assert.deepEqual(parseShard('1/1', '--shard'), { index: 1, count: 1 });
    assert.deepEqual(parseShard('100000/100000', '--shard'), { index: 100000, count: 100000 });
    for (const value of ['0/3', '4/3', '1/0', '0/0', '1/100001', 'a/b', ' 1/2', '1/2x', '1/2/3', '-1/2', '1.5/2', '']) {
      assert.throws(
        () => parseShard(value, '--shard'),
        (error: unknown) => error instanceof UsageError && error.message === '--shard: expected i/n with 1 ≤ i ≤ n, such as 2/8',
        value,
      );
    }
  });
});

describe('mergeShards: shards of one run, each once, none missing', () => {
  const shard = (index: number, count: number, changes: Partial<ShardFile> = {}): ShardFile => ({
    tool: 'twogenerals',
    version: '1.0.0',
    kind: 'twogenerals-shard',
    shard: { index, count },
    blockSize: 4,
    scenarios: [{ protocol: 'messenger', seed: 1 }],
    cells: [
      { scenario: 0, key: 'a', tally: { trials: index, outcomes: [index, 0], messages: [0, index], deliveries: [index], rounds: index } as never },
      { scenario: 0, key: 'b', tally: { trials: 1, outcomes: [0, 1], messages: [1], deliveries: [], rounds: 0 } as never },
    ],
    digest: '',
    ...changes,
  });
  const files = (...shards: ShardFile[]) => shards.map((s, i) => ({ path: `s${i + 1}.json`, shard: s }));
  const refuses = (list: ReturnType<typeof files>, message: string) =>
    assert.throws(
      () => mergeShards(list),
      (error: unknown) => error instanceof UsageError && error.message === message,
      message,
    );

  it('adds the counts cell by cell', () => {
    const { first, tallies } = mergeShards(files(shard(2, 3), shard(1, 3), shard(3, 3)));
    assert.equal(first.shard.index, 2);
    assert.equal(tallies.length, 2);
    assert.equal(tallies[0]!.trials, 6);
    assert.deepEqual(Array.from(tallies[0]!.outcomes), [6, 0]);
    assert.equal(tallies[0]!.rounds, 6);
    assert.equal(tallies[1]!.trials, 3);
    assert.deepEqual(Array.from(tallies[1]!.outcomes), [0, 3]);
  });
  it('refuses shards of another run, a shard twice, and missing shards', () => {
    refuses(files(shard(1, 2), shard(2, 2, { version: '1.0.1' })), "s2.json: cannot merge: its tool version (1.0.1) differs from s1.json's");
    refuses(files(shard(1, 2), shard(2, 2, { blockSize: 8 })), "s2.json: cannot merge: its block size differs from s1.json's");
    refuses(files(shard(1, 2), shard(2, 3)), "s2.json: cannot merge: its shard count (3) differs from s1.json's");
    refuses(
      files(shard(1, 2), shard(2, 2, { scenarios: [{ protocol: 'messenger', seed: 2 }] })),
      "s2.json: cannot merge: its scenario (or seed) differs from s1.json's",
    );
    const [a, b] = shard(2, 2).cells;
    refuses(files(shard(1, 2), shard(2, 2, { cells: [b!, a!] })), "s2.json: cannot merge: its cells differs from s1.json's");
    refuses(files(shard(1, 2), shard(2, 2, { cells: [a!, { ...b!, scenario: 1 }] })), "s2.json: cannot merge: its cells differs from s1.json's");
    refuses(files(shard(1, 2), shard(1, 2)), 'merge: cannot merge: it is shard 1/2, like s1.json'.replace('merge: ', 's2.json: '));
    refuses(files(shard(2, 3)), 'merge: shards 1/3, 3/3 missing');
    refuses(files(shard(1, 2)), 'merge: shard 2/2 missing');
    refuses(files(shard(5, 12)), 'merge: shards 1/12, 2/12, 3/12, 4/12, 6/12, 7/12, 8/12, 9/12, 10/12, 11/12 and 1 more missing');
    refuses(files(shard(1, 11)), 'merge: shards 2/11, 3/11, 4/11, 5/11, 6/11, 7/11, 8/11, 9/11, 10/11, 11/11 missing');
  });
  it('accepts the scenarios written with their keys in another order', () => {
    const { tallies } = mergeShards(files(shard(1, 2), shard(2, 2, { scenarios: [{ seed: 1, protocol: 'messenger' }] })));
    assert.equal(tallies[0]!.trials, 3);
  });
});
