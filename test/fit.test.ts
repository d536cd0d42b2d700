import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../src/errors.js';
import {
  baumWelchStep,
  chainStep,
  fitAll,
  fitBernoulli,
  fitGilbert,
  fitGilbertElliott,
  gilbertElliottLogLikelihood,
  gilbertElliottStandardErrors,
  gilbertIntervals,
  goodnessOfFit,
  modelRunLengths,
  transitionCounts,
} from '../src/fit/fit.js';
import type { FitResult, GilbertElliottParams } from '../src/fit/fit.js';
import { MAX_TRACE_BYTES, MAX_TRACE_PACKETS, TraceError, TraceReader, checkTraceSize, parseLossTrace, runLengths, traceStats } from '../src/fit/trace-file.js';
import type { LossTrace } from '../src/fit/trace-file.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { simulateGilbertElliott } from './ge-trace.js';

const FC_SEED = 20260311;

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);

const bits = (s: string) => Uint8Array.from(s.replace(/\s/g, ''), (c) => Number(c));

/**
 * A trace as the simulator draws one (src/channels/gilbert-elliott.ts): the state the last copy
 * saw starts from the stationary distribution; each copy steps the chain, then is lost with its
 * new state's loss probability.
 */

const bernoulliChannel = (loss: number): GilbertElliottParams => ({ goodToBad: 0, badToGood: 1, lossGood: loss, lossBad: loss });

/** Throws a TraceError with exactly this message (file:line: problem) and line. */
function assertTraceError(run: () => unknown, message: string, line: number | undefined): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TraceError, `not a TraceError: ${String(error)}`);
    assert.ok(error instanceof UsageError, 'a TraceError is a UsageError, so the CLI exits 2');
    assert.equal(error.message, message);
    assert.equal(error.line, line);
    assert.equal(error.file, message.split(':')[0]);
    return true;
  });
}

// -------------------------------------------------------------------------------------------
// Parsing

const LINUX_LOG = `PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.
64 bytes from 192.0.2.10: icmp_seq=3 ttl=57 time=10.2 ms
64 bytes from 192.0.2.10: icmp_seq=4 ttl=57 time=10.4 ms
64 bytes from 192.0.2.10: icmp_seq=4 ttl=57 time=10.9 ms (DUP!)
From 192.0.2.1 icmp_seq=5 Destination Host Unreachable
64 bytes from 192.0.2.10: icmp_seq=7 ttl=57 time=11.0 ms
64 bytes from 192.0.2.10: icmp_seq=8 ttl=57 time=9.81 ms

--- 192.0.2.10 ping statistics ---
10 packets transmitted, 4 received, +1 duplicates, +1 errors, 60% packet loss, time 9012ms
rtt min/avg/max/mdev = 9.810/10.300/11.000/0.400 ms
`;
// Packets 3–10: the log shows nothing before 3, so the trace starts there (1 and 2 are not
// counted); 5 an error, 6 missing, 9 and 10 lost after the last reply (the summary says 10 were
// sent); 4's duplicate counts once.
const LINUX_TRACE = '00110011';

const MACOS_LOG = `PING 192.0.2.10 (192.0.2.10): 56 data bytes
Request timeout for icmp_seq 0
64 bytes from 192.0.2.10: icmp_seq=1 ttl=57 time=10.215 ms
64 bytes from 192.0.2.10: icmp_seq=2 ttl=57 time=10.402 ms
Request timeout for icmp_seq 3
64 bytes from 192.0.2.10: icmp_seq=4 ttl=57 time=12.113 ms
64 bytes from 192.0.2.10: icmp_seq=4 ttl=57 time=12.500 ms (DUP!)
64 bytes from 192.0.2.10: icmp_seq=5 ttl=57 time=9.871 ms

--- 192.0.2.10 ping statistics ---
8 packets transmitted, 4 packets received, +1 duplicates, 50.0% packet loss
round-trip min/avg/max/stddev = 9.871/10.650/12.113/0.889 ms
`;
// Packets 0–7 (macOS counts from 0): 0 and 3 timed out, 6 and 7 sent after the last reply.
const MACOS_TRACE = '10010011';

