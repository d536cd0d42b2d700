import type { Replay } from '../../contract/channel.js';
import { CHOOSE, END } from '../../contract/protocol.js';
import { sample } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import { uniformBelow, uniformBelowInOrder } from '../../rng/uniform.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { traceLanes } from '../accelerators/trace-lanes.js';
import type { TraceLanes } from '../accelerators/trace-lanes.js';
import { TRACE_LAYOUT } from '../accelerators/trace-layout.js';
import type { CellModel } from '../model.js';
import { grownHistogram, toTally } from '../tally.js';
import { PathTrie, automatonFor } from './protocol-automaton.js';
import { MAX_TRIAL_STEPS, TrialNeverEnds } from './trial-rules.js';
import type { PathResults, ProtocolAutomaton } from './protocol-automaton.js';
import { drawKeyedResults, drawResults, resultOrderFor } from './result-order.js';
import type { ResultOrder } from './result-order.js';
import { startOrderFor } from './start-order.js';
import type { StartOrder } from './start-order.js';
import type { Tally } from '../tally.js';

const TWO_16 = 65536;
const TWO_32 = 4294967296;

/**
 * Trials over a replayed channel through the protocol's automaton: a uniform start, then each
 * message's fate read from the trace at the position, and the protocol's own choices drawn —
 * the draws runTrial makes, in its order, so the tallies are the same to the bit; only the
 * protocol's code is not run again for every step. A protocol that sends one message and ends
 * (the messenger) counts its trials by its start order (runBlockInOrder), any other that draws
 * nothing of its own, or whose every choice ends the trial (the randomized protocol's key), by
 * its result order (runBlockByResults); one with a choice a trial goes on from by the start table
 * once that pays (runBlockByStarts: the same draws and tallies). A protocol with too many states
 * for an automaton runs through runTrial.
 */
export function runBlockReplay(model: CellModel, replay: Replay, rng: Xoshiro128, trials: number, generic: () => Tally): Tally {
  const order = startOrderFor(model);
  if (order) return runBlockInOrder(model, order, rng, trials);
  const automaton = automatonFor(model);
  if (!automaton) return generic();
  const results = resultOrderFor(model);
  if (results) return runBlockByResults(model, results, rng, trials);
  // A protocol whose choices all end the trial (or that has none) and has no result order is past the count's limits, which the start table's count would meet again.
  const table = automaton.finalChoices ? null : startTableFor(model, automaton, replay, trials);
  if (table) return runBlockByStarts(model, automaton, replay, table, rng, trials);
  const starts = replay.starts;
  const tally = new BlockTally(model, 16);
  const trial = new TrialWalk(automaton, replay, tally.deliveries, model.protocol.name);
  const outcomes = tally.outcomes;
  let histogram = tally.histogram;
  let rounds = 0;
  for (let t = 0; t < trials; t++) {
    trial.reset(uniformBelow(rng, starts));
    outcomes[trial.walk(rng)]!++;
    const messages = trial.messages;
    if (messages >= histogram.length) histogram = grownHistogram(histogram, messages);
    histogram[messages]!++;
    rounds += trial.lastRound;
  }
  tally.histogram = histogram;
  tally.rounds = rounds;
  return tally.toTally(trials);
}

/**
 * A block of one-send trials (the messenger) through the start order (start-order.ts): each
 * trial's index j is drawn as uniformBelowInOrder draws it, and it is received iff j is below the
 * received starts' count, so a block is counted by one compare a word: on the SIMD lanes
 * (trace-lanes.ts's `below`, the same words in the same order) and the rest one by one. A
 * received message is counted in the delivery class of the order's mean copies. The tally is
 * runTrial's to the bit.
 */
