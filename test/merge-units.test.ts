import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { join } from 'node:path';
import { savedContent } from '../src/export/json.js';
import { mergeShards, parseShard, readShardFile } from '../src/results/shard.js';
import type { ShardFile } from '../src/results/shard.js';
import { canonicalJson, contentDigest, shardTrials, tallyProblem } from '../src/results/verify.js';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

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
    // A count past the limit is named as such (1/99999999 is i/n with 1 ≤ i ≤ n).
    assert.throws(
      () => parseShard('1/100001', '--shard'),
      (error: unknown) => error instanceof UsageError && error.message === '--shard: at most 100,000 shards: split the run into fewer',
    );
    for (const value of ['0/3', '4/3', '1/0', '0/0', 'a/b', ' 1/2', '1/2x', '1/2/3', '-1/2', '1.5/2', '']) {
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
    refuses(files(shard(1, 2), shard(2, 2, { scenarios: [{ protocol: 'messenger', seed: 2 }] })), "s2.json: cannot merge: its seed differs from s1.json's");
    // The first key where they part, by name; a file's digest says the file changed.
    const traced = (digest: string) => [{ protocol: 'messenger', seed: 1, channel: { model: 'trace', file: './t.txt', digest } }];
    refuses(
      files(shard(1, 2, { scenarios: traced('aa') }), shard(2, 2, { scenarios: traced('bb') })),
      "s2.json: cannot merge: its channel.digest differs from s1.json's: the file it names changed between the runs",
    );
    refuses(
      files(
        shard(1, 2, { scenarios: [...traced('aa'), { protocol: 'messenger', seed: 1 }] }),
        shard(2, 2, { scenarios: [...traced('aa'), { protocol: 'messenger', seed: 5 }] }),
      ),
      "s2.json: cannot merge: its scenario 2's seed differs from s1.json's",
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
  it('names the shard that differs from the run most shards agree on, given first or not', () => {
    const other = { scenarios: [{ protocol: 'messenger', seed: 2 }] };
    refuses(files(shard(1, 3, other), shard(2, 3), shard(3, 3)), "s1.json: cannot merge: its seed differs from s2.json's");
    refuses(files(shard(1, 3), shard(2, 3, other), shard(3, 3)), "s2.json: cannot merge: its seed differs from s1.json's");
    refuses(files(shard(1, 3, { version: '1.0.1' }), shard(2, 3), shard(3, 3)), "s1.json: cannot merge: its tool version (1.0.1) differs from s2.json's");
    refuses(files(shard(1, 3, { blockSize: 8 }), shard(2, 3), shard(3, 3)), "s1.json: cannot merge: its block size differs from s2.json's");
  });
  it('refuses counts that add up past 2^53, where a double would round them (and the order of adding would show)', () => {
    const big = (index: number, rounds: number, deliveries: number): ShardFile => {
      const [a, b] = shard(index, 3).cells;
      return shard(index, 3, { cells: [{ ...a!, tally: { ...a!.tally, rounds, deliveries: [deliveries] } }, b!] });
    };
    const half = 2 ** 52;
    const exact = mergeShards(files(big(1, half, 1), big(2, half - 2, 1), big(3, 1, 1)));
    assert.equal(exact.tallies[0]!.rounds, Number.MAX_SAFE_INTEGER);
    const past = (what: string) =>
      `the run's ${what} add up past 2^53, where a double no longer counts exactly and the figures could differ with the worker count or shard split: run fewer trials`;
    refuses(files(big(1, half, 1), big(2, half - 1, 1), big(3, 1, 1)), past('rounds'));
    refuses(files(big(3, 1, half), big(1, 1, half), big(2, 1, 1)), past('deliveries'));
  });
  it('accepts the scenarios written with their keys in another order', () => {
    const { tallies } = mergeShards(files(shard(1, 2), shard(2, 2, { scenarios: [{ seed: 1, protocol: 'messenger' }] })));
    assert.equal(tallies[0]!.trials, 3);
  });
});

