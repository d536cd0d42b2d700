import { drain } from '../engine/slices.js';
import { buildCellModel } from '../engine/model.js';
import { ExactUnavailable, exactCell } from '../engine/exact/index.js';
import { runTrial } from '../engine/montecarlo/generic.js';
import { BLOCK_SIZE } from '../engine/schedule/blocks.js';
import type { TrialCounters, TrialObserver } from '../engine/montecarlo/generic.js';
import { cellSpec } from '../engine/schedule/runner.js';
import { Step } from '../contract/protocol.js';
import { blockStream } from '../rng/streams.js';
import { Xoshiro128 } from '../rng/xoshiro128.js';
import { StepNotFilled } from '../engine/unfilled-step.js';
import { UsageError } from '../errors.js';
import type { Cell } from '../scenario/types.js';
import { verifyStateBounds } from '../engine/state-bounds.js';
import { describeWroteProblem } from '../engine/only-reads.js';

/** One thing that happened in a trial, in order. */
export type TraceEvent =
  | {
      readonly kind: 'send';
      readonly round: number;
      readonly direction: 0 | 1;
      readonly peer: number;
      readonly label: string;
      readonly received: boolean;
      /** Over a replayed trace: how many of the copies arrived. */
      readonly delivered?: number;
      /** The receiver had crashed: nothing reached it, whatever the channel did with the copies. */
      readonly toCrashed?: boolean;
      readonly state: string;
    }
  /** A choice; `round` is the step's (0 where it names none: a lone choice need not). */
  | { readonly kind: 'choose'; readonly round: number; readonly label: string; readonly peer: number; readonly choice: number; readonly state: string }
  /** A node crashed at the start of a round (node 0 is the A side, node 1 + peer the B side's). */
  | { readonly kind: 'crash'; readonly round: number; readonly node: number; readonly state: string };

export interface TrialTrace {
  readonly cell: Cell;
  /** 1-based, as `run` counts them: trial N is trial (N − 1) mod 65536 of block ⌊(N − 1) / 65536⌋. */
  readonly trial: number;
  readonly block: number;
  readonly sides: readonly [string, string];
  /** Whether the B side is a group of numbered peers (two-phase commit's cohorts). */
  readonly peers: boolean;
  readonly copies: number;
  /** Over a replayed trace: the position the trial starts at (0-based) and the trace's packets. */
  readonly traceStart?: { readonly position: number; readonly packets: number };
  readonly events: readonly TraceEvent[];
  readonly outcome: string;
  readonly messages: number;
  readonly finalState: string;
}

/**
 * The exact probability that a trial of the cell ends in an outcome `wanted` accepts, where the
 * exact engine finds it within a small budget (`atMost`: a bound, where it is too small for a
 * double); null where exact values are not cheap. `--first`
 * uses it to answer at once where no trial, or none among any number it could replay, ends so.
 */
export function wantedProbability(cell: Cell, wanted: (outcome: string) => boolean): { probability: number; atMost: boolean; messagesMean: number } | null {
  const model = buildCellModel(cellSpec(cell));
  try {
    const exact = exactCell(model, { maxWork: 250_000, maxWords: 1_000_000 });
    const accepted = model.outcomes.names.flatMap((name, i) => (wanted(name) ? [i] : []));
    // Probabilities too small for a double: the bound for those, which is beyond any search.
    const tiny = exact.underflow?.outcomes ?? [];
    const probability = accepted.reduce((sum, i) => sum + (tiny.includes(i) ? exact.underflow!.below : exact.outcomes[i]!), 0);
    return { probability, atMost: accepted.some((i) => tiny.includes(i)), messagesMean: exact.messagesMean };
  } catch (error) {
    if (error instanceof ExactUnavailable) return null;
    throw error;
  }
}

/**
 * The most trials `--first` looks through in search of an outcome its exact probability makes
 * rarer than one in this many: the generic engine replays a few million small trials a second,
 * so this is about a minute. Beyond it, the search is refused up front (or bounded by the user's --trials).
 */
export const FIRST_SEARCH_TRIALS = 100_000_000;

/**
 * The same minute as messages replayed: a cell whose trials send hundreds of messages (two-phase
 * commit with 64 cohorts) is searched at tens of thousands of trials a second, so its reach is
 * fewer trials. Cells of up to 5 messages a trial keep FIRST_SEARCH_TRIALS.
 */
export const FIRST_SEARCH_MESSAGES = 500_000_000;

/** How many trials `--first` looks through in a cell whose trials send `messagesMean` messages on average. */
export function searchReach(messagesMean: number): number {
  return Math.min(FIRST_SEARCH_TRIALS, Math.floor(FIRST_SEARCH_MESSAGES / Math.max(1, messagesMean)));
}

/**
 * Whether `--first` should refuse to look for an outcome of exact probability `p` among
 * `trialsToScan` trials, where it looks through `reach` (searchReach): the first such trial is
 * expected after 1/p trials, and both that and the trials it may scan are more than `reach`.
 */
export function searchBeyondReach(p: number, trialsToScan: number, reach = FIRST_SEARCH_TRIALS): boolean {
  return p > 0 && trialsToScan > reach && p * reach < 1;
}

/** A step's label as the story tells it: a symbol (which no text can be made of implicitly) by its description. */
function labelOf(step: Step): Step['label'] {
  return (typeof step.label === 'symbol' ? String(step.label) : step.label) as Step['label'];
}

