import { thousands } from '../io/text.js';
import { UsageError } from '../errors.js';
import { hashTraceFile, readLossTrace } from '../io/trace-input.js';
import { BITS_OF_BYTE, MAX_TRACE_PACKETS, describeRange, lossTrace, packedOf, packedTraceStats } from '../fit/trace-file.js';
import type { LossTrace, PackedLossTrace } from '../fit/trace-file.js';
import type { Direction } from '../contract/protocol.js';
import type { ChannelDefinition, ChannelParams, HashSink, InitialState, Replay, Transmission } from '../contract/channel.js';
import { counted } from '../io/wording.js';

/**
 * A measured loss trace, replayed: the file holds the fate of successive packets (0 delivered,
 * 1 lost; or a CSV column; or a ping log). Each trial starts at a position drawn uniformly from
 * the trace and consumes it copy by copy in dispatch order, both directions alike, wrapping
 * around at its end. Per-direction traces (AtoB, BtoA) are taken as measured over the same
 * period: a copy takes the fate of the current position in its own direction's trace, and the
 * position moves on one per copy. Once the start is drawn a trial is deterministic (but for the
 * protocol's own choices), so the exact value is the average over every start.
 *
 * Every trace is replayed for Monte Carlo and `trace` (Replay): a bit per packet and direction,
 * a uniform start drawn exactly, and the fast paths of engine/montecarlo/replay.ts. Up to
 * TABLE_PACKETS the channel is also given as tables, a state per position, which the exact
 * engines read (and Monte Carlo with crashes, which the replay's fast paths know nothing of);
 * a longer trace's exact value is computed start by start (engine/exact/trace-starts.ts).
 */
interface TraceConfig {
  readonly length: number;
  /** A→B's trace and B→A's (one trace twice where the directions share it). */
  readonly traces: readonly [LossTrace, LossTrace];
  readonly copies: number;
}

/** Traces up to this many packets are also tables, a channel state per position (for the exact engines); longer ones are replayed alone. */
export const TABLE_PACKETS = 20_000;

/**
 * The most packets the trace channel replays: what a trace file may hold (fit/trace-file.ts),
 * a bit per packet in memory the threads share (what the main thread read, handed to each
 * worker thread with its first task).
 */
export const MAX_TRACE_CHANNEL_PACKETS = MAX_TRACE_PACKETS;

const parsed = new Map<string, LossTrace>();

/** A trace file, read once per process (worker threads take what the main thread read: parsedTraces, adoptTraces). */
export function readTraceFile(file: string, column: string | undefined, hash?: HashSink): LossTrace {
  const key = `${file}\u0000${column ?? ''}`;
  let trace = parsed.get(key);
  if (!trace) {
    trace = readLossTrace(file, { file, ...(column ? { column } : {}) }, undefined, hash);
    parsed.set(key, trace);
  } else if (hash) {
    hashTraceFile(file, hash);
  }
  return trace;
}

/**
 * The trace files this thread has read, by file and column, packed: what a worker thread need
 * not read again, handed over as the bits the threads share (no byte array, no copy).
 */
export function parsedTraces(): [string, PackedLossTrace][] {
  return Array.from(parsed, ([key, trace]) => [key, packedOf(trace)]);
}

/** Trace files the main thread read, taken as read here (a file this thread read itself stays). */
export function adoptTraces(traces: readonly (readonly [string, PackedLossTrace])[]): void {
  for (const [key, trace] of traces) if (!parsed.has(key)) parsed.set(key, lossTrace(trace));
}

function columnOf(params: ChannelParams): string | undefined {
  return params['column'] === undefined ? undefined : String(params['column']);
}

/** The trace file of a direction: its own (AtoB, BtoA), else `file`, which serves both. */
function fileOf(params: ChannelParams, direction: 'AtoB' | 'BtoA'): string {
  return String(params[direction] ?? params['file']);
}

