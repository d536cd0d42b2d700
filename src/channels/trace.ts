import { thousands } from '../io/text.js';
import { UsageError } from '../errors.js';
import { readTextInput } from '../io/files.js';
import { parseLossTrace, traceStats } from '../fit/trace-file.js';
import type { ChannelDefinition, ChannelParams, InitialState, Transmission } from './types.js';

/**
 * A measured loss trace, replayed: the file holds the fate of successive packets (0 delivered,
 * 1 lost; or a CSV column; or a ping log). Each trial starts at a position drawn uniformly from
 * the trace (the channel's initial state, drawn from the block's stream like every other) and
 * consumes it copy by copy in dispatch order, both directions alike, wrapping around at its end.
 * Per-direction traces (AtoB, BtoA) are taken as measured over the same period: a copy takes the
 * fate of the current position in its own direction's trace, and the position moves on one per
 * copy. Once the start is drawn a trial is deterministic (but for the protocol's own choices), so
 * the exact value is the average over every start: about L times the protocol's own states.
 */
interface TraceConfig {
  readonly length: number;
  readonly lost: readonly [Uint8Array, Uint8Array];
  readonly copies: number;
}

/** The most packets the trace channel replays: every position is a channel state (longer traces: `twogenerals fit`). */
export const MAX_TRACE_CHANNEL_PACKETS = 20_000;

const parsed = new Map<string, Uint8Array>();

/** A trace file's fates, read once per process (worker threads read it themselves). */
export function readTrace(file: string, column: string | undefined): Uint8Array {
  const key = `${file}\u0000${column ?? ''}`;
  let lost = parsed.get(key);
  if (!lost) {
    lost = parseLossTrace(readTextInput(file, 'channel'), { file, ...(column ? { column } : {}) }).lost;
    parsed.set(key, lost);
  }
  return lost;
}

function tracesOf(params: ChannelParams): [Uint8Array, Uint8Array] {
  const column = params['column'] === undefined ? undefined : String(params['column']);
  const both = readTrace(String(params['file']), column);
  const a = params['AtoB'] === undefined ? both : readTrace(String(params['AtoB']), column);
  const b = params['BtoA'] === undefined ? both : readTrace(String(params['BtoA']), column);
  return [a, b];
}

export const trace: ChannelDefinition<TraceConfig> = {
  name: 'trace',
  summary: 'A measured loss trace replayed: each trial starts at a uniform position and consumes it copy by copy, wrapping around.',
  parameters: [
    { name: 'file', description: 'the trace: 0 (delivered) or 1 (lost) per packet, a CSV (with column), or a ping log (Linux or macOS)', text: 'file' },
    { name: 'AtoB', description: 'a trace for copies sent A→B only (else file)', text: 'file', optional: true },
    { name: 'BtoA', description: 'a trace for copies sent B→A only (else file)', text: 'file', optional: true },
    { name: 'column', description: 'the CSV column holding 0/1 (lost)', text: 'text', optional: true },
    { name: 'digest', description: 'sha256 of the trace files, as results record it; other files are refused', text: 'text', optional: true },
  ],
  // A getter: formatting the number at load would start ICU for every command, not only `list`.
  get notes() {
    return `replays up to ${thousands(MAX_TRACE_CHANNEL_PACKETS)} packets (every position is a state); exact: the average over every start, about packets × the protocol's states; validate prints the trace's length, loss rate and mean loss burst`;
  },
  describe(params) {
    const [a, b] = tracesOf(params);
    const line = (lost: Uint8Array): string => {
      const s = traceStats(lost);
      return `${thousands(s.packets)} packets, loss rate ${Number(s.lossRate.toPrecision(4))}, mean loss burst ${Number.isFinite(s.meanBurst) ? Number(s.meanBurst.toPrecision(4)) : 'none'}`;
    };
    return a === b ? `trace: ${line(a)}` : `trace A→B: ${line(a)}; B→A: ${line(b)}`;
  },
  checkFiles(params) {
    for (const name of ['file', 'AtoB', 'BtoA']) {
      const file = params[name];
      if (file === undefined) continue;
      const lost = readTrace(String(file), params['column'] === undefined ? undefined : String(params['column']));
      if (lost.length > MAX_TRACE_CHANNEL_PACKETS) {
        throw new UsageError(
          String(file),
          `${thousands(lost.length)} packets; the trace channel replays at most ${thousands(MAX_TRACE_CHANNEL_PACKETS)} (every position is a state): use a part of it, or fit a channel to all of it with \`twogenerals fit\``,
        );
      }
    }
    // Per-direction traces are one period measured both ways: of different lengths, the shorter
    // would wrap early and a direction a protocol never uses would change its result.
    const column = params['column'] === undefined ? undefined : String(params['column']);
    const fileOf = (name: 'AtoB' | 'BtoA'): string => String(params[name] ?? params['file']);
    const [a, b] = [readTrace(fileOf('AtoB'), column), readTrace(fileOf('BtoA'), column)];
    if (a.length !== b.length) {
      throw new UsageError(
        fileOf('BtoA'),
        `the B→A trace has ${thousands(b.length)} packets and the A→B trace (${fileOf('AtoB')}) ${thousands(a.length)}; per-direction traces must cover the same packets: cut them to the same length`,
      );
    }
  },
  configure(params, copies) {
    const lost = tracesOf(params);
    return { length: Math.max(lost[0].length, lost[1].length), lost, copies };
  },
  initialStates: (config): InitialState[] => Array.from({ length: config.length }, (_, state) => ({ probability: 1 / config.length, state })),
  // Transmission direction·L + position: the fates of the k copies from that position.
  transmissions(config): Transmission[] {
    const tables: Transmission[] = [];
    for (const lost of config.lost) {
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
