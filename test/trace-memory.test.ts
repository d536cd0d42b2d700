import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempFiles } from './helpers.js';

/**
 * What reading a long trace file costs in memory: the high-water mark of the process's resident
 * memory, read in a process of its own before and after the reading. A trace is kept a bit a
 * packet; the reading's transient memory (a block of the file, short pieces of its text that the
 * young generation of the heap collects) comes to well under a byte a packet more: 0.2–0.35 on
 * Node 20, 0.5–0.65 on Node 22, 0.95–1.4 on Node 24, where reading in pieces of megabytes into a
 * byte a packet came to three to five.
 */

const PACKETS = 10_000_000;
/** Bytes a packet the reading may grow the process by: the trace's own bit and the transient memory, with room. */
const BOUND = 2;

const READER = fileURLToPath(new URL('../src/io/trace-input.js', import.meta.url));

/** Reads a small file (so the reading's code is compiled and loaded), then the file; prints the packets read and the growth. */
const CHILD = `
const { readLossTrace } = await import(process.argv[1]);
const [, , small, file, column] = process.argv;
const options = (f) => ({ file: f, ...(column ? { column } : {}) });
readLossTrace(small, options(small));
const before = process.resourceUsage().maxRSS;
const trace = readLossTrace(file, options(file));
const grown = (process.resourceUsage().maxRSS - before) * 1024;
let losses = 0;
for (let i = 0; i < trace.lost.length; i++) losses += trace.lost[i];
console.log(JSON.stringify({ packets: trace.lost.length, losses, grown, shared: trace.bits.buffer instanceof SharedArrayBuffer }));
`;

function measure(small: string, file: string, column?: string): { packets: number; losses: number; grown: number; shared: boolean } {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, READER, small, file, ...(column ? [column] : [])], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** 0/1 outcomes, every 19th lost, each followed by `separator`, preceded by `head`. */
function outcomes(head: string, separator: string, packets: number): Buffer {
  const unit = 1 + separator.length;
  const bytes = Buffer.alloc(head.length + unit * packets, separator);
  bytes.write(head, 0, 'latin1');
  for (let i = 0; i < packets; i++) bytes[head.length + unit * i] = i % 19 === 0 ? 0x31 : 0x30;
  return bytes;
}

// Skipped in mutation runs (docs/mutation.md): seconds per mutant, and no mutant of the readers' logic changes memory alone.
describe('reading 10^7 packets from a file grows the process by under two bytes a packet', { skip: process.env['TWOGENERALS_MUTATION'] === '1' }, () => {
  const dir = tempFiles({ 'small.txt': '0\n1\n0\n', 'small.csv': 'lost\n0\n1\n' });
  const cases: [string, string, Buffer, string?][] = [
    ['one digit a line', 'lines.txt', outcomes('', '\n', PACKETS)],
    ['one line of digits', 'one.txt', outcomes('', '', PACKETS)],
    ['a CSV column', 'rows.csv', outcomes('lost\n', '\n', PACKETS), 'lost'],
  ];
  for (const [what, name, bytes, column] of cases) {
    it(what, () => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const { packets, losses, grown, shared } = measure(join(dir, column ? 'small.csv' : 'small.txt'), file, column);
      assert.equal(packets, PACKETS);
      assert.equal(losses, Math.ceil(PACKETS / 19));
      assert.ok(grown < BOUND * PACKETS, `${what}: grew by ${(grown / PACKETS).toFixed(2)} bytes a packet`);
      assert.ok(shared, 'the trace is in memory worker threads share');
    });
  }

  it('a ping log whose summary counts 10^7 packets', () => {
    const lines = ['PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.'];
    for (let seq = 1; seq <= PACKETS; seq += 1000) lines.push(`64 bytes from 192.0.2.1: icmp_seq=${seq % 65536} ttl=64 time=1.0 ms`);
    lines.push('', '--- 192.0.2.1 ping statistics ---', `${PACKETS} packets transmitted, ${PACKETS / 1000} received, 99.9% packet loss, time 1ms`, '');
    const file = join(dir, 'ping.txt');
    writeFileSync(file, lines.join('\n'));
    writeFileSync(join(dir, 'small-ping.txt'), `${lines[0]}\n${lines[1]}\n`);
    const { packets, losses, grown, shared } = measure(join(dir, 'small-ping.txt'), file);
    assert.equal(packets, PACKETS);
    assert.equal(losses, PACKETS - PACKETS / 1000);
    assert.ok(grown < BOUND * PACKETS, `grew by ${(grown / PACKETS).toFixed(2)} bytes a packet`);
    assert.ok(shared);
  });
});