describe('parseLossTrace: digits and CSV', () => {
  it('reads digits one per line or as strings, skipping blanks, comments, CRLF and a BOM', () => {
    const text = '\ufeff# measured 2026-03-11\r\n0\r\n1\r\n\r\n  # a comment\n0110 0111\n\t1 0 1\n';
    const trace = parseLossTrace(text, { file: 'losses.txt' });
    assert.equal(trace.format, 'digits');
    assert.deepEqual([...trace.lost], [...bits('01' + '01100111' + '101')]);
  });

  it('reads a CSV column of 0/1 or true/false, with quotes, other delimiters and line numbers past quoted newlines', () => {
    const csv = 'time,note,lost\n0.0,"ok, fine",0\n0.1,"two\nlines",1\n\n0.2,x,"true"\r\n0.3,y,FALSE\n';
    const trace = parseLossTrace(csv, { file: 'trace.csv', column: 'lost' });
    assert.equal(trace.format, 'csv');
    assert.deepEqual([...trace.lost], [0, 1, 1, 0]);
    assert.deepEqual([...parseLossTrace('seq;lost\n1;1\n2;0\n', { file: 'x.csv', column: 'lost' }).lost], [1, 0]);
    assert.deepEqual([...parseLossTrace('seq\tlost\n1\t0\n2\t1\n', { file: 'x.tsv', column: 'lost' }).lost], [0, 1]);
    // The quoted newline in line 3 and the blank line 5 put the last row on line 7.
    assertTraceError(
      () => parseLossTrace(csv.replace('FALSE', 'lost'), { file: 'trace.csv', column: 'lost' }),
      'trace.csv:7: "lost" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)',
      7,
    );
  });

  it('round-trips any 0/1 sequence however it is spread over lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.constantFrom('', ' ', '\n', '\r\n', '\n# note\n', '\t', '\n\n'), { minLength: 300, maxLength: 300 }),
        (trace, separators) => {
          const text = trace.map((x, i) => `${x}${separators[i]}`).join('');
          assert.deepEqual([...parseLossTrace(text, { file: 't' }).lost], trace);
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});

describe('parseLossTrace: ping', () => {
  it('reads Linux iputils output from its first number: an error line, a gap, losses at the end, a DUP!', () => {
    const trace = parseLossTrace(LINUX_LOG, { file: 'ping.txt' });
    assert.equal(trace.format, 'ping-linux');
    assert.equal([...trace.lost].join(''), LINUX_TRACE);
    assert.deepEqual(trace.range, { first: 3, last: 10 });
    // The summary counts 10 sent, the log shows 8: both figures named.
    assert.deepEqual(trace.warnings, [
      "the log's summary (line 10) says 10 packets transmitted, 4 received, but the log shows 8 packets (icmp_seq 3–10), 4 received; the trace holds what the log shows",
    ]);
  });

  it('reads macOS output: numbering from 0, Request timeout lines, losses at the end, a DUP!', () => {
    const trace = parseLossTrace(MACOS_LOG, { file: 'ping.txt' });
    assert.equal(trace.format, 'ping-macos');
    assert.equal([...trace.lost].join(''), MACOS_TRACE);
  });

  it('starts a macOS log at the first number it shows, and agrees with its summary when it shows them all', () => {
    assert.deepEqual(parseLossTrace(MACOS_LOG, { file: 'ping.txt' }).warnings, []);
    const trace = parseLossTrace(MACOS_LOG.replace('Request timeout for icmp_seq 0\n', ''), { file: 'ping.txt' });
    assert.equal([...trace.lost].join(''), MACOS_TRACE.slice(1));
    assert.deepEqual(trace.range, { first: 1, last: 7 });
    assert.equal(trace.warnings.length, 1);
    assert.match(trace.warnings[0]!, /says 8 packets transmitted, 4 received, but the log shows 7 packets \(icmp_seq 1–7\), 4 received/);
  });

  it('reads Linux ping -O (no answer yet) and older icmp_req, and takes a late reply as delivered', () => {
    const log = `PING example.net (192.0.2.7) 56(84) bytes of data.
64 bytes from example.net (192.0.2.7): icmp_req=1 ttl=50 time=20.1 ms
no answer yet for icmp_seq=2
64 bytes from example.net (192.0.2.7): icmp_req=3 ttl=50 time=20.3 ms
no answer yet for icmp_seq=4
64 bytes from example.net (192.0.2.7): icmp_req=2 ttl=50 time=1502 ms
64 bytes from example.net (192.0.2.7): icmp_req=5 ttl=50 time=19.9 ms
`;
    // No summary: the log ends at its last numbered line.
    assert.equal([...parseLossTrace(log, { file: 'ping.txt' }).lost].join(''), '00010');
  });

  it('unwraps icmp_seq past 65535', () => {
    const sent = 70_000;
    const lostSeqs = new Set([2, 65_535, 65_536, 65_537, 69_999, 70_000]); // Linux numbering from 1
    const lines = ['PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.'];
    for (let seq = 1; seq <= sent; seq++) if (!lostSeqs.has(seq)) lines.push(`64 bytes from 192.0.2.10: icmp_seq=${seq % 65_536} ttl=57 time=10.0 ms`);
    lines.push('', '--- 192.0.2.10 ping statistics ---', `${sent} packets transmitted, ${sent - lostSeqs.size} received, 0% packet loss, time 69999000ms`);
    const { lost, warnings } = parseLossTrace(lines.join('\n'), { file: 'long.txt' });
    assert.equal(lost.length, sent);
    const found = [...lost.keys()].filter((i) => lost[i] === 1).map((i) => i + 1);
    assert.deepEqual(found, [...lostSeqs]);
    assert.deepEqual(warnings, []);
  });

  it('places a reply up to half the number space below the first number shown, and replies far above it, each once', () => {
    const reply = (seq: number) => `64 bytes from 192.0.2.10: icmp_seq=${seq % 65_536} ttl=57 time=10.0 ms`;
    // 40,000 first, then 7,232 (32,768 below: the lowest a number can unwrap to), then on by 997 to past 140,000, 40,000 again (a duplicate).
    const shown = [40_000, 7_232, 40_000];
    for (let seq = 40_997; seq <= 140_000; seq += 997) shown.push(seq);
    const lines = ['PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.', ...shown.map(reply)];
    const { lost, range } = parseLossTrace(lines.join('\n'), { file: 'far.txt' });
    const last = shown[shown.length - 1]!;
    assert.deepEqual(range, { first: 7_232, last });
    assert.equal(lost.length, last - 7_232 + 1);
    const delivered = [...lost.keys()].filter((i) => lost[i] === 0).map((i) => i + 7_232);
    assert.deepEqual(
      delivered,
      [...new Set(shown)].sort((a, b) => a - b),
    );
  });

  it('recovers any loss pattern from a synthesized log of any dialect, from the first packet the log shows', () => {
    const pattern = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 120 }).filter((p) => p.includes(0));
    const decorations = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 120, maxLength: 120 });
    fc.assert(
      fc.property(pattern, decorations, fc.constantFrom('linux', 'macos', 'busybox'), fc.boolean(), (trace, decor, dialect, header) => {
        const first = dialect === 'linux' ? 1 : 0;
        let shown = -1;
        const lines: string[] = [];
        if (header) lines.push(dialect === 'linux' ? 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.' : 'PING 192.0.2.1 (192.0.2.1): 56 data bytes');
        const seqField = dialect === 'busybox' ? 'seq' : 'icmp_seq';
        trace.forEach((x, i) => {
          const seq = first + i;
          if (!x) {
            lines.push(`64 bytes from 192.0.2.1: ${seqField}=${seq} ttl=64 time=1.0 ms`);
            if (decor[i] === 1) lines.push(`64 bytes from 192.0.2.1: ${seqField}=${seq} ttl=64 time=1.2 ms (DUP!)`);
          } else if (decor[i]! >= 2 && dialect !== 'busybox') {
            lines.push(dialect === 'macos' ? `Request timeout for icmp_seq ${seq}` : `From 192.0.2.254 icmp_seq=${seq} Destination Host Unreachable`);
          } else return;
          if (shown < 0) shown = i;
        });
        const received = trace.filter((x) => x === 0).length;
        lines.push(
          '',
          '--- 192.0.2.1 ping statistics ---',
          `${trace.length} packets transmitted, ${received} ${dialect === 'linux' ? '' : 'packets '}received, 0% packet loss`,
        );
        const parsed = parseLossTrace(lines.join('\n'), { file: 'p' });
        assert.deepEqual([...parsed.lost], trace.slice(shown));
        assert.deepEqual(parsed.range, { first: first + shown, last: first + trace.length - 1 });
        assert.equal(parsed.warnings.length, shown > 0 ? 1 : 0);
        if (header || dialect !== 'macos' || shown === 0 || decor.some((d, i) => i < trace.length && d >= 2 && trace[i] === 1))
          assert.equal(parsed.format, `ping-${dialect}`);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });
});

describe('parseLossTrace: errors name the file and line', () => {
  it('an empty trace', () => {
    assertTraceError(() => parseLossTrace('', { file: 'losses.txt' }), 'losses.txt: the trace is empty: no 0 (delivered) or 1 (lost) in it', undefined);
    assertTraceError(
      () => parseLossTrace('# nothing yet\n\n', { file: 'losses.txt' }),
      'losses.txt: the trace is empty: no 0 (delivered) or 1 (lost) in it',
      undefined,
    );
    assertTraceError(
      () => parseLossTrace('time,lost\n', { file: 't.csv', column: 'lost' }),
      't.csv: the trace is empty: the CSV has a header but no rows',
      undefined,
    );
  });

  it('a character other than 0 or 1', () => {
    const text = `${'0\n'.repeat(11)}01x1\n`;
    assertTraceError(() => parseLossTrace(text, { file: 'losses.txt' }), 'losses.txt:12: unexpected character "x": a trace is 0 (delivered) or 1 (lost)', 12);
    assertTraceError(
      () => parseLossTrace('0,1,1\n', { file: 'losses.txt' }),
      'losses.txt:1: unexpected character ",": a trace is 0 (delivered) or 1 (lost)',
      1,
    );
  });

  it('a CSV without column:, or without the named column', () => {
    const csv = '# exported\ntime,seq,lost\n0.0,1,0\n';
    assertTraceError(
      () => parseLossTrace(csv, { file: 'trace.csv' }),
      'trace.csv:2: this looks like a CSV (header "time,seq,lost"): give column: to name the column of 0/1 outcomes',
      2,
    );
    assertTraceError(
      () => parseLossTrace(csv, { file: 'trace.csv', column: 'loss' }),
      `trace.csv:2: no column "loss" (did you mean 'lost'?); the columns are "time", "seq", "lost"`,
      2,
    );
    assertTraceError(
      () => parseLossTrace(csv, { file: 'trace.csv', column: 'dropped' }),
      'trace.csv:2: no column "dropped"; the columns are "time", "seq", "lost"',
      2,
    );
  });

  it('a CSV value that is not 0/1 or true/false, or a short row', () => {
    const csv = 'time,lost\n0.0,0\n0.1,1\n0.2,0.5\n';
    assertTraceError(
      () => parseLossTrace(csv, { file: 'trace.csv', column: 'lost' }),
      'trace.csv:4: "0.5" in column "lost": a trace is 0 or false (delivered), 1 or true (lost)',
      4,
    );
    assertTraceError(
      () => parseLossTrace('time,lost\n0.0\n', { file: 'trace.csv', column: 'lost' }),
      'trace.csv:2: the row has 1 field, so no column "lost" (field 2)',
      2,
    );
  });

  it('a ping log with no replies, or with no packets', () => {
    const silent =
      'PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.\n\n--- 192.0.2.10 ping statistics ---\n5 packets transmitted, 0 received, 100% packet loss, time 4099ms\n';
    assertTraceError(
      () => parseLossTrace(silent, { file: 'ping.txt' }),
      'ping.txt:4: the ping log has no replies at all: every packet was lost, so there is no loss pattern to fit',
      4,
    );
    const timeouts = 'PING 192.0.2.10 (192.0.2.10): 56 data bytes\nRequest timeout for icmp_seq 0\nRequest timeout for icmp_seq 1\n';
    assertTraceError(
      () => parseLossTrace(timeouts, { file: 'ping.txt' }),
      'ping.txt: the ping log has no replies at all: every packet was lost, so there is no loss pattern to fit',
      undefined,
    );
    const none = 'PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.\n\n--- 192.0.2.10 ping statistics ---\n0 packets transmitted, 0 received\n';
    assertTraceError(() => parseLossTrace(none, { file: 'ping.txt' }), 'ping.txt:4: the ping log has no packets: nothing was transmitted', 4);
    assertTraceError(
      () => parseLossTrace('PING 192.0.2.10 (192.0.2.10): 56 data bytes\n', { file: 'ping.txt' }),
      'ping.txt: the ping log has no packets: nothing was transmitted',
      undefined,
    );
    const quiet =
      'PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.\n\n--- 192.0.2.10 ping statistics ---\n5 packets transmitted, 5 received, 0% packet loss, time 4005ms\n';
    assertTraceError(
      () => parseLossTrace(quiet, { file: 'ping.txt' }),
      'ping.txt:4: the summary counts 5 replies but no reply line with a sequence number is in the log (ping -q?): the trace needs one line per packet',
      4,
    );
  });

  it('two ping runs in one file, or column: on a ping log', () => {
    assertTraceError(
      () => parseLossTrace(LINUX_LOG + LINUX_LOG, { file: 'ping.txt' }),
      'ping.txt:12: a second ping run starts here (the first at line 1); give one run per file',
      12,
    );
    assertTraceError(
      () => parseLossTrace(LINUX_LOG, { file: 'ping.txt', column: 'lost' }),
      'ping.txt: column: "lost" was given, but this is ping output, not a CSV; leave column: out',
      undefined,
    );
  });

  it('a CSV made from a ping log, with a column named icmp_seq, is read as the CSV its column names', () => {
    for (const header of ['icmp_seq,rtt_ms,lost', '"icmp_seq";"rtt_ms";"lost"', '# 64 bytes from 192.0.2.10: icmp_seq=1\nicmp_seq\trtt_ms\tlost']) {
      const d = header.includes(';') ? ';' : header.includes('\t') ? '\t' : ',';
      const text = `${header}\n${['1', '0.5', '0'].join(d)}\n${['2', '', '1'].join(d)}\n${['3', '0.6', '0'].join(d)}\n`;
      assert.equal(parseLossTrace(text, { file: 'pings.csv', column: 'lost' }).lost.join(''), '010', header);
      // a column the header does not name is named as the CSV's
      assert.throws(() => parseLossTrace(text, { file: 'pings.csv', column: 'loss' }), /pings\.csv:\d: no column "loss" \(did you mean 'lost'\?\)/);
      // and without a column, refused as a CSV, not as a ping log with no packets (where no line names one)
      if (!header.startsWith('#'))
        assert.throws(() => parseLossTrace(text, { file: 'pings.csv' }), /pings\.csv:\d: this looks like a CSV \(header .*icmp_seq.*\): give column: to name/);
    }
  });

  it('Windows ping output, which has no sequence numbers', () => {
    const log = '\r\nPinging 192.0.2.10 with 32 bytes of data:\r\nReply from 192.0.2.10: bytes=32 time=10ms TTL=57\r\nRequest timed out.\r\n';
    assertTraceError(
      () => parseLossTrace(log, { file: 'ping.txt' }),
      'ping.txt:2: Windows ping output has no sequence numbers to place losses by; record the trace with a Linux, macOS, BSD or busybox ping, or as 0/1 digits',
      2,
    );
  });

  it('a file over the size limit', () => {
    checkTraceSize(MAX_TRACE_BYTES, 'big.txt');
    assertTraceError(
      () => checkTraceSize(MAX_TRACE_BYTES + 5 * 2 ** 20, 'big.txt'),
      'big.txt: the file has 2,152,726,528 bytes; a trace file may have at most 2,147,483,648 (2 GiB)',
      undefined,
    );
  });
});

describe('traceStats and runLengths', () => {
  it('count packets, losses and runs by hand', () => {
    const lost = bits('0010011101');
    assert.deepEqual(traceStats(lost), { packets: 10, losses: 5, lossRate: 0.5, bursts: 3, gaps: 3, meanBurst: 5 / 3, meanGap: 5 / 3 });
    const { bursts, gaps } = runLengths(lost);
    assert.deepEqual([...bursts].sort(), [
      [1, 2],
      [3, 1],
    ]); // 1, 111, 1
    assert.deepEqual([...gaps].sort(), [
      [1, 1],
      [2, 2],
    ]); // 00, 00, 0
    const clean = traceStats(bits('000'));
    assert.ok(Number.isNaN(clean.meanBurst));
    assert.equal(clean.meanGap, 3);
  });

  it('agree with each other on any trace', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 200 }), (array) => {
        const lost = Uint8Array.from(array);
        const stats = traceStats(lost);
        const { bursts, gaps } = runLengths(lost);
        const total = (h: Map<number, number>) => [...h].reduce((s, [length, n]) => s + length * n, 0);
        assert.equal(total(bursts), stats.losses);
        assert.equal(total(gaps), stats.packets - stats.losses);
        const runs = [...bursts.values(), ...gaps.values()].reduce((s, n) => s + n, 0);
        assert.equal(runs, 1 + array.slice(1).filter((x, i) => x !== array[i]).length);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });
});

