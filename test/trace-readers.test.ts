import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TRACE_BYTES, TraceError, checkTraceSize, describeRange, parseLossTrace, traceStats } from '../src/fit/trace-file.js';
import type { TraceOptions } from '../src/fit/trace-file.js';

/**
 * The trace readers (src/fit/trace-file.ts) on small hand-written inputs whose packet sequences
 * are known by construction: each case pins one rule of a reader — a character, a delimiter, a
 * quote, a token of a ping line, a dialect's numbering, a limit — so that a reader that breaks
 * the rule reads another sequence or refuses with another message. In-process and small, so that
 * the trace readers' mutation runs (docs/mutation.md) cost a second a mutant.
 */

/** The packets read, as a string of 0/1. */
function read(text: string, options: Partial<TraceOptions> = {}): string {
  return parseLossTrace(text, { file: 't', ...options }).lost.join('');
}

/** The one-line message the reader refuses the text with; fails if it reads it, or throws something else. */
function refusal(text: string, options: Partial<TraceOptions> = {}): string {
  try {
    parseLossTrace(text, { file: 't', ...options });
  } catch (error) {
    assert.ok(error instanceof TraceError, `not a TraceError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`read without a refusal: ${JSON.stringify(text.slice(0, 200))}`);
}

const LINUX_HEADER = 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.';
const MACOS_HEADER = 'PING 192.0.2.1 (192.0.2.1): 56 data bytes';
const reply = (seq: number, token = 'icmp_seq=') => `64 bytes from 192.0.2.1: ${token}${seq} ttl=64 time=1.0 ms`;
const CSV_HINT = 'give column: to name the column of 0/1 outcomes';

describe('digits', () => {
  it('skip every blank (space, tab, CR, vertical tab, form feed) and a comment after blanks, to the end of the file', () => {
    assert.equal(read('0 1\t0\r\n1\v1\f0\n  # a note\n\t# another\n1\n# the end, no newline'), '0101101');
  });

  it('refuse # after a digit on its line, a digit other than 0 and 1, and a character outside the BMP, naming the line', () => {
    assert.equal(refusal('01\n01 # note\n'), 't:2: unexpected character "#": a trace is 0 (delivered) or 1 (lost)');
    assert.equal(refusal('0\n0\n2\n'), 't:3: unexpected character "2": a trace is 0 (delivered) or 1 (lost)');
    assert.equal(refusal('0\n1\u{1f600}\n'), 't:2: unexpected character "\u{1f600}": a trace is 0 (delivered) or 1 (lost)');
  });

  it('read across slices of 4,096 characters (a call of the reader each): a comment that spans one, a packet and a blank at either edge, lines counted on', () => {
    // 4,094 characters of packets and newlines, then a comment over the edge at 4,096, then packets: each slice starts where the last stopped.
    const head = '01\n'.repeat(1364) + '1\n';
    assert.equal(head.length, 4094);
    const text = `${head}# a note over the edge\n0\n${' '.repeat(4092)}1\n0`;
    assert.equal(read(text), `${'01'.repeat(1364)}1010`);
    assert.equal(refusal(`${text}\n2`), 't:1370: unexpected character "2": a trace is 0 (delivered) or 1 (lost)');
    const comment = `${'0'.repeat(4095)}\n# ${'x'.repeat(9000)}\n1`;
    assert.equal(read(comment), `${'0'.repeat(4095)}1`);
    assert.equal(refusal(`${'0'.repeat(5000)}#`), 't:1: unexpected character "#": a trace is 0 (delivered) or 1 (lost)');
  });

  it('refuse a first line with a letter or a quote as a CSV header, cut after 57 characters past 60', () => {
    assert.equal(refusal('\n# note\n"0"\n1\n'), `t:3: this looks like a CSV (header "\\"0\\""): ${CSV_HINT}`);
    const sixty = `a${'0'.repeat(59)}`;
    assert.equal(refusal(`${sixty}\n`), `t:1: this looks like a CSV (header "${sixty}"): ${CSV_HINT}`);
    assert.equal(refusal(`${sixty}1\n`), `t:1: this looks like a CSV (header "${sixty.slice(0, 57)}..."): ${CSV_HINT}`);
  });

  it('refuse a file over the size limit, naming both sizes', () => {
    checkTraceSize(MAX_TRACE_BYTES, 't');
    assert.throws(() => checkTraceSize(MAX_TRACE_BYTES + 1, 't'), {
      message: 't: the file has 2,147,483,649 bytes; a trace file may have at most 2,147,483,648 (2 GiB)',
    });
    assert.throws(() => checkTraceSize(1_572_865, 't', 1_572_864), {
      message: 't: the file has 1,572,865 bytes; a trace file may have at most 1,572,864 (1.5 MiB)',
    });
    assert.throws(() => checkTraceSize(1001, 't', 1000), { message: 't: the file has 1,001 bytes; a trace file may have at most 1,000 (1,000 bytes)' });
  });
});

