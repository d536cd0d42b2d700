import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, B_TO_A, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { TRACE_LAYOUT } from '../src/engine/accelerators/trace-layout.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { groupOf, startAt, startOrderFor } from '../src/engine/montecarlo/start-order.js';
import { runExperiment } from '../src/experiment.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { uniformBelowInOrder } from '../src/rng/uniform.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';
import { proportionZ } from '../src/stats/zscore.js';
import { traceTrial } from '../src/trace/trace.js';
import { burstyTrace, digits, generatorAt, scenarioFrom, stateOf, tempFiles } from './helpers.js';
import { good } from './rule-protocol.js';
import { cliIn, cliInProcess } from './in-process.js';

/** Copies delivered of k sent from `start`, read straight off the trace (wrapping). */
const deliveredAt = (lost: Uint8Array, start: number, k: number): number => {
  let d = 0;
  for (let c = 0; c < k; c++) d += 1 - lost[(start + c) % lost.length]!;
  return d;
};

/** The starts stably sorted by copies delivered, most first: the order the messenger draws through. */
function sortedStarts(lost: Uint8Array, k: number): number[] {
  const starts = Array.from(lost, (_, s) => s);
  return starts.sort((a, b) => deliveredAt(lost, b, k) - deliveredAt(lost, a, k) || a - b);
}

// Just past the tables' limit (20,000 packets): replayed.
const LOST = burstyTrace(20_050, 1);
const DIR = tempFiles({ 'bursty.txt': digits(LOST) });
const FILE = join(DIR, 'bursty.txt');
const messenger = (k: number) => buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: FILE, redundancy: k } });

