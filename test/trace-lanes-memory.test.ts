import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { TRACE_LAYOUT } from '../src/engine/accelerators/trace-layout.js';

/**
 * Where the trace lanes' memory cannot grow to hold a start table (the address space exhausted),
 * the lanes decline the block: `keyed` returns −1, the stream and the counts
 * untouched, so the trials stay in JavaScript with the same tallies. No machine here runs out of
 * address space, so `WebAssembly.Memory.prototype.grow` is made to throw, as V8's does then. This
 * file runs in a process of its own: the lanes' memory has not grown before.
 */
describe('the trace lanes without memory to grow into', () => {
  it('decline a table past their memory (keyed −1, nothing touched), and take it once the memory can grow', { skip: !traceLanes() }, () => {
    const lanes = traceLanes()!;
    // 2,000,003 starts of one code (logWidth 0, code 0; the escape code 1 never met): 62,501 words,
    // past the module's 3 initial pages.
    const starts = 2_000_003;
    const classes = new Uint32Array(Math.ceil(starts / 32));
    assert.ok(classes.byteLength > TRACE_LAYOUT.PAGES * 65536);
    const trials = 8 * 256;
    // code 0 draws a key of two outcomes (its threshold at 2^30: a quarter of the words), code 1 none
    const keyLast = Int32Array.of(1, -1);
    const keyHigh = new Int32Array(2 * TRACE_LAYOUT.KEY_OUTCOMES);
    keyHigh[0] = 2 ** 30;
    const attempt = () => {
      const keyedRs = Int32Array.of(5, 6, 7, 8);
      const chosen = new Float64Array(4);
      const keyed = lanes.keyed(classes, keyedRs, trials, starts, 0, keyLast, keyHigh, chosen, 2);
      return { keyed, keyedRs: Array.from(keyedRs), chosen: Array.from(chosen) };
    };
    const grow = WebAssembly.Memory.prototype.grow;
    WebAssembly.Memory.prototype.grow = () => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    let declined: ReturnType<typeof attempt>;
    try {
      declined = attempt();
    } finally {
      WebAssembly.Memory.prototype.grow = grow;
    }
    assert.deepEqual(declined, { keyed: -1, keyedRs: [5, 6, 7, 8], chosen: [0, 0, 0, 0] });
    // The memory free to grow: the same table taken.
    const taken = attempt();
    assert.notDeepEqual(taken.keyedRs, [5, 6, 7, 8]);
    assert.ok(taken.keyed > 0 && taken.keyed <= trials, `keyed took ${taken.keyed}`);
    assert.equal(taken.chosen[0]! + taken.chosen[1]!, taken.keyed);
    assert.ok(taken.chosen[0]! > 0 && taken.chosen[1]! > 0, 'both sides of the key drawn');
  });
});
