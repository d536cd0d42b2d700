/**
 * A short trace (up to TABLE_PACKETS) is replayed for Monte Carlo and `trace`, and has tables,
 * built only when asked for, for the exact engines: the edges of that split. Traces of 1 and 2
 * packets, all lost and none lost, windows of more copies than packets; the tables never built
 * by a Monte Carlo run; the same bytes from 1 or 2 workers and from merged shards; a sweep's
 * tables let go once each cell's exact value is made.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { trace } from '../src/channels/trace.js';
import { ExactUnavailable, UNLIMITED, exactCell, exactSteps, structuredSolverFor } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { BLOCK_SIZE, simulateBlocks } from '../src/engine/schedule/blocks.js';
import { proportionZ } from '../src/stats/zscore.js';
import { countingCalls, countingCallsAsync, protocolOf, tempFiles } from './helpers.js';
import { drive } from './exact-helpers.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, SEND } from '../src/contract/protocol.js';

const COIN = Float64Array.of(0.5, 0.5);

/**
 * A sweep of redundancy 1..6 of the messenger over a 10,000-packet trace (s.yaml beside t.txt),
 * with `extra` lines in the scenario.
 */
function sweepOverShortTrace(extra: readonly string[]): { packets: number; digits: string; dir: string } {
  const packets = 10_000;
  const digits = Array.from({ length: packets }, (_, i) => ((i * 7919) % 13 < 2 ? '1' : '0')).join('');
  const dir = tempFiles({ 't.txt': `${digits}\n` });
  const lines = [
    'name: swept',
    'protocol: messenger',
    'channel: { model: trace, file: t.txt }',
    ...extra,
    'trials: 1000',
    'seed: 1',
    'sweep:',
    '  redundancy: { from: 1, to: 6 }',
    '',
  ];
  writeFileSync(join(dir, 's.yaml'), lines.join('\n'));
  return { packets, digits, dir };
}

import { cliIn } from './in-process.js';

