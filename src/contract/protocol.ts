import { returnedValue } from '../io/wording.js';
import type { ParameterDeclaration } from './parameter.js';

/**
 * The contract between a protocol and the engines that run it.
 *
 * A protocol is a state machine over a small Int32Array. It never draws anything: `next` says
 * what happens next (a message is dispatched, a random choice is made, or the trial ends), the
 * engine supplies the chance — a random draw in the Monte Carlo engine, every branch weighted by
 * its probability in the exact engine — and `resolve` applies the result. One definition serves
 * both engines and `trace`.
 *
 * state[0] is the protocol's clock: every `resolve` must increase it. The exact engine merges
 * branches that reach the same state and relies on the clock to process states in order.
 */

export type Direction = 0 | 1;
export const A_TO_B: Direction = 0;
export const B_TO_A: Direction = 1;

export const SEND = 0;
export const CHOOSE = 1;
export const END = 2;
/**
 * A round starts (only where the engine draws crashes: `ProtocolParams.crashes` is 1): the engine
 * draws, for every node still up, whether it crashes now, calls `crash` for each that does, then
 * `resolve` with result 0, which must advance the clock. The protocol never draws crashes itself.
 */
export const ROUND = 3;
/**
 * What `step.kind` holds until `next` fills it: the engines set it before every call, so a `next`
 * that leaves the step as it found it (writing `step.type`, returning an object, doing nothing)
 * is an error rather than a trial counted as END with outcome 0.
 */
export const UNSET = -1;
export type StepKind = typeof SEND | typeof CHOOSE | typeof END | typeof ROUND;

/** The fields `next` may write: the contract, and what `check` holds a step to. */
export const STEP_FIELDS = ['kind', 'direction', 'round', 'label', 'peer', 'peers', 'choosers', 'choices', 'outcome'] as const;

/** The most peers one announced run of sends covers: `step.peers` is a 31-bit mask. */
export const MAX_ANNOUNCED = 31;

/** Filled in by `next`; one instance is reused for every step of every trial. */
export class Step {
  kind: StepKind | typeof UNSET = UNSET;
  /** SEND: the direction of the message. */
  direction: Direction = A_TO_B;
  /** SEND: the round in which it is dispatched (1-based); ROUND: the round that starts. */
  round = 0;
  /** SEND or CHOOSE: what it is, for traces ("order", "ack 2", …). Informational only. */
  label = '';
  /** SEND: which of several B-side peers (two-phase commit's cohorts) it goes to or from; −1: none. */
  peer = -1;
  /**
   * SEND or CHOOSE, optional: announces a run of sends, one per peer, that follow whatever their
   * results: bit b set means peer `peer + b` takes part (bit 0, `peer` itself, must be set; 0: no
   * run, the step alone). In the run, peer by peer in ascending order, a peer in `choosers` first
   * makes the choice `choices`, then the message of this direction and round goes to or from it.
   * The step itself is the run's first part (CHOOSE iff bit 0 of `choosers` is set), so an engine
   * may ignore the announcement and call `next` after every `resolve`; the Monte Carlo engine
   * skips those calls and calls `resolve` for every part with `kind` and `peer` set to that part.
   * Both must come to the same: called between two parts, `next` must announce the rest of the run
   * and change nothing that the next `resolve` does not overwrite (`check` holds a protocol to it).
   */
  peers = 0;
  /** With `peers`: the peers (same bits) that make the choice `choices` before their send. */
  choosers = 0;
  /** CHOOSE: the probabilities of the outcomes; the engine passes the chosen index to resolve. */
  choices: Float64Array | null = null;
  /** END: index into the protocol's outcome names (−1 until `next` sets it). */
  outcome = -1;

  constructor() {
    // Each field stays a plain value: a protocol file's `next` that turns one into a getter (an
    // outcome that answers otherwise on every read) throws at its own line instead of being
    // counted, as does one that adds a field (which check refuses). Sealed in one call: a
    // defineProperty per field made every step many times dearer, and check makes millions.
    Object.seal(this);
  }
}