/**
 * Replays trials of a cell exactly as `run` ran them — same block stream, same draws — through
 * the generic engine (the compiled kernels consume the stream identically), recording trial
 * `trial`, or the first trial at or after `trial` whose outcome satisfies `wanted`.
 */
export function traceTrial(cell: Cell, trial: number, wanted?: (outcome: string) => boolean): TrialTrace | null {
  return drain(traceTrialSteps(cell, trial, wanted));
}

/**
 * Work between the yields of traceTrialSteps, counted as a trial plus its messages: a trial of a
 * thousand messages (64 cohorts) weighs what a thousand one-message trials do, so a slice stays
 * a few milliseconds, and a signal is handled at once, in every cell.
 */
const WORK_A_STEP = 16_384;

/** traceTrial as steps of about WORK_A_STEP work (see drainInSlices): a search through 10^15 trials can be interrupted. */
export function* traceTrialSteps(cell: Cell, trial: number, wanted?: (outcome: string) => boolean): Generator<void, TrialTrace | null> {
  // The CLI's --trial is held to this as it is parsed; a library caller's trial 0 or −1 replayed
  // a block no run draws (block −1) and told it as trial −65,535, and 1.5 told trial 2.
  if (!Number.isSafeInteger(trial) || trial < 1)
    throw new UsageError('trial', `${String(trial)} is not a trial: trials are whole numbers counted from 1, as run counts them`);
  const model = buildCellModel(cellSpec(cell));
  verifyStateBounds(model);
  const { protocol, protocolConfig } = model;
  const state = new Int32Array(model.stateSize);
  const step = new Step();
  const counters: TrialCounters = { messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) };
  const events: TraceEvent[] = [];
  let position = -1;
  const observer: TrialObserver = {
    onStart: (p) => {
      position = p;
    },
    onSend: (s, received, st, delivered, toCrashed) =>
      events.push({
        kind: 'send',
        round: s.round,
        direction: s.direction,
        peer: s.peer,
        label: labelOf(s),
        received,
        ...(delivered === undefined ? {} : { delivered }),
        ...(toCrashed ? { toCrashed } : {}),
        state: describeAfter(st, s, received ? 1 : 0),
      }),
    onChoose: (s, choice, st) => events.push({ kind: 'choose', round: s.round, label: labelOf(s), peer: s.peer, choice, state: describeAfter(st, s, choice) }),
    onCrash: (node, round, st) => events.push({ kind: 'crash', round, node, state: describe(st) }),
  };
  // Text, as check holds describe to in the cells it explores: in another cell a symbol stopped the
  // story with an internal error, and undefined or an object printed as if it were a description.
  const describe = (st: Int32Array): string => {
    // A copy: the trial goes on from the state as it was, whatever describe does to it (a write is refused).
    const copy = st.slice();
    const text: unknown = protocol.describe(copy, protocolConfig);
    const written = copy.findIndex((v, i) => v !== st[i]);
    if (written >= 0) throw new StepNotFilled(protocol.name, describeWroteProblem(written, st[written]!, copy[written]!), st);
    if (typeof text !== 'string') {
      const shown =
        typeof text === 'symbol'
          ? 'a symbol'
          : typeof text === 'object' && text !== null
            ? 'an object'
            : typeof text === 'function'
              ? 'a function'
              : String(text);
      throw new StepNotFilled(protocol.name, `describe returned ${shown}, not text`, st);
    }
    return text;
  };
  // The description after the step: resolve a copy of the state.
  const describeAfter = (st: Int32Array, s: Step, result: number): string => {
    const copy = st.slice();
    protocol.resolve(copy, protocolConfig, s, result);
    return describe(copy);
  };
  const total = cell.scenario.trials;
  let block = Math.floor((trial - 1) / BLOCK_SIZE);
  let rng = blockStream(cell.scenario.seed, cell.key, block);
  let work = 0;
  for (let n = block * BLOCK_SIZE + 1; n <= total; n++) {
    if (work >= WORK_A_STEP) {
      work = 0;
      yield;
    }
    if (n > (block + 1) * BLOCK_SIZE) rng = blockStream(cell.scenario.seed, cell.key, ++block);
    // A search runs each trial untold (describing every step of every trial it passes would cost
    // it a thousandfold in a large cell), then tells again, from the same words, the one it finds.
    const searching = n >= trial && wanted !== undefined;
    const start = searching ? rng.getState() : null;
    events.length = 0;
    const told = n >= trial && !searching;
    const outcome = model.outcomes.names[runTrial(model, rng, state, step, counters, told ? observer : undefined)]!;
    work += 1 + counters.messages;
    if (n < trial || (searching && !wanted(outcome))) continue;
    if (start) {
      const again = model.outcomes.names[runTrial(model, new Xoshiro128(...start), state, step, counters, observer)]!;
      if (again !== outcome)
        throw new UsageError(
          `protocol ${protocol.name}`,
          `trial ${n} ended ${outcome}, and ${again} when told again from the same draws: a protocol must keep nothing across trials outside its state array`,
        );
    }
    return {
      cell,
      trial: n,
      block,
      sides: protocol.sides ?? ['A', 'B'],
      peers: (model.crash?.length ?? 2) > 2 || events.some((e) => e.kind !== 'crash' && e.peer >= 0),
      copies: model.copies,
      ...(model.replay ? { traceStart: { position, packets: model.replay.starts } } : {}),
      events: [...events],
      outcome,
      messages: counters.messages,
      finalState: describe(state),
    };
  }
  return null;
}