describe('CSV without quotes', () => {
  it('skips a line of any blanks (form feed, vertical tab), and strips a CR only before a newline', () => {
    assert.equal(read('a,lost\n1,0\n\f\n \v \n2,1\n', { column: 'lost' }), '01');
    // A blank CRLF line after an LF row: the row keeps its last character.
    assert.equal(read('a,lost\n1,0\n\r\n2,1\n', { column: 'lost' }), '01');
  });

  it('reads a single column, CRLF rows, blanks around a value, and true/false in any case', () => {
    assert.equal(read('lost\n0\n1\n', { column: 'lost' }), '01');
    assert.equal(read('a,lost\r\nx, 1 \r\ny,True\r\nz,FALSE\r\nw,0', { column: 'lost' }), '1100');
    // Comments, blank lines and lines of blanks skipped, before the header too.
    assert.equal(read('# exported\n\n  \nseq,lost\n1,1\n   # a note\n\n2,0\n', { column: 'lost' }), '10');
  });

  it('takes the delimiter the header uses most, the comma on a tie', () => {
    assert.equal(read('x;y,lost\n1;2,1\n', { column: 'lost' }), '1');
    assert.equal(read('a;b,c;lost\n1;2,3;0\n', { column: 'lost' }), '0');
    assert.equal(read('a;b\tc\tlost\n1;2\t3\t1\n', { column: 'lost' }), '1');
  });

  it('matches the column with blanks trimmed on either side', () => {
    assert.equal(read('a, lost \n1,1\n', { column: 'lost' }), '1');
    assert.equal(read('a,lost\n1,0\n', { column: ' lost ' }), '0');
  });

  it('refuses a one-character value other than 0 or 1, a short row, and a missing column, naming the line', () => {
    assert.equal(refusal('a,lost\n1,1\n1,2\n', { column: 'lost' }), 't:3: "2" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
    assert.equal(refusal('a,lost\n1,\n', { column: 'lost' }), 't:2: "" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
    assert.equal(refusal('a,b,lost\n# c\n1,2\n', { column: 'lost' }), 't:3: the row has 2 fields, so no column "lost" (field 3)');
    assert.equal(refusal('# c\na,b\n1,2\n', { column: 'lost' }), 't:2: no column "lost"; the columns are "a", "b"');
  });

  it('refuses a column named in a file of 0/1 digits as such, not listing its first line as the columns', () => {
    assert.equal(refusal('0001101\n', { column: 'lost' }), 't:1: column: "lost" was given, but this is a trace of 0/1 digits, not a CSV; leave column: out');
    assert.equal(
      refusal('# a note\n0 1 1\n0\n', { column: 'lost', columnOption: '--column' }),
      't:2: --column "lost" was given, but this is a trace of 0/1 digits, not a CSV; leave --column out',
    );
    assert.equal(read('1\n0\n1\n', { column: '1' }), '01', 'a one-column CSV whose header is 1');
  });

  it('refuses a file with no header, or with no rows', () => {
    assert.equal(refusal('', { column: 'lost' }), 't: the trace is empty: no CSV header and no rows');
    assert.equal(refusal('# only a note\n\n', { column: 'lost' }), 't: the trace is empty: no CSV header and no rows');
    assert.equal(refusal('lost\n\n# none\n', { column: 'lost' }), 't: the trace is empty: the CSV has a header but no rows');
  });
});

describe('CSV with quotes (RFC 4180)', () => {
  it('reads quoted and unquoted fields, blanks around them, CR before a newline or at the end', () => {
    assert.equal(read('a,"lost"\n"x","1"\n  "y" , 0 \r\n"z,w",  "true"  \r\nq,"0"\r', { column: 'lost' }), '1010');
    // Doubled quotes in a header name, in a field before the column and in the column's value.
    assert.equal(read('"say ""hi""",b\n"1",x\n', { column: 'say "hi"' }), '1');
    assert.equal(
      refusal('"say ""hi""",b\n"1",x\n"0""",y\n', { column: 'say "hi"' }),
      't:3: "0\\"" in column "say "hi"": a trace is 0 or false (delivered), 1 or true (lost)',
    );
    assert.equal(read('a,lost\n"x ""y"", z",1\n"",0\n', { column: 'lost' }), '10');
  });

  it('reads a CR not before a newline as part of a field, and skips a lone CR at the end', () => {
    assert.equal(read('"lost"\n\r1\n0\n', { column: 'lost' }), '10');
    assert.equal(read('"lost"\n1\n\r', { column: 'lost' }), '1');
  });

  it('refuses a longer value that starts with 0 or 1', () => {
    assert.equal(refusal('a,"lost"\nx,0x\n', { column: 'lost' }), 't:2: "0x" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
  });

  it('skips blank lines, CRLF blank lines, lines of blanks, comments and records of one empty field', () => {
    assert.equal(read('"lost"\n\n\r\n  \n\t\n# "a note"\n""\n"1"\n  ""  \n0\n', { column: 'lost' }), '10');
    assert.equal(refusal('""\n\n', { column: 'lost' }), 't: the trace is empty: no CSV header and no rows');
  });

  it('counts lines past quoted newlines, in rows and in refusals', () => {
    assert.equal(
      refusal('a,"lost"\n"two\nlines\n",1\n"x",2\n', { column: 'lost' }),
      't:5: "2" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)',
    );
    assert.equal(refusal('a,"lost"\n"two\nlines",1\n\n# c\n"x"\n', { column: 'lost' }), 't:6: the row has 1 field, so no column "lost" (field 2)');
  });

  it('takes a record of one field of doubled quotes for a field, not for an empty record, whichever column is wanted', () => {
    // `""""` is a field holding one quote, as it is in the column wanted: the record has a field, but not the column.
    assert.equal(refusal('a,"lost"\n0,1\n""""\n1,0\n', { column: 'lost' }), 't:3: the row has 1 field, so no column "lost" (field 2)');
    assert.equal(refusal('a,"lost"\n0,1\n  """"""  \r\n1,0\n', { column: 'lost' }), 't:3: the row has 1 field, so no column "lost" (field 2)');
    assert.equal(refusal('a,"lost"\n0,1\n""""\n1,0\n', { column: 'a' }), 't:3: the row has 1 field but the header has 2: a row has one field per column');
    assert.equal(refusal('a,"lost"\n0,1\n"""",0\n1,0\n', { column: 'a' }), 't:3: "\\"" in column "a": a trace is 0 or false (delivered), 1 or true (lost)');
  });

  it('refuses a row of more or fewer fields than the header, quoted or not, where the column read is whole: the row is misaligned, so which field is the column is a guess', () => {
    const more = 't:3: the row has 3 fields but the header has 2: a row has one field per column';
    const fewer = 't:3: the row has 2 fields but the header has 3: a row has one field per column';
    // plain (no quote in the file), then by RFC 4180 (a quote earlier), with each delimiter
    for (const [d, q] of [
      [',', ''],
      [';', ''],
      ['\t', ''],
      [',', '"'],
      [';', '"'],
      ['\t', '"'],
    ] as const) {
      const head = `${q}time${q}${d}lost\n1${d}0\n`;
      assert.equal(refusal(`${head}2${d}1${d}0\n3${d}0\n`, { column: 'lost' }), more, `${JSON.stringify(d)} ${q}`);
      assert.equal(refusal(`${head}2${d}1${d}\r\n3${d}0\n`, { column: 'lost' }), more, `a trailing delimiter ${JSON.stringify(d)} ${q}`);
      assert.equal(refusal(`${head}2${d}"1"${d}x\n`, { column: 'lost' }), more, `quoted ${JSON.stringify(d)}`);
      const three = `${q}time${q}${d}lost${d}note\n1${d}0${d}a\n`;
      assert.equal(refusal(`${three}2${d}1\n3${d}0${d}b\n`, { column: 'lost' }), fewer, `${JSON.stringify(d)} ${q}`);
      // a delimiter inside quotes ends no field
      assert.equal(read(`${three}2${d}1${d}"a${d}b"\n`, { column: 'lost' }), '01');
    }
    // far into a file, where the scan reads rows in blocks
    assert.equal(
      refusal(`t,lost\n${'1,0\n'.repeat(100_000)}1,1,1\n`, { column: 'lost' }),
      't:100002: the row has 3 fields but the header has 2: a row has one field per column',
    );
    assert.equal(
      refusal(`t,lost,x\n${'1,0,\n'.repeat(100_000)}1,1\n`, { column: 'lost' }),
      't:100002: the row has 2 fields but the header has 3: a row has one field per column',
    );
  });

  it('reads a tab-separated file with a leading empty field: a tab is a delimiter there, not a blank', () => {
    assert.equal(read('seq\t"lost"\n1\t"1"\n\t0\n \t 1 \n', { column: 'lost' }), '101');
  });

  it('refuses text after a closing quote, a quote inside an unquoted field, and a quote never closed, naming the line', () => {
    assert.equal(
      refusal('a,"lost"\n1,"0" x\n', { column: 'lost' }),
      't:2: text follows a closing quote in the same field; double a quote inside a quoted field ("")',
    );
    assert.equal(
      refusal('a,"lost"\n1,"0"\rx\n', { column: 'lost' }),
      't:2: text follows a closing quote in the same field; double a quote inside a quoted field ("")',
    );
    assert.equal(refusal('a,"lost"\n1,0\n2,a"b\n', { column: 'lost' }), 't:3: the CSV cannot be read (CSV_INVALID_OPENING_QUOTE)');
    assert.equal(refusal('a,"lost"\n"1\n2,0\n3,1', { column: 'lost' }), 't:2: a quote is opened and never closed, so the rows after it cannot be read');
  });

  it('refuses a value that is not an outcome, quoted or not, and an empty quoted value', () => {
    assert.equal(refusal('"lost"\n"2"\n', { column: 'lost' }), 't:2: "2" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
    assert.equal(refusal('"lost",a\n2,x\n', { column: 'lost' }), 't:2: "2" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
    assert.equal(refusal('a,"lost"\nx,""\n', { column: 'lost' }), 't:2: "" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)');
  });
});

describe('ping logs: what is ping', () => {
  it('knows a log by any one of its marks, alone in the file', () => {
    const noPackets = 't: the ping log has no packets: nothing was transmitted';
    for (const header of ['PING host', 'PING(host)', 'PING6(56=40+8+8 bytes) ::1 --> ::1', 'PING\thost']) {
      assert.equal(refusal(`${header}\n`), noPackets, header);
      assert.equal(refusal(`# note\n${header}\n`), noPackets, `${header} on line 2`);
    }
    // Headerless excerpts: a busybox reply, an old iputils reply, a summary alone.
    assert.equal(read('64 bytes from 192.0.2.1: seq=0 ttl=64 time=1.0 ms\n64 bytes from 192.0.2.1: seq=2 ttl=64 time=1.0 ms\n'), '010');
    assert.equal(read('64 bytes from h (192.0.2.1): icmp_req=4 ttl=64 time=1.0 ms\n64 bytes from h (192.0.2.1): icmp_req=6 ttl=64 time=1.0 ms\n'), '010');
    assert.equal(
      refusal('3 packets transmitted, 3 received, 0% packet loss\n'),
      't:1: the summary counts 3 replies but no reply line with a sequence number is in the log (ping -q?): the trace needs one line per packet',
    );
  });

  it('takes no other line for a header', () => {
    for (const text of ['PINGS host\n', 'PINGhost\n', 'PONG host\n', 'x PING host\n', 'ping host\n'])
      assert.match(refusal(text), /: this looks like a CSV \(header /, text);
    // A word `seq=` without ` bytes from ` is no ping reply.
    assert.match(refusal('note seq=3\n'), /: this looks like a CSV \(header /);
  });

  it('refuses Windows ping output only by a header at the start of a line', () => {
    assert.equal(
      refusal('# Pinging notes\nPinging 192.0.2.1 with 32 bytes of data:\n'),
      't:2: Windows ping output has no sequence numbers to place losses by; record the trace with a Linux, macOS, BSD or busybox ping, or as 0/1 digits',
    );
    assert.match(refusal('x Pinging 192.0.2.1 with 32 bytes of data:\n'), /^t:1: this looks like a CSV/);
    assert.match(refusal('Pinging is what this file is about\n'), /^t:1: this looks like a CSV/);
  });

  it('refuses an excerpt of Windows ping output without its header by its replies or timeouts, not as a CSV', () => {
    const windows = (line: number) =>
      `t:${line}: Windows ping output has no sequence numbers to place losses by; record the trace with a Linux, macOS, BSD or busybox ping, or as 0/1 digits`;
    assert.equal(refusal('Reply from 192.0.2.1: bytes=32 time=12ms TTL=57\r\nRequest timed out.\r\n'), windows(1));
    assert.equal(refusal('# tail\nRequest timed out.\r\nReply from 192.0.2.1: bytes=32 time<1ms TTL=57\r\n'), windows(2));
    // another language's words around the same fields
    assert.equal(refusal('\nAntwort von 192.0.2.1: Bytes=32 Zeit=12ms TTL=57\r\n'), windows(2));
    // a CSV named by its column is read as one; a line that merely mentions a timeout is no ping output
    assert.equal(read('note,lost\nbytes=32 TTL=57,1\n', { column: 'lost' }), '1');
    assert.match(refusal('x Request timed out.\n'), /^t:1: this looks like a CSV/);
  });
});

describe('ping logs: the dialect and its numbering', () => {
  const summary = (sent: number, received: number, packetsWord = '') => `${sent} packets transmitted, ${received} ${packetsWord}received, 0% packet loss`;
  const format = (lines: string[]) => parseLossTrace(lines.join('\n'), { file: 't' }).format;

  it('names the dialect by the header first, then by the lines, then by the first number', () => {
    const one = [reply(1), reply(2)];
    const zero = [reply(0), reply(1)];
    assert.equal(format([MACOS_HEADER, ...one]), 'ping-macos');
    assert.equal(format(['PING6(56=40+8+8 bytes) ::1 --> ::1', ...one]), 'ping-macos');
    assert.equal(format([LINUX_HEADER, ...zero]), 'ping-linux');
    assert.equal(format(['PING ::1 (::1) 56 data bytes', ...zero]), 'ping-linux');
    assert.equal(format([...zero, 'From 192.0.2.9 icmp_seq=2 Destination Host Unreachable']), 'ping-linux');
    assert.equal(format([...one, 'Request timeout for icmp_seq 3']), 'ping-macos');
    assert.equal(format([LINUX_HEADER, ...one, 'Request timeout for icmp_seq 3']), 'ping-linux');
    assert.equal(format([MACOS_HEADER, ...zero, 'no answer yet for icmp_seq=2']), 'ping-macos');
    assert.equal(format([...one, '', summary(2, 2, 'packets ')]), 'ping-macos');
    // iputils' summary says `M received`, BSD's and busybox's `M packets received`: a tail without its header
    assert.equal(format([...zero, '', summary(2, 2)]), 'ping-linux');
    assert.equal(format([...zero, 'Request timeout for icmp_seq 2', '', summary(3, 2)]), 'ping-linux');
    assert.equal(format(zero), 'ping-macos');
    assert.equal(format(one), 'ping-linux');
    assert.equal(format([LINUX_HEADER, '64 bytes from 192.0.2.1: seq=1 ttl=64 time=1.0 ms']), 'ping-busybox');
  });

  it('ends the trace where the summary says, counting from 1 on Linux and from 0 elsewhere', () => {
    // Replies 1 and 2 shown, 5 sent: Linux sent 1–5 (3 lost at the end), macOS 0–4 (2 lost).
    const shown = [reply(1), reply(2), ''];
    const linux = parseLossTrace([LINUX_HEADER, ...shown, summary(5, 2)].join('\n'), { file: 't' });
    assert.equal(linux.lost.join(''), '00111');
    assert.deepEqual(linux.range, { first: 1, last: 5 });
    const macos = parseLossTrace([MACOS_HEADER, ...shown, summary(5, 2, 'packets ')].join('\n'), { file: 't' });
    assert.equal(macos.lost.join(''), '0011');
    assert.deepEqual(macos.range, { first: 1, last: 4 });
    // Each names the packets before the first shown (Linux's none, macOS's 0) in its warning.
    assert.deepEqual(linux.warnings, []);
    assert.deepEqual(macos.warnings, [
      "the log's summary (line 5) says 5 packets transmitted, 2 received, but the log shows 4 packets (icmp_seq 1–4), 2 received; the trace holds what the log shows",
    ]);
  });

  it('ends a Linux tail that starts at 0 (icmp_seq wrapped) where its summary says, counting from 1', () => {
    // 65,539 sent by iputils: numbers 1 … 65,539, the last printed as 3. The tail shows 0–2, so 3 was lost.
    const tail = parseLossTrace([reply(0), reply(1), reply(2), '', '--- 192.0.2.1 ping statistics ---', summary(65_539, 60_000)].join('\n'), { file: 't' });
    assert.equal(tail.format, 'ping-linux');
    assert.deepEqual([tail.range, tail.lost.join('')], [{ first: 0, last: 3 }, '0001']);
  });

  it('takes a summary up to 32,767 numbers past the last shown as the end, 32,768 as behind it', () => {
    const ahead = parseLossTrace([LINUX_HEADER, reply(1), reply(2), '', summary(2 + 32_767, 2)].join('\n'), { file: 't' });
    assert.deepEqual(ahead.range, { first: 1, last: 2 + 32_767 });
    const behind = parseLossTrace([LINUX_HEADER, reply(1), reply(2), '', summary(2 + 32_768, 2)].join('\n'), { file: 't' });
    assert.deepEqual(behind.range, { first: 1, last: 2 });
  });

  it('takes a bare PING header for neither dialect, and the Linux one with any blanks before the size', () => {
    const zero = [reply(0), reply(1)];
    assert.equal(format(['PING 192.0.2.1', ...zero]), 'ping-macos');
    assert.equal(format(['PING ::1 (::1)  56 data bytes', ...zero]), 'ping-linux');
  });

  it('takes a summary behind the last number shown (a wrapped count) as saying nothing of the end', () => {
    // 3 sent, but replies up to 5: the summary's last number, 3, lies behind; the log's end stands.
    const trace = parseLossTrace([LINUX_HEADER, reply(1), reply(5), '', summary(3, 2)].join('\n'), { file: 't' });
    assert.equal(trace.lost.join(''), '01110');
    assert.equal(trace.warnings.length, 1);
    assert.match(
      trace.warnings[0]!,
      /^the log's summary \(line 5\) says 3 packets transmitted, 2 received, but the log shows 5 packets \(icmp_seq 1–5\), 2 received;/,
    );
  });

  it('warns when the summary counts other replies than the log shows, even with the packets right', () => {
    const trace = parseLossTrace([LINUX_HEADER, reply(1), reply(3), '', summary(3, 3)].join('\n'), { file: 't' });
    assert.equal(trace.lost.join(''), '010');
    assert.deepEqual(trace.warnings, [
      "the log's summary (line 5) says 3 packets transmitted, 3 received, but the log shows 3 packets (icmp_seq 1–3), 2 received; the trace holds what the log shows",
    ]);
  });

  it('ignores a summary line whose counts cannot be read, and refuses a second summary', () => {
    assert.deepEqual(parseLossTrace([reply(1), reply(2), 'x packets transmitted, 2 received'].join('\n'), { file: 't' }).warnings, []);
    assert.equal(refusal([reply(1), summary(1, 1), summary(1, 1)].join('\n')), 't:3: a second ping summary (the first at line 2); give one run per file');
  });

  it('reads a summary of thousands of packets, digit for digit', () => {
    const trace = parseLossTrace([LINUX_HEADER, reply(1), '', summary(12_345, 1)].join('\n'), { file: 't' });
    assert.equal(trace.lost.length, 12_345);
    assert.deepEqual(trace.range, { first: 1, last: 12_345 });
    assert.deepEqual(traceStats(trace.lost).losses, 12_344);
  });
});

describe('ping logs: the lines', () => {
  it('reads lines a colouriser wrapped whole, and refuses one whose colour codes hide its number, naming its line', () => {
    const colour = (line: string) => `\u001b[32m${line}\u001b[0m`;
    assert.equal(read([LINUX_HEADER, colour(reply(1)), colour(reply(3)), reply(4)].join('\n')), '0100');
    // read past, packet 2's line would be lost (and a first line's would start the trace elsewhere)
    const hidden = '64 bytes from 192.0.2.1: icmp_seq=\u001b[33m2\u001b[0m ttl=64 time=1.0 ms';
    for (const [lines, line] of [
      [[LINUX_HEADER, reply(1), hidden, reply(3)], 3],
      [[hidden.replace('icmp_seq', 'seq'), reply(3, 'seq=')], 1],
      [['Request timeout for icmp_seq \u001b[1m2\u001b[0m', reply(3)], 1],
    ] as const)
      assert.match(refusal(lines.join('\n')), new RegExp(`^t:${line}: a terminal colour code \\(ESC\\[…m\\) hides the line's sequence number`));
  });

  it('takes a reply only from `<size> bytes from `, told by each of its characters', () => {
    // Packet 2's line is each time a near miss: it names the number, but is no reply, so 2 is lost.
    for (const near of [
      '64 xytes from',
      '64 byteX from',
      '64 bytes xrom',
      '64 bytes frox',
      '64 bytes fromX',
      '64bytes from',
      'x64 bytes from',
      ' bytes from',
      '- bytes from',
      '64xbytes from',
    ]) {
      const log = [LINUX_HEADER, reply(1), `${near} 192.0.2.1: icmp_seq=2 time=1.0 ms`, reply(3)].join('\n');
      assert.equal(read(log), '010', near);
      // A ` ttl=` on the line tells a reply whatever is before its number (a line cut by `tail -c`).
      assert.equal(read([LINUX_HEADER, reply(1), `${near} 192.0.2.1: icmp_seq=2 ttl=64`, reply(3)].join('\n')), '000', `${near} ttl=`);
    }
    // Any size is a size: 9 bytes (ping -s 1), 0.
    for (const size of ['9', '0']) assert.equal(read([LINUX_HEADER, reply(1), `${size} bytes from 192.0.2.1: icmp_seq=2 time=1.0 ms`].join('\n')), '00', size);
    // `ttl` without its `=`, or with no space before it, tells nothing.
    for (const near of ['ttl64', 'xttl=64', 'tl=64'])
      assert.equal(read([LINUX_HEADER, reply(1), `From 192.0.2.1 icmp_seq=2 ${near}`, reply(3)].join('\n')), '010', near);
  });

  it('takes no line starting with P for a second header unless it says PING', () => {
    assert.equal(read([LINUX_HEADER, reply(1), 'PONG x', 'Pxxx (x)', reply(2)].join('\n')), '00');
  });

  it('reads the first token that holds a number, icmp_seq before icmp_req', () => {
    assert.equal(read([MACOS_HEADER, '64 bytes from h: icmp_seq=0 x seq=5', reply(1)].join('\n')), '00');
    assert.equal(read([MACOS_HEADER, '64 bytes from h: icmp_seq=0 icmp_req=9', '64 bytes from h: icmp_seq=1 icmp_req=3', reply(2)].join('\n')), '000');
  });

  it('knows a number by icmp_seq=, macOS icmp_seq and busybox seq=, and no other seq', () => {
    assert.equal(read([MACOS_HEADER, reply(0), 'Request timeout for icmp_seq 1', reply(2)].join('\n')), '010');
    // `xseq=`, `_seq:` and ` seq ` name nothing: the line's icmp_seq= is read.
    assert.equal(read([LINUX_HEADER, reply(1), '64 bytes from 192.0.2.1: xseq=7 icmp_seq=2 ttl=64', reply(3)].join('\n')), '000');
    assert.equal(read([LINUX_HEADER, reply(1), '64 bytes from 192.0.2.1: icmp_seq:7 icmp_seq=2 ttl=64', reply(3)].join('\n')), '000');
    assert.equal(read([LINUX_HEADER, reply(1), '64 bytes from 192.0.2.1: seq 7 icmp_seq=2 ttl=64', reply(3)].join('\n')), '000');
    // A token without a number is passed over for the next.
    assert.equal(read([LINUX_HEADER, reply(1), '64 bytes from 192.0.2.1: icmp_seq=x icmp_seq=2 ttl=64', reply(3)].join('\n')), '000');
  });

  it('refuses a sequence number past 16 bits at its line, which no ping prints (placed modulo 2^16, it made up lost packets)', () => {
    // 65,538 was taken as 2; 99,999,999,999,999 (read to its twelfth digit) as 4,095, which made a
    // log of three replies 4,095 packets with 4,092 lost. Every path reads the line: a reply, a
    // macOS timeout, busybox's seq=, leading zeros below 65,536 are still that number.
    assert.equal(
      refusal([LINUX_HEADER, reply(1), reply(65_538), reply(4)].join('\n')),
      "t:3: sequence number 65538 is past 65535: a ping's sequence numbers are 16 bits",
    );
    assert.equal(
      refusal([LINUX_HEADER, reply(1), reply(99_999_999_999_999), reply(3)].join('\n')),
      "t:3: sequence number 999999999999… is past 65535: a ping's sequence numbers are 16 bits",
    );
    assert.equal(
      refusal([MACOS_HEADER, 'Request timeout for icmp_seq 70000', reply(1)].join('\n')),
      "t:2: sequence number 70000 is past 65535: a ping's sequence numbers are 16 bits",
    );
    assert.equal(
      refusal(
        ['PING h (10.0.0.1): 56 data bytes', '64 bytes from 10.0.0.1: seq=0 ttl=64 time=0.1 ms', '64 bytes from 10.0.0.1: seq=65536 ttl=64 time=0.1 ms'].join(
          '\n',
        ),
      ),
      "t:3: sequence number 65536 is past 65535: a ping's sequence numbers are 16 bits",
    );
    assert.equal(read([LINUX_HEADER, reply(1), '64 bytes from 10.0.0.1: icmp_seq=0000003 ttl=64 time=0.1 ms', reply(4)].join('\n')), '0100');
  });

  it('places a late reply from before the highest number shown on its own packet', () => {
    // Unwrapped against the highest seen: 65,535 after 1 is the packet before 0 (two back), not
    // 65,534 packets on. The trace runs 65,534 … 65,539 (3 past the wrap), 0 and 2 past it lost.
    const trace = parseLossTrace([MACOS_HEADER, reply(65_534), reply(1), reply(65_535), reply(3)].join('\n'), { file: 't' });
    assert.equal(trace.lost.join(''), '001010');
    assert.deepEqual(trace.range, { first: 65_534, last: 65_539 });
    // A reply older than the first shown starts the trace.
    const reordered = parseLossTrace([LINUX_HEADER, reply(3), reply(2), reply(5)].join('\n'), { file: 't' });
    assert.equal(reordered.lost.join(''), '0010');
    assert.deepEqual(reordered.range, { first: 2, last: 5 });
  });

  it('reads a timestamp of ping -D before a reply, and no reply where the stamp is never closed', () => {
    const stamped = (stamp: string, seq: number) => `${stamp} ${reply(seq)}`;
    // Without its ` ttl=` (which alone tells a reply), a reply line is one only past a closed stamp.
    const bare = (stamp: string, seq: number) => `${stamp} 64 bytes from 192.0.2.1: icmp_seq=${seq} time=1.0 ms`;
    assert.equal(read([LINUX_HEADER, stamped('[1.5]', 1), stamped('[1.25]', 2), bare('[12.5', 3), stamped('[1.75]', 4)].join('\n')), '0010');
    assert.equal(read([LINUX_HEADER, stamped('[1.5]', 1), bare('[1.25]', 2), stamped('[12.5', 3), stamped('[1.75]', 4)].join('\n')), '0000');
    assert.equal(read([LINUX_HEADER, stamped('[1.5]', 1), `[1.5]   ${reply(2)}`, stamped('[]', 3)].join('\n')), '000');
    // A `]` in the line before, as far before this line's start as the stamps are long, is not this stamp's end.
    assert.equal(read([LINUX_HEADER, `${stamped('[1.5]', 1)} (]ab`, stamped('[2.5]', 2)].join('\n')), '00');
    // A stamp ends at its line's first `]`, wherever the stamps before ended: packet 2's line is no reply.
    assert.equal(read(['x', stamped('[12.5]', 1), `[1.5]xxxx] ${bare('', 2).trim()}`, stamped('[1.5]', 3)].join('\n')), '010');
  });

  it('refuses more packets than a trace may hold at the line that passes the limit, or at the summary', () => {
    const limits = (packets: number) => ({ bytes: MAX_TRACE_BYTES, packets });
    const tooMany = (line: number, packets: number) =>
      `t:${line}: more than ${packets.toLocaleString('en-US')} packets, the most a trace may hold (a bit a packet, and the fit's byte a packet and working arrays): cut the trace`;
    const log = (...lines: string[]) => [LINUX_HEADER, ...lines].join('\n');
    // Packets 1–100: exactly the limit of 100.
    assert.equal(parseLossTrace(log(reply(1), reply(100)), { file: 't' }, limits(100)).lost.length, 100);
    assert.throws(() => parseLossTrace(log(reply(1), reply(101)), { file: 't' }, limits(100)), { message: tooMany(3, 100) });
    // The summary's count takes the trace past the limit.
    assert.throws(() => parseLossTrace(log(reply(1), reply(2), '', '101 packets transmitted, 2 received'), { file: 't' }, limits(100)), {
      message: tooMany(5, 100),
    });
    // Each reply 32,767 numbers past the last, the most unwrapping takes as forward: the fifth reply spans 131,069 packets.
    const far = [0, 1, 2, 3, 4].map((j) => reply((j * 32_767) % 65_536));
    assert.equal(parseLossTrace(log(...far.slice(0, 4)), { file: 't' }, limits(100_000)).lost.length, 3 * 32_767 + 1);
    assert.throws(() => parseLossTrace(log(...far), { file: 't' }, limits(100_000)), { message: tooMany(6, 100_000) });
  });
});

describe('trace statistics', () => {
  it('count a trace that starts with a loss', () => {
    assert.deepEqual(traceStats(Uint8Array.of(1, 1, 0, 0)), { packets: 4, losses: 2, lossRate: 0.5, bursts: 1, gaps: 1, meanBurst: 2, meanGap: 2 });
  });
});

describe('the sequence range', () => {
  it('is named as a sentence names it', () => {
    assert.equal(describeRange({ first: 3, last: 10 }), 'icmp_seq 3–10');
  });
});
