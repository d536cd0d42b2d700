import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerProtocol } from '../src/catalog/register.js';
import type { Replay } from '../src/contract/channel.js';
import { A_TO_B, B_TO_A, CHOOSE, END, ROUND, SEND, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { UnexpectedRound, runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { automatonFor, maxGraphNodes } from '../src/engine/montecarlo/protocol-automaton.js';
import { drawResults, resultOf, resultOrderFor, shareOf, startAt } from '../src/engine/montecarlo/result-order.js';
import { StepNotFilled } from '../src/engine/unfilled-step.js';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { samplingTable } from '../src/rng/sampler.js';
import { uniformBelowInOrder } from '../src/rng/uniform.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { burstyTrace, generatorAt, resultFromStart } from './helpers.js';
import { COIN, coinThenAck, good } from './rule-protocol.js';

/**
 * A replayed trace written out plainly (no packed bits, no fast paths), so that the result order
 * can be held on traces of a few hundred packets: the trace channel replays only traces longer
 * than its tables' limit (20,000 packets), where every start followed costs a test seconds.
 */
class PlainReplay implements Replay {
  readonly starts: number;
  constructor(
    private readonly lost: readonly [Uint8Array, Uint8Array],
    readonly copies: number,
  ) {
    this.starts = lost[0].length;
  }
  get oneTrace(): boolean {
    return this.lost[0] === this.lost[1];
  }
  delivered(position: number, direction: 0 | 1): number {
    let delivered = 0;
    for (let c = 0; c < this.copies; c++) delivered += this.packet(position + c, direction);
    return delivered;
  }
  packet(position: number, direction: 0 | 1): number {
    return 1 - this.lost[direction]![position % this.starts]!;
  }
  deliveredInto(direction: 0 | 1, counts: Uint8Array | Uint16Array): void {
    for (let s = 0; s < this.starts; s++) counts[s] = this.delivered(s, direction);
  }
  startsByDelivered(direction: 0 | 1): Float64Array {
    const starts = new Float64Array(this.copies + 1);
    for (let s = 0; s < this.starts; s++) starts[this.delivered(s, direction)]!++;
    return starts;
  }
  after(position: number): number {
    return (position + this.copies) % this.starts;
  }
  lostFrom(position: number, count: number): number {
    let bits = 0;
    for (let i = 0; i < count; i++) bits |= this.lost[0][(position + i) % this.starts]! << i;
    return bits;
  }
}

/** The cell of `protocol` over `lost` (one trace for both directions, or one each), `copies` a message. */
function cellOver(
  protocol: string,
  copies: number,
  rounds: number,
  lost: Uint8Array,
  other: Uint8Array = lost,
  params: Record<string, number> = {},
): CellModel {
  const base = buildCellModel({ protocol, channel: 'bernoulli', params: { loss: 0.1, redundancy: copies, rounds, ...params } });
  return { ...base, copies, replay: new PlainReplay([lost, other], copies) };
}

interface Expected {
  /** Per result (numbered as the starts first meet them): its key (outcome, messages, last round, deliveries). */
  keys: string[];
  resultOfStart: number[];
  /** The starts stably sorted by result. */
  sorted: number[];
  before: number[];
}

function expected(m: CellModel, lost: readonly [Uint8Array, Uint8Array]): Expected {
  const numbers = new Map<string, number>();
  const resultOfStart = Array.from(lost[0], (_, s) => {
    const key = resultFromStart(m, lost, s);
    if (!numbers.has(key)) numbers.set(key, numbers.size);
    return numbers.get(key)!;
  });
  const sorted = Array.from(lost[0], (_, s) => s).sort((a, b) => resultOfStart[a]! - resultOfStart[b]! || a - b);
  const before = [0];
  for (let r = 0; r < numbers.size; r++) before.push(before[r]! + resultOfStart.filter((x) => x === r).length);
  return { keys: [...numbers.keys()], resultOfStart, sorted, before };
}

/** Losses in bursts, with the last packets and the first lost, so that paths wrapping around tell. */
function trace(packets: number, seed: number): Uint8Array {
  const lost = burstyTrace(packets, seed, 41);
  for (const at of [-7, -5, -4, -2, -1, 0, 3]) lost[(packets + at) % packets] = 1;
  return lost;
}

/** Packets lost or delivered by a fair coin each. */
function coinFlips(packets: number, seed: number): Uint8Array {
  const rng = new Xoshiro128(seed, 3, 5, 7);
  return new Uint8Array(packets).map(() => rng.nextUint32() >>> 31);
}

/** Packets from a string of 0 (delivered) and 1 (lost). */
function digitsOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => Number(c));
}