describe('readShardFile: a shard or a saved results.json, every field checked', () => {
  const tally = { trials: 2, outcomes: [1, 1, 0, 0], messages: [0, 2], deliveries: [1], rounds: 2 };
  const shardData = (): Record<string, unknown> => ({
    tool: 'twogenerals',
    version: '1.0.0',
    kind: 'twogenerals-shard',
    shard: { index: 1, count: 2 },
    blockSize: 4,
    scenarios: [{ protocol: 'messenger' }],
    cells: [{ scenario: 0, key: 'loss=0.1', tally }],
  });
  const savedData = (): Record<string, unknown> => ({
    tool: 'twogenerals',
    version: '1.0.0',
    blockSize: 4,
    confidence: 0.95,
    scenarios: [{ protocol: 'messenger' }],
    tallies: [{ key: 'loss=0.1', ...tally }],
  });
  const sealed = (data: Record<string, unknown>) => ({ ...data, digest: contentDigest(data) });
  const sealedSaved = (data: Record<string, unknown>) => ({ ...data, digest: contentDigest(savedContent(data)) });
  const fileOf = (data: unknown): string => {
    const dir = tempFiles({ 'f.json': typeof data === 'string' ? data : JSON.stringify(data) });
    return join(dir, 'f.json');
  };
  const refuses = (data: unknown, problem: string, place = '') => {
    const path = fileOf(data);
    assert.throws(
      () => readShardFile(path),
      (error: unknown) => error instanceof UsageError && error.message === `${path}${place}: ${problem}`,
      problem,
    );
  };
  const notShard = 'not a shard file (write one with `twogenerals run --shard i/n`) nor a saved results.json';

  it('reads a good shard and a good saved results.json', () => {
    const shard = readShardFile(fileOf(sealed(shardData())));
    assert.deepEqual(shard.shard, { index: 1, count: 2 });
    assert.equal(shard.saved, undefined);
    const saved = readShardFile(fileOf(sealedSaved({ ...savedData(), exactMissing: ['too large'] })));
    assert.deepEqual(saved.shard, { index: 1, count: 1 });
    assert.equal(saved.version, '1.0.0');
    assert.equal(saved.blockSize, 4);
    assert.deepEqual(saved.cells, [{ scenario: 0, key: 'loss=0.1', tally }]);
    assert.deepEqual(saved.saved, { confidence: 0.95, exact: undefined, exactMissing: ['too large'] });
    const exact = { outcomes: [0.5, 0.5, 0, 0], messages: null, messagesMean: 2, messagesSecondMoment: 4, deliveredMean: 1, roundsMean: 1 };
    assert.deepEqual(readShardFile(fileOf(sealedSaved({ ...savedData(), exact: [exact] }))).saved!.exact, [exact]);
    assert.deepEqual(readShardFile(fileOf(sealedSaved({ ...savedData(), exact: [null] }))).saved!.exactMissing, [undefined]);
  });
  it('refuses what is neither', () => {
    refuses('{', `${notShard}: it is not valid JSON (the text ends where a key in double quotes belongs (} missing?))`, ':1:2');
    refuses([1], notShard);
    refuses({ ...shardData(), kind: 'other' }, notShard);
    refuses({ ...savedData(), tool: 'other' }, notShard);
    // a saved results.json has no kind; with one it is read as a shard
    refuses({ ...savedData(), kind: 'twogenerals-shard' }, 'its shard is not i/n with 1 ≤ i ≤ n');
  });
  it('a shard: its shard, version, block size, scenarios, cells and digest', () => {
    for (const shard of [
      null,
      [1, 2],
      { index: 1 },
      { count: 2 },
      { index: 1.5, count: 2 },
      { index: 1, count: 0 },
      { index: 0, count: 2 },
      { index: 3, count: 2 },
      { index: 1, count: 100001 },
    ]) {
      refuses({ ...shardData(), shard }, 'its shard is not i/n with 1 ≤ i ≤ n');
    }
    assert.deepEqual(readShardFile(fileOf(sealed({ ...shardData(), shard: { index: 100000, count: 100000 } }))).shard, { index: 100000, count: 100000 });
    refuses({ ...shardData(), version: 1 }, 'it does not say which version of twogenerals wrote it');
    for (const blockSize of [0, 1.5, '4']) refuses({ ...shardData(), blockSize }, 'its block size is not a positive whole number');
    for (const scenarios of [undefined, [], [1], [{ protocol: 'messenger' }, 1]]) refuses({ ...shardData(), scenarios }, 'its scenarios are missing');
    for (const cells of [undefined, [], 'x']) refuses({ ...shardData(), cells }, 'its cells are missing');
    const cell = { scenario: 0, key: 'k', tally };
    for (const bad of [5, { ...cell, key: 1 }, { ...cell, scenario: 1 }, { ...cell, scenario: -1 }, { ...cell, scenario: 0.5 }]) {
      refuses({ ...shardData(), cells: [cell, bad] }, 'cell 2 does not name its scenario and parameters');
    }
    refuses({ ...shardData(), cells: [{ ...cell, tally: { ...tally, rounds: -1 } }] }, 'cell 1 (k): its rounds count is -1, not a non-negative whole number');
    refuses(shardData(), 'it has no digest of its counts: write shards with `twogenerals run --shard i/n` of this version');
    refuses({ ...sealed(shardData()), blockSize: 8 }, 'counts do not match its digest: the file was changed after `run --shard` wrote it');
  });
  it('a saved results.json: version, block size, scenarios, confidence, counts, exact values and digest', () => {
    refuses({ ...savedData(), version: null }, 'it does not say which version of twogenerals wrote it');
    refuses({ ...savedData(), blockSize: -4 }, 'its block size is not a positive whole number');
    for (const scenarios of [[], [{ protocol: 'messenger' }, 1]]) refuses({ ...savedData(), scenarios }, 'its scenarios are missing');
    for (const confidence of ['0.95', 0, 1, null]) refuses({ ...savedData(), confidence }, 'its confidence is not a number between 0 and 1');
    for (const tallies of [[], {}]) refuses({ ...savedData(), tallies }, 'it holds no counts');
    refuses({ ...savedData(), tallies: [{ key: 'a', ...tally }, { ...tally }] }, 'tally 2 does not name its cell');
    refuses({ ...savedData(), tallies: [7] }, 'tally 1 does not name its cell');
    refuses({ ...savedData(), tallies: [{ key: 'a' }] }, 'cell 1 (a): it has no counts (exact values only: there is nothing to re-export)');
    refuses({ ...savedData(), tallies: [{ key: 'a', ...tally, trials: 3 }] }, 'cell 1 (a): its outcome counts add up to 2, not its 3 trials');
    const exact = { outcomes: [0.5, 0.5, 0, 0], messages: [0, 1], messagesMean: 2, messagesSecondMoment: 4, deliveredMean: 1, roundsMean: 1 };
    for (const bad of [
      {},
      [],
      [exact, exact],
      [5],
      [{ ...exact, outcomes: [0.5, Number.NaN] }],
      [{ ...exact, outcomes: 'x' }],
      [{ ...exact, messages: [1, 'x'] }],
      [{ ...exact, messages: undefined }],
      [{ ...exact, roundsMean: '1' }],
      [{ ...exact, deliveredMean: undefined }],
    ]) {
      refuses({ ...savedData(), exact: bad }, 'its exact values are not one per cell');
    }
    // every cell's, not only one: two cells, the second's no exact result
    const twoCells = {
      ...savedData(),
      tallies: [
        { key: 'a', ...tally },
        { key: 'b', ...tally },
      ],
    };
    refuses({ ...twoCells, exact: [exact, 5] }, 'its exact values are not one per cell');
    assert.deepEqual(readShardFile(fileOf(sealedSaved({ ...twoCells, exact: [exact, null] }))).saved!.exact, [exact, null]);
    // a number JSON reads as Infinity (1e999) is no exact value
    refuses(
      JSON.stringify({ ...savedData(), exact: [{ ...exact, outcomes: [0.5, 'INF'] }] }).replace('"INF"', '1e999'),
      'its exact values are not one per cell',
    );
    refuses(savedData(), 'it has no digest of its counts: re-export a results.json saved by this version of twogenerals');
    refuses({ ...sealedSaved(savedData()), confidence: 0.9 }, 'counts do not match its digest: the file was changed after it was saved');
  });
});

