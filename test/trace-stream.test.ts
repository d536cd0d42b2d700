import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TraceError, TraceReader, checkTraceSize, parseLossTrace } from '../src/fit/trace-file.js';
import type { TraceOptions } from '../src/fit/trace-file.js';
import { hashTraceFile, readLossTrace } from '../src/io/trace-input.js';
import { tempFiles } from './helpers.js';

/**
 * The trace readers fed the way a streamed file feeds them — in pieces, each piece's state carried
 * to the next — and the rules of a format that only a piece boundary, the start of the text or an
 * uncommon line reaches. Every expected trace is written by hand.
 */

const DIGITS: TraceOptions = { file: 'd.txt' };
const CSV: TraceOptions = { file: 'c.csv', column: 'lost' };
const LINUX_HEADER = 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.';
const reply = (seq: number, size = '64') => `${size} bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=1.0 ms`;

/** The reader told the format from the first piece's first character, then fed the pieces in turn. */
function inPieces(pieces: readonly string[], options: TraceOptions): TraceReader {
  const reader = new TraceReader(options, undefined, 1);
  for (const piece of pieces) reader.push(piece);
  return reader;
}

const readPieces = (pieces: readonly string[], options: TraceOptions) => inPieces(pieces, options).finish().lost.join('');
const read = (text: string, options: TraceOptions = { file: 't' }) => parseLossTrace(text, options).lost.join('');

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof TraceError, String(error));
    return error.message;
  }
  assert.fail('expected a TraceError');
}

describe('digits in pieces', () => {
  it('carry a comment line on through pieces without a newline, and end it at the next', () => {
    assert.equal(readPieces(['0\n# a', 'bc 11', ' more', '\n1\n#', ' x', 'y\n', '0'], DIGITS), '010');
  });

  it('hold a piece of more outcomes than twice those held so far, and report no warnings', () => {
    const text = '0110'.repeat(2500);
    const trace = parseLossTrace(text, DIGITS);
    assert.equal(trace.lost.join(''), text);
    assert.deepEqual(trace.warnings, []);
    assert.deepEqual(parseLossTrace('t,lost\n0,1\n', CSV).warnings, []);
  });
});

describe('CSV in pieces', () => {
  it('keep the header’s delimiter for rows in later pieces, whatever those rows hold most', () => {
    assert.equal(readPieces(['time;lost;note\n', '0;1;a\n', '1;0;x,y,z\n'], CSV), '10');
  });

  it('number lines past blank and comment lines read in a piece before the header', () => {
    assert.equal(
      refusal(() => inPieces(['# c\n\n', 'time,lost\n', '0,x\n'], CSV).finish()),
      'c.csv:4: "x" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)',
    );
  });

  it('read a row that starts a piece with its delimiter (an empty first field)', () => {
    assert.equal(readPieces(['a,lost\n', ',1\n'], CSV), '1');
  });

  it('read a quoted field that runs on into the next piece', () => {
    assert.equal(readPieces(['a,lost,note\n', '0,1,"x\n', 'y"\n1,0,z\n'], CSV), '10');
  });

  it('read the rows after a quoted one as the piece comes, not at the end', () => {
    const reader = inPieces(['a,lost\n'], CSV);
    assert.throws(() => reader.push('"0",1\n2,x\n'), { name: 'TraceError', message: /^c\.csv:3: "x" in column "lost"/ });
  });

  it('refuse a short row before a longer one, not reading on into the next line', () => {
    assert.equal(
      refusal(() => read('a,b,lost\n0,1\n1,2,1\n', CSV)),
      'c.csv:2: the row has 2 fields, so no column "lost" (field 3)',
    );
  });

  it('skip a comment after blanks in a quoted CSV', () => {
    assert.equal(read('a,lost\n"x",1\n  # c, "q"\n\t# d\n0,0\n', CSV), '10');
  });
});

describe('what is ping, at the edges of the text', () => {
  const csvRefusal = /^t:\d: this looks like a CSV/;

  it('knows a header on the second line, after a blank one or another line', () => {
    assert.doesNotMatch(
      refusal(() => read(`\n${LINUX_HEADER}\n`)),
      csvRefusal,
    );
    assert.doesNotMatch(
      refusal(() => read(`x\n${LINUX_HEADER}\n`)),
      csvRefusal,
    );
    assert.equal(read(`x\n${LINUX_HEADER}\n${reply(1)}\n${reply(3)}\n`), '010');
  });

  it('takes no PING inside a line, nor a PING glued to more letters, for a header', () => {
    assert.match(
      refusal(() => read('x\nPINGS\n')),
      csvRefusal,
    );
    assert.match(
      refusal(() => read('xPING 192.0.2.1\n')),
      csvRefusal,
    );
    assert.equal(read('note,lost\nx PING y,1\n', CSV), '1');
    assert.equal(read('note,lost\n64 bytes from x,1\n', CSV), '1');
  });

  it('refuses Windows ping output whose header starts the text, or ends it without a newline', () => {
    const windows =
      'Windows ping output has no sequence numbers to place losses by; record the trace with a Linux, macOS, BSD or busybox ping, or as 0/1 digits';
    assert.equal(
      refusal(() => read('Pinging 192.0.2.1 with 32 bytes of data:\r\nReply from 192.0.2.1\r\n')),
      `t:1: ${windows}`,
    );
    assert.equal(
      refusal(() => read('x\nPinging 192.0.2.1 with 32 bytes of data')),
      `t:2: ${windows}`,
    );
  });
});

