/**
 * Measured traces at real sizes: reading every layout, Monte Carlo through a replayed trace
 * against Bernoulli (the messenger, retransmission, the handshake and the randomized protocol,
 * over 10^6 and over all packets; a trial's time and a random word's), exact values start by
 * start, and the three fits. In-process CPU times (user and system) after a warm-up, medians of
 * three; Monte Carlo as the median ratio of alternating pairs in the same session, because the
 * machine is shared and noisy. Prints a table (docs/traces.md quotes it).
 *
 *   npm run build && node dist/bench/traces.js [packets, default 10^7] [--monte-carlo [protocol]] [--copies K]
 *
 * --monte-carlo prints the Monte Carlo rows alone (of one protocol where one is named); --copies
 * sends every message K times (default 1), where the messenger's start order counts K + 1 groups.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exactCell } from '../src/engine/exact/index.js';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel, CellSpec } from '../src/engine/model.js';
import { blockCount, simulateBlocks } from '../src/engine/schedule/blocks.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { fitAll } from '../src/fit/fit.js';
import { parseLossTrace } from '../src/fit/trace-file.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';

const ARGS = process.argv.slice(2);
const PACKETS = Number(ARGS.find((a, i) => /^[0-9.e]+$/.test(a) && ARGS[i - 1] !== '--copies') ?? 1e7);
const MONTE_CARLO_ONLY = ARGS.includes('--monte-carlo');
const ONLY_PROTOCOL = MONTE_CARLO_ONLY ? ARGS[ARGS.indexOf('--monte-carlo') + 1] : undefined;
const COPIES = ARGS.includes('--copies') ? Number(ARGS[ARGS.indexOf('--copies') + 1]) : 1;
if (!(Number.isInteger(COPIES) && COPIES >= 1)) throw new Error(`--copies takes a whole number of at least 1`);

/** A bursty trace: Gilbert–Elliott with goodToBad 0.02, badToGood 0.3, lossGood 0.01, lossBad 0.8. */
function bursty(n: number): Uint8Array {
  const rng = new Xoshiro128(2026, 23, 5, 7);
  const u = () => rng.nextUint32() / 2 ** 32;
  const lost = new Uint8Array(n);
  let bad = false;
  for (let i = 0; i < n; i++) {
    bad = bad ? u() >= 0.3 : u() < 0.02;
    lost[i] = u() < (bad ? 0.8 : 0.01) ? 1 : 0;
  }
  return lost;
}

/** A generator that counts the words it gives. */
class CountingXoshiro128 extends Xoshiro128 {
  words = 0;
  override nextUint32(): number {
    this.words++;
    return super.nextUint32();
  }
}

/** Random words a trial of the cell draws, on average over 20,000 trials (trial by trial). */
function wordsPerTrial(model: CellModel): number {
  const rng = new CountingXoshiro128(1, 2, 3, 4);
  runBlockGeneric(model, rng, 20_000);
  return rng.words / 20_000;
}

