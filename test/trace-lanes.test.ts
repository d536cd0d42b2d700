import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState } from '../src/rng/streams.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { generatorAt, stateOf, tempFiles } from './helpers.js';

describe('trace lanes: start draws on the SIMD lanes', () => {
  /** A table of random codes, 2^logWidth bits a start, the `escape` code kept on a quarter of the starts that drew it. */
  function fill(classes: Uint32Array, starts: number, logWidth: number, escape: number): (start: number) => number {
    const rng = new Xoshiro128(41, 42, 43, 44);
    const width = 1 << logWidth;
    const codeMask = (1 << width) - 1;
    const codeOf = new Uint8Array(starts);
    for (let s = 0; s < starts; s++) {
      let code = rng.nextUint32() & codeMask;
      if (code === escape && rng.nextUint32() % 4 !== 0) code = 0;
      codeOf[s] = code;
      classes[s >>> (5 - logWidth)]! |= code << ((s & ((32 >> logWidth) - 1)) * width);
    }
    return (start) => codeOf[start]!;
  }

  // 6,700,417 divides 2^32 + 1, so uniformBelow rejects a word once in 641 draws (the most
  // for its size): the lanes meet rejections in most calls; 1,099,864 rejects once in 3,911
  // (one-bit codes: a protocol other than the messenger with two results). The messenger's
  // own draws (start-order.ts) are held to the sequential ones in trace-start-order.test.ts.
  for (const [starts, logWidth, escape] of [
    [6_700_417, 2, 3],
    [1_099_864, 0, -1],
    [1_000_003, 3, 255],
    [25_000, 1, 3],
  ] as const) {
    it(`counts every start's code as uniformBelow draws them, hands back the escapes and ends where the stream does (${starts} starts, ${1 << logWidth}-bit codes)`, () => {
      const lanes = traceLanes();
      if (!lanes) return; // no WebAssembly SIMD (the cli test runs the CLI without it)
      const classes = new Uint32Array(Math.ceil(starts / (32 >> logWidth)));
      const codeOf = fill(classes, starts, logWidth, escape);
      for (const trials of [90_001, 8 * 256]) {
        const state = blockState('trace lanes', String(starts), trials);
        const words = 8 * Math.floor(trials / 8);
        // Sequentially: the words the lanes draw, one by one, each accepted one a start.
        const rng = generatorAt(state);
        const expectedDrawn = new Float64Array(1 << (1 << logWidth));
        const expectedEscapes: number[] = [];
        let accepted = 0;
        let rejected = 0;
        for (let w = 0; w < words; w++) {
          const m = BigInt(rng.nextUint32()) * BigInt(starts);
          if (Number(m & 0xffffffffn) < (2 ** 32 - starts) % starts) {
            rejected++;
            continue;
          }
          const start = Number(m >> 32n);
          accepted++;
          if (codeOf(start) === escape) expectedEscapes.push(start);
          else expectedDrawn[codeOf(start)]!++;
        }
        const drawn = new Float64Array(expectedDrawn.length);
        const escapes: number[] = [];
        const done = lanes.draw(classes, state, trials, starts, logWidth, escape, drawn, (start) => escapes.push(start));
        assert.equal(done, accepted, `${trials} trials`);
        assert.deepEqual(drawn, expectedDrawn);
        assert.deepEqual(
          escapes.sort((a, b) => a - b),
          expectedEscapes.sort((a, b) => a - b),
        );
        assert.deepEqual(Array.from(state), stateOf(rng), 'the stream goes on after the lanes’ words');
        if (starts === 6_700_417 && trials > 8 * 256) assert.ok(rejected > 50, `rejections met: ${rejected}`);
        if (starts === 1_099_864 && trials > 8 * 256) assert.ok(rejected > 10, `rejections met: ${rejected}`);
        if (escape >= 0 && trials > 8 * 256) assert.ok(escapes.length > 20, `escapes met: ${escapes.length}`);
      }
    });
  }

  it('leaves a block too short to pay to the sequential draw, its stream untouched', () => {
    const lanes = traceLanes();
    if (!lanes) return;
    const state = blockState('trace lanes', 'short', 0);
    const before = Array.from(state);
    assert.equal(
      lanes.draw(new Uint32Array(1000), state, 8 * 256 - 1, 32_000, 0, -1, new Float64Array(2), () => {}),
      0,
    );
    assert.deepEqual(Array.from(state), before);
  });

  it('draws each cell through its own table when blocks of cells with different tables take turns', () => {
    // One instance a thread (each WebAssembly memory reserves address space of its own, and V8
    // refuses new ones after some thousands): a block through another cell's table copies that
    // table in, growing the memory for a larger one.
    const noisy = new Xoshiro128(2, 7, 1, 8);
    const trace = (n: number) => Array.from({ length: n }, () => (noisy.nextUint32() % 10 < 2 ? '1' : '0')).join('');
    const dir = tempFiles({ 'small.txt': trace(20_050), 'large.txt': trace(300_000) });
    // (The messenger reads no table: start-order.ts.)
    const cells = [
      { protocol: 'handshake', redundancy: 1, rounds: 2, file: join(dir, 'small.txt') },
      { protocol: 'retransmit', redundancy: 1, rounds: 6, file: join(dir, 'large.txt') },
      { protocol: 'handshake', redundancy: 2, rounds: 3, file: join(dir, 'small.txt') },
    ].map((params) => buildCellModel({ protocol: params.protocol, channel: 'trace', params }));
    for (const model of cells) runBlock(model, Int32Array.of(1, 2, 3, 4), 150_000); // builds each table
    for (let block = 0; block < 6; block++) {
      const model = cells[block % 3]!;
      const stream = Int32Array.of(block, 6, 7, 8);
      assert.deepEqual(runBlock(model, stream, 20_000), runBlockGeneric(model, generatorAt(stream), 20_000), `block ${block}`);
    }
  });
});