function tracesOf(params: ChannelParams): [LossTrace, LossTrace] {
  const column = columnOf(params);
  return [readTraceFile(fileOf(params, 'AtoB'), column), readTraceFile(fileOf(params, 'BtoA'), column)];
}

/** Packets lost from `from` to `to` − 1 (within the trace): a byte at a time between the ends' bits. */
function lostIn(bits: Uint8Array, from: number, to: number): number {
  let lost = 0;
  let at = from;
  for (; at < to && (at & 7) !== 0; at++) lost += (bits[at >> 3]! >> (at & 7)) & 1;
  for (; at + 8 <= to; at += 8) lost += BITS_OF_BYTE[bits[at >> 3]!]!;
  for (; at < to; at++) lost += (bits[at >> 3]! >> (at & 7)) & 1;
  return lost;
}

/**
 * The replayed trace: the fates of a message's copies read from the trace, packed a bit a
 * packet — a trial reads the trace at a random place, and a trace an eighth the size misses the
 * cache far less.
 */
class TraceReplay implements Replay {
  readonly starts: number;
  readonly copies: number;
  private readonly bitsAtoB: Uint8Array;
  private readonly bitsBtoA: Uint8Array;
  private readonly lengthAtoB: number;
  private readonly lengthBtoA: number;

  constructor(config: TraceConfig) {
    this.starts = config.length;
    this.copies = config.copies;
    const [a, b] = config.traces;
    this.bitsAtoB = a.bits;
    this.bitsBtoA = b.bits;
    this.lengthAtoB = a.packets;
    this.lengthBtoA = b.packets;
  }

  delivered(position: number, direction: Direction): number {
    const bits = direction === 0 ? this.bitsAtoB : this.bitsBtoA;
    const n = direction === 0 ? this.lengthAtoB : this.lengthBtoA;
    let at = position < n ? position : position % n;
    const { copies } = this;
    if (copies >= 16 && at + copies <= n) return copies - lostIn(bits, at, at + copies);
    let delivered = 0;
    for (let c = 0; c < copies; c++) {
      delivered += 1 - ((bits[at >> 3]! >> (at & 7)) & 1);
      if (++at === n) at = 0;
    }
    return delivered;
  }

  packet(position: number, direction: Direction): number {
    const bits = direction === 0 ? this.bitsAtoB : this.bitsBtoA;
    const n = direction === 0 ? this.lengthAtoB : this.lengthBtoA;
    const at = position < n ? position : position % n;
    return 1 - ((bits[at >> 3]! >> (at & 7)) & 1);
  }

  deliveredInto(direction: Direction, counts: Uint8Array | Uint16Array): void {
    const { bits, n } = this.side(direction);
    const { copies } = this;
    let delivered = this.delivered(0, direction);
    const byteEnd = this.byteEnd(n);
    let s = 0;
    for (; s < byteEnd; s += 8) {
      const leaving = bits[s >> 3]!;
      const coming = this.byteAt(bits, s + copies);
      if (leaving === coming) {
        // most bytes of a trace: the eight starts deliver alike
        for (let i = 0; i < 8; i++) counts[s + i] = delivered;
        continue;
      }
      for (let i = 0; i < 8; i++) {
        counts[s + i] = delivered;
        delivered += ((leaving >>> i) & 1) - ((coming >>> i) & 1);
      }
    }
    for (; s < this.starts; s++) {
      counts[s] = delivered;
      delivered += this.packet(s + copies, direction) - this.packet(s, direction);
    }
  }

  /** Counted once a direction: the model's delivery classes and the start order both ask. */
  private readonly byDelivered: [Float64Array | null, Float64Array | null] = [null, null];

  startsByDelivered(direction: Direction): Float64Array {
    return (this.byDelivered[direction] ??= this.countStartsByDelivered(direction));
  }

