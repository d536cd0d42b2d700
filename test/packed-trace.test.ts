import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lossTrace, packedOf, packedTraceStats, parseLossTrace, traceStats } from '../src/fit/trace-file.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';

/**
 * A trace is kept as its fates packed a bit a packet (bit i % 8 of byte i / 8: 1 lost), in memory
 * worker threads share; the byte a packet the fits read is made from the bits when first asked
 * for, and the summary validate prints is read from the bits.
 */

/** Fates with runs of every length around a byte's eight: whole bytes of one fate, runs across byte edges, a tail. */
function fates(packets: number, seed: number): string {
  const rng = new Xoshiro128(seed, 3, 5, 7);
  let text = '';
  let fate = 0;
  while (text.length < packets) {
    const run = 1 + (rng.nextUint32() % 20);
    text += String(fate).repeat(run);
    fate = 1 - fate;
  }
  return text.slice(0, packets);
}

describe('a trace packed a bit a packet', () => {
  it('gives each packet its fate, in bits and as the byte array made from them', () => {
    for (const packets of [1, 7, 8, 9, 63, 64, 65, 1000, 4099]) {
      const text = fates(packets, packets);
      const trace = parseLossTrace(text, { file: 'packed.txt' });
      assert.equal(trace.packets, packets);
      assert.equal(trace.bits.length, Math.ceil(packets / 8));
      assert.ok(trace.bits.buffer instanceof SharedArrayBuffer, 'in memory worker threads share');
      for (let i = 0; i < packets; i++) assert.equal((trace.bits[i >> 3]! >> (i & 7)) & 1, Number(text[i]), `packet ${i} of ${packets}`);
      assert.equal(trace.lost.join(''), text);
      assert.equal(trace.lost, trace.lost, 'made once');
      if (packets % 8 !== 0) assert.equal(trace.bits[trace.bits.length - 1]! >> (packets % 8), 0, 'no bit past the last packet');
    }
  });

  it('summarizes from the bits as from the bytes: losses, bursts, gaps', () => {
    for (const [packets, seed] of [
      [1, 1],
      [8, 2],
      [17, 3],
      [1000, 4],
      [4099, 5],
    ] as const) {
      const trace = parseLossTrace(fates(packets, seed), { file: 'stats.txt' });
      assert.deepEqual(packedTraceStats(trace), traceStats(trace.lost), `${packets} packets`);
    }
    // Whole bytes of one fate, a fate changing at a byte's edge, all lost, all delivered.
    for (const text of ['0'.repeat(16) + '1'.repeat(16) + '0'.repeat(3), '1'.repeat(24), '0'.repeat(40), `${'01'.repeat(8)}1`]) {
      const trace = parseLossTrace(text, { file: 'edges.txt' });
      assert.deepEqual(packedTraceStats(trace), traceStats(trace.lost), text);
    }
  });

  it('is handed to another thread as its bits and taken back whole', () => {
    const trace = parseLossTrace(
      `PING h (192.0.2.1) 56(84) bytes of data.
64 bytes from 192.0.2.1: icmp_seq=3 ttl=64 time=1 ms
64 bytes from 192.0.2.1: icmp_seq=6 ttl=64 time=1 ms
`,
      { file: 'ping.txt' },
    );
    const handed = structuredClone(packedOf(trace));
    assert.equal('lost' in handed, false, 'no byte array handed over');
    const taken = lossTrace(handed);
    assert.equal(taken.lost.join(''), '0110');
    assert.deepEqual(taken.range, { first: 3, last: 6 });
    assert.equal(taken.format, trace.format);
    assert.deepEqual(taken.warnings, trace.warnings);
  });
});