function runBlockInOrder(model: CellModel, order: StartOrder, rng: Xoshiro128, trials: number): Tally {
  const { starts, copies } = order.replay;
  let received = 0;
  let done = 0;
  const lanes = traceLanes();
  if (lanes) {
    const state = Int32Array.from(rng.getState());
    const below = new Float64Array(order.thresholds.length);
    done = lanes.below(state, trials, starts, order.thresholds, below);
    if (done > 0) {
      received = order.thresholds.length > 0 ? below[0]! : order.received > 0 ? done : 0;
      rng = new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!);
    }
  }
  for (let t = done; t < trials; t++) if (uniformBelowInOrder(rng, starts) < order.received) received++;
  const tally = new BlockTally(model, 2);
  if (received > 0) tally.count(order.outcome[1], 1, order.round, received);
  if (received < trials) tally.count(order.outcome[0], 1, order.round, trials - received);
  tally.deliveries[copies]! += received;
  return tally.toTally(trials);
}

/**
 * A block of trials of a protocol that draws nothing of its own, or whose every choice ends the
 * trial, through its result order (result-order.ts): each trial's index j is drawn as
 * uniformBelowInOrder draws it, and its result is the one whose share of the order j falls in;
 * a result that stops at a choice then draws it (drawKeyedResults). The tally is the results'
 * weighed by how often each was drawn, runTrial's to the bit.
 */
function runBlockByResults(model: CellModel, order: ResultOrder, rng: Xoshiro128, trials: number): Tally {
  const { outcome, messages, rounds, deliveries } = order.results;
  const { keys, branches } = order;
  const copies = order.replay.copies;
  const tally = new BlockTally(model, 16);
  const results = outcome.length;
  const drawn = keys ? new Float64Array(results) : drawResults(order, rng, trials);
  // Results that stop at a final choice: such a trial is its start's word and the choice's.
  const chosen = keys ? new Float64Array(results * branches) : null;
  if (chosen) drawKeyedResults(order, rng, trials, drawn, chosen);
  for (let r = 0; r < results; r++) {
    const key = keys?.[r] ?? null;
    const ways = key ? key.ends.length : 1;
    for (let b = 0; b < ways; b++) {
      const n = key ? chosen![r * branches + b]! : drawn[r]!;
      if (n === 0) continue;
      tally.count(key ? key.ends[b]! : outcome[r]!, messages[r]!, rounds[r]!, n);
      for (let v = 0; v < copies; v++) tally.deliveries[v]! += n * deliveries[r * copies + v]!;
    }
  }
  return tally.toTally(trials);
}

/**
 * A trial under way over the automaton: where it stands in the automaton and in the trace, what
 * it has sent; walk() follows it to its end.
 */
class TrialWalk {
  node = 0;
  position = 0;
  messages = 0;
  lastRound = 0;
  private readonly kind: Int8Array;
  private readonly direction: Uint8Array;
  private readonly round: Int32Array;
  private readonly next: Int32Array;
  private readonly choices: (SamplingTable | undefined)[];
  private readonly choiceNext: (Int32Array | undefined)[];

  constructor(
    automaton: ProtocolAutomaton,
    private readonly replay: Replay,
    private readonly deliveries: Float64Array,
    private readonly protocol: string,
  ) {
    ({ kind: this.kind, direction: this.direction, round: this.round, next: this.next, choices: this.choices, choiceNext: this.choiceNext } = automaton);
  }

  reset(start: number): void {
    this.node = 0;
    this.position = start;
    this.messages = 0;
    this.lastRound = 0;
  }

  /**
   * Follows the trial from where it stands to its end: each send's fate read from the trace,
   * each choice of the protocol drawn; adds its deliveries. Returns its outcome.
   */
  walk(rng: Xoshiro128): number {
    const { kind, direction, round, next, choices, choiceNext, replay, deliveries } = this;
    let { node, position, messages, lastRound } = this;
    for (let steps = 0; ; steps++) {
      const k = kind[node]!;
      if (k === END) break;
      // A path that never ends (past the trie's limits, so walked): refused as runTrial refuses it.
      if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(this.protocol, new Int32Array(0), 'a trial over a replayed trace');
      if (k === CHOOSE) {
        node = choiceNext[node]![sample(rng, choices[node]!)]!;
        continue;
      }
      const delivered = replay.delivered(position, direction[node] as 0 | 1);
      position = replay.after(position);
      messages++;
      lastRound = round[node]!;
      if (delivered > 0) deliveries[delivered - 1]!++;
      node = next[2 * node + (delivered > 0 ? 1 : 0)]!;
    }
    this.node = node;
    this.position = position;
    this.messages = messages;
    this.lastRound = lastRound;
    return next[2 * node]!;
  }
}