/** The processor, its widest SIMD (what V8 may use for WebAssembly's 128-bit lanes), and whether the trace lanes run. */
function simdLevel(): string {
  const flags = existsSync('/proc/cpuinfo') ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '') : '';
  const has = (flag: string) => ` ${flags} `.includes(` ${flag} `);
  const level = has('avx512f') ? 'AVX-512' : has('avx2') ? 'AVX2' : has('avx') ? 'AVX' : has('sse4_1') ? 'SSE4.1' : flags ? 'below SSE4.1' : 'unknown';
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} threads, SIMD ${level}; Node ${process.version}; trace lanes (WebAssembly SIMD) ${traceLanes() ? 'on' : 'off'}`;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** CPU milliseconds (user and system) of f: what the work took, not how long the shared machine made it wait. */
function cpuTimed<T>(f: () => T): { ms: number; value: T } {
  const before = process.cpuUsage();
  const value = f();
  const spent = process.cpuUsage(before);
  return { ms: (spent.user + spent.system) / 1000, value };
}

function timed<T>(f: () => T, runs = 3): { ms: number; value: T } {
  let value = f(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = cpuTimed(f);
    value = run.value;
    times.push(run.ms);
  }
  return { ms: median(times), value };
}

function layouts(lost: Uint8Array): [string, string, string | undefined][] {
  const digit = (i: number) => (lost[i] ? '1' : '0');
  const n = lost.length;
  const oneLine = Buffer.from(lost.map((x) => 48 + x)).toString('latin1');
  const perLine = Buffer.alloc(2 * n);
  for (let i = 0; i < n; i++) {
    perLine[2 * i] = 48 + lost[i]!;
    perLine[2 * i + 1] = 10;
  }
  const blocks: string[] = [];
  for (let i = 0; i < n; i += 10) blocks.push(`${Array.from({ length: Math.min(10, n - i) }, (_, j) => digit(i + j)).join('')}${i % 80 === 70 ? '\n' : ' '}`);
  const csv = ['t,lost'];
  for (let i = 0; i < n; i++) csv.push(`${i % 10},${lost[i]}`);
  // Ping logs of 800,000 packets (about 60 MiB with `ping -D` timestamps): a rate per packet.
  const pingPackets = Math.min(n, 800_000);
  const ping = (kind: 'linux' | 'linux -D -O' | 'macos' | 'busybox'): string => {
    const lines = [
      kind === 'linux' || kind === 'linux -D -O' ? 'PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.' : 'PING 192.0.2.1 (192.0.2.1): 56 data bytes',
    ];
    let received = 0;
    for (let i = 0; i < pingPackets; i++) {
      const seq = ((kind.startsWith('linux') ? 1 : 0) + i) % 65536;
      const stamp = kind === 'linux -D -O' ? `[1764600000.${i}] ` : '';
      if (!lost[i]) {
        received++;
        lines.push(`${stamp}64 bytes from 192.0.2.1: ${kind === 'busybox' ? 'seq' : 'icmp_seq'}=${seq} ttl=64 time=0.101 ms`);
      } else if (kind === 'macos') lines.push(`Request timeout for icmp_seq ${seq}`);
      else if (kind === 'linux -D -O') lines.push(`${stamp}no answer yet for icmp_seq=${seq}`);
    }
    lines.push(
      '',
      '--- 192.0.2.1 ping statistics ---',
      `${pingPackets} packets transmitted, ${received} ${kind.startsWith('linux') ? '' : 'packets '}received`,
    );
    return lines.join('\n');
  };
  return [
    ['digits, one line', oneLine, undefined],
    ['digits, one per line', perLine.toString('latin1'), undefined],
    ['digits, blocks of 10', blocks.join(''), undefined],
    ['CSV column', csv.join('\n'), 'lost'],
    ['ping, Linux', ping('linux'), undefined],
    ['ping, Linux -D -O', ping('linux -D -O'), undefined],
    ['ping, macOS', ping('macos'), undefined],
    ['ping, busybox', ping('busybox'), undefined],
  ];
}

function main(): void {
  const lost = bursty(PACKETS);
  const rows: string[] = ['| what | size | time | rate |', '| --- | --- | --- | --- |'];
  for (const [name, text, column] of MONTE_CARLO_ONLY ? [] : layouts(lost)) {
    const { ms, value } = timed(() => parseLossTrace(text, { file: name, ...(column ? { column } : {}) }));
    rows.push(
      `| read ${name} | ${value.lost.length.toLocaleString('en')} packets, ${(text.length / 2 ** 20).toFixed(1)} MiB | ${ms.toFixed(0)} ms | ${(value.lost.length / ms / 1000).toFixed(1)} M packets/s |`,
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'twogenerals-bench-'));
  try {
    const million = lost.subarray(0, 1_000_000);
    const file = join(dir, 'trace.txt');
    writeFileSync(file, Buffer.from(million.map((x) => 48 + x)));
    const longFile = join(dir, 'long.txt');
    writeFileSync(longFile, Buffer.from(lost.map((x) => 48 + x)));
    for (const [protocol, extra] of MONTE_CARLO_ONLY
      ? []
      : ([
          ['messenger', { redundancy: 2 }],
          ['retransmit', { redundancy: 1, rounds: 10 }],
        ] as const)) {
      const model = buildCellModel({ protocol, channel: 'trace', params: { file, ...extra } });
      const { ms } = timed(() => exactCell(model), 1);
      rows.push(`| exact ${protocol} over the trace (average over every start) | 1,000,000 packets | ${ms.toFixed(0)} ms | |`);
    }
    // Monte Carlo per trial and per random word drawn: a trial over the trace draws its start
    // (and the protocol's own choices), one over Bernoulli a word a copy sent. Pairs alternate,
    // trace then Bernoulli, and the ratio is the median of the pairs' ratios (the machine is
    // shared: a pair's two runs see the same load). Each model is run before the pairs (the
    // randomized protocol's start table is built then, as in any run of as many trials; the
    // messenger's start order and the others' result order at their first block).
    const trials = 2_000_000;
    // A cell of `trials` trials (ten times as many for the messenger, whose trials take about a
    // nanosecond, so that a pair is not a few milliseconds of a shared machine), run as a worker
    // runs it: blocks of BLOCK_SIZE from their own streams, in pairs where the kernel runs pairs
    // (Bernoulli's bit walk), compiled for the cell alone from 2^24 trials (simulateBlocks).
    let cellRuns = 0;
    const cpuMs = (spec: CellSpec, blocks = 1): number => {
      const cellTrials = blocks * trials;
      const task = { id: 0, spec, seed: String(cellRuns++), cellKey: JSON.stringify(spec), trials: cellTrials, firstBlock: 0, blocks: blockCount(cellTrials) };
      return cpuTimed(() => simulateBlocks(task)).ms / blocks;
    };
    // Over a million starts and over all of them: a start table of 10^7 starts (the randomized
    // protocol's, a byte each) no longer fits the cache, and each trial's read of it misses (the
    // others read none: their start or result order).
    const cells = (
      [
        ['messenger', { redundancy: COPIES }],
        ['retransmit', { redundancy: COPIES, rounds: 10 }],
        ['handshake', { redundancy: COPIES, rounds: 4 }],
        ['randomized', { redundancy: COPIES, rounds: 5 }],
      ] as const
    ).filter(([protocol]) => ONLY_PROTOCOL === undefined || ONLY_PROTOCOL.startsWith('--') || protocol === ONLY_PROTOCOL);
    for (const [protocol, extra, traceFile, starts] of cells.flatMap(
      ([protocol, extra]) =>
        [
          [protocol, extra, file, million.length],
          [protocol, extra, longFile, lost.length],
        ] as const,
    )) {
      const traceSpec: CellSpec = { protocol, channel: 'trace', params: { file: traceFile, ...extra } };
      const bernoulliSpec: CellSpec = { protocol, channel: 'bernoulli', params: { loss: 0.06, ...extra } };
      const traceModel = buildCellModel(traceSpec);
      const bernoulliModel = buildCellModel(bernoulliSpec);
      const blocks = protocol === 'messenger' ? 10 : 1;
      // Enough trials to build a start table (at half the trace's starts) before the pairs.
      for (let run = 0; run * trials < starts / 2 + trials; run++) cpuMs(traceSpec, blocks);
      cpuMs(bernoulliSpec, blocks);
      const traceMs: number[] = [];
      const bernoulliMs: number[] = [];
      for (let pair = 0; pair < 9; pair++) {
        traceMs.push(cpuMs(traceSpec, blocks));
        bernoulliMs.push(cpuMs(bernoulliSpec, blocks));
      }
      const ratio = median(traceMs.map((ms, pair) => ms / bernoulliMs[pair]!));
      const traceWords = wordsPerTrial(traceModel);
      const bernoulliWords = wordsPerTrial(bernoulliModel);
      const nsPerTrial = (ms: number[]) => ((median(ms) * 1e6) / trials).toFixed(1);
      rows.push(
        `| Monte Carlo ${protocol}${COPIES > 1 ? ` at ${COPIES} copies` : ''}: trace of ${starts.toLocaleString('en')} packets against Bernoulli, one thread, CPU time | ${(blocks * trials).toLocaleString('en')} trials | ${nsPerTrial(traceMs)} ns a trial (${traceWords.toFixed(2)} words) against ${nsPerTrial(bernoulliMs)} ns (${bernoulliWords.toFixed(2)} words) | ${ratio.toFixed(2)}× a trial, ${((ratio * bernoulliWords) / traceWords).toFixed(2)}× a word |`,
      );
    }
    if (!MONTE_CARLO_ONLY) {
      const { ms } = timed(() => fitAll(million), 1);
      rows.push(`| fit all three models | 1,000,000 packets | ${ms.toFixed(0)} ms | |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${simdLevel()}\n\n${rows.join('\n')}`);
}

main();