  private countStartsByDelivered(direction: Direction): Float64Array {
    const { bits, n } = this.side(direction);
    const { copies } = this;
    // Eight counts, one for each bit of a byte, so that no count waits on the one before it.
    const width = copies + 1;
    const counts = new Int32Array(8 * width);
    let delivered = this.delivered(0, direction);
    const byteEnd = this.byteEnd(n);
    let s = 0;
    for (; s < byteEnd; s += 8) {
      const leaving = bits[s >> 3]!;
      const coming = this.byteAt(bits, s + copies);
      if (leaving === coming) {
        // most bytes of a trace: the eight starts deliver alike
        counts[delivered]! += 8;
        continue;
      }
      for (let i = 0; i < 8; i++) {
        counts[i * width + delivered]!++;
        delivered += ((leaving >>> i) & 1) - ((coming >>> i) & 1);
      }
    }
    for (; s < this.starts; s++) {
      counts[delivered]!++;
      delivered += this.packet(s + copies, direction) - this.packet(s, direction);
    }
    const starts = new Float64Array(width);
    for (let i = 0; i < 8; i++) for (let d = 0; d < width; d++) starts[d]! += counts[i * width + d]!;
    return starts;
  }

  private side(direction: Direction): { bits: Uint8Array; n: number } {
    return direction === 0 ? { bits: this.bitsAtoB, n: this.lengthAtoB } : { bits: this.bitsBtoA, n: this.lengthBtoA };
  }

  /**
   * deliveredInto and startsByDelivered take the starts eight at a time, a byte of the trace
   * (the packets leaving the window) against the byte `copies` packets on (those coming into
   * it, read unaligned from two bytes), up to here: before the window's end would wrap around.
   */
  private byteEnd(n: number): number {
    return n === this.starts ? Math.max(0, n - this.copies - 16) : 0;
  }

  /** The eight packets' bits from `at` on (at + 16 within the trace). */
  private byteAt(bits: Uint8Array, at: number): number {
    return ((bits[at >> 3]! | (bits[(at >> 3) + 1]! << 8)) >>> (at & 7)) & 0xff;
  }

  after(position: number): number {
    const next = position + this.copies;
    return next < this.starts ? next : next % this.starts;
  }

  get oneTrace(): boolean {
    return this.bitsBtoA === this.bitsAtoB;
  }

  lostFrom(position: number, count: number): number {
    const bits = this.bitsAtoB;
    const n = this.lengthAtoB;
    const mask = (1 << count) - 1;
    if (position + 32 <= n) {
      // Four bytes hold the count (at most 24) from any bit offset (at most 7).
      const at = position >> 3;
      const word = bits[at]! | (bits[at + 1]! << 8) | (bits[at + 2]! << 16) | (bits[at + 3]! << 24);
      return (word >>> (position & 7)) & mask;
    }
    return this.lostNearEnd(position, count);
  }

  /** lostFrom for the trace's last 32 packets, wrapping around (apart: its code would bloat the common case's). */
  private lostNearEnd(position: number, count: number): number {
    const bits = this.bitsAtoB;
    const n = this.lengthAtoB;
    let lost = 0;
    let at = position % n;
    for (let i = 0; i < count; i++) {
      lost |= ((bits[at >> 3]! >> (at & 7)) & 1) << i;
      if (++at === n) at = 0;
    }
    return lost;
  }
}

/** One line on a trace file: its length, loss rate, mean burst, and for a ping log what it counted and doubts. */
function describeTrace(file: string, column: string | undefined): string {
  const trace = readTraceFile(file, column);
  const s = packedTraceStats(trace);
  const countedRange = trace.range ? `, ${describeRange(trace.range)} counted` : '';
  const warnings = trace.warnings.map((w) => `; warning: ${w}`).join('');
  // A burst of tens of thousands of packets or more in whole packets, with separators (four figures printed 67,108,864 as 67110000).
  const burst = !Number.isFinite(s.meanBurst) ? 'none' : s.meanBurst >= 1e4 ? thousands(Math.round(s.meanBurst)) : Number(s.meanBurst.toPrecision(4));
  return `${counted(s.packets, 'packet')}${countedRange}, loss rate ${Number(s.lossRate.toPrecision(4))}, mean loss burst ${burst}${warnings}`;
}