/** Follows a trial from its start to its end and counts it. */
function followFrom(rng: Xoshiro128, start: number, trial: TrialWalk, tally: BlockTally): void {
  trial.reset(start);
  const outcome = trial.walk(rng);
  tally.count(outcome, trial.messages, trial.lastRound);
}

/** A block's accumulators: trials by outcome and by messages sent, deliveries, rounds. */
class BlockTally {
  readonly outcomes: Float64Array;
  readonly deliveries: Float64Array;
  histogram: Float64Array;
  rounds = 0;

  constructor(model: CellModel, histogramLength: number) {
    this.outcomes = new Float64Array(model.outcomes.names.length);
    this.deliveries = new Float64Array(model.deliveryValues.length);
    this.histogram = new Float64Array(histogramLength);
  }

  /** Adds `n` trials that ended in `outcome` after `messages` messages, the last in round `round`. */
  count(outcome: number, messages: number, round: number, n = 1): void {
    this.outcomes[outcome]! += n;
    if (messages >= this.histogram.length) this.histogram = grownHistogram(this.histogram, messages);
    this.histogram[messages]! += n;
    this.rounds += n * round;
  }

  toTally(trials: number): Tally {
    return toTally(trials, this.outcomes, this.histogram, this.deliveries, this.rounds);
  }
}

/**
 * What a trial from each start does up to the protocol's first choice of its own (a coin that
 * leads on to more sends): its messages, deliveries and rounds so far, and where it
 * stopped, are a function of the start alone, and a trial need only go on from there (or, where
 * every branch of the choice ends at once, draw it). (A protocol that draws nothing of its own,
 * or whose every choice ends the trial, draws through its result order instead: result-order.ts.) Each start holds the code of its result, packed 1, 2, 4 or 8 bits a
 * start (the narrowest that serves: the table is read at random places, and the smaller it is,
 * the more of it the cache holds); the commonest results have codes, and a start with a rarer
 * result holds `escape` and is followed through the automaton when drawn.
 */
interface StartTable {
  /** Start s's code: bits (s mod perWord)·width up of word s / perWord, perWord = 32 / width. */
  readonly classes: Uint32Array;
  /** log2 of a code's bits: 0 … 3. */
  readonly logWidth: number;
  /** The code of a start whose result has none (followed when drawn), or −1 where every result has one. */
  readonly escape: number;
  /** Per code: the trial's outcome, messages, last round. */
  readonly outcome: Int32Array;
  readonly messages: Int32Array;
  readonly round: Int32Array;
  /** Messages delivering c + 1 copies, at code · copies + c. */
  readonly deliveries: Int32Array;
  /** Per code: how many starts hold it. */
  readonly startsOfCode: Float64Array;
  /** The starts that hold `escape`, with their results; null where no start does. */
  readonly escaped: EscapedStarts | null;
}

/**
 * The starts that escaped the table, in order, each with its result (an index into the
 * per-result arrays, which hold every result, coded or not), found by a search within its
 * 2^ESCAPE_BLOCK_LOG starts: a drawn escape whose trial ends is counted by its result, not
 * followed through the automaton (at most 1/64 of the starts; they took a third of a
 * retransmission's time when followed).
 */
interface EscapedStarts {
  readonly starts: Int32Array;
  readonly result: Uint16Array;
  /** Block b's escaped starts (b · 2^ESCAPE_BLOCK_LOG onwards) are entries blocks[b] to blocks[b + 1] − 1. */
  readonly blocks: Int32Array;
  /** Per result: its stop (an outcome, or −1 − the choice node it stops at), messages, last round, deliveries (copies a result). */
  readonly stop: Int32Array;
  readonly messages: Int32Array;
  readonly round: Int32Array;
  readonly deliveries: Int32Array;
}

const ESCAPE_BLOCK_LOG = 8;