/** The highest round a send may name in a cell with these parameters (Infinity: no bound). */
export function roundLimitOf(protocol: Pick<ProtocolDefinition<unknown>, 'roundLimit' | 'usesRounds'>, params: ProtocolParams): number {
  if (protocol.roundLimit) return protocol.roundLimit(params);
  return protocol.usesRounds ? params.rounds : Number.POSITIVE_INFINITY;
}

/** One part of an announced run: bit `peer` of the run's masks, a chooser's choice or a send. */
export interface RunPart {
  readonly peer: number;
  readonly choice: boolean;
}

/** The parts of the run `step` announces in the order the engines take them: peer by peer from the lowest, a chooser's choice before its send. */
export function runParts(step: Step): RunPart[] {
  const parts: RunPart[] = [];
  for (let rest = step.peers; rest !== 0; rest &= rest - 1) {
    const b = 31 - Math.clz32(rest & -rest);
    if ((step.choosers >>> b) & 1) parts.push({ peer: b, choice: true });
    parts.push({ peer: b, choice: false });
  }
  return parts;
}

/** The step `resolve` is given for one part of a run: the run's step with the part's kind and peer. */
export function partStep(run: Step, part: RunPart): Step {
  return Object.assign(new Step(), run, { kind: part.choice ? CHOOSE : SEND, peer: run.peer + part.peer });
}

/** What a run's next part must look like after the part `step` says (null: the run ends with it, or there is none). */
export function restOfRun(step: Step): Step | null {
  if (step.peers === 0) return null;
  const rest = Object.assign(new Step(), step);
  if (step.kind === CHOOSE) {
    rest.kind = SEND;
    rest.choosers = step.choosers & ~1;
    return rest;
  }
  const remaining = step.peers & ~1;
  if (remaining === 0) return null;
  const shift = 31 - Math.clz32(remaining & -remaining);
  rest.peer = step.peer + shift;
  rest.peers = remaining >>> shift;
  rest.choosers = (step.choosers & ~1) >>> shift;
  rest.kind = (rest.choosers & 1) === 1 ? CHOOSE : SEND;
  return rest;
}

/**
 * Whether `said`, what next announced after a part of a run, announces `rest`, the rest of that
 * run (restOfRun): the same next part, and every remaining part in order with none between them.
 * A run that goes on past the rest's last peer (a window of the next 31 peers, where the run that
 * was cut at 31 had more to reach) is the same sends: the Monte Carlo engine, having resolved the
 * rest, calls next and is told the ones after it.
 */
export function announcesRest(said: Step, rest: Step): boolean {
  // Bits 0 to the rest's last peer: what said names there must be the rest exactly.
  const span = rest.peers === 0 ? 0 : (2 ** (32 - Math.clz32(rest.peers)) - 1) | 0;
  return (
    said.kind === rest.kind &&
    said.peer === rest.peer &&
    (said.peers & span) === rest.peers &&
    (said.choosers & span) === rest.choosers &&
    said.direction === rest.direction &&
    said.round === rest.round &&
    (rest.choosers === 0 || sameChoices(said.choices, rest.choices))
  );
}

/** A step as messages name it: its kind, peer, run and choices. */
export function runText(step: Step): string {
  const kind = step.kind === SEND ? 'SEND' : step.kind === CHOOSE ? 'CHOOSE' : step.kind === END ? 'END' : step.kind === ROUND ? 'ROUND' : String(step.kind);
  const choices = step.choosers === 0 ? '' : ` choices ${step.choices ? Array.from(step.choices).join('/') : 'none'}`;
  return `${kind} peer ${fieldText(step.peer)} peers ${fieldText(step.peers)} choosers ${fieldText(step.choosers)}${choices} direction ${fieldText(step.direction)} round ${fieldText(step.round)}`;
}