describe('short traces replayed, their tables for the exact engines', () => {
  it('agrees with the tables exact values on traces of 1 and 2 packets, all lost and none lost, with more copies than packets', () => {
    const dir = tempFiles({ 'one.txt': '0\n', 'two.txt': '01\n', 'lost.txt': '1111111\n', 'clear.txt': '0000000\n', 'nine.txt': '011010011\n' });
    const trials = 60_000;
    const protocols: Record<string, number | string>[] = [
      { protocol: 'messenger' },
      { protocol: 'retransmit', rounds: 4 },
      { protocol: 'handshake', rounds: 3, BtoA: join(dir, 'nine.txt') },
      { protocol: 'randomized', rounds: 4 },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.2 },
    ];
    for (const file of ['one.txt', 'two.txt', 'lost.txt', 'clear.txt', 'nine.txt'])
      for (const data of protocols)
        for (const redundancy of [2, 11]) {
          // The handshake's B→A trace must be as long as the A→B one: nine packets against nine alone.
          if (data['BtoA'] && file !== 'nine.txt') continue;
          const what = `${data['protocol']} over ${file}, ${redundancy} copies`;
          const model = buildCellModel({ protocol: String(data['protocol']), channel: 'trace', params: { ...data, redundancy, file: join(dir, file) } });
          assert.ok(model.replay, `${what}: replayed`);
          const { result: tally, calls } = countingCalls(trace, 'transmissions', () => runBlock(model, Int32Array.of(1, 2, 3, 4), trials));
          assert.equal(calls, 0, `${what}: Monte Carlo built no table`);
          const built = countingCalls(trace, 'transmissions', () => exactCell(model, UNLIMITED, 'generic'));
          assert.equal(built.calls, 1, `${what}: the generic engine built the tables once`);
          const exact = built.result;
          assert.notEqual(exact.method, 'trace starts, each followed', `${what}: the exact value read from the tables`);
          // Where no solver knows the protocol, the exact value follows the starts instead: the same values.
          const auto = exactCell(model);
          if (!structuredSolverFor(model)) assert.equal(auto.method, 'trace starts, each followed', what);
          auto.outcomes.forEach((p, j) => assert.ok(Math.abs(p - exact.outcomes[j]!) <= 1e-12, `${what}, outcome ${j}: ${p} vs ${exact.outcomes[j]}`));
          assert.ok(Math.abs(auto.deliveredMean - exact.deliveredMean) <= 1e-12 * Math.max(1, exact.deliveredMean), `${what}: delivered`);
          tally.outcomes.forEach((n, j) =>
            assert.ok(Math.abs(proportionZ(n, trials, exact.outcomes[j]!)) <= 3.5, `${what}, outcome ${j}: ${n} of ${trials} vs ${exact.outcomes[j]}`),
          );
          const delivered = tally.deliveries.reduce((sum, n, c) => sum + n * model.deliveryValues[c]!, 0) / trials;
          const messages = tally.messages.reduce((sum, n, m) => sum + n * m, 0) / trials;
          // Within 2% (more than 4.5 standard errors here): a delivery class read at another's value is off by far more.
          assert.ok(
            Math.abs(delivered - exact.deliveredMean) <= 0.02 * Math.max(1, exact.deliveredMean),
            `${what}: delivered ${delivered} vs ${exact.deliveredMean}`,
          );
          // Within 3.5 standard errors of the exact mean (its sd from the exact second moment).
          const messagesSe = Math.sqrt(Math.max(0, exact.messagesSecondMoment - exact.messagesMean * exact.messagesMean) / trials);
          assert.ok(
            Math.abs(messages - exact.messagesMean) <= Math.max(3.5 * messagesSe, 1e-9),
            `${what}: messages ${messages} vs ${exact.messagesMean} (standard error ${messagesSe})`,
          );
          assert.ok(
            Math.abs(tally.rounds / trials - exact.roundsMean) <= 0.02 * Math.max(1, exact.roundsMean),
            `${what}: rounds ${tally.rounds / trials} vs ${exact.roundsMean}`,
          );
          // A protocol without choices over a trace that loses nothing delivers the same copies every trial.
          if ((file === 'clear.txt' || file === 'one.txt') && (data['protocol'] === 'messenger' || data['protocol'] === 'retransmit'))
            assert.ok(Math.abs(delivered - exact.deliveredMean) <= 1e-12 * exact.deliveredMean, `${what}: delivered ${delivered} vs ${exact.deliveredMean}`);
        }
  });

  it('gives the same bytes with 1 or 2 workers and from merged shards, exact values included', async () => {
    // 140,000 trials: three blocks a cell, split between the shards. Nine copies wrap round the 7-packet trace.
    const dir = tempFiles({ 'p.txt': '0110100\n', 'b.txt': '1000110\n' });
    writeFileSync(
      join(dir, 's.yaml'),
      [
        'name: short-trace',
        'protocol: handshake',
        'channel: { model: trace, file: p.txt, BtoA: b.txt }',
        'rounds: 3',
        'trials: 140000',
        'seed: 42',
        'sweep:',
        '  redundancy: [1, 9]',
        '',
      ].join('\n'),
    );
    const scenario = join(dir, 's.yaml');
    const one = await cliIn(['run', scenario, '-f', 'csv', '--workers', '1', '--exact']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout.trim().split('\n').length, 3);
    assert.equal((await cliIn(['run', scenario, '-f', 'csv', '--workers', '2', '--exact'])).stdout, one.stdout);
    const shards: string[] = [];
    for (const i of [1, 2]) {
      const r = await cliIn(['run', scenario, '--shard', `${i}/2`, '--workers', '1']);
      assert.equal(r.status, 0, r.stderr);
      const path = join(dir, `shard-${i}.json`);
      writeFileSync(path, r.stdout);
      shards.push(path);
    }
    const merged = await cliIn(['merge', ...shards, '-f', 'csv', '--exact']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, one.stdout);
  });

  it('follows the starts where no solver knows the protocol: a sweep over a short trace builds no tables', async () => {
    // Every cell's tables were built for its exact value (30 MB at 20,000 packets, and a
    // two-phase commit over 15,000 packets took 11 s through them, 0.1 s start by start).
    const { packets, digits, dir } = sweepOverShortTrace([]);
    const { result: r, calls } = await countingCallsAsync(trace, 'initialStates', () => cliIn(['exact', join(dir, 's.yaml'), '-f', 'csv']));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 7);
    assert.equal(calls, 0, 'no tables built');
    // The first cell's values are the tables': the messenger at one copy succeeds where its packet is 0.
    const lost = [...digits].filter((d) => d === '1').length;
    const row = r.stdout.trim().split('\n')[1]!.split(',');
    const header = r.stdout.split('\n')[0]!.split(',');
    assert.equal(row[header.indexOf('success_exact')], String((packets - lost) / packets));
  });

  it('goes through the tables where following every start would be more work than the limit allows', () => {
    // Twelve fair coins that change nothing but the clock, then one message: 4,096 paths from
    // every start, where the tables hold 14 states a position.
    const name = 'short-trace-coins';
    registerProtocol(
      protocolOf(name, 1, {
        next(state, _config, step) {
          if (state[0]! < 12) {
            step.kind = CHOOSE;
            step.choices = COIN;
          } else if (state[0] === 12) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
          } else {
            step.kind = END;
            step.outcome = state[0] === 13 ? 0 : 2;
          }
        },
        resolve(state, _config, step, result) {
          state[0] = step.kind === CHOOSE ? state[0]! + 1 : result === 1 ? 13 : 14;
        },
      }),
    );
    try {
      const dir = tempFiles({ 't.txt': '0110100111\n' });
      const model = buildCellModel({ protocol: name, channel: 'trace', params: { redundancy: 1, rounds: 1, file: join(dir, 't.txt') } });
      const limits = { maxWork: 100_000, maxWords: Number.POSITIVE_INFINITY };
      const { yields, result } = drive(model, limits);
      assert.equal(result.method, 'generic');
      assert.deepEqual(result.outcomes, [0.4, 0, 0.6, 0]); // 4 of the 10 packets arrive
      assert.ok(yields.reduce((sum, y) => sum + y, 0) < limits.maxWork, `the starts gave way once their work was seen to pass the limit: ${yields.join(', ')}`);
      // Unlimited, the starts are followed: the same values.
      assert.deepEqual(exactCell(model).outcomes, result.outcomes);
      assert.equal(exactCell(model).method, 'trace starts, each followed');
    } finally {
      unregister(name);
    }
  });

  it('follows the starts where the randomized levels refuse a short trace for its memory', () => {
    const dir = tempFiles({ 't.txt': `${Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 11 < 3 ? '0' : '1')).join('')}\n` });
    const model = buildCellModel({ protocol: 'randomized', channel: 'trace', params: { redundancy: 1, rounds: 20, file: join(dir, 't.txt') } });
    const levels = exactCell(model);
    assert.equal(levels.method, 'levels');
    // Too little memory for the levels at every position: refused before any work, the starts are followed.
    const starts = exactCell(model, { maxWork: Number.POSITIVE_INFINITY, maxWords: 1000 });
    assert.equal(starts.method, 'trace starts, each followed');
    starts.outcomes.forEach((p, i) => assert.ok(Math.abs(p - levels.outcomes[i]!) < 1e-12, `outcome ${i}: ${p} against ${levels.outcomes[i]}`));
    assert.ok(Math.abs(starts.messagesMean - levels.messagesMean) < 1e-9);
  });

  it('gives the tables what the starts left of the limit: the two together stay within it', () => {
    // A message; where it is received, six certain choices, where it is lost, twelve fair coins
    // (4,096 paths). Over 19,000 received packets, then 1,000 lost ones, the cheap starts come
    // first, so the starts' projection lets them spend most of a limit before they give way.
    const name = 'short-trace-cheap-first';
    const ONE = Float64Array.of(1);
    registerProtocol(
      protocolOf(name, 1, {
        next(state, _config, step) {
          const clock = state[0]!;
          if (clock === 0) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
          } else if (clock < 13 || (clock >= 100 && clock < 106)) {
            step.kind = CHOOSE;
            step.choices = clock < 13 ? COIN : ONE;
          } else {
            step.kind = END;
            step.outcome = clock === 106 ? 0 : 2;
          }
        },
        resolve(state, _config, step, result) {
          state[0] = step.kind === CHOOSE ? state[0]! + 1 : result === 1 ? 100 : 1;
        },
      }),
    );
    try {
      const dir = tempFiles({ 't.txt': `${'0'.repeat(19_000)}${'1'.repeat(1000)}\n` });
      const model = buildCellModel({ protocol: name, channel: 'trace', params: { redundancy: 1, rounds: 1, file: join(dir, 't.txt') } });
      const tables = exactCell(model, UNLIMITED, 'generic');
      // At this limit the starts spend about 737,000 units before they give way; the tables alone need 324,000.
      const limits = { maxWork: 800_000, maxWords: Number.POSITIVE_INFINITY };
      const steps = exactSteps(model, limits);
      let spent = 0;
      assert.throws(
        () => {
          for (let next = steps.next(); !next.done; next = steps.next()) spent += next.value;
        },
        { message: /^it needs more than 800,000 steps of work \(/ },
      );
      assert.ok(spent <= limits.maxWork, `${spent} units spent against a limit of ${limits.maxWork}`);
      // The tables alone fit the limit: the refusal is the starts' spending counted against it.
      assert.deepEqual(exactCell(model, limits, 'generic').outcomes, tables.outcomes);
    } finally {
      unregister(name);
    }
  });

  it('charges the tables against the same limit as the starts, and refuses before building them where they would pass it', () => {
    // A loss every 40 packets: a handshake of 50 legs runs 20 legs a start on average, so the
    // starts give way (their projected work passes the automatic budget), and the 20,000
    // positions' tables (about a quarter of a second to build: more than the run's trials took)
    // would take the rest of it and more: refused at once, every unit yielded within the limit.
    const dir = tempFiles({ 't.txt': `${'0'.repeat(39)}1`.repeat(500) });
    const model = buildCellModel({ protocol: 'handshake', channel: 'trace', params: { redundancy: 1, rounds: 50, file: join(dir, 't.txt') } });
    const limits = { maxWork: 250_000, maxWords: Number.POSITIVE_INFINITY };
    const yields: number[] = [];
    const steps = exactSteps(model, limits);
    assert.throws(
      () => {
        for (let next = steps.next(); !next.done; next = steps.next()) yields.push(next.value);
      },
      (error: Error) => error instanceof ExactUnavailable && /the starts, then the tables of 20,000 positions/.test(error.message),
    );
    assert.ok(yields.reduce((sum, y) => sum + y, 0) <= limits.maxWork, `the work charged stays within the limit: ${yields.join(', ')}`);
    // With room for them, the starts are followed to the end: the same engine as unlimited.
    assert.equal(exactCell(model, { maxWork: 90_000_000, maxWords: Number.POSITIVE_INFINITY }).method, 'trace starts, each followed');
  });

  it("with crashes too (the tables then serve every engine): a sweep's models hold one cell's tables at a time", async () => {
    // With crashes a short trace is not replayed: the engines read its tables, which were built
    // with the model and kept to the run's end, a delivery class per position (40,000 at 20,000
    // packets): 128 cells died at the heap limit with a native stack trace.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { packets, dir } = sweepOverShortTrace(['crash: 0.01']);
    // Collected until two readings agree: one collection can leave what earlier tests freed
    // counted (Node 22, in a full run on a loaded machine, measured the tables below as
    // -16,722,712 bytes with one).
    const heap = (): number => {
      gc();
      let used = process.memoryUsage().heapUsed;
      for (let i = 0; i < 10; i++) {
        gc();
        const now = process.memoryUsage().heapUsed;
        if (Math.abs(now - used) < 256 * 1024) return now;
        used = now;
      }
      return used;
    };
    const model = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { redundancy: 2, crash: 0.01, file: join(dir, 't.txt') } });
    assert.equal(model.replay, undefined, 'with crashes, not replayed');
    assert.deepEqual(model.deliveryValues, [1, 2], 'a class per number of copies, not one per position');
    const before = heap();
    assert.equal(model.transmissions.length, 2 * packets);
    const tables = heap() - before;
    assert.ok(tables > 4e6, `one cell's tables take ${tables} bytes`);
    const heaps: number[] = [];
    const original = trace.initialStates;
    trace.initialStates = (config) => {
      heaps.push(heap());
      return original(config);
    };
    try {
      const r = await cliIn(['exact', join(dir, 's.yaml'), '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 7);
    } finally {
      trace.initialStates = original;
    }
    assert.equal(heaps.length, 6, 'tables built once a cell, when its exact value is made');
    const growth = heaps[5]! - heaps[1]!;
    assert.ok(growth < tables, `the heap grew by ${growth} bytes over four cells, where a cell's tables take ${tables}`);
    assert.ok(model.transmissions.length > 0); // held to here, so that its tables count in every heap above
  });

  it("with crashes, a thread lets go of a cell's tables when it runs another cell's blocks, and counts the same", () => {
    const dir = tempFiles({ 't.txt': `${'0110100'.repeat(1000)}\n` });
    // Block 1 of a cell of BLOCK_SIZE + 500 trials: 500 trials a task.
    const task = (redundancy: number, id: number) => ({
      id,
      spec: { protocol: 'messenger', channel: 'trace', params: { redundancy, crash: 0.05, file: join(dir, 't.txt') } },
      cellKey: `crash-${redundancy}`,
      seed: '1',
      trials: BLOCK_SIZE + 500,
      firstBlock: 1,
      blocks: 1,
    });
    const built = countingCalls(trace, 'transmissions', () => [task(1, 1), task(2, 2), task(1, 3)].map(simulateBlocks));
    assert.equal(built.calls, 3, "the first cell's tables built again after the other cell ran");
    assert.deepEqual(built.result[2], built.result[0]);
    assert.equal(built.result[0]!.trials, 500);
    const kept = countingCalls(trace, 'transmissions', () => simulateBlocks(task(1, 4)));
    assert.equal(kept.calls, 0, 'kept while the same cell runs on');
    assert.deepEqual(kept.result, built.result[0]);
  });
});