/** Bytes a table holds. */
const bytesOf = (table: StartTable): number =>
  table.classes.byteLength + (table.escaped ? table.escaped.starts.byteLength + table.escaped.result.byteLength + table.escaped.blocks.byteLength : 0);

/** The result of an escaped start. */
function escapedResult(escaped: EscapedStarts, start: number): number {
  const block = start >>> ESCAPE_BLOCK_LOG;
  const entries = escaped.starts;
  let low = escaped.blocks[block]!;
  let high = escaped.blocks[block + 1]! - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]! < start) low = mid + 1;
    else high = mid;
  }
  return escaped.result[low]!;
}

/** The escaped starts of a table whose starts have results `resultOf`, coded by `codeOf`. */
function escapedStarts(resultOf: Uint8Array | Uint16Array, codeOf: Int32Array, escape: number, results: PathResults): EscapedStarts | null {
  const starts = resultOf.length;
  let count = 0;
  for (let s = 0; s < starts; s++) if (codeOf[resultOf[s]!] === escape) count++;
  if (count === 0) return null;
  const entries = new Int32Array(count);
  const result = new Uint16Array(count);
  const blocks = new Int32Array((starts >>> ESCAPE_BLOCK_LOG) + 2);
  let e = 0;
  for (let s = 0; s < starts; s++) {
    if ((s & ((1 << ESCAPE_BLOCK_LOG) - 1)) === 0) blocks[s >>> ESCAPE_BLOCK_LOG] = e;
    if (codeOf[resultOf[s]!] !== escape) continue;
    entries[e] = s;
    result[e++] = resultOf[s]!;
  }
  blocks.fill(e, ((starts - 1) >>> ESCAPE_BLOCK_LOG) + 1);
  return {
    starts: entries,
    result,
    blocks,
    stop: Int32Array.from(results.outcome),
    messages: Int32Array.from(results.messages),
    round: Int32Array.from(results.rounds),
    deliveries: Int32Array.from(results.deliveries),
  };
}

/** The share of starts a table may leave to be followed (escape): a narrower table is taken while fewer escape. */
const MAX_ESCAPED = 1 / 64;

interface TableState {
  trialsRun: number;
  table: StartTable | null | undefined;
}

const tables = new WeakMap<CellModel, TableState>();

/** A start table is built once a thread's trials of the cell reach starts / TABLE_PAYS_AFTER (startTableFor). */
const TABLE_PAYS_AFTER = 8;

/**
 * The bytes the live tables may take in one thread: a sweep's models stay cached (a table each),
 * and a table is up to a byte a start. Past it, the oldest table goes and its cell's trials
 * follow the automaton from then on (never rebuilt, so cells run in turns do not rebuild
 * theirs for every block).
 */
const TABLE_BUDGET = 64 * 2 ** 20;

const live: TableState[] = [];
let liveBytes = 0;

function keep(state: TableState, table: StartTable): void {
  while (live.length > 0 && liveBytes + bytesOf(table) > TABLE_BUDGET) {
    const oldest = live.shift()!;
    liveBytes -= bytesOf(oldest.table!);
    oldest.table = null;
  }
  live.push(state);
  liveBytes += bytesOf(table);
}

/**
 * The model's start table, built once the trials drawn through it reach an eighth of the trace's
 * starts: building it follows every start once through the count's graph, an order of magnitude
 * cheaper a start than a trial walked (docs/benchmarks.md, "Figures behind the code"), so a short
 * run over a long trace is not made to pay for it, and a longer one stops walking at about the
 * point the table pays. Null for a protocol whose first step is a choice, past the count's
 * limits, and until it pays.
 */
function startTableFor(model: CellModel, automaton: ProtocolAutomaton, replay: Replay, trials: number): StartTable | null {
  let state = tables.get(model);
  if (!state) {
    // A protocol that chooses before it sends has no part of a trial fixed by the start alone.
    state = { trialsRun: 0, table: automaton.kind[0] === CHOOSE ? null : undefined };
    tables.set(model, state);
  }
  state.trialsRun += trials;
  if (state.table === undefined && TABLE_PAYS_AFTER * state.trialsRun >= replay.starts) {
    const table = buildStartTable(automaton, replay);
    if (table) keep(state, table);
    state.table = table;
  }
  return state.table ?? null;
}