/** Whether two choices' probabilities are the same (both absent, or equal value for value). */
export function sameChoices(a: ArrayLike<number> | null | undefined, b: ArrayLike<number> | null | undefined): boolean {
  if (!a || !b) return !a === !b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/**
 * A step's label as a message tells it: a symbol by its description (`Symbol(order)`, which no
 * template can make text of: it threw, and the command stopped as an internal error), anything
 * else that is not text as JavaScript prints it.
 */
export function labelText(label: unknown): string {
  return label === undefined || label === null ? '' : fieldText(label);
}

/** A step field's value as a message shows it, whatever next put there: a symbol by its description (a template throws on one), a BigInt with its n. */
export function fieldText(value: unknown): string {
  if (typeof value === 'symbol') return String(value);
  if (typeof value === 'bigint') return `${value}n`; // a BigInt 1n is no round 1
  try {
    return `${value}`;
  } catch {
    return '(a value that is not text)'; // an object whose toString throws
  }
}

/**
 * What `configure` did to the cell's parameters it was given (a copy), or null where it left them
 * as they were: it may add to them (a config built on the object) but not change or remove one,
 * since every row, cell name and saved file prints the given value, and the cell would be
 * computed with another (`params.rounds = 1` in a cell of rounds 4).
 */
export function changedParameter(given: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string | null {
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(after, name)) return `removed the parameter ${name} (${String(value)})`;
    if (!Object.is(after[name], value)) return `changed the parameter ${name} from ${String(value)} to ${returnedValue(after[name])}`;
  }
  return null;
}

/**
 * Makes `step` a fresh one again before `next` fills it (the engines, before every call): every
 * field as a new Step holds it, kind and outcome unset. A `next` that leaves a field as it found
 * it (a send's direction, its peer) then reads what `check` read there, in every engine: it read
 * what the call before left, and each engine calls `next` in an order of its own (the exact
 * engine clock by clock, Monte Carlo trial by trial), so one file computed other numbers in each.
 */
export function clearStep(step: Step): void {
  step.kind = UNSET;
  step.direction = A_TO_B;
  step.round = 0;
  step.label = '';
  step.peer = -1;
  step.peers = 0;
  step.choosers = 0;
  step.choices = null;
  step.outcome = -1;
}

/**
 * Why a step's announced run (`peers`, `choosers`) is not one the engines can run, or null: the
 * fields' own rules, checked where a run is read. (That `next` agrees with the run is check's.)
 */
export function announcementProblem(step: Step): string | null {
  const { peers, choosers } = step;
  if (peers === 0 && choosers === 0) return null;
  if (step.kind !== SEND && step.kind !== CHOOSE) return `step.peers announces a run on a step of kind ${String(step.kind)}; only a SEND or CHOOSE may`;
  if (!Number.isInteger(peers) || peers < 0 || peers > 0x7fffffff)
    return `step.peers is ${String(peers)}; it must be a bit mask of at most ${MAX_ANNOUNCED} peers (a whole number from 1 to 2^31 - 1)`;
  if ((peers & 1) === 0) return `step.peers is ${peers}, without bit 0: the run starts at step.peer itself, so bit 0 must be set`;
  if (!Number.isInteger(choosers) || choosers < 0 || (choosers & ~peers) !== 0)
    return `step.choosers is ${String(choosers)}; it must name only peers of step.peers (${peers})`;
  if (!(Number.isInteger(step.peer) && step.peer >= 0)) return `step.peers announces a run from peer ${fieldText(step.peer)}; step.peer must be 0 or more`;
  if ((step.kind === CHOOSE) !== ((choosers & 1) === 1))
    return step.kind === CHOOSE
      ? 'a CHOOSE step announces a run whose first peer does not choose: set bit 0 of step.choosers'
      : 'a SEND step announces a run whose first peer chooses first (bit 0 of step.choosers): the step must be that CHOOSE';
  if (choosers !== 0 && !(step.choices instanceof Float64Array))
    return step.choices == null
      ? 'step.choosers is set, but step.choices gives no probabilities for their choice'
      : "step.choosers is set, but step.choices is not a Float64Array: give a run's choice as one (Float64Array.of(…), made once in configure)";
  return null;
}