describe('ping lines', () => {
  it('read the count of a summary that does not start its line, or follows a letter, and at most its last 12 digits', () => {
    for (const summary of ['  5 packets transmitted, 1 received', 'x5 packets transmitted, 1 received', '0000000000005 packets transmitted, 1 received'])
      assert.equal(read([LINUX_HEADER, reply(1), '', summary].join('\n')), '01111', summary);
  });

  it('read the same in pieces cut anywhere, a line joined across pieces or a piece without a newline', () => {
    const log = [
      LINUX_HEADER,
      `[1764600000.000001] ${reply(1)}`,
      '[1764600000.000002] no answer yet for icmp_seq=2',
      `[1764600000.000003] ${reply(3)}`,
      `[1764600000.000004] ${reply(3)} (DUP!)`,
      `[1764600000.000005] ${reply(5)}`,
      '',
      '--- 192.0.2.1 ping statistics ---',
      '6 packets transmitted, 3 received, 50% packet loss',
    ].join('\n');
    const whole = parseLossTrace(log, { file: 't' });
    assert.equal(whole.lost.join(''), '010101');
    const same = (pieces: string[], what: string) => {
      const reader = new TraceReader({ file: 't' }, undefined, LINUX_HEADER.length); // told ping by the header, then fed piece by piece
      for (const piece of pieces) reader.push(piece);
      const trace = reader.finish();
      assert.deepEqual([trace.lost, trace.range, trace.warnings], [whole.lost, whole.range, whole.warnings], what);
    };
    for (let cut = 1; cut < log.length; cut++) same([log.slice(0, cut), log.slice(cut)], `cut at ${cut}`);
    for (let size = 1; size <= 9; size += 4) same(log.match(new RegExp(`[^]{1,${size}}`, 'g'))!, `pieces of ${size}`);
  });

  it('take a reply of any size (0 and 9 after its first digit), and no size followed by a letter', () => {
    // Packet 2's line without its ` ttl=`, which alone would tell a reply.
    assert.equal(read([LINUX_HEADER, reply(1, '109'), reply(2, '64x').replace(' ttl=64', ''), reply(3, '1490')].join('\n')), '010');
  });
});

describe('the byte limit in words', () => {
  it('names a limit of a whole MiB or GiB in that unit', () => {
    assert.throws(() => checkTraceSize(2 ** 20 + 1, 'f', 2 ** 20), {
      message: 'f: the file has 1,048,577 bytes; a trace file may have at most 1,048,576 (1 MiB)',
    });
    assert.throws(() => checkTraceSize(2 ** 30 + 1, 'f', 2 ** 30), {
      message: 'f: the file has 1,073,741,825 bytes; a trace file may have at most 1,073,741,824 (1 GiB)',
    });
  });
});

describe('a trace file read or hashed', () => {
  const reading = { pieceBytes: 4, packets: 1000, bytes: 10_000, detectChars: 4 };

  it('hashes a file without a byte-order mark whole, whatever its first bytes', () => {
    const dir = tempFiles({});
    const starts = [
      [0x30, 0x31],
      [0x41, 0xbb, 0xbf, 0x30],
      [0xef, 0x41, 0xbf, 0x30],
      [0xef, 0xbb, 0x41, 0x30],
    ];
    starts.forEach((bytes, i) => {
      const file = join(dir, `${i}.txt`);
      writeFileSync(file, Buffer.from(bytes));
      const hash = createHash('sha256');
      hashTraceFile(file, hash);
      assert.equal(hash.digest('hex'), createHash('sha256').update(Buffer.from(bytes)).digest('hex'), `file ${i}`);
    });
  });

  it('names UTF-16 by its mark only at the start of the file, NUL bytes or not', () => {
    const dir = tempFiles({});
    writeFileSync(join(dir, 'le.txt'), Buffer.from([0xff, 0xfe, 0x4e, 0x4e, 0x4e, 0x4e]));
    writeFileSync(join(dir, 'be.txt'), Buffer.from([0xfe, 0xff, 0x4e, 0x4e]));
    writeFileSync(join(dir, 'later.txt'), Buffer.from([0x30, 0x31, 0x30, 0x31, 0xff, 0xfe, 0x4e, 0x4e]));
    const message = (name: string) => refusalOf(() => readLossTrace(join(dir, name), { file: name }, reading));
    assert.match(message('le.txt'), /le\.txt: the trace file is UTF-16 text; save it as UTF-8$/);
    assert.match(message('be.txt'), /be\.txt: the trace file is UTF-16 text; save it as UTF-8$/);
    assert.match(message('later.txt'), /later\.txt: not a text file: the trace file is not valid UTF-8$/);
  });

  it('closes the file it read, or refused', { skip: !existsSync('/proc/self/fd') }, () => {
    const dir = tempFiles({ 'good.txt': '0101\n'.repeat(10), 'bad.txt': '0101\n01x\n' });
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 3; i++) {
      readLossTrace(join(dir, 'good.txt'), DIGITS, reading);
      assert.throws(() => readLossTrace(join(dir, 'bad.txt'), DIGITS, reading), /unexpected character "x"/);
      hashTraceFile(join(dir, 'good.txt'), createHash('sha256'));
    }
    assert.equal(open(), before);
  });
});

function refusalOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail('expected an error');
}