/**
 * Follows every start through the automaton up to its end or its first choice, numbering each
 * by its result: paths (the delivered counts of its sends in turn) that end alike (outcome or
 * choice, messages, deliveries, rounds) share a number, as a tally cannot tell them apart (a
 * retransmission over 10 rounds has hundreds of paths and a few dozen results). Null past
 * MAX_PATHS ends of paths. The paths are a graph (PathTrie: paths that come to the same share a
 * node) whose every node knows its automaton node and, once it ends, its result: a start's walk
 * is a fate read and a child looked up per send, and all else is worked out once per node, when
 * a start first reaches it.
 */
function buildStartTable(automaton: ProtocolAutomaton, replay: Replay): StartTable | null {
  const { starts, copies } = replay;
  const trie = new PathTrie(automaton, replay);
  const pathOf = new Uint16Array(starts); // each start's result
  if (!trie.countStarts(pathOf)) return null;
  return codeResults(pathOf, trie.results, copies);
}

/**
 * Codes for the results, commonest first. The narrowest width whose codes leave at most
 * MAX_ESCAPED of the starts to follow is taken; null where even a byte would leave more.
 */
function codeResults(resultOf: Uint8Array | Uint16Array, results: PathResults, copies: number): StartTable | null {
  const starts = resultOf.length;
  const count = results.outcome.length;
  const startsOf = new Float64Array(count);
  for (let s = 0; s < starts; s++) startsOf[resultOf[s]!]!++;
  const byCount = Array.from(startsOf.keys()).sort((a, b) => startsOf[b]! - startsOf[a]! || a - b);
  let logWidth = 0;
  let escape = -1;
  for (; ; logWidth++) {
    const slots = 1 << (1 << logWidth);
    if (byCount.length <= slots) break;
    let escaped = 0;
    for (let r = slots - 1; r < byCount.length; r++) escaped += startsOf[byCount[r]!]!;
    if (escaped <= MAX_ESCAPED * starts) {
      escape = slots - 1;
      break;
    }
    if (logWidth === 3) return null;
  }
  const codes = byCount.length === 0 ? 0 : escape < 0 ? byCount.length : escape;
  const codeOf = new Int32Array(count).fill(escape);
  const startsOfCode = new Float64Array(codes);
  for (let c = 0; c < codes; c++) {
    codeOf[byCount[c]!] = c;
    startsOfCode[c] = startsOf[byCount[c]!]!;
  }
  const table = {
    outcome: new Int32Array(codes),
    messages: new Int32Array(codes),
    round: new Int32Array(codes),
    deliveries: new Int32Array(codes * copies),
  };
  for (let result = 0; result < count; result++) {
    const c = codeOf[result]!;
    if (c === escape) continue;
    table.outcome[c] = results.outcome[result]!;
    table.messages[c] = results.messages[result]!;
    table.round[c] = results.rounds[result]!;
    for (let v = 0; v < copies; v++) table.deliveries[c * copies + v] = results.deliveries[result * copies + v]!;
  }
  const logPerWord = 5 - logWidth;
  const classes = new Uint32Array(Math.ceil(starts / (1 << logPerWord)));
  const indexMask = (1 << logPerWord) - 1;
  for (let s = 0; s < starts; s++) classes[s >>> logPerWord]! |= codeOf[resultOf[s]!]! << ((s & indexMask) << logWidth);
  const escaped = escape < 0 ? null : escapedStarts(resultOf, codeOf, escape, results);
  return { classes, logWidth, escape, ...table, startsOfCode, escaped };
}

/**
 * A block of trials through the start table: each trial draws its start as runBlockReplay does
 * and reads its code: a code whose trial ends is counted, one stopped at a key whose every
 * branch ends is counted by code and branch (in keyed runs where most starts are such), and the
 * rest go on from their choice through the automaton, as does an escaped start that stops at a
 * choice; the tally is the codes' results weighed by their counts plus the followed trials,
 * whole numbers added in any order, so it is runBlockReplay's to the bit.
 */