/**
 * Why a choice's probabilities (`step.choices`) are no distribution, or null: each finite and
 * non-negative, summing to 1 within 1e-9. `check` holds every small cell to it, and each engine
 * refuses a choice that breaks it wherever it meets one, so no cell counts it.
 */
export function choicesProblem(choices: ArrayLike<number> | null | undefined): string | null {
  if (!choices || choices.length === 0) return 'a choice has no probabilities (step.choices)';
  // Read where a table is made, not at every draw: a getter may answer otherwise on every read (a Proxy: engine/unfilled-step.ts).
  if (!ArrayBuffer.isView(choices))
    for (let i = 0; i < choices.length; i++)
      if (Object.getOwnPropertyDescriptor(choices, i)?.get !== undefined)
        return `a choice's probability step.choices[${i}] is a getter; step.choices must be an array of numbers or a Float64Array`;
  let sum = 0;
  for (let i = 0; i < choices.length; i++) {
    const v = choices[i]!;
    if (!Number.isFinite(v) || v < 0) return `a choice has probability ${v}; each must be finite and non-negative`;
    sum += v;
  }
  return Math.abs(sum - 1) > 1e-9 ? `a choice's probabilities sum to ${sum}, not 1` : null;
}

/**
 * Why a SEND step names no place an engine can send from, or null: a direction A_TO_B (0) or
 * B_TO_A (1), and a whole round from 1 to `roundLimit` (roundLimitOf, at least 1). `check` holds
 * every small cell to it; the engines refuse a send that breaks it in any cell.
 */
export function sendProblem(step: Step, roundLimit: number, ownLimit = false): string | null {
  if (step.direction !== 0 && step.direction !== 1) return `a send has direction ${fieldText(step.direction)}; it must be A_TO_B (0) or B_TO_A (1)`;
  if (!Number.isInteger(step.round) || step.round < 1 || step.round > roundLimit)
    return `a send in round ${fieldText(step.round)}, outside 1..${roundLimit} (the round limit${ownLimit ? ' its roundLimit gives' : ''})`;
  return null;
}

/** Why a `next` left a step that no engine may read, or null: the likely slip in words. */
export function unfilledStep(step: Step, outcomes: number): string | null {
  if (step.kind === UNSET)
    return 'next left step.kind unset: set step.kind to SEND, CHOOSE or END (the field is kind, not type; next fills the step it is given and returns nothing)';
  if (step.kind === END && !(Number.isInteger(step.outcome) && step.outcome >= 0 && step.outcome < outcomes))
    return step.outcome === -1
      ? 'the trial ended (END) without an outcome: set step.outcome to an index into outcomes.names'
      : `the trial ended with outcome ${fieldText(step.outcome)}, not an index into outcomes.names (0 to ${outcomes - 1})`;
  if (step.kind !== END && step.kind !== SEND && step.kind !== CHOOSE && step.kind !== ROUND)
    return `next set step.kind to ${String(step.kind)}; it must be SEND, CHOOSE, ROUND or END`;
  return null;
}

/** The outcome names a protocol can end in, and which of them count as success or disagreement. */
export interface OutcomeSet {
  readonly names: readonly string[];
  readonly success: readonly number[];
  readonly disagreement: readonly number[];
  /** Column titles in the table for success and disagreement. */
  readonly labels: readonly [string, string];
  /** Further outcomes the table shows in a column of their own (two-phase commit's blocked). */
  readonly shown: readonly number[];
}

/** Frozen through and through: protocol files receive these, and a file must not change another protocol's outcomes. */
function frozenOutcomes(set: OutcomeSet): OutcomeSet {
  for (const list of Object.values(set)) Object.freeze(list);
  return Object.freeze(set);
}