// -------------------------------------------------------------------------------------------
// Closed forms

describe('Bernoulli and Gilbert closed forms', () => {
  it('fit a small trace as computed by hand', () => {
    // 0010011101: T = 10, 5 losses. Bernoulli: p = 5/10, ln L = 10·ln 0.5.
    const lost = bits('0010011101');
    const bernoulli = fitBernoulli(lost);
    assert.equal(bernoulli.params['loss'], 0.5);
    close(bernoulli.logLikelihood, 10 * Math.log(0.5), 1e-12, 'Bernoulli ln L');
    close(bernoulli.aic, 2 - 2 * 10 * Math.log(0.5), 1e-12, 'AIC');
    close(bernoulli.bic, Math.log(10) - 2 * 10 * Math.log(0.5), 1e-12, 'BIC');
    // Successive pairs 00 01 10 00 01 11 11 10 01: n00 = 2, n01 = 3, n10 = 2, n11 = 2.
    assert.deepEqual(transitionCounts(lost), { first: 0, n00: 2, n01: 3, n10: 2, n11: 2 });
    // goodToBad = n01/(n00 + n01) = 3/5, badToGood = n10/(n10 + n11) = 2/4.
    // Stationary: P(bad) = 0.6/(0.6 + 0.5) = 6/11, so the first packet (delivered) has 5/11.
    // ln L = ln(5/11) + 2 ln 0.4 + 3 ln 0.6 + 2 ln 0.5 + 2 ln 0.5.
    const gilbert = fitGilbert(lost);
    assert.deepEqual(gilbert.params, { goodToBad: 0.6, badToGood: 0.5 });
    close(gilbert.logLikelihood, Math.log(5 / 11) + 2 * Math.log(0.4) + 3 * Math.log(0.6) + 4 * Math.log(0.5), 1e-12, 'Gilbert ln L');
    close(gilbert.bic, 2 * Math.log(10) - 2 * gilbert.logLikelihood, 1e-12, 'BIC');
  });

  it('fit a second hand-computed trace starting with a loss', () => {
    // 1100010: pairs 11 10 00 00 01 10: n00 = 2, n01 = 1, n10 = 2, n11 = 1.
    // goodToBad = 1/3, badToGood = 2/3; P(bad) = (1/3)/(1/3 + 2/3) = 1/3 for the first (lost) packet.
    // ln L = ln(1/3) + 2 ln(2/3) + ln(1/3) + 2 ln(2/3) + ln(1/3).
    const gilbert = fitGilbert(bits('1100010'));
    close(gilbert.params['goodToBad']!, 1 / 3, 1e-15);
    close(gilbert.params['badToGood']!, 2 / 3, 1e-15);
    close(gilbert.logLikelihood, 3 * Math.log(1 / 3) + 4 * Math.log(2 / 3), 1e-12, 'ln L');
  });

  it('handle the edges without NaN', () => {
    // No losses: never bad. All losses: always bad. One packet: the same. Each has likelihood 1.
    assert.deepEqual(fitGilbert(bits('0000')).params, { goodToBad: 0, badToGood: 1 });
    assert.deepEqual(fitGilbert(bits('1111')).params, { goodToBad: 1, badToGood: 0 });
    assert.deepEqual(fitGilbert(bits('0')).params, { goodToBad: 0, badToGood: 1 });
    assert.deepEqual(fitGilbert(bits('1')).params, { goodToBad: 1, badToGood: 0 });
    for (const s of ['0000', '1111', '0', '1']) {
      assert.equal(fitGilbert(bits(s)).logLikelihood, 0, s);
      assert.equal(fitBernoulli(bits(s)).logLikelihood, 0, s);
    }
    // 01: goodToBad 1/1; the bad state is never left or stayed in, so its exit is 1: ln L = ln ½.
    close(fitGilbert(bits('01')).logLikelihood, Math.log(0.5), 1e-15);
    // 0011 counts no exit from bad (n10 = 0, n11 = 1): absorbing, which the stationary start could
    // not begin in good. badToGood then maximizes ln b − ln(½ + b) + ln(1 − b) (goodToBad = ½ held):
    // the root of b² + 2·½·b − ½ = 0, b = (√3 − 1)/2.
    const edge = fitGilbert(bits('0011'));
    assert.equal(edge.params['goodToBad'], 0.5);
    close(edge.params['badToGood']!, (Math.sqrt(3) - 1) / 2, 1e-15);
    const b = edge.params['badToGood']!;
    close(edge.logLikelihood, Math.log(b / (0.5 + b)) + Math.log(0.5) + Math.log(0.5) + Math.log(1 - b), 1e-12, 'ln L');
    // And the mirror image, 1100.
    close(fitGilbert(bits('1100')).params['goodToBad']!, (Math.sqrt(3) - 1) / 2, 1e-15);
    for (const fit of [fitGilbert(bits('0011')), fitGilbert(bits('110')), fitGilbertElliott(bits('0011'))]) {
      for (const value of [...Object.values(fit.params), fit.logLikelihood, fit.aic, fit.bic]) assert.ok(Number.isFinite(value), JSON.stringify(fit));
    }
  });

  it('give Wilson intervals on the transition counts', () => {
    const lost = bits('0010011101');
    const intervals = gilbertIntervals(lost, 0.95);
    assert.equal(intervals.goodToBad.estimate, 0.6);
    assert.equal(intervals.goodToBad.events, 3);
    assert.equal(intervals.goodToBad.trials, 5);
    // Wilson, 3 of 5 at z = 1.959964: centre (0.6 + z²/10)/(1 + z²/5), half-width
    // z/(1 + z²/5)·√(0.24/5 + z²/100).
    const z = 1.959963984540054;
    const centre = (0.6 + (z * z) / 10) / (1 + (z * z) / 5);
    const half = (z / (1 + (z * z) / 5)) * Math.sqrt(0.24 / 5 + (z * z) / 100);
    close(intervals.goodToBad.low, centre - half, 1e-9, 'low');
    close(intervals.goodToBad.high, centre + half, 1e-9, 'high');
    assert.deepEqual(gilbertIntervals(bits('0000')).badToGood, { estimate: 1, low: 0, high: 1, events: 0, trials: 0 });
  });
});