function runBlockByStarts(model: CellModel, automaton: ProtocolAutomaton, replay: Replay, table: StartTable, rng: Xoshiro128, trials: number): Tally {
  const { classes, logWidth, escape, outcome: stops } = table;
  const starts = replay.starts;
  const logPerWord = 5 - logWidth;
  const indexMask = (1 << logPerWord) - 1;
  const codeMask = (1 << (1 << logWidth)) - 1;
  const drawn = new Float64Array(codeMask + 1);
  const copies = replay.copies;
  const tally = new BlockTally(model, Math.max(16, ...table.messages) + 1);
  const { deliveries } = tally;
  const trial = new TrialWalk(automaton, replay, deliveries, model.protocol.name);
  const { kind, choices, choiceNext, next } = automaton;
  // A code stopped at a choice whose every branch ends at once (the randomized protocol's key):
  // the trial is its start's draw and the choice's, counted by code and branch, not walked.
  const endsAfter: (Int32Array | undefined)[] = Array.from(stops, (stop) => {
    if (stop >= 0) return undefined;
    const branches = choiceNext[-1 - stop]!;
    return branches.every((node) => kind[node] === END) ? Int32Array.from(branches, (node) => next[2 * node]!) : undefined;
  });
  const branchCount = Math.max(1, ...endsAfter.map((ends) => ends?.length ?? 0));
  const chosen = new Float64Array(stops.length * branchCount);
  // An escaped start whose trial ends is counted by its result; one stopped at a choice is followed.
  const { escaped } = table;
  const escapedDrawn = new Float64Array(escaped ? escaped.stop.length : 0);
  const countEscaped = (start: number): boolean => {
    const result = escapedResult(escaped!, start);
    if (escaped!.stop[result]! < 0) return false;
    escapedDrawn[result]!++;
    return true;
  };
  const keyed = KeyedRuns.over(table, endsAfter, choices, starts);
  let t = 0;
  while (t < trials) {
    if (keyed?.takes(trials - t)) {
      t += keyed.run(rng, chosen, branchCount, trials - t);
      rng = keyed.rng;
      if (!keyed.stopped) continue;
    }
    t++; // one trial as drawn one by one
    const start = uniformBelow(rng, starts);
    const code = (classes[start >>> logPerWord]! >>> ((start & indexMask) << logWidth)) & codeMask;
    if (code === escape) {
      if (!countEscaped(start)) followFrom(rng, start, trial, tally);
      continue;
    }
    const stop = stops[code]!;
    if (stop >= 0) {
      drawn[code]!++;
      continue;
    }
    if (endsAfter[code]) {
      chosen[code * branchCount + sample(rng, choices[-1 - stop]!)]!++;
      continue;
    }
    // The start's sends are known up to a choice of the protocol's own: on from there.
    trial.node = -1 - stop;
    trial.messages = table.messages[code]!;
    trial.lastRound = table.round[code]!;
    const position = start + trial.messages * replay.copies;
    trial.position = position < starts ? position : position % starts; // a float remainder costs more than the compare
    for (let v = 0; v < copies; v++) deliveries[v]! += table.deliveries[code * copies + v]!;
    tally.count(trial.walk(rng), trial.messages, trial.lastRound);
  }
  const countCode = (c: number, outcome: number, n: number): void => {
    tally.count(outcome, table.messages[c]!, table.round[c]!, n);
    for (let v = 0; v < copies; v++) deliveries[v]! += n * table.deliveries[c * copies + v]!;
  };
  for (let r = 0; r < escapedDrawn.length; r++) {
    const n = escapedDrawn[r]!;
    if (n === 0) continue;
    tally.count(escaped!.stop[r]!, escaped!.messages[r]!, escaped!.round[r]!, n);
    for (let v = 0; v < copies; v++) deliveries[v]! += n * escaped!.deliveries[r * copies + v]!;
  }
  for (let c = 0; c < stops.length; c++) {
    if (drawn[c]! > 0) countCode(c, stops[c]!, drawn[c]!);
    const ends = endsAfter[c];
    if (ends) for (let b = 0; b < ends.length; b++) if (chosen[c * branchCount + b]! > 0) countCode(c, ends[b]!, chosen[c * branchCount + b]!);
  }
  return tally.toTally(trials);
}

