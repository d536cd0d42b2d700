import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StateTable, hashOf } from '../src/engine/state-table.js';

interface Filed {
  readonly state: Int32Array;
  readonly channelState: number;
  readonly id: number;
}

const filed = (id: number, channelState: number, ...fields: number[]): Filed => ({ state: Int32Array.from(fields), channelState, id });

/** Files `node` unless its states are filed; returns the node filed under them. */
function fileOnce(table: StateTable<Filed>, node: Filed): Filed {
  const found = table.find(node.channelState, node.state);
  if (found) return found;
  table.add(node);
  return node;
}

describe('the exact engine’s table of states', () => {
  it('finds a state by every field and the channel state, and nothing that differs in one', () => {
    const table = new StateTable<Filed>();
    const a = fileOnce(table, filed(1, 0, 5, 7, 9));
    assert.equal(table.find(0, Int32Array.of(5, 7, 9)), a);
    assert.equal(table.find(1, Int32Array.of(5, 7, 9)), undefined, 'another channel state');
    assert.equal(table.find(0, Int32Array.of(5, 7, 8)), undefined, 'the last field differs');
    assert.equal(table.find(0, Int32Array.of(4, 7, 9)), undefined, 'the first field differs');
    assert.equal(table.find(0, Int32Array.of(-5, 7, 9)), undefined, 'a sign differs');
  });

  it('tells states apart by every bit of the channel state and of each field, at any size', () => {
    const table = new StateTable<Filed>();
    const small = fileOnce(table, filed(1, 0x7654_3210, 1, -1, 0x12345678, -0x80000000));
    for (const [channelState, fields] of [
      [0x7654_3211, [1, -1, 0x12345678, -0x80000000]],
      [0x7654_3210 ^ (1 << 31), [1, -1, 0x12345678, -0x80000000]],
      [0x7654_3210, [1, -1, 0x12345678, 0x7fffffff]],
      [0x7654_3210, [1, -1, 0x12345679, -0x80000000]],
      [0x7654_3210, [1, 0x7fffffff, 0x12345678, -0x80000000]],
    ] as const)
      assert.equal(table.find(channelState, Int32Array.from(fields)), undefined, `${channelState} ${fields}`);
    assert.equal(table.find(0x7654_3210, Int32Array.of(1, -1, 0x12345678, -0x80000000)), small);
    const large = filed(2, 3, ...Array.from({ length: 100_000 }, (_, i) => Math.imul(i, 7919)));
    assert.equal(fileOnce(table, large), large);
    const almost = large.state.slice();
    almost[99_999]! ^= 1;
    assert.equal(table.find(3, almost), undefined, 'the last of 100,000 fields differs');
    assert.equal(table.find(3, large.state.slice()), large);
  });

  it('keeps 50,000 states apart as it grows, in the order they were first filed', () => {
    const table = new StateTable<Filed>();
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 20; // few distinct values: many repeats
    const firsts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const node = filed(i, next() & 3, next(), next(), i % 7);
      const key = `${node.channelState}|${node.state.join(',')}`;
      const got = fileOnce(table, node);
      if (!firsts.has(key)) firsts.set(key, i);
      assert.equal(got.id, firsts.get(key), key);
    }
    assert.deepEqual(
      table.nodes.map((n) => n.id),
      [...firsts.values()],
    );
  });

  it('tells apart two states of the same hash', () => {
    // A collision among 2^18 states of two fields i and i·i (birthday bound: expected after about
    // 2^16; one field alone would not do, the hash being one-to-one in the last field).
    const fields = (i: number) => Int32Array.of(i, Math.imul(i, i));
    const seen = new Map<number, number>();
    let pair: [number, number] | null = null;
    for (let i = 0; i < 1 << 18 && !pair; i++) {
      const h = hashOf(0, fields(i));
      const before = seen.get(h);
      if (before !== undefined) pair = [before, i];
      else seen.set(h, i);
    }
    assert.ok(pair, 'a collision exists');
    const table = new StateTable<Filed>();
    const first = fileOnce(table, filed(1, 0, ...fields(pair[0])));
    const second = fileOnce(table, filed(2, 0, ...fields(pair[1])));
    assert.notEqual(second, first);
    assert.equal(table.find(0, fields(pair[0])), first);
    assert.equal(table.find(0, fields(pair[1])), second);
  });
});