// -------------------------------------------------------------------------------------------
// The hidden Markov model

/** ln P(x) and one EM step by summing over every hidden path, X_0 (the state before the first packet, ~ π) included. */
function bruteForce(lost: Uint8Array, p: GilbertElliottParams): { logLikelihood: number; next: GilbertElliottParams } {
  const T = lost.length;
  const A = [
    [1 - p.goodToBad, p.goodToBad],
    [p.badToGood, 1 - p.badToGood],
  ];
  const emit = (x: number, s: number) => (x ? [p.lossGood, p.lossBad][s]! : 1 - [p.lossGood, p.lossBad][s]!);
  const bad = p.goodToBad / (p.goodToBad + p.badToGood);
  const pi = [1 - bad, bad];
  let total = 0;
  const trans = [0, 0, 0, 0];
  const emitted = [0, 0, 0, 0]; // [state·2 + x]
  let ends = 0; // the first and last packets' states, bad counted
  for (let path = 0; path < 2 ** (T + 1); path++) {
    const state = (t: number) => (path >> t) & 1; // t = 0 … T
    let weight = pi[state(0)]!;
    for (let t = 1; t <= T; t++) weight *= A[state(t - 1)]![state(t)]! * emit(lost[t - 1]!, state(t));
    total += weight;
    for (let t = 1; t <= T; t++) {
      if (t >= 2) trans[2 * state(t - 1) + state(t)]! += weight; // between packets: not X_0 → X_1
      emitted[2 * state(t) + lost[t - 1]!]! += weight;
    }
    ends += weight * (state(1) + state(T));
  }
  const n = trans.map((v) => v / total);
  const e = emitted.map((v) => v / total);
  const chain = chainStep(n[0]!, (n[1]! + n[2]!) / 2, n[3]!, ends / total / 2, p);
  return {
    logLikelihood: Math.log(total),
    next: { ...chain, lossGood: e[1]! / (e[0]! + e[1]!), lossBad: e[3]! / (e[2]! + e[3]!) },
  };
}

/** The same by a per-packet scaled forward–backward: the textbook algorithm, packet by packet. */
function perPacket(lost: Uint8Array, p: GilbertElliottParams): { logLikelihood: number; next: GilbertElliottParams } {
  const A = [1 - p.goodToBad, p.goodToBad, p.badToGood, 1 - p.badToGood];
  const emit = (x: number, s: number) => (x ? [p.lossGood, p.lossBad][s]! : 1 - [p.lossGood, p.lossBad][s]!);
  const bad = p.goodToBad / (p.goodToBad + p.badToGood);
  const T = lost.length;
  const alpha = new Float64Array(2 * (T + 1));
  const scale = new Float64Array(T + 1);
  alpha[0] = 1 - bad;
  alpha[1] = bad;
  let logLikelihood = 0;
  for (let t = 1; t <= T; t++) {
    for (let j = 0; j < 2; j++) alpha[2 * t + j] = (alpha[2 * t - 2]! * A[j]! + alpha[2 * t - 1]! * A[2 + j]!) * emit(lost[t - 1]!, j);
    scale[t] = alpha[2 * t]! + alpha[2 * t + 1]!;
    alpha[2 * t]! /= scale[t]!;
    alpha[2 * t + 1]! /= scale[t]!;
    logLikelihood += Math.log(scale[t]!);
  }
  const trans = [0, 0, 0, 0];
  const emitted = [0, 0, 0, 0];
  let beta = [1, 1];
  let firstBad = 0;
  for (let t = T; t >= 1; t--) {
    const x = lost[t - 1]!;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const xi = (alpha[2 * (t - 1) + i]! * A[2 * i + j]! * emit(x, j) * beta[j]!) / scale[t]!;
        if (t >= 2)
          trans[2 * i + j]! += xi; // between packets: not X_0 → X_1
        else if (j === 1) firstBad += xi;
        emitted[2 * j + x]! += xi;
      }
    }
    beta = [0, 1].map((i) => (A[2 * i]! * emit(x, 0) * beta[0]! + A[2 * i + 1]! * emit(x, 1) * beta[1]!) / scale[t]!);
  }
  const lastBad = alpha[2 * T + 1]!;
  const [n00, n01, n10, n11] = trans as [number, number, number, number];
  const [g0, g1, b0, b1] = emitted as [number, number, number, number];
  const chain = chainStep(n00, (n01 + n10) / 2, n11, (firstBad + lastBad) / 2, p);
  return { logLikelihood, next: { ...chain, lossGood: g1 / (g0 + g1), lossBad: b1 / (b0 + b1) } };
}

const interior = fc.integer({ min: 1, max: 999 }).map((k) => k / 1000);
const hmmParams = fc.record({ goodToBad: interior, badToGood: interior, lossGood: interior, lossBad: interior });

function closeParams(actual: GilbertElliottParams, expected: GilbertElliottParams, tolerance: number): void {
  for (const name of ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const) close(actual[name], expected[name], tolerance, name);
}