export const trace: ChannelDefinition<TraceConfig> = {
  name: 'trace',
  summary: 'A measured loss trace replayed: each trial starts at a uniform position and consumes it copy by copy, wrapping around.',
  parameters: [
    {
      name: 'file',
      description:
        'the trace: 0 (delivered) or 1 (lost) per packet, a CSV (with column), or a ping log (Linux, macOS, BSD or busybox); not needed where AtoB and BtoA are both given',
      text: 'file',
      standIns: ['AtoB', 'BtoA'],
    },
    { name: 'AtoB', description: 'a trace for copies sent A→B only (else file)', text: 'file', optional: true },
    { name: 'BtoA', description: 'a trace for copies sent B→A only (else file)', text: 'file', optional: true },
    { name: 'column', description: 'the CSV column holding 0/1 (lost)', text: 'text', optional: true },
    { name: 'digest', description: 'sha256 of the trace files, as results record it; other files are refused', text: 'text', optional: true },
  ],
  // A getter: formatting the number at load would start ICU for every command, not only `list`.
  get notes() {
    return `replays up to ${thousands(MAX_TRACE_CHANNEL_PACKETS)} packets (a bit per packet, shared by the threads); exact: the average over every start, followed start by start (about packets × a trial's steps); a ping log starts at the first sequence number it shows; validate prints the trace's length, loss rate and mean loss burst`;
  },
  describe(params) {
    const column = columnOf(params);
    const [a, b] = [fileOf(params, 'AtoB'), fileOf(params, 'BtoA')];
    return a === b ? `trace: ${describeTrace(a, column)}` : `trace A→B: ${describeTrace(a, column)}; B→A: ${describeTrace(b, column)}`;
  },
  fileWarnings(params) {
    const files = [...new Set([fileOf(params, 'AtoB'), fileOf(params, 'BtoA')])];
    return files.flatMap((file) => readTraceFile(file, columnOf(params)).warnings.map((w) => [file, w] as const));
  },
  readFile(file, params, hash) {
    readTraceFile(file, columnOf(params), hash);
  },
  checkFiles(params) {
    // Reading checks every limit (bytes, packets) and the format, naming the file and line.
    for (const name of ['file', 'AtoB', 'BtoA']) if (params[name] !== undefined) readTraceFile(String(params[name]), columnOf(params));
    // Per-direction traces are one period measured both ways: of different lengths, the shorter
    // would wrap early and a direction a protocol never uses would change its result.
    const [a, b] = tracesOf(params);
    if (a.packets !== b.packets) {
      throw new UsageError(
        fileOf(params, 'BtoA'),
        `the B→A trace has ${counted(b.packets, 'packet')} and the A→B trace (${fileOf(params, 'AtoB')}) ${thousands(a.packets)}; per-direction traces must cover the same packets: cut them to the same length`,
      );
    }
  },
  configure(params, copies) {
    const traces = tracesOf(params);
    return { length: Math.max(traces[0].packets, traces[1].packets), traces, copies };
  },
  replay: (config) => new TraceReplay(config),
  hasTables: (config) => config.length <= TABLE_PACKETS,
  initialStates: (config): InitialState[] => Array.from({ length: config.length }, (_, state) => ({ probability: 1 / config.length, state })),
  // Transmission direction·L + position: the fates of the k copies from that position.
  transmissions(config): Transmission[] {
    const tables: Transmission[] = [];
    for (const { lost } of config.traces) {
      for (let position = 0; position < config.length; position++) {
        let delivered = 0;
        for (let c = 0; c < config.copies; c++) if (lost[(position + c) % lost.length] === 0) delivered++;
        tables.push({ probabilities: [1], received: [delivered > 0], delivered: [delivered], nextState: [(position + config.copies) % config.length] });
      }
    }
    return tables;
  },
  transmissionFor: (config, state, direction) => direction * config.length + state,
};