/** What keyed runs read of a start table. */
type KeyedTable = Pick<StartTable, 'classes' | 'logWidth' | 'outcome' | 'startsOfCode'>;

/** Trials a keyed run takes: enough reads of the table in flight at once, few words drawn again after a break. */
const KEYED_RUN = 128;

/**
 * Keyed runs are tried where at least this share of the starts draws a key alone. A table may
 * leave up to MAX_ESCAPED of its starts to be followed, and those break a run: at 0.99 a table
 * near that bound (the randomized protocol at 1 copy over a trace of i.i.d. loss, when it still
 * drew through a start table: 98.8–99.0% of the starts keyed) drew every trial one by one, at
 * twice Bernoulli's time a trial; with runs, 1.1–1.2 times.
 */
const KEYED_SHARE = 1 - 2.5 * MAX_ESCAPED;

/** A key with more outcomes than this is left to `sample` (its search halves the thresholds). */
const { KEY_OUTCOMES } = TRACE_LAYOUT;

/**
 * Runs of trials through the start table that are each a start and one key word (a key like the
 * randomized protocol's: its sends are the start's, then its key, whose every branch ends at
 * once, in a protocol that also has a choice a trial goes on from). Trial by
 * trial, each trial waits for its start's table read (a miss, on a long trace) before its key
 * tells where the next start's word is. Here a run's words are drawn first, every second word
 * taken as a start and all the run's table reads issued together, so the processor overlaps
 * their misses; then the run is checked in order, each trial being what trial by trial makes
 * of those words: a start word not rejected, a code that draws a key alone, a key word that
 * ties no threshold (sample's rules). The run stops at the first trial that is not, and the
 * stream is set to just before it, so that trial is drawn one by one: the same words in the
 * same order, the same tallies. On WebAssembly (trace-lanes.wat's keyed) a run goes on, chunk
 * by chunk, until a trial stops it or the block ends; here, in JavaScript (no WebAssembly SIMD,
 * or no memory for the table), a run is KEYED_RUN trials and the stream is drawn again to a
 * stop. (Exported for its test.)
 */
export class KeyedRuns {
  rng!: Xoshiro128;
  /** The last run stopped before a trial that is to be drawn one by one. */
  stopped = false;
  private readonly words = new Uint32Array(2 * KEYED_RUN);
  private readonly codes = new Int32Array(KEYED_RUN);
  private readonly logPerWord: number;
  private readonly indexMask: number;
  private readonly codeMask: number;
  private readonly reject: number;

  private constructor(
    private readonly table: KeyedTable,
    /** Per code: the key's last outcome, or −1 for a code whose trial is not a start and one key word. */
    private readonly keyLast: Int32Array,
    /** Per code, KEY_OUTCOMES apart: the key's thresholds' high parts (SamplingTable.high; 2^31, above every hi, as 2^31 − 1, a tie). */
    private readonly keyHigh: Int32Array,
    private readonly starts: number,
    /** Runs on WebAssembly (trace-lanes.wat's keyed: as long as trials stay keyed), or null for the runs here. */
    private readonly lanes: TraceLanes | null,
  ) {
    this.logPerWord = 5 - table.logWidth;
    this.indexMask = (1 << this.logPerWord) - 1;
    this.codeMask = (1 << (1 << table.logWidth)) - 1;
    this.reject = (TWO_32 - starts) % starts;
  }

