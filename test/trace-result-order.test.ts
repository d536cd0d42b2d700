import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, SEND } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { TrialNeverEnds, runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { resultOf, resultOrderFor, startAt } from '../src/engine/montecarlo/result-order.js';
import { startOrderFor } from '../src/engine/montecarlo/start-order.js';
import { runExperiment } from '../src/experiment.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { uniformBelowInOrder } from '../src/rng/uniform.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';
import { proportionZ } from '../src/stats/zscore.js';
import { traceTrial } from '../src/trace/trace.js';
import { burstyTrace, digits, generatorAt, resultFromStart, scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';
import { OracleDigests } from './oracle-digests.js';
import { COIN, coinThenAck, good } from './rule-protocol.js';

// Just past the tables' limit (20,000 packets): replayed. Losses in its last 32 packets and its
// first few, so that paths that wrap around, and fates read near the end, tell.
const LOST = burstyTrace(20_050, 3, 29);
for (const [at, fate] of [
  [-31, 1],
  [-29, 1],
  [-26, 1],
  [-25, 1],
  [-17, 1],
  [-9, 1],
  [-4, 1],
  [-2, 1],
  [-1, 1],
  [0, 1],
  [2, 1],
] as const)
  LOST[(LOST.length + at) % LOST.length] = fate;
const DIR = tempFiles({ 'bursty.txt': digits(LOST), 'other.txt': digits(burstyTrace(LOST.length, 4, 31)) });
const FILE = join(DIR, 'bursty.txt');
copyFileSync(FILE, join(DIR, 'same.txt')); // the same packets read as another direction's file: no jumps
const model = (protocol: string, k: number, rounds: number, extra: Record<string, string | number> = {}): CellModel =>
  buildCellModel({ protocol, channel: 'trace', params: { file: FILE, redundancy: k, rounds, ...extra } });

/** The starts stably sorted by result, results numbered as starts 0, 1, … first meet them: the order such trials draw through. */
function sortedStarts(m: CellModel): { sorted: number[]; resultOfStart: number[] } {
  const numbers = new Map<string, number>();
  const resultOfStart = Array.from(LOST, (_, s) => {
    const key = resultFromStart(m, [LOST, LOST], s);
    if (!numbers.has(key)) numbers.set(key, numbers.size);
    return numbers.get(key)!;
  });
  const sorted = Array.from(LOST, (_, s) => s).sort((a, b) => resultOfStart[a]! - resultOfStart[b]! || a - b);
  return { sorted, resultOfStart };
}

const ORACLES = new OracleDigests('trace-result-order');

/** runBlock's tally of a block, held to the generic engine's, trial by trial, from the same stream. */
function countsAsGeneric(m: CellModel, stream: Int32Array, trials: number, where: string): void {
  const counted = runBlock(m, stream, trials);
  ORACLES.held(
    `generic: ${where}`,
    counted,
    () => runBlockGeneric(m, generatorAt(stream), trials),
    (a, b) => assert.deepEqual(a, b, where),
  );
}

const CASES = [
  { protocol: 'retransmit', k: 1, rounds: 8 },
  { protocol: 'retransmit', k: 3, rounds: 6 },
  { protocol: 'handshake', k: 2, rounds: 4 },
  { protocol: 'handshake', k: 4, rounds: 16 }, // 596 results: past a byte, and past the lanes' 64 thresholds
  { protocol: 'retransmit', k: 9, rounds: 3 }, // more copies than a jump takes: the root's one send, then send by send
  { protocol: 'handshake', k: 1, rounds: 20 }, // paths past the root's 16 sends: on by the trie's jumps
  { protocol: 'handshake', k: 6, rounds: 5 }, // the root's two sends, then send by send over the delivered counts
  { protocol: 'retransmit', k: 17, rounds: 2 }, // more copies than the root's packets: send by send from the start
];

describe("a protocol whose one choice of its own ends the trial (the randomized protocol's key), over a replayed trace, draws its start through the result order, then the choice", () => {
  const KEYED = [
    { k: 1, rounds: 3 },
    { k: 2, rounds: 5 },
    { k: 2, rounds: 8 }, // more results than a byte numbers
  ];

  it('has a result order whose results stop at the key', () => {
    for (const { k, rounds } of KEYED) {
      const order = resultOrderFor(model('randomized', k, rounds));
      assert.ok(order, `k ${k} R ${rounds}: a result order`);
      assert.ok(order.keys, 'results that stop at a choice');
      const keyed = order.keys.filter((key) => key !== null);
      assert.ok(keyed.length > 0, 'some results draw the key');
      for (const key of keyed) assert.equal(key.ends.length, rounds, 'a branch per value of the key, each an ending');
    }
  });

  it('counts a block to the tallies of trial by trial, for every block size', () => {
    for (const { k, rounds } of KEYED) {
      const m = model('randomized', k, rounds);
      for (const trials of [1, 7, 4096, 50_000])
        countsAsGeneric(m, Int32Array.of(trials, k, rounds, 7), trials, `randomized k ${k} R ${rounds}, ${trials} trials`);
    }
  });

  it('draws each outcome as often as the exact values say: z-scores', async () => {
    const report = await runExperiment(
      [
        scenarioFrom({
          protocol: 'randomized',
          redundancy: 2,
          rounds: 5,
          channel: { model: 'trace', file: FILE },
          trials: 400_000,
          seed: 'results-randomized',
        }),
      ],
      { exact: 'on', simulate: true, confidence: 0.95, workers: 1 },
    );
    const s = report.summaries[0]!;
    s.outcomes.forEach((o, i) => {
      const z = proportionZ(o.count, s.trials, s.exact!.outcomes[i]!);
      assert.ok(Math.abs(z) <= 3.5, `${s.outcomeNames[i]}: ${o.count} against ${s.exact!.outcomes[i]}: z = ${z}`);
    });
  });

  it('replays trial i from the start and key the run counted for it (`trace`)', async () => {
    const yaml = join(DIR, 'keyed.yaml');
    writeFileSync(yaml, 'protocol: randomized\nredundancy: 2\nrounds: 5\nchannel: { model: trace, file: bursty.txt }\ntrials: 5000\nseed: keyed\n');
    const [cell] = expandCells(await loadScenario(yaml));
    const m = buildCellModel(cellSpec(cell!));
    const order = resultOrderFor(m)!;
    const n = 150;
    const replayed = new Array<number>(m.outcomes.names.length).fill(0);
    for (let trial = 1; trial <= n; trial++) {
      const t = traceTrial(cell!, trial)!;
      assert.equal(t.traceStart?.packets, LOST.length);
      replayed[m.outcomes.names.indexOf(t.outcome)]!++;
    }
    assert.ok(order.keys, 'drawn through the result order');
    assert.deepEqual(replayed, runBlock(m, blockState('keyed', cell!.key, 0), n).outcomes, 'the replayed trials add up to the run’s tally');
  });
});

describe('a protocol that draws nothing of its own, over a replayed trace, draws its start through the result order', () => {
  it('names the j-th start of the starts sorted by result (numbered as the starts first meet them), then by position', () => {
    for (const { protocol, k, rounds } of CASES) {
      const m = model(protocol, k, rounds);
      assert.equal(startOrderFor(m), null, `${protocol}: no messenger's start order`);
      const order = resultOrderFor(m)!;
      assert.ok(order, `${protocol}: a result order`);
      // The results, the j-th start and its result, as the order names them and as sorted by hand.
      const named = {
        results: order.before.length - 1,
        starts: Array.from(LOST, (_, j) => startAt(order, j)),
        resultOf: Array.from(LOST, (_, j) => resultOf(order, j)),
      };
      ORACLES.held(
        `sorted starts: ${protocol} k ${k} R ${rounds}`,
        named,
        () => {
          const { sorted, resultOfStart } = sortedStarts(m);
          return { results: new Set(resultOfStart).size, starts: sorted, resultOf: sorted.map((s) => resultOfStart[s]!) };
        },
        (a, b) => {
          assert.equal(a.results, b.results, `${protocol} k ${k}: one share per result`);
          for (let j = 0; j < LOST.length; j++) {
            assert.equal(a.starts[j], b.starts[j], `${protocol} k ${k}: start ${j}`);
            assert.equal(a.resultOf[j], b.resultOf[j], `${protocol} k ${k}: result of ${j}`);
          }
        },
      );
    }
  });

  it('counts a block by results to the tallies of trial by trial, for every block size, one trace or one a direction', () => {
    for (const { protocol, k, rounds } of CASES) {
      for (const extra of [{}, { AtoB: join(DIR, 'same.txt') }, { BtoA: join(DIR, 'other.txt') }]) {
        const m = model(protocol, k, rounds, extra);
        for (const trials of [1, 7, 4096, 50_000])
          countsAsGeneric(
            m,
            Int32Array.of(trials, k, 5, 7),
            trials,
            `${protocol} k ${k} R ${rounds} ${trials} trials ${JSON.stringify(extra).replace(DIR, '')}`,
          );
      }
      // The same packets as two files (each direction its own, read send by send) or as one (read by jumps): the same tallies.
      const stream = Int32Array.of(3, 1, 4, 1);
      assert.deepEqual(
        runBlock(model(protocol, k, rounds, { AtoB: join(DIR, 'same.txt') }), stream, 30_000),
        runBlock(model(protocol, k, rounds), stream, 30_000),
      );
    }
  });

  it('draws each result as often as it holds starts: z-scores against the exact values', async () => {
    for (const { protocol, k, rounds } of [CASES[0]!, CASES[2]!]) {
      const report = await runExperiment(
        [scenarioFrom({ protocol, redundancy: k, rounds, channel: { model: 'trace', file: FILE }, trials: 400_000, seed: `results-${protocol}` })],
        { exact: 'on', simulate: true, confidence: 0.95, workers: 1 },
      );
      const s = report.summaries[0]!;
      s.outcomes.forEach((o, i) => {
        const z = proportionZ(o.count, s.trials, s.exact!.outcomes[i]!);
        assert.ok(Math.abs(z) <= 3.5, `${protocol} ${s.outcomeNames[i]}: ${o.count} against ${s.exact!.outcomes[i]}: z = ${z}`);
      });
    }
  });

  it('gives the same bytes for any worker count and shard split', async () => {
    const yaml = join(DIR, 'shards.yaml');
    writeFileSync(yaml, 'protocol: retransmit\nredundancy: 2\nrounds: 5\nchannel: { model: trace, file: bursty.txt }\ntrials: 300000\nseed: 9\n');
    const whole = await cliIn(['run', yaml, '-f', 'csv', '--workers', '1', '--no-exact']);
    assert.equal(whole.status, 0, whole.stderr);
    const two = await cliIn(['run', yaml, '-f', 'csv', '--workers', '2', '--no-exact']);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(two.stdout, whole.stdout);
    for (const shard of ['1/2', '2/2']) {
      const part = await cliIn(['run', yaml, '--shard', shard, '--workers', '2']);
      assert.equal(part.status, 0, part.stderr);
      writeFileSync(join(DIR, `shard-${shard[0]}.json`), part.stdout);
    }
    const merged = await cliIn(['merge', join(DIR, 'shard-1.json'), join(DIR, 'shard-2.json'), '-f', 'csv', '--no-exact']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout, 'merged shards print the bytes of the whole run');
  });

  it('hands worker threads the trace the main thread read: they do not read the file again', async () => {
    const dir = tempFiles({
      'handed.txt': digits(LOST),
      'handed.yaml': 'protocol: handshake\nredundancy: 2\nrounds: 4\nchannel: { model: trace, file: handed.txt }\ntrials: 200000\nseed: 4\n',
    });
    const scenario = await loadScenario(join(dir, 'handed.yaml'));
    rmSync(join(dir, 'handed.txt')); // read once, when the scenario was resolved: threads that read it now would fail
    const run = (workers: number) => runExperiment([scenario], { exact: 'off', simulate: true, confidence: 0.95, workers });
    const [inThread, inWorkers] = [await run(1), await run(2)];
    assert.equal(inWorkers.summaries[0]!.result.tally!.trials, 200_000);
    assert.deepEqual(inWorkers.summaries[0]!.result.tally, inThread.summaries[0]!.result.tally);
  });

  it('replays trial i from the start the run counted for it (`trace`)', async () => {
    const yaml = join(DIR, 'replayed.yaml');
    writeFileSync(yaml, 'protocol: handshake\nredundancy: 2\nrounds: 4\nchannel: { model: trace, file: bursty.txt }\ntrials: 5000\nseed: replayed\n');
    const [cell] = expandCells(await loadScenario(yaml));
    const m = buildCellModel(cellSpec(cell!));
    const { sorted } = sortedStarts(m);
    const n = 150;
    const stream = blockStream('replayed', cell!.key, 0);
    const replayed = new Array<number>(m.outcomes.names.length).fill(0);
    for (let trial = 1; trial <= n; trial++) {
      const t = traceTrial(cell!, trial)!;
      const start = sorted[uniformBelowInOrder(stream, LOST.length)]!;
      assert.deepEqual(t.traceStart, { position: start, packets: LOST.length }, `trial ${trial}`);
      assert.equal(t.outcome, m.outcomes.names[Number(resultFromStart(m, [LOST, LOST], start).split(' ')[0])], `trial ${trial}'s outcome`);
      replayed[m.outcomes.names.indexOf(t.outcome)]!++;
    }
    assert.deepEqual(replayed, runBlock(m, blockState('replayed', cell!.key, 0), n).outcomes, 'the replayed trials add up to the run’s tally');
  });

  it('has no result order for a cell with crashes, nor for a protocol whose choice of its own leads on to more sends', () => {
    assert.equal(resultOrderFor(model('retransmit', 1, 4, { crashB: 0.2 })), null);
    // A sends; where it arrives, B tosses a coin: heads ends, tails sends an ack in round 2.
    const name = 'order-coin-then-ack';
    registerProtocol(coinThenAck(name, COIN));
    try {
      const goesOn = model(name, 1, 2);
      assert.equal(resultOrderFor(goesOn), null);
      const stream = Int32Array.of(5, 6, 7, 8);
      const counted = runBlock(goesOn, stream, 30_000);
      assert.deepEqual(counted, runBlockGeneric(goesOn, generatorAt(stream), 30_000));
      assert.ok(counted.messages[2]! > 0, 'tails sends an ack');
    } finally {
      unregister(name);
    }
  });

  it('refuses a trial that never ends (past the trie’s limits, walked), as the generic engine does', () => {
    // A sends until it hears nothing (a lost order, never over an all-lost trace, ends it): endless.
    const name = 'order-never-ends';
    registerProtocol({
      ...good(name),
      stateSize: () => 1,
      next(state, _config, step) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
        step.outcome = 0;
        state[0] = state[0]! & 1;
      },
      resolve(state, _config, _step, result) {
        state[0] = result === 1 ? 0 : 1; // two states, neither an end
      },
    });
    try {
      const dir = tempFiles({ 'dead.txt': '1'.repeat(20_005) });
      const endless = buildCellModel({ protocol: name, channel: 'trace', params: { file: join(dir, 'dead.txt'), redundancy: 1, rounds: 1 } });
      assert.throws(() => runBlock(endless, Int32Array.of(1, 2, 3, 4), 10), TrialNeverEnds);
      assert.throws(() => runBlockGeneric(endless, generatorAt(Int32Array.of(1, 2, 3, 4)), 10), TrialNeverEnds);
    } finally {
      unregister(name);
    }
  });
});
