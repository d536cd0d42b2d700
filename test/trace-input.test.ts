import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TraceError, TraceReader, parseLossTrace } from '../src/fit/trace-file.js';
import type { LossTrace, TraceOptions } from '../src/fit/trace-file.js';
import { createHash } from 'node:crypto';
import { hashTraceFile, readLossTrace } from '../src/io/trace-input.js';
import { tempFiles } from './helpers.js';

/** Traces are streamed in pieces cut anywhere: every format reads the same as from one string. */

const LINUX = [
  'PING h (192.0.2.1) 56(84) bytes of data.',
  '[1700000000.000001] 64 bytes from 192.0.2.1: icmp_seq=3 ttl=64 time=1.1 ms',
  '[1700000001.000001] no answer yet for icmp_seq=4',
  '[1700000002.000001] 64 bytes from 192.0.2.1: icmp_seq=6 ttl=64 time=1.1 ms',
  '[1700000002.100001] 64 bytes from 192.0.2.1: icmp_seq=5 ttl=64 time=1.1 ms',
  '[1700000002.200001] 64 bytes from 192.0.2.1: icmp_seq=5 ttl=64 time=1.1 ms (DUP!)',
  '[1700000003.000001] 64 bytes from 192.0.2.1: icmp_seq=8 ttl=64 time=1.1 ms',
  '',
  '--- h ping statistics ---',
  '10 packets transmitted, 4 received, +1 duplicates, 60% packet loss, time 9011ms',
  '',
].join('\n');

const MACOS = [
  'PING 192.0.2.10 (192.0.2.10): 56 data bytes',
  'Request timeout for icmp_seq 0',
  '64 bytes from 192.0.2.10: icmp_seq=1 ttl=57 time=12.3 ms',
  'Request timeout for icmp_seq 2',
  '64 bytes from 192.0.2.10: icmp_seq=3 ttl=57 time=12.3 ms',
  '',
  '--- 192.0.2.10 ping statistics ---',
  '5 packets transmitted, 2 packets received, 60.0% packet loss',
].join('\n');

const BUSYBOX = [
  'PING 192.0.2.1 (192.0.2.1): 56 data bytes',
  '64 bytes from 192.0.2.1: seq=0 ttl=64 time=0.1 ms',
  '64 bytes from 192.0.2.1: seq=2 ttl=64 time=0.1 ms',
  '64 bytes from 192.0.2.1: seq=3 ttl=64 time=0.1 ms',
  '',
  '--- 192.0.2.1 ping statistics ---',
  '5 packets transmitted, 3 packets received, 40% packet loss',
  '',
].join('\n');

const GOOD: [string, string, TraceOptions][] = [
  ['digits on one line, comments and CRLF', '# a trace\r\n0010110001 1110\r\n\r\n  # indented comment\r\n01\t10\r\n1', { file: 'd.txt' }],
  ['digits one per line', '0\n1\n1\n0\n0\n0\n1\n', { file: 'd.txt' }],
  ['a plain CSV', '# exported\ntime;lost;note\n0.0;0;a\n\n0.1;1;b\n0.2; true ;c\n0.3;FALSE;d\r\n0.4;1;e', { file: 'c.csv', column: 'lost' }],
  [
    'a quoted CSV',
    'time,"lost",note\n0.0,"0","two\nlines"\n0.1,1,"a ""quote"", and, commas"\n""\n0.2,"1",x\n0.3,0,"\n\n"\n',
    { file: 'q.csv', column: 'lost' },
  ],
  ['a Linux ping -D -O log, reordered, a duplicate', LINUX, { file: 'p.txt' }],
  ['a macOS ping log', MACOS, { file: 'm.txt' }],
  ['a busybox ping log', BUSYBOX, { file: 'b.txt' }],
];

const BAD: [string, string, TraceOptions][] = [
  ['a stray character', '0101\n0101\n01x1\n', { file: 'd.txt' }],
  ['an empty trace', '# nothing\n\n', { file: 'd.txt' }],
  ['an unclosed quote', 'time,lost\n0,1\n1,"0\n2,1\n3,0\n', { file: 'q.csv', column: 'lost' }],
  ['a row without the column', 'time,lost\n0,1\n1\n', { file: 'c.csv', column: 'lost' }],
  ['a quoted row without the column', 'time,lost\n0,"1"\n"1"\n', { file: 'c.csv', column: 'lost' }],
  ['a second ping run', `${LINUX}${LINUX}`, { file: 'p.txt' }],
];

/** The format told from the first 100 characters, the rest read piece by piece. */
function inPieces(text: string, size: number, options: TraceOptions): LossTrace {
  const reader = new TraceReader(options, undefined, 100);
  for (let at = 0; at < text.length; at += size) reader.push(text.slice(at, at + size));
  return reader.finish();
}

function errorOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof TraceError, String(error));
    return error.message;
  }
  assert.fail('expected a TraceError');
}

const SIZES = [1, 2, 3, 5, 8, 13, 64];

describe('TraceReader: pieces cut anywhere', () => {
  for (const [what, text, options] of GOOD) {
    it(`reads ${what} as one string does`, () => {
      const whole = parseLossTrace(text, options);
      assert.ok(whole.lost.length > 3);
      for (const size of SIZES) assert.deepEqual(inPieces(text, size, options), whole, `pieces of ${size}`);
    });
  }
  for (const [what, text, options] of BAD) {
    it(`refuses ${what} at the same line`, () => {
      const whole = errorOf(() => parseLossTrace(text, options));
      for (const size of SIZES)
        assert.equal(
          errorOf(() => inPieces(text, size, options)),
          whole,
          `pieces of ${size}`,
        );
    });
  }
});