  /** Keyed runs for the table, or null where too few starts draw a key alone for runs to last. */
  static over(
    table: KeyedTable,
    endsAfter: (Int32Array | undefined)[],
    choices: (SamplingTable | undefined)[],
    starts: number,
    lanes: TraceLanes | null = traceLanes(),
  ): KeyedRuns | null {
    const codes = table.outcome.length;
    const keyLast = new Int32Array(1 << (1 << table.logWidth)).fill(-1); // the escape code's too
    const keyHigh = new Int32Array(keyLast.length * KEY_OUTCOMES);
    let keyedStarts = 0;
    for (let c = 0; c < codes; c++) {
      const key = endsAfter[c] ? choices[-1 - table.outcome[c]!]! : undefined;
      if (!key || key.size === 1 || key.size > KEY_OUTCOMES) continue; // a certain key draws no word
      keyLast[c] = key.size - 1;
      for (let i = 0; i < key.size - 1; i++) keyHigh[c * KEY_OUTCOMES + i] = Math.min(key.high[i]!, 2 ** 31 - 1);
      keyedStarts += table.startsOfCode[c]!;
    }
    return keyedStarts >= KEYED_SHARE * starts ? new KeyedRuns(table, keyLast, keyHigh, starts, lanes) : null;
  }

  /** Whether a run is worth starting with `left` trials left in the block. */
  takes(left: number): boolean {
    return this.lanes ? left > 0 : left >= KEYED_RUN;
  }

  /**
   * Trials from `rng`, up to `left` (on WebAssembly) or KEYED_RUN, each counted in `chosen`
   * (code · branchCount + branch); returns how many, leaves in `this.rng` the stream just
   * after them, and in `this.stopped` whether a trial to be drawn one by one comes next.
   */
  run(rng: Xoshiro128, chosen: Float64Array, branchCount: number, left: number): number {
    if (this.lanes) {
      const { classes, logWidth } = this.table;
      const state = Int32Array.from(rng.getState());
      const done = this.lanes.keyed(classes, state, left, this.starts, logWidth, this.keyLast, this.keyHigh, chosen, branchCount);
      if (done >= 0) {
        this.rng = new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!);
        this.stopped = done < left;
        return done;
      }
    }
    if (left < KEYED_RUN) {
      this.rng = rng; // no memory for the table on WebAssembly, and too few trials for a run here
      this.stopped = true;
      return 0;
    }
    const done = this.runHere(rng, chosen, branchCount);
    this.stopped = done < KEYED_RUN;
    return done;
  }

  private runHere(rng: Xoshiro128, chosen: Float64Array, branchCount: number): number {
    const { words, codes, keyLast, keyHigh, starts, reject, logPerWord, indexMask, codeMask } = this;
    const { classes, logWidth } = this.table;
    const from = rng.getState();
    let [s0, s1, s2, s3] = from;
    // Xoshiro128.nextUint32, on local variables (the method call costs twice as much).
    for (let w = 0; w < words.length; w++) {
      const r = Math.imul(s1, 5);
      words[w] = Math.imul((r << 7) | (r >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    // The table reads, none waiting for another (the start as uniformBelow makes it).
    for (let i = 0; i < KEYED_RUN; i++) {
      const x = words[2 * i]!;
      const start = Math.floor(((x >>> 16) * starts + Math.floor(((x & 0xffff) * starts) / TWO_16)) / TWO_16);
      codes[i] = (classes[start >>> logPerWord]! >>> ((start & indexMask) << logWidth)) & codeMask;
    }
    let done = 0;
    trials: for (; done < KEYED_RUN; done++) {
      if (Math.imul(words[2 * done]!, starts) >>> 0 < reject) break; // rejected: a start takes another word
      const code = codes[done]!;
      const last = keyLast[code]!;
      if (last < 0) break;
      const hi = words[2 * done + 1]! >>> 1;
      const at = code * KEY_OUTCOMES;
      // The first threshold above hi is the number at or below it (they never decrease), counted
      // without a branch: the key is random, and a search that stops at it mispredicts.
      let branch = 0;
      for (let i = 0; i < last; i++) {
        const h = keyHigh[at + i]!;
        if (h === hi) break trials; // a tie: sample draws a second word
        branch -= (h - hi - 1) >> 31;
      }
      chosen[code * branchCount + branch]!++;
    }
    if (done === KEYED_RUN) {
      this.rng = new Xoshiro128(s0, s1, s2, s3);
    } else {
      this.rng = new Xoshiro128(from[0], from[1], from[2], from[3]);
      for (let w = 0; w < 2 * done; w++) this.rng.nextUint32();
    }
    return done;
  }
}