/** The inverse of an odd number modulo 2^32. */
function inverse(x: number): number {
  let y = x;
  for (let i = 0; i < 5; i++) y = Math.imul(y, 2 - Math.imul(x, y));
  return y;
}

/** The second word of a xoshiro128** state whose next output is `word` (the output depends on it alone: rotl(s1 · 5, 7) · 9). */
function stateGiving(word: number): number {
  const m = Math.imul(word | 0, inverse(9));
  return Math.imul((m >>> 7) | (m << 25), inverse(5));
}

/** A sends `sends` messages in rounds 1, 2, … whatever their fates, then the trial ends (both attack). */
function sendsAlways(name: string, sends: number): ProtocolDefinition<{ rounds: number }> {
  return {
    ...good(name),
    stateSize: () => 1,
    next(state, _config, step) {
      if (state[0]! < sends) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
      } else {
        step.kind = END;
        step.outcome = generalsOutcome(true, true);
      }
    },
    resolve(state) {
      state[0] = state[0]! + 1;
    },
  };
}

const LONG = trace(1_000, 5);
const POWER_OF_TWO = trace(1_024, 6);
const OTHER = trace(1_000, 7);
const CASES: { name: string; protocol: string; k: number; rounds: number; lost: Uint8Array; other?: Uint8Array }[] = [
  { name: 'retransmit k 1', protocol: 'retransmit', k: 1, rounds: 8, lost: LONG },
  { name: 'retransmit k 1 over 1,024 packets', protocol: 'retransmit', k: 1, rounds: 8, lost: POWER_OF_TWO },
  { name: 'retransmit k 3', protocol: 'retransmit', k: 3, rounds: 6, lost: LONG },
  { name: 'handshake k 2', protocol: 'handshake', k: 2, rounds: 4, lost: LONG },
  { name: 'handshake k 2, a trace each way', protocol: 'handshake', k: 2, rounds: 4, lost: LONG, other: OTHER },
  { name: 'handshake k 2, the same packets as two traces', protocol: 'handshake', k: 2, rounds: 4, lost: LONG, other: LONG.slice() },
  { name: 'handshake k 3', protocol: 'handshake', k: 3, rounds: 9, lost: trace(1_500, 8) },
  { name: 'retransmit k 9', protocol: 'retransmit', k: 9, rounds: 3, lost: LONG },
];