export const GENERALS_OUTCOMES: OutcomeSet = frozenOutcomes({
  names: ['both', 'neither', 'onlyA', 'onlyB'],
  success: [0],
  disagreement: [2, 3],
  labels: ['success', 'disagreement'],
  shown: [],
});
/** Two-phase commit's outcomes: success is all committed, disagreement is inconsistency. */
export const COMMIT_OUTCOMES: OutcomeSet = frozenOutcomes({
  names: ['committed', 'aborted', 'blocked', 'inconsistent'],
  success: [0],
  disagreement: [3],
  labels: ['committed', 'inconsistent'],
  shown: [2],
});

export const BOTH = 0;
export const NEITHER = 1;
export const ONLY_A = 2;
export const ONLY_B = 3;

/** Maps the two generals' decisions to an outcome index. */
export function generalsOutcome(aAttacks: boolean, bAttacks: boolean): number {
  if (aAttacks) return bAttacks ? BOTH : ONLY_A;
  return bAttacks ? ONLY_B : NEITHER;
}

/**
 * The cell parameters a protocol reads: the round limit, and its own declared parameters by
 * name, every one present (defaults filled in).
 */
export interface ProtocolParams {
  readonly rounds: number;
  /**
   * The protocol's own parameters by name, and `crashes`: 1 where the engine draws crashes in
   * this cell (some crash rate above 0), when the protocol says ROUND at the start of every round;
   * absent otherwise, and the protocol runs as without crash support. (`crashes` is not declared
   * as an optional member of its own: that would clash with this index type for a user's strict
   * TypeScript.)
   */
  readonly [name: string]: number;
}

export interface ProtocolDefinition<Config = unknown> {
  readonly name: string;
  /** Who sends A→B and B→A, for traces: ['A', 'B'] or ['Coordinator', 'Cohort']. */
  readonly sides?: readonly [string, string];
  /** One line for `list`. */
  readonly summary: string;
  readonly outcomes: OutcomeSet;
  /** Where the exact engine applies and how large a cell it handles, for `list`. */
  readonly exactNote: string;
  /** Whether `rounds` means anything to it (messenger ignores it). */
  readonly usesRounds: boolean;
  /** Its own parameters besides redundancy and rounds, written at the scenario's top level. */
  readonly parameters: readonly ParameterDeclaration[];
  /**
   * Optional: the highest round a send may name in a cell with these parameters (two-phase
   * commit's two phases: 2·rounds; a protocol with a fixed number of rounds: that number). Without
   * it: `rounds` where the protocol uses rounds, else no bound. `check` holds sends to it and
   * `merge` judges a shard's rounds by it.
   */
  roundLimit?(params: ProtocolParams): number;
  configure(params: ProtocolParams): Config;
  stateSize(config: Config): number;
  init(state: Int32Array, config: Config): void;
  /** Describes the next chance point (or the end) in `step`; may advance deterministic steps. */
  next(state: Int32Array, config: Config, step: Step): void;
  /** Applies the chance result: for SEND 1 if the message was received, else 0; for CHOOSE the index. */
  resolve(state: Int32Array, config: Config, step: Step, result: number): void;
  /**
   * Optional: resolves a whole announced run (`step.peers`) in one call, as calling `resolve` for
   * each of its parts in turn would (without `next` between them): `step` is the run's first part
   * as `next` filled it; bit b of `delivered` is set iff the send to or from peer `step.peer + b`
   * was received, bit b of `chosen` iff that peer's choice (a chooser's) came out 1. The Monte
   * Carlo engine draws every part of the run, then calls it once; it resolves runs whose choices
   * have more than two outcomes part by part. `check` holds it to the same states as `resolve`.
   */
  resolveRun?(state: Int32Array, config: Config, step: Step, delivered: number, chosen: number): void;
  /**
   * Optional: rewrites a state into a canonical one with the same future (for instance by
   * sorting interchangeable cohorts), so that the exact engine merges symmetric states.
   */
  canonicalize?(state: Int32Array, config: Config): void;
  /** Each side's state in a few words, for traces. */
  describe(state: Int32Array, config: Config): string;
  /**
   * Crash support (all four or none; docs/writing-a-protocol.md, "Crashes"). `roles` names the
   * kinds of node, as a scenario's `crash: { role: rate }` writes them. `nodes` gives each node's
   * role index: node 0 is the A side (it sends A→B), node 1 + peer the B side's peer (node 1
   * where sends name no peer). A crashed node takes no further step and dispatches nothing; the
   * engine sees that nothing reaches it. How a crashed node counts in the outcome is the
   * protocol's to say.
   */
  readonly roles?: readonly string[];
  nodes?(config: Config): readonly number[];
  /** Node `node` crashes now, at the start of a round: mark it in the state. */
  crash?(state: Int32Array, config: Config, node: number): void;
  /** Whether node `node` has crashed. */
  crashed?(state: Int32Array, config: Config, node: number): boolean;
}