describe('Gilbert–Elliott likelihood and Baum–Welch step', () => {
  it('equal the sum over every hidden path on short traces', () => {
    fc.assert(
      // Two packets at least: one has no transition between packets, and the chain step no maximum (a chain that never moves).
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 9 }), hmmParams, (array, params) => {
        const lost = Uint8Array.from(array);
        const expected = bruteForce(lost, params);
        const step = baumWelchStep(lost, params);
        close(step.logLikelihood, expected.logLikelihood, 1e-12, 'ln L');
        close(gilbertElliottLogLikelihood(lost, params), expected.logLikelihood, 1e-12, 'ln L');
        closeParams(step.next, expected.next, 1e-12);
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('equal the per-packet forward–backward on long traces with long runs (no underflow)', () => {
    const rng = new Xoshiro128(11, 22, 33, 44);
    // Runs of hundreds of packets: per-run probabilities near e^-100, and 5,000-packet gaps.
    const lost = simulateGilbertElliott(200_000, { goodToBad: 0.0004, badToGood: 0.004, lossGood: 0.0002, lossBad: 0.97 }, rng);
    const params = { goodToBad: 0.001, badToGood: 0.01, lossGood: 0.001, lossBad: 0.9 };
    const step = baumWelchStep(lost, params);
    const expected = perPacket(lost, params);
    close(step.logLikelihood, expected.logLikelihood, 1e-9 * Math.abs(expected.logLikelihood), 'ln L');
    closeParams(step.next, expected.next, 1e-10);
  });

  it('give the Gilbert and Bernoulli likelihoods on their parameters', () => {
    const lost = simulateGilbertElliott(5_000, { goodToBad: 0.05, badToGood: 0.4, lossGood: 0.02, lossBad: 0.8 }, new Xoshiro128(1, 2, 3, 4));
    const gilbert = fitGilbert(lost);
    const asGilbert = { goodToBad: gilbert.params['goodToBad']!, badToGood: gilbert.params['badToGood']!, lossGood: 0, lossBad: 1 };
    close(gilbertElliottLogLikelihood(lost, asGilbert), gilbert.logLikelihood, 1e-9, 'Gilbert');
    const bernoulli = fitBernoulli(lost);
    close(gilbertElliottLogLikelihood(lost, bernoulliChannel(bernoulli.params['loss']!)), bernoulli.logLikelihood, 1e-9, 'Bernoulli');
  });
});

// -------------------------------------------------------------------------------------------
// Fitting generated traces back

describe('fitting generated traces back', () => {
  // The tolerances: each closed-form estimate must lie inside its 99.9% interval built from the
  // trace itself (the Wilson interval of the binomial it is), and each Gilbert–Elliott estimate
  // within 4 standard errors of the truth, the errors from the observed information (the
  // maximum likelihood estimate is asymptotically normal; with ~40,000 bad-state visits the
  // asymptotics hold). A correct fit fails one such check with probability < 0.2% per check for
  // a random seed; the seeds here are fixed, so the test is deterministic.

  it('Bernoulli: loss inside its 99.9% interval', () => {
    const loss = 0.07;
    const lost = simulateGilbertElliott(300_000, bernoulliChannel(loss), new Xoshiro128(0x2026, 1, 2, 3));
    const fit = fitBernoulli(lost);
    const n = lost.length;
    const k = Math.round(fit.params['loss']! * n);
    const z = 3.2905267314919255; // 99.9%, two-sided
    const centre = (k / n + (z * z) / (2 * n)) / (1 + (z * z) / n);
    const half = (z / (1 + (z * z) / n)) * Math.sqrt(((k / n) * (1 - k / n)) / n + (z * z) / (4 * n * n));
    assert.ok(centre - half <= loss && loss <= centre + half, `${loss} outside [${centre - half}, ${centre + half}]`);
  });

  it('Gilbert: both transition probabilities inside their 99.9% intervals', () => {
    const truth = { goodToBad: 0.01, badToGood: 0.3 };
    const lost = simulateGilbertElliott(300_000, { ...truth, lossGood: 0, lossBad: 1 }, new Xoshiro128(0x2026, 4, 5, 6));
    const intervals = gilbertIntervals(lost, 0.999);
    const fit = fitGilbert(lost);
    for (const name of ['goodToBad', 'badToGood'] as const) {
      const { estimate, low, high } = intervals[name];
      assert.equal(estimate, fit.params[name]);
      assert.ok(low <= truth[name] && truth[name] <= high, `${name} ${truth[name]} outside [${low}, ${high}]`);
    }
  });

  it('Gilbert–Elliott: all four parameters within 4 standard errors, on a million packets', () => {
    const truth = { goodToBad: 0.02, badToGood: 0.25, lossGood: 0.01, lossBad: 0.7 };
    const lost = simulateGilbertElliott(1_000_000, truth, new Xoshiro128(0x2026, 7, 8, 9));
    const fit = fitGilbertElliott(lost, { seed: 7 });
    assert.ok(fit.converged);
    const errors = gilbertElliottStandardErrors(lost, fit.params);
    for (const name of ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const) {
      assert.ok(errors[name] > 0 && errors[name] < 0.01, `${name} standard error ${errors[name]}`);
      assert.ok(Math.abs(fit.params[name] - truth[name]) <= 4 * errors[name], `${name}: ${fit.params[name]} vs ${truth[name]} ± ${errors[name]}`);
    }
    assert.ok(fit.params.lossBad > fit.params.lossGood, 'the bad state is the lossier one');
    assert.equal(fit.parameters, 4);
    close(fit.bic, 4 * Math.log(lost.length) - 2 * fit.logLikelihood, 1e-6, 'BIC');
    // Same seed, same fit.
    assert.deepEqual(fitGilbertElliott(lost, { seed: 7 }), fit);
  });

  it('Gilbert–Elliott converges on a slow trace: ln L at the maximum, even when EM stops early', () => {
    // A trace whose EM crawls along a flat ridge (both states lossy). A run of 100,000 passes at
    // tolerance 1e-12 stops on that ridge's top, ln L −7180.543167102293; the grid's global phase
    // finds a higher hill, −7180.307949451671 (goodToBad 0.0538, badToGood 0.0324, lossGood 0.0703,
    // lossBad 0.144), which SciPy's L-BFGS-B on the packet-by-packet likelihood confirms as a
    // maximum (a throwaway script). EM stopped after 300 or 30 passes reaches it too.
    const truth = { goodToBad: 0.02, badToGood: 0.2, lossGood: 0.1, lossBad: 0.3 };
    const lost = simulateGilbertElliott(20_000, truth, new Xoshiro128(0x2026, 1, 1, 9));
    const maximum = -7180.307949451671;
    const fit = fitGilbertElliott(lost);
    close(fit.logLikelihood, maximum, 1e-8, 'ln L');
    for (const maxIterations of [300, 30]) {
      const short = fitGilbertElliott(lost, { maxIterations });
      close(short.logLikelihood, maximum, 1e-8, `ln L after ${maxIterations} passes`);
      for (const name of ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const) close(short.params[name], fit.params[name], 1e-6, name);
    }
  });

  it('Gilbert–Elliott is never worse than its special cases', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 0, max: 1000 }), (array, seed) => {
        const lost = Uint8Array.from(array);
        const ge = fitGilbertElliott(lost, { starts: 3, seed });
        assert.ok(ge.logLikelihood >= fitGilbert(lost).logLikelihood - 1e-9);
        assert.ok(ge.logLikelihood >= fitBernoulli(lost).logLikelihood - 1e-9);
        assert.ok(ge.params.lossGood <= ge.params.lossBad);
        for (const value of Object.values(ge.params)) assert.ok(value >= 0 && value <= 1);
      }),
      { seed: FC_SEED, numRuns: 60 },
    );
  });
});

describe('fitAll chooses by BIC', () => {
  it('Bernoulli for an i.i.d. trace', () => {
    const lost = simulateGilbertElliott(200_000, bernoulliChannel(0.05), new Xoshiro128(0x2026, 10, 11, 12));
    const all = fitAll(lost);
    assert.equal(all.chosen.model, 'bernoulli');
    assert.deepEqual(
      all.fits.map((f) => f.model),
      ['bernoulli', 'gilbert', 'gilbert-elliott'],
    );
    // The richer models fit at least as well, but not by the ½·ln T nats per parameter BIC asks.
    assert.ok(all.gilbertElliott.logLikelihood >= all.bernoulli.logLikelihood);
  });

  it('Gilbert for a Gilbert trace, Gilbert–Elliott for one with loss in both states', () => {
    const gilbertTrace = simulateGilbertElliott(200_000, { goodToBad: 0.01, badToGood: 0.3, lossGood: 0, lossBad: 1 }, new Xoshiro128(0x2026, 13, 14, 15));
    assert.equal(fitAll(gilbertTrace).chosen.model, 'gilbert');
    const geTrace = simulateGilbertElliott(200_000, { goodToBad: 0.02, badToGood: 0.25, lossGood: 0.01, lossBad: 0.7 }, new Xoshiro128(0x2026, 16, 17, 18));
    assert.equal(fitAll(geTrace).chosen.model, 'gilbert-elliott');
  });
});

// -------------------------------------------------------------------------------------------
// Run lengths