describe('the messenger over a replayed trace draws its start through the start order', () => {
  it('counts every start’s copies delivered, and the starts by copies delivered, as the window slid packet by packet: windows that wrap, both directions', () => {
    // A→B bursty, B→A another bursty trace of the same length, and one all delivered but a burst
    // at the very end (the windows that wrap meet it) and one at the start.
    const other = burstyTrace(LOST.length, 2);
    const edges = new Uint8Array(LOST.length).fill(1, 0, 5).fill(1, LOST.length - 9);
    writeFileSync(join(DIR, 'other.txt'), digits(other));
    writeFileSync(join(DIR, 'edges.txt'), digits(edges));
    const cases = [
      { params: { file: FILE }, lost: [LOST, LOST] },
      { params: { file: FILE, BtoA: join(DIR, 'other.txt') }, lost: [LOST, other] },
      { params: { file: join(DIR, 'edges.txt') }, lost: [edges, edges] },
    ] as const;
    for (const { params, lost } of cases) {
      for (const k of [1, 2, 7, 8, 9, 15, 16, 17, 33, 250, 256, 1000]) {
        const { replay } = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { ...params, redundancy: k } });
        for (const direction of [0, 1] as const) {
          const where = `${JSON.stringify(params)}, k = ${k}, direction ${direction}`;
          const counts = k < 256 ? new Uint8Array(LOST.length) : new Uint16Array(LOST.length);
          replay!.deliveredInto(direction, counts);
          const byDelivered = new Float64Array(k + 1);
          for (let s = 0; s < LOST.length; s++) {
            const delivered = deliveredAt(lost[direction], s, k);
            if (counts[s] !== delivered) assert.fail(`${where}: start ${s} delivers ${delivered}, deliveredInto says ${counts[s]}`);
            byDelivered[delivered]!++;
          }
          assert.deepEqual(replay!.startsByDelivered(direction), byDelivered, where);
        }
      }
    }
  });

  it('names the j-th start of the starts sorted by copies delivered (most first), then by position', () => {
    for (const k of [1, 3]) {
      const order = startOrderFor(messenger(k))!;
      assert.ok(order, `k = ${k}: a one-send protocol has a start order`);
      const sorted = sortedStarts(LOST, k);
      for (let j = 0; j < sorted.length; j++) {
        if (startAt(order, j) !== sorted[j]) assert.fail(`k = ${k}: index ${j} is start ${startAt(order, j)}, sorted ${sorted[j]}`);
        if (groupOf(order, j) !== k - deliveredAt(LOST, sorted[j]!, k)) assert.fail(`k = ${k}: index ${j}'s group`);
      }
    }
    // Every other protocol draws the start itself.
    for (const protocol of ['retransmit', 'handshake', 'randomized']) {
      assert.equal(startOrderFor(buildCellModel({ protocol, channel: 'trace', params: { file: FILE, redundancy: 1, rounds: 3 } })), null, protocol);
    }
  });

  it('marks each group’s starts from its own first: a wrapped start whose group holds a multiple of 256 starts marks nothing past it', () => {
    // 10,240 starts received (40 marks' worth), then 10,240 lost: start 0, where the walk wraps to,
    // is in the first group, whose count is a multiple of 256, so one pass too many would write
    // the lost group's first mark; every index must still name its sorted start.
    const halves = new Uint8Array(20_480).fill(1, 10_240);
    writeFileSync(join(DIR, 'halves.txt'), digits(halves));
    for (const k of [1, 2]) {
      const order = startOrderFor(buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: join(DIR, 'halves.txt'), redundancy: k } }))!;
      const sorted = sortedStarts(halves, k);
      for (let j = 0; j < sorted.length; j++) {
        if (startAt(order, j) !== sorted[j]) assert.fail(`k = ${k}: index ${j} is start ${startAt(order, j)}, sorted ${sorted[j]}`);
      }
    }
  });

  it('counts a block by one compare a word to the tallies of trial by trial, for every block size and copies', () => {
    // 150 copies over a trace whose loss rises from none to all: 151 groups, one threshold.
    const rising = new Xoshiro128(4, 3, 2, 1);
    const ramp = join(DIR, 'ramp.txt');
    writeFileSync(ramp, Array.from({ length: 20_050 }, (_, i) => (rising.nextUint32() % 20_050 < i ? '1' : '0')).join(''));
    const wide = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: ramp, redundancy: 150 } });
    assert.equal(startOrderFor(wide)!.thresholds.length, 1, 'one threshold (received or not), whatever the copies');
    assert.ok(
      new Set(Array.from({ length: 151 }, (_, g) => startOrderFor(wide)!.before[g + 1]! - startOrderFor(wide)!.before[g]!)).size > 100,
      'groups of many sizes',
    );
    // Traces with one group: every start delivers, or none does (no boundary between 0 and all).
    writeFileSync(join(DIR, 'clean.txt'), '0'.repeat(20_050));
    writeFileSync(join(DIR, 'dead.txt'), '1'.repeat(20_050));
    const [clean, dead] = ['clean.txt', 'dead.txt'].map((f) =>
      buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: join(DIR, f), redundancy: 2 } }),
    );
    assert.deepEqual(runBlock(clean!, Int32Array.of(1, 2, 3, 4), 5000).outcomes, [5000, 0, 0, 0]);
    assert.deepEqual(runBlock(dead!, Int32Array.of(1, 2, 3, 4), 5000).outcomes, [0, 0, 5000, 0]);
    for (const [k, model] of [...[1, 2, 5].map((k) => [k, messenger(k)] as const), [150, wide] as const]) {
      for (const trials of k === 1 ? [1, 2047, 2048, 20_100] : [2048, 5000]) {
        const stream = Int32Array.of(trials, k, 13, 17);
        assert.deepEqual(runBlock(model, stream, trials), runBlockGeneric(model, generatorAt(stream), trials), `k = ${k}, ${trials} trials`);
      }
    }
  });

  it('counts a block by groups over a trace of 2^15 packets, whose starts divide 2^32 (no word rejected), as trial by trial', () => {
    // The last group's end is every start: counted as every accepted draw, never as a threshold
    // of its own (starts · ⌊2^32 / starts⌋ is 2^32 here, which a 32-bit threshold would hold as 0).
    writeFileSync(join(DIR, 'power.txt'), digits(burstyTrace(2 ** 15, 3)));
    for (const k of [1, 2, 3]) {
      const model = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: join(DIR, 'power.txt'), redundancy: k } });
      assert.ok(startOrderFor(model), `k = ${k}: a start order`);
      for (const trials of [2048, 5000]) {
        const stream = Int32Array.of(trials, k, 21, 23);
        assert.deepEqual(runBlock(model, stream, trials), runBlockGeneric(model, generatorAt(stream), trials), `k = ${k}, ${trials} trials`);
      }
    }
  });

  it('draws a message received as often as starts deliver, its copies their mean over those starts: against the trace’s own counts and the exact values (k = 1, 2 and 5, bursty loss)', async () => {
    for (const k of [1, 2, 5]) {
      // Each group's starts, counted off the trace: delivered copies d = k … 0.
      const starts = new Float64Array(k + 1);
      for (let s = 0; s < LOST.length; s++) starts[deliveredAt(LOST, s, k)]!++;
      const receiving = LOST.length - starts[0]!;
      const meanCopies = starts.reduce((sum, n, d) => sum + d * n, 0) / receiving;
      const model = messenger(k);
      assert.deepEqual(model.deliveryValues, [...Array.from({ length: k }, (_, c) => c + 1), meanCopies], `k = ${k}: classes by copies, then the mean`);
      const trials = 400_000;
      const tally = runBlock(model, blockState('start order', String(k), 0), trials);
      const received = tally.outcomes[0]!;
      assert.deepEqual(Array.from(tally.deliveries), [...new Array<number>(k).fill(0), received], `k = ${k}: every received message in the mean's class`);
      const z = proportionZ(received, trials, receiving / LOST.length);
      assert.ok(Math.abs(z) <= 4, `k = ${k}: ${received} received, share ${receiving / LOST.length}: z = ${z}`);
      const share = Float64Array.from(starts, (n) => n / LOST.length);
      const report = await runExperiment(
        [scenarioFrom({ protocol: 'messenger', redundancy: k, channel: { model: 'trace', file: FILE }, trials, seed: `order-${k}` })],
        { exact: 'on', simulate: true, confidence: 0.95, workers: 1 },
      );
      const s = report.summaries[0]!;
      assert.ok(Math.abs(s.exact!.outcomes[0]! - (1 - share[0]!)) < 1e-12, 'the exact value is the share of starts with a copy delivered');
      s.outcomes.forEach((o, i) => {
        const z = proportionZ(o.count, s.trials, s.exact!.outcomes[i]!);
        assert.ok(Math.abs(z) <= 4, `k = ${k} ${s.outcomeNames[i]}: ${o.count} against ${s.exact!.outcomes[i]}: z = ${z}`);
      });
      // The delivered mean, (received / trials) · mean copies, against the copies a start delivers on average.
      const p = receiving / LOST.length;
      const perStart = (k * (LOST.length - LOST.reduce((sum, x) => sum + x, 0))) / LOST.length;
      const deliveredZ = (s.deliveredMean - perStart) / (meanCopies * Math.sqrt((p * (1 - p)) / trials));
      assert.ok(Math.abs(deliveredZ) <= 4, `k = ${k}: delivered mean ${s.deliveredMean} against ${perStart}: z = ${deliveredZ}`);
    }
  });

  it('counts a one-send protocol’s received message in the mean copies of its own direction (B→A over a trace of its own), as trial by trial', () => {
    const name = 'order-back';
    registerProtocol({
      ...good(name),
      next(state, _config, step) {
        if (state[0] === 0) {
          step.kind = SEND;
          step.direction = B_TO_A;
          step.round = 1;
          step.label = 'reply';
        } else {
          step.kind = END;
          step.outcome = state[1] === 1 ? 0 : 1;
        }
      },
      resolve(state, _config, _step, result) {
        state[1] = result;
        state[0] = 1;
      },
    });
    try {
      const back = burstyTrace(LOST.length, 5);
      writeFileSync(join(DIR, 'back.txt'), digits(back));
      for (const k of [1, 3, 7]) {
        const model = buildCellModel({ protocol: name, channel: 'trace', params: { file: FILE, BtoA: join(DIR, 'back.txt'), rounds: 1, redundancy: k } });
        assert.ok(startOrderFor(model), `k = ${k}: a start order`);
        let receiving = 0;
        let copies = 0;
        for (let s = 0; s < back.length; s++) {
          const d = deliveredAt(back, s, k);
          if (d > 0) receiving++;
          copies += d;
        }
        assert.equal(model.deliveryValues[k], copies / receiving, `k = ${k}: the mean over the B→A trace's starts`);
        for (const trials of [2048, 20_100]) {
          const stream = Int32Array.of(trials, k, 31, 37);
          const tally = runBlock(model, stream, trials);
          assert.deepEqual(tally, runBlockGeneric(model, generatorAt(stream), trials), `k = ${k}, ${trials} trials`);
          assert.equal(tally.deliveries[k], tally.outcomes[0], 'every received message in the mean’s class');
        }
      }
    } finally {
      unregister(name);
    }
  });

  it('gives the same bytes for any worker count and shard split', async () => {
    const yaml = join(DIR, 'shards.yaml');
    writeFileSync(yaml, 'protocol: messenger\nredundancy: 2\nchannel: { model: trace, file: bursty.txt }\ntrials: 300000\nseed: 9\n');
    const whole = await cliIn(['run', yaml, '-f', 'csv', '--workers', '1', '--no-exact']);
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal((await cliIn(['run', yaml, '-f', 'csv', '--workers', '2', '--no-exact'])).stdout, whole.stdout);
    for (const shard of ['1/2', '2/2']) {
      const part = await cliIn(['run', yaml, '--shard', shard, '--workers', '2']);
      assert.equal(part.status, 0, part.stderr);
      writeFileSync(join(DIR, `shard-${shard[0]}.json`), part.stdout);
    }
    const merged = await cliIn(['merge', join(DIR, 'shard-1.json'), join(DIR, 'shard-2.json'), '-f', 'csv', '--no-exact']);
    assert.equal(merged.stdout, whole.stdout, 'merged shards print the bytes of the whole run');
  });

  it('replays trial i from the start the run counted for it (`trace`), and prints it', async () => {
    const k = 2;
    const yaml = join(DIR, 'replayed.yaml');
    writeFileSync(yaml, `protocol: messenger\nredundancy: ${k}\nchannel: { model: trace, file: bursty.txt }\ntrials: 5000\nseed: replayed\n`);
    const [cell] = expandCells(await loadScenario(yaml));
    const model = buildCellModel(cellSpec(cell!));
    const sorted = sortedStarts(LOST, k);
    const n = 200;
    // The indices the block's stream draws, one a trial: trial i starts at sorted[j_i].
    const stream = blockStream('replayed', cell!.key, 0);
    const replayed = new Array<number>(model.outcomes.names.length).fill(0);
    for (let trial = 1; trial <= n; trial++) {
      const t = traceTrial(cell!, trial)!;
      const start = sorted[uniformBelowInOrder(stream, LOST.length)]!;
      assert.deepEqual(t.traceStart, { position: start, packets: LOST.length }, `trial ${trial}`);
      assert.equal(t.events.length, 1);
      assert.equal(t.events[0]!.kind === 'send' && t.events[0]!.received, deliveredAt(LOST, start, k) > 0, `trial ${trial}: the fate at its start`);
      assert.equal(t.events[0]!.kind === 'send' && t.events[0]!.delivered, deliveredAt(LOST, start, k), `trial ${trial}: the copies arrived from its start`);
      replayed[model.outcomes.names.indexOf(t.outcome)]!++;
    }
    assert.deepEqual(replayed, runBlock(model, blockState('replayed', cell!.key, 0), n).outcomes, 'the replayed trials add up to the run’s tally');
    // The first trial the run counts as lost starts where every copy is lost, and says so.
    const lost = traceTrial(cell!, 1, (o) => o === 'onlyA')!;
    const position = lost.traceStart!.position;
    assert.equal(deliveredAt(LOST, position, k), 0);
    const r = await cliInProcess(['trace', yaml, '--first', 'onlyA']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `trial ${lost.trial.toLocaleString('en')} of 5,000.*\\nthe trace replayed from its packet ${(position + 1).toLocaleString('en')} of 20,050\\n`,
      ),
    );
    assert.match(r.stdout, /A → B: order, 2 copies: all 2 lost/);
    // A received order says how many of its copies arrived, as the trace has them from its start.
    for (const [wanted, text] of [
      [1, '1 of 2 arrived'],
      [2, 'all 2 arrived'],
    ] as const) {
      let trial = 1;
      for (; trial <= 5000; trial++) if (deliveredAt(LOST, traceTrial(cell!, trial)!.traceStart!.position, k) === wanted) break;
      const told = await cliInProcess(['trace', yaml, '--trial', String(trial)]);
      assert.equal(told.status, 0, told.stderr);
      assert.match(told.stdout, new RegExp(`A → B: order, 2 copies: ${text}\n`), `trial ${trial}`);
      const diagram = await cliInProcess(['trace', yaml, '--trial', String(trial), '--format', 'mermaid']);
      assert.match(diagram.stdout, new RegExp(`A->>B: order \\(2 copies, ${text}\\)`), `trial ${trial}, Mermaid`);
    }
  });

  it('counts the words below each threshold on the SIMD lanes as uniformBelowInOrder draws them, and ends where the stream does', () => {
    const lanes = traceLanes();
    if (!lanes) return; // no WebAssembly SIMD
    // 6,700,417 divides 2^32 + 1: ⌊2^32 / n⌋ · n is 2^32 − n + 1, so a word is rejected once in
    // 641 draws; 2^22 and 2^15 divide 2^32 and reject none (no rejection threshold: 64 group
    // thresholds then fit on the lanes, 63 with one).
    for (const [starts, counts] of [
      [6_700_417, [5_000_000]],
      [6_700_417, [0, 4_100_000, 4_100_000, 6_000_000, 6_700_416]],
      [2 ** 22, [1, 2 ** 21, 2 ** 22 - 1]],
      [1_000_003, []],
      [25_000, Array.from({ length: TRACE_LAYOUT.MAX_THRESHOLDS - 1 }, (_, t) => 300 * (t + 1))],
      [2 ** 15, Array.from({ length: TRACE_LAYOUT.MAX_THRESHOLDS }, (_, t) => 500 * t + 7)],
    ] as const) {
      const perIndex = (1n << 32n) / BigInt(starts);
      const thresholds = Uint32Array.from(counts, (c) => Number(BigInt(c) * perIndex));
      for (const trials of [40_001, 8 * 256]) {
        const state = blockState('below', String(starts), trials);
        const rng = generatorAt(state);
        // Sequentially: each accepted word's index, below each count or not.
        const expected = new Float64Array(counts.length);
        let accepted = 0;
        let rejected = 0;
        const words = 8 * Math.floor(trials / 8);
        for (let w = 0; w < words; w++) {
          const x = BigInt(rng.nextUint32());
          if (x >= perIndex * BigInt(starts)) {
            rejected++;
            continue;
          }
          accepted++;
          counts.forEach((c, t) => {
            if (x / perIndex < BigInt(c)) expected[t]!++;
          });
        }
        const below = new Float64Array(counts.length);
        assert.equal(lanes.below(state, trials, starts, thresholds, below), accepted, `${starts} starts, ${trials} trials`);
        assert.deepEqual(below, expected, `${starts} starts, ${trials} trials`);
        assert.deepEqual(Array.from(state), stateOf(rng), 'the stream goes on after the lanes’ words');
        if (starts === 6_700_417 && trials > 8 * 256) assert.ok(rejected > 30, `rejections met: ${rejected}`);
      }
    }
    const state = blockState('below', 'short', 0);
    assert.equal(lanes.below(state, 8 * 256 - 1, 1000, Uint32Array.of(5), new Float64Array(1)), 0, 'a block too short to pay');
    const many = new Uint32Array(TRACE_LAYOUT.MAX_THRESHOLDS + 1);
    assert.equal(lanes.below(state, 90_000, 1000, many, new Float64Array(many.length)), 0, 'more thresholds than the lanes hold');
    const full = new Uint32Array(TRACE_LAYOUT.MAX_THRESHOLDS);
    assert.equal(lanes.below(state, 90_000, 1000, full, new Float64Array(full.length)), 0, 'as many as the lanes hold, and the rejection’s');
    assert.deepEqual(Array.from(state), Array.from(blockState('below', 'short', 0)), 'the stream untouched');
  });

  it('has no start order for a cell with crashes, nor for two sends whose every step names an outcome', () => {
    // Crashes: a trial is more than its start (trial by trial, the start j drawn itself).
    const crashing = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: FILE, redundancy: 2, crashB: 0.3 } });
    assert.ok(crashing.replay && crashing.crash);
    assert.equal(startOrderFor(crashing), null);
    // A's order, then B's ack in round 1 whatever came of it, each step writing outcome 0 (read only at END).
    const name = 'order-two-sends';
    registerProtocol({
      ...good(name),
      next(state, _config, step) {
        step.outcome = 0;
        if (state[0]! < 2) {
          step.kind = SEND;
          step.direction = state[0] === 0 ? A_TO_B : B_TO_A;
          step.round = 1;
        } else {
          step.kind = END;
          step.outcome = state[1] === 1 ? (state[2] === 1 ? 0 : 3) : 2;
        }
      },
      resolve(state, _config, _step, result) {
        state[1 + state[0]!] = result;
        state[0] = state[0]! + 1;
      },
    });
    try {
      const twice = buildCellModel({ protocol: name, channel: 'trace', params: { file: FILE, rounds: 1, redundancy: 1 } });
      assert.equal(startOrderFor(twice), null);
      for (const trials of [2048, 20_100]) {
        const stream = Int32Array.of(trials, 3, 5, 7);
        const counted = runBlock(twice, stream, trials);
        assert.equal(counted.messages[2], trials, 'every trial sends twice');
        assert.deepEqual(counted, runBlockGeneric(twice, generatorAt(stream), trials));
      }
    } finally {
      unregister(name);
    }
  });

  it('has no start order for a protocol whose one step is a choice, though it names a direction and a round', () => {
    const name = 'order-coin-only';
    registerProtocol({
      ...good(name),
      next(state, _config, step) {
        step.direction = A_TO_B;
        step.round = 1;
        if (state[0] === 0) {
          step.kind = CHOOSE;
          step.choices = Float64Array.of(0.3, 0.7);
        } else {
          step.kind = END;
          step.outcome = state[1] === 0 ? 0 : 1;
        }
      },
      resolve(state, _config, _step, result) {
        state[1] = result;
        state[0] = 1;
      },
    });
    try {
      const coin = buildCellModel({ protocol: name, channel: 'trace', params: { file: FILE, rounds: 1, redundancy: 1 } });
      assert.equal(startOrderFor(coin), null);
      const stream = Int32Array.of(5000, 3, 5, 7);
      const counted = runBlock(coin, stream, 5000);
      assert.deepEqual(counted, runBlockGeneric(coin, generatorAt(stream), 5000));
      assert.equal(counted.messages[0], 5000, 'no message sent');
    } finally {
      unregister(name);
    }
  });
});
