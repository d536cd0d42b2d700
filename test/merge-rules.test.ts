import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentDigest } from '../src/results/verify.js';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/** Negative tests for merge's rules and the gates, each with an input just inside that passes. */

let serial = 0;

// --- merge ------------------------------------------------------------------------------------

describe('merge: the plausibility rules (two-phase commit, R 1: its two phases use two rounds per trial)', () => {
  const scenario = 'protocol: two-phase-commit\nparticipants: 2\nabortRate: 0.2\nloss: 0.2\nrounds: 1\ntrials: 70000\nseed: rules\n';
  const dir = tempFiles({ 's.yaml': scenario });
  const shardPaths: string[] = [];
  const shards = async () => {
    if (shardPaths.length) return shardPaths;
    for (const i of [1, 2]) {
      const r = await cliInProcess(['run', join(dir, 's.yaml'), '--shard', `${i}/2`]);
      assert.equal(r.status, 0, r.stderr);
      const path = join(dir, `shard-${i}.json`);
      writeFileSync(path, r.stdout);
      shardPaths.push(path);
    }
    return shardPaths;
  };
  /** Shard 1 with its first cell's counts edited and its digest made to match, so that only the rule under test can refuse it. */
  const edited = async (change: (tally: Record<string, unknown>, data: Record<string, unknown>) => void, which = 0): Promise<string> => {
    const data = JSON.parse(readFileSync((await shards())[which]!, 'utf8')) as Record<string, unknown>;
    const cell = (data['cells'] as Record<string, unknown>[])[0]!;
    change(cell['tally'] as Record<string, unknown>, data);
    data['digest'] = contentDigest(data);
    const path = join(dir, `edited-${++serial}.json`);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const mergeRefuses = async (paths: string[], message: RegExp) => {
    const r = await cliInProcess(['merge', ...paths, '-f', 'csv']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: [^\n]+\n$/, 'one line');
    assert.match(r.stderr.trimEnd(), message);
  };

  it('accepts valid shards at R 1 and gives the unsharded run’s bytes', async () => {
    const [a, b] = await shards();
    const merged = await cliInProcess(['merge', a!, b!, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    const whole = await cliInProcess(['run', join(dir, 's.yaml'), '-f', 'csv']);
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(merged.stdout, whole.stdout);
    const rounds = (JSON.parse(readFileSync(a!, 'utf8')) as { cells: { tally: { rounds: number; trials: number } }[] }).cells[0]!.tally;
    assert.ok(rounds.rounds > rounds.trials, 'two phases: more rounds than trials at R 1');
  });
  it('refuses more rounds used than 2R per trial in a shard, and accepts exactly 2R', async () => {
    const [, b] = await shards();
    const tooMany = await edited((t) => {
      t['rounds'] = 2 * (t['trials'] as number) + 1;
    });
    await mergeRefuses([tooMany, b!], /cell 1 \(.*\): it counts 8929 rounds used, more than its round limit allows in 4464 trials$/);
    const atLimit = await edited((t) => {
      t['rounds'] = 2 * (t['trials'] as number);
    });
    const r = await cliInProcess(['merge', atLimit, b!, '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
  });
  it('refuses more messages received than dispatched, and delivery classes the cell lacks', async () => {
    const [, b] = await shards();
    const dispatched = (t: Record<string, unknown>) => (t['messages'] as number[]).reduce((s, n, m) => s + n * m, 0);
    const received = (t: Record<string, unknown>) => (t['deliveries'] as number[]).reduce((s, n) => s + n, 0);
    // every message of shard 1 received, in its first delivery class: the most a run can count
    const allReceived = (extra: number) =>
      edited((t) => {
        const deliveries = t['deliveries'] as number[];
        deliveries[0] = dispatched(t) - (received(t) - deliveries[0]!) + extra;
      });
    await mergeRefuses([await allReceived(1), b!], /: it counts \d+ messages received of \d+ dispatched$/);
    const r = await cliInProcess(['merge', await allReceived(0), b!, '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const classes = await edited((t) => {
      (t['deliveries'] as number[]).push(0, 0);
    });
    await mergeRefuses([classes, b!], /: it has \d+ delivery counts; the cell has \d+ kinds of delivery$/);
  });
  it('names the shard whose counts no run can produce, not the first shard given', async () => {
    const [a] = await shards();
    const second: [string, (t: Record<string, unknown>) => void, RegExp][] = [
      ['rounds', (t) => (t['rounds'] = 2 * (t['trials'] as number) + 1), /it counts \d+ rounds used, more than its round limit allows in 65536 trials$/],
      [
        'received',
        (t) => ((t['deliveries'] as number[])[0]! += (t['messages'] as number[]).reduce((s, n, m) => s + n * m, 0)),
        /it counts \d+ messages received of \d+ dispatched$/,
      ],
      ['delivery classes', (t) => (t['deliveries'] as number[]).push(0, 0), /it has \d+ delivery counts; the cell has \d+ kinds of delivery$/],
    ];
    for (const [what, change, message] of second) {
      const forged = await edited(change, 1);
      const r = await cliInProcess(['merge', a!, forged, '-f', 'csv']);
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.equal(r.stdout, '', what);
      assert.match(r.stderr, /^twogenerals: [^\n]*edited-\d+\.json: cell 1 \([^\n]*\n$/, what);
      assert.match(r.stderr.trimEnd(), message, what);
    }
  });
  it('refuses a shard another tool wrote, its digest made to match, naming it (first or second)', async () => {
    const [a, b] = await shards();
    const other = (which: number) => edited((_t, data) => (data['tool'] = 'othertool'), which);
    await mergeRefuses([a!, await other(1)], /^twogenerals: .*\/edited-\d+\.json: it was written by another tool \('othertool'\), not twogenerals$/);
    await mergeRefuses([await other(0), b!], /^twogenerals: .*\/edited-\d+\.json: it was written by another tool \('othertool'\), not twogenerals$/);
    const none = await edited((_t, data) => delete data['tool'], 1);
    await mergeRefuses([a!, none], /edited-\d+\.json: it does not say twogenerals wrote it \(no tool\)$/);
  });
  it('refuses a shard whose trials, outcomes or scenario index do not fit', async () => {
    const [a, b] = await shards();
    const fewer = await edited((t) => {
      t['trials'] = (t['trials'] as number) - 1;
      (t['outcomes'] as number[])[0]! -= 1;
      const messages = t['messages'] as number[];
      messages[messages.findIndex((n) => n > 0)]! -= 1;
    });
    await mergeRefuses([fewer, b!], /cell 1 \(.*\): it holds 4463 trials; shard 1\/2 of 70000 trials holds 4464$/);
    const outcomes = await edited((t) => {
      (t['outcomes'] as number[]).push(0);
    });
    await mergeRefuses([outcomes, b!], /it has 5 outcome counts; two-phase-commit has 4 outcomes$/);
    const version = await edited((_t, data) => {
      data['version'] = '0.0.1';
    });
    // the edited shard is named, given first or second, not the one of this version
    await mergeRefuses([version, b!], /edited-\d+\.json: written by twogenerals 0\.0\.1; this is 0\.2\.0: merge with the version that ran the shards$/);
    await mergeRefuses([a!, version], /edited-\d+\.json: written by twogenerals 0\.0\.1; this is 0\.2\.0: merge with the version that ran the shards$/);
    const version2 = await edited((_t, data) => {
      data['version'] = '0.0.1';
    }, 1);
    await mergeRefuses([version, version2], /edited-\d+\.json: written by twogenerals 0\.0\.1; this is 0\.2\.0: merge with the version that ran the shards$/);
    const block = await edited((_t, data) => {
      data['blockSize'] = 1024;
    });
    await mergeRefuses([block, b!], /edited-\d+\.json: its block size is 1024; this version cuts trials into blocks of 65536$/);
    const block2 = await edited((_t, data) => {
      data['blockSize'] = 1024;
    }, 1);
    await mergeRefuses([block, block2], /: its block size is 1024; this version cuts trials into blocks of 65536$/);
    const scenarioIndex = await edited((_t, data) => {
      (data['scenarios'] as unknown[]).push((data['scenarios'] as unknown[])[0]);
      (data['cells'] as Record<string, unknown>[])[0]!['scenario'] = 1;
    });
    const scenarioIndex2 = await edited((_t, data) => {
      (data['scenarios'] as unknown[]).push((data['scenarios'] as unknown[])[0]);
      (data['cells'] as Record<string, unknown>[])[0]!['scenario'] = 1;
    }, 1);
    // two scenarios expand to two cells, the shards hold one: refused before any cell is read (a
    // cell naming another scenario is merge-units')
    await mergeRefuses([scenarioIndex, scenarioIndex2], /edited-\d+\.json: its cells do not match its scenario$/);
    // as many cells, one under another key
    const rekeyed = (which: number) =>
      edited((_t, data) => {
        const cell = (data['cells'] as Record<string, unknown>[])[0]!;
        cell['key'] = String(cell['key']).replace('abortRate=0.2', 'abortRate=0.3');
      }, which);
    await mergeRefuses([await rekeyed(0), await rekeyed(1)], /edited-\d+\.json: its cells do not match its scenario$/);
  });
  it('a histogram of messages ending in empty bins gives the same statistics (the maximum is the last bin with trials)', async () => {
    const [a, b] = await shards();
    const padded = await edited((tally) => (tally['messages'] as number[]).push(0, 0), 0);
    const merged = await cliInProcess(['merge', padded, b!, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, (await cliInProcess(['merge', a!, b!, '-f', 'csv'])).stdout);
  });
  it('refuses a shard nested thousands of levels deep in one line (exit 2), not with an overflowed stack (exit 3)', async () => {
    const [a, b] = await shards();
    const text = readFileSync(b!, 'utf8').trimEnd();
    const path = join(dir, `deep-${++serial}.json`);
    writeFileSync(path, `${text.slice(0, -1)}, "extra": ${'['.repeat(20000)}${']'.repeat(20000)}}`);
    await mergeRefuses([a!, path], /deep-\d+\.json: not a shard file .*: its JSON nests more than 64 levels deep/);
  });
  it('refuses a --junit file it cannot write before it prints anything', async () => {
    const [a, b] = await shards();
    const junit = join(dir, 'no-such-folder', 'gates.xml');
    const r = await cliInProcess(['merge', a!, b!, '-f', 'csv', '--junit', junit]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `twogenerals: --junit ${junit}: cannot write the JUnit report: no such file or directory\n`);
  });
  it('refuses every malformed shard, its digest made to match (shard 1 of 2)', async () => {
    const [, b] = await shards();
    const cases: [string, (t: Record<string, unknown>, d: Record<string, unknown>) => void, RegExp][] = [
      ['index past the count', (_t, d) => ((d['shard'] as Record<string, number>)['index'] = 3), /: its shard is not i\/n with 1 ≤ i ≤ n$/],
      ['index 0', (_t, d) => ((d['shard'] as Record<string, number>)['index'] = 0), /: its shard is not i\/n with 1 ≤ i ≤ n$/],
      ['another count', (_t, d) => ((d['shard'] as Record<string, number>)['count'] = 3), /cannot merge: its shard count \(2\) differs from|shard count \(3\)/],
      ['no version', (_t, d) => delete d['version'], /: it does not say which version of twogenerals wrote it$/],
      ['block size 0', (_t, d) => (d['blockSize'] = 0), /: its block size is not a positive whole number$/],
      ['no scenarios', (_t, d) => (d['scenarios'] = []), /: its scenarios are missing$/],
      ['no cells', (_t, d) => (d['cells'] = []), /: its cells are missing$/],
      [
        'a cell of scenario 2 of 1',
        (_t, d) => ((d['cells'] as Record<string, unknown>[])[0]!['scenario'] = 1),
        /: cell 1 does not name its scenario and parameters$/,
      ],
      ['another seed', (_t, d) => ((d['scenarios'] as Record<string, unknown>[])[0]!['seed'] = 'other'), /cannot merge: its seed differs from /],
      [
        'another cell key',
        (_t, d) => ((d['cells'] as Record<string, unknown>[])[0]!['key'] = 'x'),
        /cannot merge: its cells differs from|its cells do not match/,
      ],
      ['a negative count', (t) => ((t['outcomes'] as number[])[1] = -1), /: cell 1 \(.*\): its outcomes count 2 is -1, not a non-negative whole number$/],
      ['outcomes not adding up', (t) => ((t['outcomes'] as number[])[0]! += 1), /: its outcome counts add up to \d+, not its 4464 trials$/],
      ['messages not adding up', (t) => (t['messages'] as number[]).push(1), /: its histogram of messages per trial adds up to 4465, not its 4464 trials$/],
      ['a fractional rounds count', (t) => (t['rounds'] = 1.5), /: its rounds count is 1\.5, not a non-negative whole number$/],
    ];
    for (const [what, change, message] of cases) {
      const path = await edited(change);
      const r = await cliInProcess(['merge', path, b!, '-f', 'csv']);
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.equal(r.stdout, '', what);
      assert.match(r.stderr.trimEnd(), message, what);
    }
  });
});

// --- the gates, from the command line ---------------------------------------------------------

describe('gates from the command line', () => {
  it('a failing atMost exits 1 after the output; a passing one exits 0', async () => {
    const base = ['run', '--set', 'protocol=retransmit', '--set', 'loss=0.5', '--set', 'redundancy=1', '--set', 'rounds=2', '--trials', '20000', '-f', 'csv'];
    // disagreement (onlyB) is exactly 0.75² − 0.5² = 0.3125 at loss 0.5, R 2
    const fails = await cliInProcess([...base, '--set', 'expect=[{metric: disagreement, atMost: 0.3}]']);
    assert.equal(fails.status, 1, fails.stderr);
    assert.match(fails.stdout, /^scenario,/);
    assert.match(fails.stderr, /^expect failed: .*: disagreement \[0\.3\d+, 0\.3\d+\] is not at most 0\.3\n$/);
    const passes = await cliInProcess([...base, '--set', 'expect=[{metric: disagreement, atMost: 0.33}]']);
    assert.equal(passes.status, 0, passes.stderr);
    assert.equal(passes.stderr, '');
    assert.equal(passes.stdout, fails.stdout);
  });
});