/**
 * The crash members of a protocol of two generals, A (node 0) and B (node 1), whose state marks
 * a crashed node with a 1 at `at + node`.
 */
export function twoGeneralsCrashes(at: number): Pick<ProtocolDefinition<unknown>, 'roles' | 'nodes' | 'crash' | 'crashed'> {
  return {
    roles: ['A', 'B'],
    nodes: () => [0, 1],
    crash(state, _config, node) {
      state[at + node] = 1;
    },
    crashed: (state, _config, node) => state[at + node] === 1,
  };
}

/** A protocol that supports crashes: it declares its roles and nodes and how a crash changes its state. */
export function supportsCrashes(protocol: ProtocolDefinition<unknown>): boolean {
  return Array.isArray(protocol.roles) && protocol.roles.length > 0 && !!protocol.nodes && !!protocol.crash && !!protocol.crashed;
}

/** The node that dispatches a message, under the node numbering of `nodes`. */
export function senderNode(direction: Direction, peer: number): number {
  return direction === A_TO_B ? 0 : 1 + Math.max(peer, 0);
}

/** The node a message is addressed to. */
export function receiverNode(direction: Direction, peer: number): number {
  return direction === A_TO_B ? 1 + Math.max(peer, 0) : 0;
}

/** What a protocol file's default-export function receives (protocol-files/load.ts): the contract's constants and helpers. */
export interface ProtocolApi {
  readonly SEND: typeof SEND;
  readonly CHOOSE: typeof CHOOSE;
  readonly END: typeof END;
  readonly ROUND: typeof ROUND;
  readonly A_TO_B: Direction;
  readonly B_TO_A: Direction;
  readonly GENERALS_OUTCOMES: OutcomeSet;
  readonly COMMIT_OUTCOMES: OutcomeSet;
  generalsOutcome(aAttacks: boolean, bAttacks: boolean): number;
}

/**
 * A protocol as a file gives it: the definition, where summary, exactNote, usesRounds (default
 * true), parameters (default none) and the outcomes' labels and shown columns may be left out.
 */
export type ProtocolFileDefinition<Config = any> = Omit<ProtocolDefinition<Config>, 'summary' | 'exactNote' | 'usesRounds' | 'parameters' | 'outcomes'> & {
  readonly summary?: string;
  readonly exactNote?: string;
  readonly usesRounds?: boolean;
  readonly parameters?: readonly ParameterDeclaration[];
  readonly outcomes: Pick<OutcomeSet, 'names' | 'success' | 'disagreement'> & Partial<Pick<OutcomeSet, 'labels' | 'shown'>>;
};

/** A protocol file's default export: the definition, or a function of the API returning it. */
export type ProtocolFactory = ((api: ProtocolApi) => ProtocolFileDefinition) | ProtocolFileDefinition;