describe('merge: a saved run re-exported as it was, and the rules only whole runs can break', () => {
  const dir = tempFiles({
    'a.yaml': 'protocol: retransmit\nloss: 0.3\nrounds: 2\ntrials: 3000\nseed: units\n',
    'b.yaml': 'protocol: messenger\nloss: 0.2\ntrials: 2000\nseed: units\n',
    'p.yaml': 'protocol: messenger\nloss: 0.2\ntrials: { precision: 0.05, maxTrials: 1000 }\nseed: units\n',
  });
  const ok = async (args: string[]): Promise<string> => {
    const r = await cliInProcess(args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const refused = async (args: string[], message: string) => {
    const r = await cliInProcess(args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `twogenerals: ${message}\n`);
  };
  it('keeps the saved confidence and exact values unless a flag says otherwise', async () => {
    const saved = join(dir, 'results.json');
    writeFileSync(saved, await ok(['run', join(dir, 'a.yaml'), '--confidence', '0.9', '-f', 'json']));
    const asRun = await ok(['run', join(dir, 'a.yaml'), '--confidence', '0.9', '-f', 'csv']);
    assert.equal(await ok(['merge', saved, '-f', 'csv']), asRun);
    assert.equal(await ok(['merge', saved, '-f', 'csv', '--confidence', '0.95']), await ok(['run', join(dir, 'a.yaml'), '-f', 'csv']));
    await refused(['merge', saved, saved], `${saved}: a saved results.json is a whole run: re-export it alone, not with shards or other results`);
  });
  it('keeps a saved run without exact values as it was, with the reason, unless --exact asks for them', async () => {
    const saved = join(dir, 'no-exact.json');
    writeFileSync(saved, await ok(['run', join(dir, 'b.yaml'), '--no-exact', '-f', 'json']));
    const again = JSON.parse(await ok(['merge', saved, '-f', 'json'])) as Record<string, unknown>;
    assert.deepEqual([again['exact'], again['exactMissing']], [[null], ['exact values were turned off (--no-exact)']]);
    const computed = JSON.parse(await ok(['merge', saved, '-f', 'json', '--exact'])) as Record<string, unknown>;
    const run = JSON.parse(await ok(['run', join(dir, 'b.yaml'), '-f', 'json'])) as Record<string, unknown>;
    assert.deepEqual([computed['exact'], computed['exactMissing']], [run['exact'], [null]]);
    assert.notEqual((run['exact'] as unknown[])[0], null);
  });
  it('refuses a cell that names another scenario, and merged counts a precision run cannot hold', async () => {
    const shard = JSON.parse(await ok(['run', join(dir, 'a.yaml'), join(dir, 'b.yaml'), '--shard', '1/1'])) as Record<string, unknown>;
    const cells = shard['cells'] as { scenario: number; key: string }[];
    cells[0]!.scenario = 1;
    const path = join(dir, 'wrong-scenario.json');
    writeFileSync(path, JSON.stringify({ ...shard, digest: contentDigest(shard) }));
    await refused(['merge', path], `${path}: cell 1 (${cells[0]!.key}): it names scenario 2, not the scenario it belongs to`);
    // a precision run is saved whole (it cannot be sharded): its merged counts must be whole blocks up to its cap, at least 1
    const precise = JSON.parse(await ok(['run', join(dir, 'p.yaml'), '-f', 'json'])) as Record<string, unknown>;
    const tallies = precise['tallies'] as Record<string, unknown>[];
    const cell = { key: String(tallies[0]!['key']) };
    tallies[0] = { key: cell.key, trials: 0, outcomes: [0, 0, 0, 0], messages: [], deliveries: [], rounds: 0 };
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ ...precise, digest: contentDigest(savedContent(precise)) }));
    await refused(['merge', empty], `${empty}: cell 1 (${cell.key}): the merged counts hold 0 trials; the scenario asks for 1000`);
  });
});
