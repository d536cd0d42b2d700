import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TraceReader } from '../src/fit/trace-file.js';
import type { LossTrace } from '../src/fit/trace-file.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';

/**
 * Ping logs of 10^7 packets in every dialect the readers know, a line a packet sent (or a reply
 * line only, where the dialect prints nothing for a loss), fed to a TraceReader as a file's blocks
 * are: the packets read one for one against the losses the log was written from, the range and
 * the dialect. Written a megabyte at a time, never held whole (a log of 10^7 lines is 500–900 MB).
 */

const N = 10_000_000;
const BLOCK = 2 ** 20;

/** ASCII lines into blocks of a megabyte, each handed to `take` when full. */
class Blocks {
  private block = new Uint8Array(BLOCK + 256);
  private length = 0;
  constructor(private readonly take: (bytes: Uint8Array) => void) {}

  // A line's head and tail (tens of bytes) by set(), which took the generation from 1.4 s a
  // dialect to 0.8 (the same blocks, byte for byte); byte by byte below that, where a set() per
  // few bytes costs more than the bytes.
  text(bytes: Uint8Array): void {
    if (bytes.length > 8) {
      this.block.set(bytes, this.length);
      this.length += bytes.length;
      return;
    }
    const block = this.block;
    let at = this.length;
    for (let i = 0; i < bytes.length; i++) block[at++] = bytes[i]!;
    this.length = at;
  }

  /** A whole number below 2^31. */
  number(n: number): void {
    let digits = 1;
    for (let m = n; m >= 10; m = (m / 10) | 0) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      this.block[--at] = 48 + (n % 10);
      n = (n / 10) | 0;
    } while (n > 0);
  }

  endLine(): void {
    this.block[this.length++] = 10;
    if (this.length >= BLOCK) this.flush();
  }

  flush(): void {
    this.take(this.block.subarray(0, this.length));
    this.length = 0;
  }
}

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

interface Dialect {
  readonly header: string;
  /** The first sequence number (Linux numbers from 1). */
  readonly first: number;
  /** A reply line's text before and after its number; `stamp` prefixes `ping -D`'s timestamp. */
  readonly reply: readonly [string, string];
  readonly stamp?: boolean;
  /** A lost packet's line before and after its number, where the dialect prints one. */
  readonly loss?: readonly [string, string];
  readonly summary: (received: number) => string;
  readonly format: string;
}

const DIALECTS: Record<string, Dialect> = {
  Linux: {
    header: 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.',
    first: 1,
    reply: ['64 bytes from 192.0.2.1: icmp_seq=', ' ttl=64 time=0.101 ms'],
    summary: (r) => `${N} packets transmitted, ${r} received, 5% packet loss, time 9999999ms`,
    format: 'ping-linux',
  },
  'Linux ping -D -O': {
    header: 'PING dns.google (8.8.8.8) 56(84) bytes of data.',
    first: 1,
    reply: ['64 bytes from dns.google (8.8.8.8): icmp_seq=', ' ttl=117 time=12.3 ms'],
    stamp: true,
    loss: ['no answer yet for icmp_seq=', ''],
    summary: (r) => `${N} packets transmitted, ${r} received, 5% packet loss, time 9999999ms`,
    format: 'ping-linux',
  },
  'macOS and BSD': {
    header: 'PING 192.0.2.1 (192.0.2.1): 56 data bytes',
    first: 0,
    reply: ['64 bytes from 192.0.2.1: icmp_seq=', ' ttl=64 time=0.101 ms'],
    loss: ['Request timeout for icmp_seq ', ''],
    summary: (r) => `${N} packets transmitted, ${r} packets received, 5.0% packet loss`,
    format: 'ping-macos',
  },
  busybox: {
    header: 'PING 192.0.2.1 (192.0.2.1): 56 data bytes',
    first: 0,
    reply: ['64 bytes from 192.0.2.1: seq=', ' ttl=64 time=0.101 ms'],
    summary: (r) => `${N} packets transmitted, ${r} packets received, 5% packet loss`,
    format: 'ping-busybox',
  },
};

/** Writes the dialect's log of `lost` into the reader, block by block. */
function feed(dialect: Dialect, lost: Uint8Array, reader: TraceReader): void {
  const out = new Blocks((bytes) => reader.pushBytes(bytes));
  const [replyHead, replyTail] = [ascii(dialect.reply[0]), ascii(dialect.reply[1])];
  const [lossHead, lossTail] = dialect.loss ? [ascii(dialect.loss[0]), ascii(dialect.loss[1])] : [null, null];
  const [open, dot, close] = [ascii('[1764600000'), ascii('.'), ascii('] ')];
  out.text(ascii(dialect.header));
  out.endLine();
  let received = 0;
  for (let i = 0; i < N; i++) {
    const seq = (dialect.first + i) % 65536;
    if (lost[i] && !lossHead) continue;
    if (dialect.stamp) {
      out.text(open);
      out.number(i);
      out.text(dot);
      out.number(100_000 + (i % 900_000));
      out.text(close);
    }
    if (lost[i]) {
      out.text(lossHead!);
      out.number(seq);
      out.text(lossTail!);
    } else {
      received++;
      out.text(replyHead);
      out.number(seq);
      out.text(replyTail);
    }
    out.endLine();
  }
  out.endLine();
  out.text(ascii('--- 192.0.2.1 ping statistics ---'));
  out.endLine();
  out.text(ascii(dialect.summary(received)));
  out.endLine();
  out.flush();
}

// Skipped in mutation runs (docs/mutation.md), as the other reading at real sizes.
describe('ping logs of 10^7 packets in every dialect, read as a file streams in', { skip: process.env['TWOGENERALS_MUTATION'] === '1' }, () => {
  const rng = new Xoshiro128(7, 23, 5, 11);
  const lost = new Uint8Array(N);
  for (let i = 0; i < N; i++) lost[i] = rng.nextUint32() % 20 === 0 ? 1 : 0;
  // The first delivered (a log starts at the first number it shows) and the last lost: the
  // trace ends where the summary says, past the last reply.
  lost[0] = 0;
  lost[N - 1] = 1;

  for (const [name, dialect] of Object.entries(DIALECTS)) {
    it(`reads ${name}`, () => {
      const reader = new TraceReader({ file: 'ping.txt' });
      feed(dialect, lost, reader);
      const trace: LossTrace = reader.finish();
      assert.equal(trace.format, dialect.format);
      assert.equal(trace.packets, N);
      assert.deepEqual(trace.range, { first: dialect.first, last: dialect.first + N - 1 });
      assert.deepEqual(trace.warnings, []);
      const read = trace.lost;
      let same = 0;
      for (let i = 0; i < N; i++) if (read[i] === lost[i]) same++;
      assert.equal(same, N, 'every packet in place');
    });
  }
});