describe('run-length distributions and goodness of fit', () => {
  const fit = (model: FitResult['model'], params: Record<string, number>): FitResult => ({ model, params, logLikelihood: 0, parameters: 0, aic: 0, bic: 0 });

  it('are geometric for Bernoulli and Gilbert', () => {
    const bernoulli = modelRunLengths(fit('bernoulli', { loss: 0.2 }), 3);
    assert.deepEqual(
      bernoulli.bursts.probabilities.map((p) => +p.toFixed(12)),
      [0.8, 0.16, 0.032],
    );
    close(bernoulli.bursts.tail, 0.008, 1e-15);
    close(bernoulli.bursts.mean, 1.25, 1e-15);
    close(bernoulli.gaps.mean, 5, 1e-12);
    const gilbert = modelRunLengths(fit('gilbert', { goodToBad: 0.1, badToGood: 0.4 }), 2);
    assert.deepEqual(
      gilbert.bursts.probabilities.map((p) => +p.toFixed(12)),
      [0.4, 0.24],
    );
    close(gilbert.bursts.tail, 0.36, 1e-15);
    close(gilbert.gaps.mean, 10, 1e-12);
  });

  it('reduce to the Gilbert ones for lossGood 0, lossBad 1, and sum to 1 with the tail', () => {
    fc.assert(
      fc.property(interior, interior, (goodToBad, badToGood) => {
        const hidden = modelRunLengths(fit('gilbert-elliott', { goodToBad, badToGood, lossGood: 0, lossBad: 1 }), 20);
        const plain = modelRunLengths(fit('gilbert', { goodToBad, badToGood }), 20);
        for (const side of ['bursts', 'gaps'] as const) {
          hidden[side].probabilities.forEach((p, k) => close(p, plain[side].probabilities[k]!, 1e-12, `${side} ${k + 1}`));
          close(hidden[side].tail, plain[side].tail, 1e-12, `${side} tail`);
          close(hidden[side].mean, plain[side].mean, 1e-9 * plain[side].mean, `${side} mean`);
        }
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
    fc.assert(
      fc.property(hmmParams, (params) => {
        const d = modelRunLengths(fit('gilbert-elliott', params), 30);
        for (const side of [d.bursts, d.gaps]) close(side.probabilities.reduce((s, p) => s + p, 0) + side.tail, 1, 1e-12, 'total');
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
  });

  it('match the runs of a long simulated Gilbert–Elliott trace', () => {
    const truth = { goodToBad: 0.02, badToGood: 0.25, lossGood: 0.01, lossBad: 0.7 };
    const lost = simulateGilbertElliott(1_000_000, truth, new Xoshiro128(0x2026, 19, 20, 21));
    const model = modelRunLengths(fit('gilbert-elliott', truth), 5);
    const stats = traceStats(lost);
    // ~33,000 bursts of mean ≈ 1.8 and SD ≈ 1.5: the sample mean's SD is ≈ 0.01, so 0.05 is 5 SD;
    // gaps (mean ≈ 28, SD ≈ 45) likewise, 0.25·28/√33,000·4 ≈ 1.
    close(stats.meanBurst, model.bursts.mean, 0.05, 'mean burst');
    close(stats.meanGap, model.gaps.mean, 1, 'mean gap');
    const rows = goodnessOfFit(lost, [fit('gilbert-elliott', truth)], 5);
    assert.equal(rows.length, 6);
    assert.ok(rows[5]!.orLonger && rows[5]!.length === 6);
    for (const row of rows) {
      const expected = row.perModel['gilbert-elliott']!;
      // Counts in the hundreds to tens of thousands: Poisson-like, so 5·√expected (+ 5 for the
      // two runs cut by the trace's ends) bounds a correct model.
      assert.ok(
        Math.abs(row.measuredBursts - expected.bursts) <= 5 * Math.sqrt(expected.bursts) + 5,
        `bursts of ${row.length}: ${row.measuredBursts} vs ${expected.bursts}`,
      );
      assert.ok(
        Math.abs(row.measuredGaps - expected.gaps) <= 5 * Math.sqrt(expected.gaps) + 5,
        `gaps of ${row.length}: ${row.measuredGaps} vs ${expected.gaps}`,
      );
    }
  });

  it('tabulate measured and expected counts that sum to the runs measured', () => {
    const lost = bits('0010011101 1111 000'); // runs 00 1 00 111 0 11111 000
    const fits = fitAll(lost, { starts: 2 }).fits;
    const rows = goodnessOfFit(lost, fits, 3);
    assert.deepEqual(
      rows.map((r) => [r.length, r.orLonger, r.measuredBursts, r.measuredGaps]),
      [
        [1, false, 1, 1],
        [2, false, 0, 2],
        [3, false, 1, 1],
        [4, true, 1, 0],
      ],
    );
    for (const model of ['bernoulli', 'gilbert', 'gilbert-elliott']) {
      close(
        rows.reduce((s, r) => s + r.perModel[model]!.bursts, 0),
        3,
        1e-9,
        `${model} bursts`,
      );
      close(
        rows.reduce((s, r) => s + r.perModel[model]!.gaps, 0),
        4,
        1e-9,
        `${model} gaps`,
      );
    }
  });
});

// -------------------------------------------------------------------------------------------
// Reading at real sizes, and ping logs read for what they say

// Skipped in mutation runs (docs/mutation.md): a minute per mutant; the smaller layouts above read the same code.
describe('parseLossTrace at real sizes: 10^7 packets in every layout', { skip: process.env['TWOGENERALS_MUTATION'] === '1' }, () => {
  const N = 10_000_000;
  const rng = new Xoshiro128(23, 5, 7, 11);
  const truth = new Uint8Array(N);
  for (let i = 0; i < N; i++) truth[i] = rng.nextUint32() % 19 === 0 ? 1 : 0;
  const ascii = (separator: (i: number) => string, chunk = 1): string => {
    const text = new AsciiText();
    for (let i = 0; i < N; i += chunk) {
      for (let j = i; j < Math.min(N, i + chunk); j++) text.byte(48 + truth[j]!);
      text.push(separator(i));
    }
    return text.toString();
  };
  const assertSame = (lost: Uint8Array, what: string) => {
    assert.equal(lost.length, N, what);
    let same = 0;
    for (let i = 0; i < N; i++) if (lost[i] === truth[i]) same++;
    assert.equal(same, N, `${what}: every packet in place`);
  };

  const layouts: [string, () => string][] = [
    ['one line of digits', () => ascii(() => '', 1000)],
    ['one digit per line', () => ascii(() => '\n')],
    ['one digit per CRLF line', () => ascii(() => '\r\n')],
    ['blocks of 10 separated by spaces, 80 per line, with comments', () => ascii((i) => (i % 80 === 70 ? '\n# more\n' : ' '), 10)],
  ];
  for (const [what, make] of layouts) {
    it(`reads ${what}`, () => {
      const trace = parseLossTrace(make(), { file: 'long.txt' });
      assert.equal(trace.format, 'digits');
      assertSame(trace.lost, what);
    });
  }

  it('reads a CSV column without quotes, and one with quotes', () => {
    const rows = new AsciiText();
    rows.push('seq,lost');
    for (let i = 0; i < N; i++) rows.push4(10, 48 + (i % 10), 44, 48 + truth[i]!);
    assertSame(parseLossTrace(rows.toString(), { file: 'long.csv', column: 'lost' }).lost, 'plain CSV');
    const quoted = new AsciiText();
    // Quotes on the outcome only: 10^7 rows of `"0","1"` would pass the 64 MiB limit on input (docs/traces.md).
    quoted.push('seq,"lost"');
    for (let i = 0; i < N; i++) {
      quoted.push4(10, 48 + (i % 10), 44, 34);
      quoted.byte(48 + truth[i]!);
      quoted.byte(34);
    }
    assertSame(parseLossTrace(quoted.toString(), { file: 'q.csv', column: 'lost' }).lost, 'quoted CSV');
  });

  it('reads a ping log whose summary counts 10^7 packets, most lost, from the first number shown', () => {
    const lines = ['PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.'];
    let received = 0;
    for (let seq = 1; seq <= N; seq++) {
      if (seq % 1000 === 1) {
        lines.push(`64 bytes from 192.0.2.1: icmp_seq=${seq % 65536} ttl=64 time=1.0 ms`);
        received++;
      }
    }
    lines.push('', '--- 192.0.2.1 ping statistics ---', `${N} packets transmitted, ${received} received, 99.9% packet loss, time 1ms`);
    const trace = parseLossTrace(lines.join('\n'), { file: 'ping.txt' });
    assert.equal(trace.lost.length, N);
    assert.equal(traceStats(trace.lost).losses, N - received);
    assert.deepEqual(trace.range, { first: 1, last: N });
    assert.deepEqual(trace.warnings, []);
  });

  it('refuses more packets than the limit without building them', () => {
    const log = `PING h (192.0.2.1) 56(84) bytes of data.\n64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=1 ms\n\n--- h ---\n${MAX_TRACE_PACKETS + 1} packets transmitted, 1 received\n`;
    // The count is taken modulo 2^16 like every sequence number, so a summary far past the log is
    // taken as the log's wrapped end: the packets counted stay the log's.
    const trace = parseLossTrace(log, { file: 'ping.txt' });
    assert.ok(trace.lost.length < 65536);
    assert.equal(trace.warnings.length, 1);
  });
});

/** ASCII text built byte by byte: ten million packets of it without ten million intermediate strings. */
class AsciiText {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;

  byte(b: number): void {
    if (this.length === this.bytes.length) this.grow();
    this.bytes[this.length++] = b;
  }

  push4(a: number, b: number, c: number, d: number): void {
    this.byte(a);
    this.byte(b);
    this.byte(c);
    this.byte(d);
  }

  push(text: string): void {
    for (let i = 0; i < text.length; i++) this.byte(text.charCodeAt(i));
  }

  toString(): string {
    return Buffer.from(this.bytes.buffer, 0, this.length).toString('latin1');
  }

  private grow(): void {
    const bigger = new Uint8Array(2 * this.bytes.length);
    bigger.set(this.bytes);
    this.bytes = bigger;
  }
}

/** A Linux log of `sent` packets, 1-based, lost where `lost(seq)`; replies may carry `ping -D` timestamps. */
function linuxLog(sent: number, lost: (seq: number) => boolean, options: { timestamps?: boolean; noAnswer?: boolean } = {}): string[] {
  const lines = ['PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.'];
  let received = 0;
  for (let seq = 1; seq <= sent; seq++) {
    const stamp = options.timestamps ? `[1764600000.${String(seq).padStart(6, '0')}] ` : '';
    if (!lost(seq)) {
      lines.push(`${stamp}64 bytes from 192.0.2.10: icmp_seq=${seq % 65536} ttl=57 time=10.${seq % 10} ms`);
      received++;
    } else if (options.noAnswer) lines.push(`${stamp}no answer yet for icmp_seq=${seq % 65536}`);
  }
  lines.push(
    '',
    '--- 192.0.2.10 ping statistics ---',
    `${sent} packets transmitted, ${received} received, ${Math.round((100 * (sent - received)) / sent)}% packet loss, time ${sent}ms`,
  );
  return lines;
}

/** A log read by both readers: from its text (JavaScript) and from its bytes (WebAssembly where it runs). */
function readBothWays(text: string): [string, LossTrace][] {
  const fromBytes = new TraceReader({ file: 'cut.txt' });
  fromBytes.pushBytes(Buffer.from(text));
  return [
    ['text', parseLossTrace(text, { file: 'cut.txt' })],
    ['bytes', fromBytes.finish()],
  ];
}

describe('ping logs read for what they say', () => {
  // 4% loss in bursts of 4: packets 100k+1 … 100k+4 of every hundred.
  const lossy = (seq: number) => seq % 100 >= 1 && seq % 100 <= 4;
  const rate = (lost: Uint8Array) => traceStats(lost).lossRate;

  it('reads a tail excerpt at the loss it shows, naming the summary it disagrees with', () => {
    const log = linuxLog(100_000, lossy);
    const tail = log.slice(-8000).join('\n');
    const trace = parseLossTrace(tail, { file: 'tail.txt' });
    close(rate(trace.lost), 0.04, 0.002, 'tail loss rate');
    // icmp_seq is 16 bits: the log prints packet 100,000 as 34464, and the range says what the log says.
    assert.equal(trace.range!.last, 100_000 % 65536);
    assert.equal(trace.warnings.length, 1);
    assert.match(
      trace.warnings[0]!,
      /says 100,000 packets transmitted, 96,000 received, but the log shows [\d,]+ packets \(icmp_seq \d+–34464\), [\d,]+ received/,
    );
  });

  it('reads a middle slice at the loss it shows, from its first number to its last', () => {
    const log = linuxLog(100_000, lossy);
    const slice = log.slice(40_001, 50_001).join('\n');
    const trace = parseLossTrace(slice, { file: 'slice.txt' });
    close(rate(trace.lost), 0.04, 0.002, 'slice loss rate');
    assert.equal(trace.range!.last - trace.range!.first + 1, trace.lost.length);
    assert.deepEqual(trace.warnings, []);
  });

  it('reads a log cut mid-line (tail -c): a first line still naming its number is a reply where its ttl= says so, never a loss', () => {
    const log = linuxLog(2000, lossy).join('\n');
    const line = log.indexOf('64 bytes from 192.0.2.10: icmp_seq=250 ');
    const next = log.indexOf('\n', line) + 1;
    const whole = parseLossTrace(log.slice(line), { file: 'whole.txt' });
    const after = parseLossTrace(log.slice(next), { file: 'after.txt' });
    assert.equal(whole.range!.first, 250);
    assert.equal(whole.lost[0], 0);
    let kept = 0;
    for (let cut = line; cut < next; cut++) {
      const text = log.slice(cut);
      for (const [how, trace] of readBothWays(text)) {
        // Cut inside `icmp_seq=250` or after it, the line names no number and the trace starts at 251.
        const expected = text.includes('_seq=250 ') ? whole : after;
        assert.deepEqual([trace.range, trace.lost], [expected.range, expected.lost], `cut at ${JSON.stringify(text.slice(0, 30))} (${how})`);
        if (expected === whole) kept++;
      }
    }
    assert.equal(kept, 2 * '64 bytes from 192.0.2.10: icmp_'.length);
  });

  it('reads a log cut mid-line at its end (head -c): a last reply ending at its number, which may be cut, is no reply', () => {
    // Packets 5–249 shown, then packet 250's reply cut anywhere: its number read only where something follows it.
    const lines = linuxLog(2000, lossy);
    const log = lines.slice(0, lines.findIndex((l) => l.includes('icmp_seq=250 ')) + 1).join('\n');
    const line = log.indexOf('64 bytes from 192.0.2.10: icmp_seq=250 ');
    const before = parseLossTrace(log.slice(0, line), { file: 'before.txt' });
    const whole = parseLossTrace(`${log}\n`, { file: 'whole.txt' });
    assert.equal(whole.lost.length, before.lost.length + 1);
    let kept = 0;
    for (let cut = line; cut <= log.length; cut++) {
      const text = log.slice(0, cut);
      for (const [how, trace] of readBothWays(text)) {
        // `icmp_seq=2` of 250 must not be read as packet 2 (which would start the trace at 2): only a number something follows is read.
        const expected = /_seq=250 /.test(text) ? whole : before;
        assert.deepEqual([trace.range, trace.lost], [expected.range, expected.lost], `cut at ${JSON.stringify(text.slice(line))} (${how})`);
        if (expected === whole) kept++;
      }
    }
    assert.equal(kept, 2 * (log.length - log.indexOf('_seq=250 ') - '_seq=250'.length));
  });

  it('reads a log cut at its end inside a loss line (head -c): a number it ends at, which may be cut, read only as the next packet', () => {
    // Packets 1230–1233 delivered, then packet 1234's loss line cut anywhere: `icmp_seq 12` of 1234
    // read as packet 12 started the trace at 12, with 1,218 losses the log never showed.
    const replies = [1230, 1231, 1232, 1233].map((n) => `64 bytes from 192.0.2.10: icmp_seq=${n} ttl=64 time=0.1 ms`);
    for (const loss of ['Request timeout for icmp_seq 1234', 'no answer yet for icmp_seq=1234', 'From 192.0.2.10 icmp_seq=1234 Destination Host Unreachable']) {
      const log = [...replies, loss].join('\n');
      const line = log.lastIndexOf('\n') + 1;
      const before = parseLossTrace(log.slice(0, line), { file: 'before.txt' });
      const whole = parseLossTrace(`${log}\n`, { file: 'whole.txt' });
      assert.deepEqual([whole.range, [...whole.lost]], [{ first: 1230, last: 1234 }, [0, 0, 0, 0, 1]]);
      for (let cut = line; cut <= log.length; cut++) {
        const text = log.slice(0, cut);
        for (const [how, trace] of readBothWays(text)) {
          // A number the file ends at may be cut: read only as the next packet (1234), never as 1, 12 or 123.
          const expected = /_seq[= ]1234/.test(text) ? whole : before;
          assert.deepEqual([trace.range, trace.lost], [expected.range, expected.lost], `cut at ${JSON.stringify(text.slice(line))} (${how})`);
        }
      }
    }
  });

  it('reads each line for itself: replies from addresses of other lengths, stamps of other lengths, a host named seq, a stamp left open', () => {
    // The reader looks for a reply's number where the last reply's was, and for a stamp's end
    // where the last stamp's was: each line here breaks that guess, and must read as written.
    const log = [
      'PING seq.example (192.0.2.1) 56(84) bytes of data.',
      '64 bytes from seq.example (192.0.2.1): icmp_seq=1 ttl=64 time=1.0 ms',
      '64 bytes from seq.example (192.0.2.1): icmp_seq=2 ttl=64 time=1.0 ms',
      '64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=1.0 ms',
      '[1764600000.000004] 64 bytes from 10.0.0.1: icmp_seq=4 ttl=64 time=1.0 ms',
      '[9.5] 64 bytes from 10.0.0.1: icmp_seq=5 ttl=64 time=1.0 ms',
      '[1764600000.000006 From 10.0.0.1 icmp_seq=6 Destination Host Unreachable',
      '64 bytes from 192.168.100.200: icmp_seq=7 ttl=64 time=1.0 ms',
      '64 bytes from seq.example (192.0.2.1): seq=9 icmp_seq=8 ttl=64 time=1.0 ms',
      '[1764600000.000009] no answer yet for icmp_seq=9',
      '[1764600000.000010] 64 bytes from 10.0.0.1: icmp_seq=10 ttl=64 time=1.0 ms',
    ].join('\n');
    const trace = parseLossTrace(log, { file: 'mixed.txt' });
    // Packet 6's line is no reply (its stamp is never closed, and the next line is not its
    // reply); packet 8's line names 9 first, in a token the reader takes as busybox's.
    assert.deepEqual(Array.from(trace.lost), [0, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    assert.deepEqual(trace.range, { first: 1, last: 10 });
  });

  it('reads ping -D timestamps and ping -O lines, "no answer yet" a loss', () => {
    const sent = 5000;
    const plain = parseLossTrace(linuxLog(sent, lossy).join('\n'), { file: 'p.txt' });
    const stamped = parseLossTrace(linuxLog(sent, lossy, { timestamps: true, noAnswer: true }).join('\n'), { file: 'd.txt' });
    // The plain log shows nothing for packets 1–4, lost, so it starts at 5; ping -O shows them.
    assert.deepEqual(plain.range, { first: 5, last: sent });
    assert.deepEqual(stamped.range, { first: 1, last: sent });
    assert.deepEqual(stamped.lost.subarray(4), plain.lost);
    assert.equal(stamped.format, 'ping-linux');
    assert.equal(rate(stamped.lost), 200 / sent);
    assert.deepEqual(stamped.warnings, []);
  });

  it('counts duplicates once and places reordered replies by number', () => {
    const log = [
      'PING 192.0.2.10 (192.0.2.10) 56(84) bytes of data.',
      '64 bytes from 192.0.2.10: icmp_seq=1 ttl=57 time=10 ms',
      '64 bytes from 192.0.2.10: icmp_seq=3 ttl=57 time=10 ms',
      '64 bytes from 192.0.2.10: icmp_seq=2 ttl=57 time=900 ms',
      '64 bytes from 192.0.2.10: icmp_seq=3 ttl=57 time=11 ms (DUP!)',
      '64 bytes from 192.0.2.10: icmp_seq=5 ttl=57 time=10 ms',
      '',
      '--- 192.0.2.10 ping statistics ---',
      '6 packets transmitted, 4 received, +1 duplicates, 33% packet loss, time 5005ms',
    ].join('\n');
    const trace = parseLossTrace(log, { file: 'p.txt' });
    assert.equal([...trace.lost].join(''), '000101');
    assert.deepEqual(trace.warnings, []);
  });

  it('reads busybox ping, which numbers from 0 as seq= and prints nothing for a loss', () => {
    const log = [
      'PING 192.0.2.1 (192.0.2.1): 56 data bytes',
      '64 bytes from 192.0.2.1: seq=0 ttl=64 time=0.093 ms',
      '64 bytes from 192.0.2.1: seq=1 ttl=64 time=0.101 ms',
      '64 bytes from 192.0.2.1: seq=3 ttl=64 time=0.087 ms',
      '64 bytes from 192.0.2.1: seq=3 ttl=64 time=0.090 ms (DUP!)',
      '64 bytes from 192.0.2.1: seq=4 ttl=64 time=0.120 ms',
      '',
      '--- 192.0.2.1 ping statistics ---',
      '7 packets transmitted, 4 packets received, +1 duplicates, 42% packet loss',
      'round-trip min/avg/max = 0.087/0.100/0.120 ms',
    ].join('\n');
    const trace = parseLossTrace(log, { file: 'busybox.txt' });
    assert.equal(trace.format, 'ping-busybox');
    assert.equal([...trace.lost].join(''), '0010011');
    assert.deepEqual(trace.range, { first: 0, last: 6 });
    assert.deepEqual(trace.warnings, []);
  });

  it('reads a macOS excerpt without its header or summary at the loss it shows', () => {
    const lines: string[] = [];
    for (let seq = 500; seq < 900; seq++) {
      lines.push(seq % 10 === 0 ? `Request timeout for icmp_seq ${seq}` : `64 bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=5.1 ms`);
    }
    const trace = parseLossTrace(lines.join('\n'), { file: 'mac.txt' });
    assert.equal(trace.format, 'ping-macos');
    assert.equal(trace.lost.length, 400);
    assert.equal(rate(trace.lost), 0.1);
    assert.deepEqual(trace.range, { first: 500, last: 899 });
  });

  it('names --column where fit reads the file, and refuses an unterminated quote', () => {
    assert.throws(() => parseLossTrace('time,lost\n0,1\n', { file: 't.csv', columnOption: '--column' }), /give --column to name the column/);
    assert.throws(() => parseLossTrace('time,lost\n0,1\n', { file: 't.csv' }), /give column: to name the column/);
    assert.throws(
      () => parseLossTrace('time,lost\n0,1\n1,"0\n2,1\n3,0\n', { file: 't.csv', column: 'lost' }),
      (error: unknown) => error instanceof TraceError && /a quote is opened and never closed/.test(error.message),
    );
  });
});

describe('Baum–Welch keeps its budget and its convergence check', () => {
  const trace = simulateGilbertElliott(20_000, { goodToBad: 0.01, badToGood: 0.2, lossGood: 0.02, lossBad: 0.6 }, new Xoshiro128(3, 1, 4, 1));

  it('makes no more forward–backward passes than the budget, and says whether it converged', () => {
    for (const [maxIterations, starts] of [
      [5, 3],
      [40, 2],
      [500, 6],
    ] as const) {
      let passes = 0;
      let budget = 0;
      const fit = fitGilbertElliott(trace, {
        maxIterations,
        starts,
        progress: (n, b) => {
          passes = n;
          budget = b;
        },
      });
      // The starts asked for and the softened Gilbert start on the two faces where a state lasts one packet.
      assert.equal(budget, (starts + 1) * Math.min(30, maxIterations) + maxIterations);
      assert.ok(passes <= budget, `${passes} passes against a budget of ${budget}`);
      assert.ok(fit.iterations <= maxIterations, `${fit.iterations} iterations against ${maxIterations}`);
      if (maxIterations === 5)
        assert.equal(fit.converged && !['gilbert', 'bernoulli', 'alternating'].includes(fit.start), false, 'five passes do not converge');
    }
  });

  it('stops a start as soon as a pass gains less than the tolerance', () => {
    const loose = fitGilbertElliott(trace, { tolerance: 10, starts: 1 });
    const tight = fitGilbertElliott(trace, { tolerance: 1e-9, starts: 1 });
    assert.ok(loose.iterations < tight.iterations, `${loose.iterations} vs ${tight.iterations}`);
    assert.ok(tight.logLikelihood >= loose.logLikelihood - 1e-9);
  });
});