describe('the result order on short traces replayed by hand, against trials walked through the definition', () => {
  for (const c of CASES) {
    it(`${c.name}: results, shares, thresholds, guide table, every start and the draws`, () => {
      const lost = [c.lost, c.other ?? c.lost] as const;
      const m = cellOver(c.protocol, c.k, c.rounds, lost[0], lost[1]);
      const order = resultOrderFor(m)!;
      assert.ok(order, 'a result order');
      assert.equal(resultOrderFor(m), order, 'made once a cell');
      const want = expected(m, lost);
      const count = want.keys.length;
      // Each result's outcome, messages, last round and deliveries.
      const { outcome, messages, rounds, deliveries } = order.results;
      assert.deepEqual(
        outcome.map((o, r) => `${o} ${messages[r]} ${rounds[r]} ${deliveries.slice(r * c.k, r * c.k + c.k).join(' ')}`),
        want.keys,
      );
      assert.deepEqual(Array.from(order.before), want.before);
      const q = Math.floor(2 ** 32 / c.lost.length);
      assert.deepEqual(
        Array.from(order.thresholds),
        want.before.map((b) => b * q),
      );
      assert.deepEqual(
        Array.from(order.words),
        want.before.slice(1, count).map((b) => (b * q) >>> 0),
      );
      // The guide: per word's top 12 bits, the result of the least word with those bits.
      assert.equal(order.guide.length, 4096);
      for (let h = 0; h < 4096; h++) {
        const j = Math.floor((h * 2 ** 20) / q);
        let r = 0;
        while (r < count - 1 && want.before[r + 1]! <= j) r++;
        assert.equal(order.guide[h], r, `guide[${h}]`);
      }
      for (let j = 0; j < c.lost.length; j++) {
        assert.equal(startAt(order, j), want.sorted[j], `start ${j}`);
        assert.equal(resultOf(order, j), want.resultOfStart[want.sorted[j]!], `result of ${j}`);
      }
      // Draws: the result of uniformBelowInOrder's j, trial by trial, on the SIMD lanes and off them.
      for (const trials of [1, 5, 300, 5_000]) {
        const seed = Int32Array.of(trials, c.k, 11, 13);
        const reference = generatorAt(seed);
        const counts = new Array<number>(count).fill(0);
        for (let t = 0; t < trials; t++) counts[want.resultOfStart[want.sorted[uniformBelowInOrder(reference, c.lost.length)]!]!]!++;
        assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), trials, null, null)), counts, `${trials} trials, one by one in JavaScript`);
        assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), trials, null)), counts, `${trials} trials, one by one`);
        assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), trials)), counts, `${trials} trials, on the lanes`);
        const lanes = traceLanes();
        if (lanes) assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), trials, lanes)), counts);
        // The tally, against the generic engine over the same replay.
        assert.deepEqual(runBlock(m, seed, trials), runBlockGeneric(m, generatorAt(seed), trials), `${trials} trials' tally`);
      }
    });
  }

  it('more results than a byte numbers (A sends six messages of 8 copies: a result per multiset of deliveries)', () => {
    const name = 'order-six-sends';
    const lost = coinFlips(3_000, 17);
    registerOnce(sendsAlways(name, 6));
    const m = cellOver(name, 8, 1, lost);
    const order = resultOrderFor(m)!;
    const want = expected(m, [lost, lost]);
    assert.ok(want.keys.length > 256, `${want.keys.length} results`);
    assert.deepEqual(Array.from(order.before), want.before);
    for (let j = 0; j < lost.length; j++) assert.equal(startAt(order, j), want.sorted[j], `start ${j}`);
    const seed = Int32Array.of(1, 2, 3, 4);
    assert.deepEqual(runBlock(m, seed, 4_000), runBlockGeneric(m, generatorAt(seed), 4_000));
    // Past the SIMD lanes' 64 thresholds: drawn one by one, on WebAssembly and in JavaScript alike.
    const byResult = Array.from(drawResults(order, generatorAt(seed), 4_000, null, null));
    assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), 4_000)), byResult);
    assert.equal(
      byResult.reduce((a, b) => a + b, 0),
      4_000,
    );
    // The same packets as two traces: the starts followed send by send (no jumps), the counts grown past 64 results there too.
    const shorter = lost.slice(0, 1_000);
    const walked = cellOver(name, 8, 1, shorter, shorter.slice());
    const walkedWant = expected(walked, [shorter, shorter]);
    assert.ok(walkedWant.keys.length > 64, `${walkedWant.keys.length} results`);
    assert.deepEqual(Array.from(resultOrderFor(walked)!.before), walkedWant.before);
  });

  it('a protocol that ends before any send: one result, every start in order', () => {
    const name = 'order-ends-at-once';
    registerOnce(sendsAlways(name, 0));
    const m = cellOver(name, 2, 1, LONG);
    const order = resultOrderFor(m)!;
    assert.deepEqual(Array.from(order.before), [0, LONG.length]);
    assert.deepEqual(order.results, { outcome: [0], messages: [0], rounds: [0], deliveries: [0, 0] });
    for (const j of [0, 1, 255, 256, 999]) assert.equal(startAt(order, j), j);
    assert.deepEqual(Array.from(drawResults(order, generatorAt(Int32Array.of(4, 3, 2, 1)), 700)), [700]);
  });

  it('marks every 256th start of a result whose starts are a multiple of 256 (start 0 among them), and no more', () => {
    // One send: delivered (start 0 and 255 others) or lost.
    const name = 'order-units-one-send';
    registerOnce(sendsAlways(name, 1));
    const lost = new Uint8Array(700).fill(1);
    for (let i = 0; i < 256; i++) lost[(i * 11) % 700] = 0;
    const m = cellOver(name, 1, 1, lost);
    const order = resultOrderFor(m)!;
    const want = expected(m, [lost, lost]);
    assert.deepEqual(Array.from(order.before), [0, 256, 700]);
    for (let j = 0; j < lost.length; j++) assert.equal(startAt(order, j), want.sorted[j], `start ${j}`);
  });

  it('rejects a word at or above the accepted ones, and takes a word equal to a threshold as the next result', () => {
    const m = cellOver('retransmit', 1, 8, LONG);
    const order = resultOrderFor(m)!;
    const want = expected(m, [LONG, LONG]);
    const limit = order.thresholds[order.thresholds.length - 1]!;
    for (const word of [2 ** 32 - 1, limit, limit - 1, order.thresholds[1]!, order.thresholds[1]! - 1, order.thresholds[2]!, 0]) {
      const seed = Int32Array.of(1, stateGiving(word), 2, 3);
      assert.equal(generatorAt(seed).nextUint32(), word);
      const counts = new Array<number>(want.keys.length).fill(0);
      const reference = generatorAt(seed);
      for (let t = 0; t < 2; t++) counts[want.resultOfStart[want.sorted[uniformBelowInOrder(reference, LONG.length)]!]!]!++;
      assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), 2, null)), counts, `first word ${word}`);
      assert.deepEqual(Array.from(drawResults(order, generatorAt(seed), 2, null, null)), counts, `first word ${word}, in JavaScript`);
    }
  });

  it('shareOf: the share holding each index, at every edge', () => {
    const before = Float64Array.of(0, 3, 3, 7, 10);
    assert.deepEqual(
      Array.from({ length: 10 }, (_, j) => shareOf(before, j)),
      [0, 0, 0, 2, 2, 2, 2, 3, 3, 3],
    );
    assert.equal(shareOf(Float64Array.of(0, 5), 4), 0);
  });

  it('has none for a cell with crashes, a protocol with choices, nor one whose trials reach more than 65,534 ends or 2^20 states, walked or by jumps', () => {
    assert.equal(resultOrderFor(cellOver('retransmit', 1, 4, LONG, LONG, { crashB: 0.2 })), null);
    assert.equal(
      resultOrderFor(buildCellModel({ protocol: 'retransmit', channel: 'bernoulli', params: { loss: 0.1, redundancy: 1, rounds: 4 } })),
      null,
      'no replay',
    );
    const large = 'order-states-20000';
    registerOnce(sendsAlways(large, 20_000));
    assert.equal(resultOrderFor(cellOver(large, 1, 1, LONG)), null, 'no automaton (20,001 states)');
    const coin = 'order-units-coin';
    registerOnce(good(coin));
    const chooses = cellOver(coin, 1, 2, LONG);
    assert.equal(automatonFor(chooses)!.drawFree, false);
    assert.equal(resultOrderFor(chooses), null);
    // Forty sends of 16 copies: a start's deliveries are a histogram of forty counts, one of its own for nearly every start.
    const name = 'order-forty-sends';
    registerOnce(sendsAlways(name, 40));
    const many = coinFlips(70_000, 19);
    assert.equal(resultOrderFor(cellOver(name, 16, 1, many)), null, '70,000 starts, nearly as many results');
    // The same followed send by send (two traces): a start past the limit stops the count; and 70,000 starts of few paths are taken.
    assert.equal(resultOrderFor(cellOver(name, 16, 1, many, many.slice())), null, '70,000 starts, nearly as many results, walked');
    const few = cellOver('retransmit', 1, 2, many, many.slice());
    assert.deepEqual(Array.from(resultOrderFor(few)!.before), expected(few, [many, many]).before, '70,000 starts of 3 results, walked');
  });

  it('holds the graph to 64 MiB of nodes: at 1,000 copies a message, 8,000 nodes, so a trace whose starts take more has no order (and no gigabytes)', () => {
    assert.equal(maxGraphNodes(1), 2 ** 20);
    assert.equal(maxGraphNodes(16), Math.floor((64 * 2 ** 20) / 168));
    assert.equal(maxGraphNodes(1000), Math.floor((64 * 2 ** 20) / 8040));
    // Coin flips a packet: each start's eight messages deliver about 500 copies each, in counts of their own, so about 8 new nodes a start.
    const flips = coinFlips(20_000, 23);
    assert.equal(resultOrderFor(cellOver('handshake', 1000, 8, flips)), null, '20,000 starts of their own paths');
    assert.notEqual(resultOrderFor(cellOver('handshake', 1000, 8, new Uint8Array(20_000))), null, 'every packet delivered: one path');
  });

  it('counts paths that come to the same (automaton node, messages, last round, deliveries) as one: 70,000 paths of at most 21 results', () => {
    const name = 'order-twenty-sends';
    registerOnce(sendsAlways(name, 20));
    const many = coinFlips(70_000, 19);
    for (const other of [many, many.slice()]) {
      const cell = cellOver(name, 1, 1, many, other);
      const want = expected(cell, [many, other]);
      assert.ok(want.keys.length <= 21, 'a result per count of packets delivered');
      const order = resultOrderFor(cell)!;
      assert.deepEqual(Array.from(order.before), want.before);
      for (const j of [0, 1, 34_999, 69_999]) assert.equal(startAt(order, j), want.sorted[j]);
    }
  });

  it('has none for a protocol whose trial never ends (its one path past the trie’s 2^20 nodes), walked', () => {
    // A sends until it hears nothing: over a trace of lost packets, without end.
    const name = 'order-units-endless';
    registerOnce({
      ...sendsAlways(name, 1),
      next: (_state, _config, step) => Object.assign(step, { kind: SEND, direction: A_TO_B, round: 1 }),
      resolve(state, _config, _step, result) {
        state[0] = result;
      },
    });
    const dead = new Uint8Array(8).fill(1);
    assert.equal(resultOrderFor(cellOver(name, 1, 1, dead, dead.slice())), null, 'walked');
  });

  it('unrolls up to 20,000 protocol states, and no more', () => {
    for (const [sends, made] of [
      [19_999, true],
      [20_000, false],
    ] as const) {
      const name = `order-states-${sends}`;
      registerOnce(sendsAlways(name, sends));
      const m = cellOver(name, 1, 1, LONG);
      const automaton = automatonFor(m);
      assert.equal(automaton !== null, made, `${sends + 1} states`);
      assert.equal(automatonFor(m), automaton, 'unrolled once a cell');
      if (automaton) {
        assert.equal(automaton.kind.length, sends + 1);
        assert.deepEqual([automaton.kind[0], automaton.kind[sends]], [SEND, END]);
        assert.deepEqual([automaton.next[0], automaton.next[1], automaton.next[2 * sends]], [1, 1, 0]);
        assert.equal(automaton.drawFree, true);
      }
    }
  });

  it('unrolls a protocol with choices: the successors of each choice and send, the outcome of each end', () => {
    const name = 'order-units-coin';
    registerOnce(good(name));
    const m = cellOver(name, 1, 2, LONG);
    const a = automatonFor(m)!;
    // [0,0,0] tosses; [1,0,c] sends the order in round 2; [2,d,c] ends, B attacking where the order arrived.
    assert.deepEqual(Array.from(a.kind), [CHOOSE, SEND, SEND, END, END, END, END]);
    assert.deepEqual([a.direction[1], a.direction[2], a.round[1], a.round[2]], [A_TO_B, A_TO_B, 2, 2]);
    const [lost, received] = [generalsOutcome(true, false), generalsOutcome(true, true)];
    assert.deepEqual(Array.from(a.next), [0, 0, 3, 4, 5, 6, lost, 0, received, 0, lost, 0, received, 0]);
    assert.deepEqual(a.choices[0], samplingTable(COIN));
    assert.deepEqual(Array.from(a.choiceNext[0]!), [1, 2]);
    assert.deepEqual([a.choices.slice(1), a.choiceNext.slice(1)], [new Array(6).fill(undefined), new Array(6).fill(undefined)]);
    assert.equal(a.drawFree, false);
    // Trials through it (the start table, or trial by trial) against the generic engine, and a choice one of whose branches goes on.
    const ack = 'order-units-coin-then-ack';
    registerOnce(coinThenAck(ack, Float64Array.of(0.3, 0.7)));
    for (const cell of [m, cellOver(ack, 2, 2, LONG, OTHER)])
      for (const trials of [1, 3_000]) {
        const seed = Int32Array.of(trials, 5, 6, 7);
        assert.deepEqual(runBlock(cell, seed, trials), runBlockGeneric(cell, generatorAt(seed), trials));
      }
  });

  it('tells states apart field by field ([1, 23] is not [12, 3])', () => {
    const name = 'order-units-fields';
    registerOnce({
      ...sendsAlways(name, 1),
      stateSize: () => 2,
      next(state, _config, step) {
        if (state[0] === 0 || state[0] === 1) Object.assign(step, { kind: SEND, direction: A_TO_B, round: 1 });
        else Object.assign(step, { kind: END, outcome: 1 });
      },
      resolve(state, _config, _step, result) {
        if (state[0] === 1) state.set([12, 4]);
        else state.set(result === 1 ? [12, 3] : [1, 23]);
      },
    });
    const m = cellOver(name, 1, 1, LONG);
    assert.equal(automatonFor(m)!.kind.length, 4);
    // Deliveries by copies [1, 12] and [11, 2] (13 messages of 2 copies each): two results, not one.
    const thirteen = 'order-units-thirteen';
    registerOnce(sendsAlways(thirteen, 13));
    const packets = digitsOf(`10${'00'.repeat(12)}${'10'.repeat(11)}${'00'.repeat(2)}${'11'.repeat(20)}`);
    const split = cellOver(thirteen, 2, 1, packets);
    const splitWant = expected(split, [packets, packets]);
    assert.ok(splitWant.keys.includes('0 13 1 1 12') && splitWant.keys.includes('0 13 1 11 2'));
    const { outcome, messages, rounds, deliveries } = resultOrderFor(split)!.results;
    assert.deepEqual(
      outcome.map((o, r) => `${o} ${messages[r]} ${rounds[r]} ${deliveries[2 * r]} ${deliveries[2 * r + 1]}`),
      splitWant.keys,
    );
    const want = expected(m, [LONG, LONG]);
    assert.deepEqual(
      resultOrderFor(m)!.results.messages,
      want.keys.map((k) => Number(k.split(' ')[1])),
    );
    assert.deepEqual(Array.from(resultOrderFor(m)!.before), want.before);
  });

  it('the automaton holds each step to the contract while it unrolls', () => {
    const name = 'order-units-round';
    registerOnce({ ...sendsAlways(name, 1), next: (_s, _c, step) => Object.assign(step, { kind: ROUND, round: 1 }) });
    assert.throws(() => automatonFor(cellOver(name, 1, 1, LONG)), UnexpectedRound);
    const peers = 'order-units-peers';
    registerOnce({
      ...sendsAlways(peers, 1),
      next: (state, _c, step) =>
        state[0] === 0 ? Object.assign(step, { kind: SEND, direction: B_TO_A, round: 1, peers: -1 }) : Object.assign(step, { kind: END, outcome: 0 }),
    });
    assert.throws(() => automatonFor(cellOver(peers, 1, 1, LONG)), StepNotFilled);
  });
});

const registered = new Set<string>();
function registerOnce(protocol: ProtocolDefinition<{ rounds: number }>): void {
  if (registered.has(protocol.name)) return;
  registered.add(protocol.name);
  registerProtocol(protocol);
}