describe('readLossTrace: a file streamed in small blocks', () => {
  const reading = (pieceBytes: number, packets = 1000, bytes = 10_000) => ({ pieceBytes, packets, bytes, detectChars: 100 });

  it('reads every format as the whole text reads, a character cut between blocks kept whole', () => {
    const files: Record<string, string> = {};
    GOOD.forEach(([, text], i) => {
      files[`${i}.txt`] = text;
    });
    files['bom.csv'] = '\ufefftime,pérdida\n0,1\n1,0\n2,1\n';
    const dir = tempFiles(files);
    GOOD.forEach(([, text, options], i) => {
      for (const size of [1, 3, 7, 4096]) assert.deepEqual(readLossTrace(join(dir, `${i}.txt`), options, reading(size)), parseLossTrace(text, options));
    });
    for (const size of [1, 2, 3, 4096])
      assert.deepEqual([...readLossTrace(join(dir, 'bom.csv'), { file: 'bom.csv', column: 'pérdida' }, reading(size)).lost], [1, 0, 1]);
    const hash = createHash('sha256');
    hashTraceFile(join(dir, 'bom.csv'), hash);
    assert.equal(hash.digest('hex'), createHash('sha256').update('time,pérdida\n0,1\n1,0\n2,1\n').digest('hex'), 'the text hashed, not its mark');
  });

  it('refuses a file over the byte limit from its size, before reading it', () => {
    const dir = tempFiles({ 'big.txt': `${'0'.repeat(100)}2` });
    assert.throws(() => readLossTrace(join(dir, 'big.txt'), { file: 'big.txt' }, reading(16, 1000, 100)), {
      message: `${join(dir, 'big.txt')}: the file has 101 bytes; a trace file may have at most 100 (100 bytes)`,
    });
    assert.throws(() => readLossTrace(join(dir, 'big.txt'), { file: 'big.txt' }, reading(16, 1000, 101)), /big\.txt:1: unexpected character "2"/);
  });

  // Past the limit each file holds a mistake, reported only if the reading went on to it.
  const tooMany: [string, string, TraceOptions, RegExp][] = [
    ['digits on one line', `${'01'.repeat(50)}02`, { file: 'd.txt' }, /^d\.txt: more than 100 packets/],
    ['digits one per line', `${'1\n'.repeat(101)}2\n`, { file: 'd.txt' }, /^d\.txt: more than 100 packets/],
    ['a CSV', `t,lost\n${'0,1\n'.repeat(101)}0,x\n`, { file: 'c.csv', column: 'lost' }, /^c\.csv:102: more than 100 packets/],
    ['a quoted CSV', `t,lost\n${'0,"1"\n'.repeat(101)}0,"x\n`, { file: 'c.csv', column: 'lost' }, /^c\.csv:102: more than 100 packets/],
    [
      'a ping log',
      `PING h (192.0.2.1) 56(84) bytes of data.\n${Array.from({ length: 102 }, (_, i) => `64 bytes from 192.0.2.1: icmp_seq=${i + 1} ttl=64 time=1 ms\n`).join('')}PING h again\n`,
      { file: 'p.txt' },
      /^p\.txt:102: more than 100 packets/,
    ],
  ];
  for (const [what, text, options, expected] of tooMany) {
    it(`refuses ${what} with more packets than the limit as soon as the count passes it`, () => {
      const dir = tempFiles({ f: text });
      for (const size of [5, 64, 4096]) {
        const message = errorOf(() => readLossTrace(join(dir, 'f'), options, reading(size, 100)));
        assert.match(message, expected);
        assert.match(message, /the most a trace may hold .*: cut the trace$/);
      }
    });
  }

  it('takes a trace of exactly the packet limit', () => {
    const dir = tempFiles({ 'd.txt': '01'.repeat(50), 'c.csv': `t,lost\n${'0,1\n'.repeat(100)}` });
    assert.equal(readLossTrace(join(dir, 'd.txt'), { file: 'd.txt' }, reading(7, 100)).lost.length, 100);
    assert.equal(readLossTrace(join(dir, 'c.csv'), { file: 'c.csv', column: 'lost' }, reading(7, 100)).lost.length, 100);
  });

  it('names what a file is when it is not UTF-8 text, whichever block shows it', () => {
    const dir = tempFiles({});
    writeFileSync(join(dir, 'utf16.txt'), Buffer.from('\ufeff0101\n', 'utf16le'));
    writeFileSync(join(dir, 'nul.txt'), Buffer.concat([Buffer.from('0101\n'.repeat(10)), Buffer.alloc(8)]));
    writeFileSync(join(dir, 'latin1.txt'), Buffer.concat([Buffer.from('t,lost\n0,1\n'), Buffer.from([0xe9, 0x0a])]));
    const refusal = (name: string, options: TraceOptions = { file: name }) => errorOf2(() => readLossTrace(join(dir, name), options, reading(4)));
    assert.match(refusal('utf16.txt'), /utf16\.txt: the trace file is UTF-16 text; save it as UTF-8$/);
    assert.match(refusal('nul.txt'), /nul\.txt: not a text file: the trace file holds binary data/);
    assert.match(refusal('latin1.txt', { file: 'latin1.txt', column: 'lost' }), /latin1\.txt: not a text file: the trace file is not valid UTF-8$/);
    assert.match(refusal('missing.txt'), /missing\.txt: cannot read the trace file: no such file or directory$/);
    assert.match(
      errorOf2(() => readLossTrace(dir, { file: 'dir' })),
      /cannot read the trace file: it is a directory$/,
    );
  });
});

function errorOf2(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected an error');
}
