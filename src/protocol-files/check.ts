import { ExactUnavailable, UNLIMITED, exactCell } from '../engine/exact/index.js';
import { mergingChanged } from '../engine/exact/canonical-check.js';
import { returnedValue } from '../io/wording.js';
import { buildCellModel } from '../engine/model.js';
import { StateTable } from '../engine/state-table.js';
import { changedChoices, choicesChangedByResolve, nodesProblem, notBoolean, peerNotListed, unannouncedRound } from '../engine/montecarlo/trial-rules.js';
import {
  CHOOSE,
  END,
  ROUND,
  SEND,
  STEP_FIELDS,
  Step,
  announcementProblem,
  fieldText,
  labelText,
  receiverNode,
  roundLimitOf,
  sendProblem,
  senderNode,
  supportsCrashes,
  choicesProblem,
  partStep,
  runParts,
  unfilledStep,
  restOfRun,
  runText,
  announcesRest,
  sameChoices,
  changedParameter,
} from '../contract/protocol.js';
import type { ProtocolDefinition, ProtocolParams } from '../contract/protocol.js';
import { thrownWhere, withoutFileGlobals } from './load.js';
import { thrownText } from './thrown.js';
import { changedStepProblem, proxyProblem } from '../engine/unfilled-step.js';
import { namingProblem } from './names.js';
import { crashedWroteProblem, describeWroteProblem } from '../engine/only-reads.js';
import { ChoicesSnapshot } from './choices-snapshot.js';
import { counted } from '../io/wording.js';

/**
 * `twogenerals check`: explores a protocol over small cells of its parameters, every chance
 * point taken every way, and enforces the contract: the clock increases on every resolve; `next`
 * and `resolve` are deterministic; the state stays within its declared size; sends name a direction and a
 * round within the round limit; every trial ends; outcome indices are valid; choice
 * probabilities are finite, non-negative and sum to 1; `describe` returns text; a `canonicalize`
 * does not change any exact value. A protocol that supports crashes is explored again with
 * crashes: every way the nodes up may crash at each round's start, checking that `crashed` agrees
 * with the crashes the check made, that no crashed node dispatches anything, that nothing
 * reaches one, and that every crash pattern ends in a valid outcome. A step that announces a run
 * of sends (`peers`) must name a run the engines can take, and `next`, called after each part of
 * it, must announce the rest and change nothing the next `resolve` does not overwrite: the Monte
 * Carlo engine skips those calls. A `resolveRun` must reach, for every way a run's draws come
 * out, the state its parts resolved one by one reach. The first broken rule is
 * reported with the cell, the state (numbers and described) and the results that led there.
 */
export interface CheckReport {
  readonly protocol: string;
  readonly cells: number;
  readonly states: number;
  readonly trialsEnded: number;
}

export class ContractBroken extends Error {
  override name = 'ContractBroken';
}

/** Where the exploration is, for the watchdog's message if a call never returns. */
export interface CheckPosition {
  call: string;
  /** The state the call was given (a view: the check never changes a state once it is given to a call). */
  state: ArrayLike<number>;
}

const GUARD = 4;
const SENTINEL = 0x5eed5eed;
/** States explored per cell at most, and steps a trial may take before it counts as never ending. */
const MAX_STATES = 200_000;
const MAX_STEPS = 100_000;
/** The quick check's bound: its one cell has two rounds, and it must answer well within its watchdog's seconds. */
const QUICK_MAX_STEPS = 20_000;
/**
 * The quick check runs before every command, so it explores at most this many states of its cell
 * (a few milliseconds), then follows one trial on to its end, so that a trial that never ends is
 * still stopped; `check` explores every state.
 */
const QUICK_MAX_STATES = 2_000;
/** States of each cell, in the order met, whose steps the second pass of checkCellsApart compares. */
const APART_STATES = 1_000;
/** The quick check's, before every command: a few milliseconds. */
const QUICK_APART_STATES = 100;

/** Small cells: rounds 1 to 3, each of the protocol's parameters at its minimum, default and maximum (whole numbers near the minimum). */
export function smallCells(protocol: ProtocolDefinition<unknown>, quick = false): Record<string, number>[] {
  let cells: Record<string, number>[] = (quick ? [2] : [1, 2, 3]).map((rounds) => ({ rounds }));
  for (const p of protocol.parameters) {
    const min = p.minimum ?? 0;
    const max = p.maximum ?? min + 1;
    const values = p.integer ? [min, Math.min(max, min + 1), Math.min(max, min + 2)] : [min, Number(p.default ?? (min + max) / 2), max];
    const distinct = [...new Set(quick ? [Number(p.default ?? min)] : values)];
    cells = cells.flatMap((cell) => distinct.map((v) => ({ ...cell, [p.name]: v })));
  }
  return cells.slice(0, quick ? 1 : 64);
}

export function checkProtocol(
  protocol: ProtocolDefinition<unknown>,
  quick = false,
  position?: CheckPosition,
  file?: string,
  copy?: ProtocolDefinition<unknown>,
): CheckReport {
  const naming = namingProblem(protocol.name, protocol.outcomes, protocol.parameters, protocol.roles ?? []);
  if (naming) throw new ContractBroken(naming);
  let states = 0;
  let ended = 0;
  const cells = smallCells(protocol, quick);
  // Every probability array next gives, with what it held: across cells too (configure may fill one).
  const choicesGiven = new WeakMap<object, string>();
  const steps: Map<string, number>[] = [];
  for (const params of cells) {
    for (const crashes of supportsCrashes(protocol) ? [false, true] : [false]) {
      const taken = new Map<string, number>();
      const r = checkCell(protocol, params, position, file, quick ? QUICK_MAX_STEPS : MAX_STEPS, crashes, quick ? QUICK_MAX_STATES : undefined, choicesGiven, {
        record: taken,
      });
      states += r.states;
      ended += r.ended;
      steps.push(taken);
    }
    // The quick check too, within a small budget: a canonicalize that merges states whose futures
    // differ would print wrong exact values beside the run's own estimates, with exit 0. With crash
    // support, with crashes too: the engine merges crash cells' states by it as well.
    if (protocol.canonicalize) for (const crash of supportsCrashes(protocol) ? [0, 0.3] : [0]) checkCanonicalize(protocol, params, quick, crash);
  }
  if (copy) checkCellsApart(protocol, copy, cells, steps, quick, position, file);
  return { protocol: protocol.name, cells: cells.length, states, trialsEnded: ended };
}

/**
 * Every command configures all its cells first, and runs them one after another on each thread
 * (the exact values, then each cell's trials), and each engine meets a cell's states in an order
 * of its own (the exact engine clock by clock, Monte Carlo trial by trial), so a protocol that
 * keeps something outside the state and the config (a cache of steps by state in the module, a
 * variable a method sets and another reads) gives each cell the steps of the cells before it,
 * and each state the steps of the states met before it: the engines count another protocol, exit
 * 0. Here the cells are explored again, in the reverse order and each state's results the other
 * way round, by a copy of the file evaluated anew (`copy`), and every state met in both passes
 * (of the first APART_STATES of each cell) must take the same step as it did (`steps`, each
 * cell's by state). The quick check, of one cell, adds a second (rounds 1, each parameter at
 * another value) to the two passes, its own slips left to the engines.
 */
function checkCellsApart(
  protocol: ProtocolDefinition<unknown>,
  copy: ProtocolDefinition<unknown>,
  cells: Record<string, number>[],
  steps: Map<string, number>[],
  quick: boolean,
  position: CheckPosition | undefined,
  file: string | undefined,
): void {
  const kinds = supportsCrashes(protocol) ? [false, true] : [false];
  const maxSteps = quick ? QUICK_MAX_STEPS : MAX_STEPS;
  const budget = quick ? QUICK_MAX_STATES : undefined;
  const all = [...cells];
  const forward = [...steps];
  if (quick) {
    const other = otherCell(protocol, cells[0]!);
    if (other) {
      try {
        for (const crashes of kinds) {
          const taken = new Map<string, number>();
          checkCell(protocol, other, position, file, maxSteps, crashes, QUICK_APART_STATES, undefined, { record: taken });
          forward.push(taken);
        }
        all.push(other);
      } catch (error) {
        if (!(error instanceof ContractBroken)) throw error; // else the engines' to refuse, where they run that cell
        forward.length = steps.length;
      }
    }
  }
  // The copy starts without what the first left in globalThis too (a cache kept there).
  const otherAt = all.length > cells.length ? all.length - 1 : -1;
  withoutFileGlobals(() => exploreApart(copy, all, forward, kinds, quick, maxSteps, budget, otherAt, position, file), copy);
}

/** checkCellsApart's second pass: the cells in the reverse order, each state held to the step it took in the first (`forward`). */
function exploreApart(
  copy: ProtocolDefinition<unknown>,
  all: Record<string, number>[],
  forward: Map<string, number>[],
  kinds: boolean[],
  quick: boolean,
  maxSteps: number,
  budget: number | undefined,
  otherAt: number,
  position: CheckPosition | undefined,
  file: string | undefined,
): void {
  const given = new WeakMap<object, string>();
  for (let c = all.length - 1; c >= 0; c--) {
    for (const [k, crashes] of kinds.entries()) {
      try {
        // The quick check's second cell (the last) was explored within QUICK_APART_STATES states.
        const cellBudget = c === otherAt ? QUICK_APART_STATES : budget;
        checkCell(copy, all[c]!, position, file, maxSteps, crashes, cellBudget, given, { expected: forward[c * kinds.length + k]! });
      } catch (error) {
        if (error instanceof StepsApart) throw error;
        // The copy breaks another rule the first did not meet there (the quick check's budget
        // reaches other states in this order): left to the engines, where they run that cell.
        if (error instanceof ContractBroken && quick) return;
        throw error;
      }
    }
  }
}

/** A state that takes another step when the states and cells before it were met in another order (checkCellsApart). */
class StepsApart extends ContractBroken {}

/** What checkCellsApart says of a state whose step changed with the order. */
const STEPS_APART =
  "next takes another step here than it did when the cells and states before this one were met in another order (a fresh copy of the file, the cells in the reverse order and each state's results the other way round): it keeps something outside the state and the config (a cache of steps by state in the module or in globalThis, a variable a method sets and another reads), so what the engines count would depend on the order they meet cells, states and trials in; keep it in the state, and a cell's figures in the config configure returns";

/** A cell other than the quick check's: rounds 1, each of the protocol's parameters at another value of its range; null where none differs. */
function otherCell(protocol: ProtocolDefinition<unknown>, cell: Record<string, number>): Record<string, number> | null {
  const other: Record<string, number> = { ...cell, rounds: 1 };
  for (const p of protocol.parameters) {
    const min = p.minimum ?? 0;
    const max = p.maximum ?? min + 1;
    const now = cell[p.name]!;
    const next = p.integer ? (now + 1 <= max ? now + 1 : now - 1 >= min ? now - 1 : now) : now !== min ? min : max;
    other[p.name] = next;
  }
  return Object.entries(other).some(([name, v]) => v !== cell[name]) ? other : null;
}

function checkCell(
  protocol: ProtocolDefinition<unknown>,
  params: Record<string, number>,
  position: CheckPosition | undefined,
  file: string | undefined,
  maxSteps: number,
  crashes = false,
  budget?: number,
  choicesGiven = new WeakMap<object, string>(),
  apart: { readonly record?: Map<string, number>; readonly expected?: Map<string, number> } = {},
  apartStates = budget === undefined ? APART_STATES : QUICK_APART_STATES,
): { states: number; ended: number } {
  const where = `cell ${Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}${crashes ? ', with crashes' : ''}`;
  let size = 0;
  const call = <T>(what: string, state: Int32Array, f: () => T): T => {
    if (position) {
      position.call = what;
      position.state = state.subarray(0, size);
    }
    try {
      return f();
    } catch (error) {
      throw new ContractBroken(`${where}: ${what} threw: ${file ? thrownWhere(error, file) : thrownText(error)}`);
    }
  };
  const givenParams = { ...params, ...(crashes ? { crashes: 1 } : {}) };
  const passedParams = { ...givenParams };
  const config = call('configure', new Int32Array(0), () => protocol.configure(passedParams as never));
  const changed = changedParameter(givenParams, passedParams);
  if (changed)
    throw new ContractBroken(
      `${where}: configure ${changed}: it must derive its config from the parameters, never change them, since every row and file prints the given value`,
    );
  const nodeRoles = crashes ? call('nodes', new Int32Array(0), () => protocol.nodes!(config)) : [];
  const nodesSlip = crashes ? nodesProblem(nodeRoles, protocol.roles!.length, 30) : null;
  if (nodesSlip) throw new ContractBroken(`${where}: ${nodesSlip}`);
  size = call('stateSize', new Int32Array(0), () => protocol.stateSize(config));
  if (!Number.isInteger(size) || size < 1 || size > 1 << 20)
    throw new ContractBroken(`${where}: stateSize returned ${returnedValue(size)}; it must be a whole number from 1 (the clock) to 2^20`);
  const fresh = (): Int32Array => {
    const s = new Int32Array(size + GUARD);
    s.fill(SENTINEL, size);
    return s;
  };
  // The states met so far (by their fields and the nodes the check crashed), a copy each.
  const seen = new StateTable<{ state: Int32Array; channelState: number }>();
  let ended = 0;
  // Depth first, with the results that led to each state, so that a broken rule can be replayed.
  // A path is kept as a chain of (result, the path before it), so a deep trial costs no copying.
  interface Path {
    readonly label: string;
    readonly before: Path | null;
    readonly length: number;
  }
  const extend = (path: Path | null, label: string): Path => ({ label, before: path, length: (path?.length ?? 0) + 1 });
  const labels = (path: Path | null, last = Number.POSITIVE_INFINITY): string[] => {
    const out: string[] = [];
    for (let p = path; p && out.length < last; p = p.before) out.push(p.label);
    return out.reverse();
  };
  // `crashed`: the nodes the check itself crashed, a bit each, so a protocol's own record is checked against it.
  // A state joins the stack only the first time it is made: its own checks run once, the edge's checks every time.
  // `started`: the last round started (ROUND) on the path, with crashes: a send in a later round is refused, as every engine refuses it.
  const stack: { state: Int32Array; path: Path | null; crashed: number; started: number }[] = [];
  // Work on a state happens in these scratch copies (an Int32Array each is costly to allocate);
  // only a state seen for the first time is copied onto the stack. Views of each are made once.
  const scratch = (): [Int32Array, Int32Array] => {
    const s = fresh();
    return [s, s.subarray(0, size)];
  };
  const [first, firstView] = scratch();
  const [second, secondView] = scratch();
  const [child, childView] = scratch();
  const [called, calledView] = scratch();
  const [skipped, skippedView] = scratch();
  const [after, afterView] = scratch();
  const [twice, twiceView] = scratch();
  const [shown, shownView] = scratch();
  const [byParts, byPartsView] = scratch();
  const [inOne, inOneView] = scratch();
  const choicesBefore = new ChoicesSnapshot();
  // Past the budget the exploration narrows to one trial: pending branches are dropped, and a
  // state's first new child is its only one followed.
  let narrowed = false;
  const visit = (state: Int32Array, view: Int32Array, path: Path | null, crashed: number, started: number): void => {
    // A state is told by its fields, the nodes crashed and the round started: one number, exact
    // below 2^53 (nodes crashed < 2^30, as nodes lists at most 30; rounds past 2^22 share a key).
    const key = crashed + 2 ** 30 * Math.min(started, 2 ** 22);
    if (seen.find(key, view)) return;
    if (narrowed && stack.length > 0) return;
    // One copy for both: the stacked state is never handed to the protocol (describe gets a copy of it).
    const copy = state.slice();
    seen.add({ state: copy.subarray(0, size), channelState: key });
    if (budget !== undefined && !narrowed && seen.nodes.length >= budget) {
      narrowed = true;
      stack.length = 0;
    }
    if (seen.nodes.length > MAX_STATES)
      throw new ContractBroken(`${where}: more than ${MAX_STATES} distinct states in a small cell; is the clock (state[0]) the only thing that keeps growing?`);
    stack.push({ state: copy, path, crashed, started });
  };
  // Each state's step (of the first APART_STATES states met), folded into one number, by the state (checkCellsApart).
  let print = 0x811c9dc5;
  const mix = (x: number): void => {
    print = Math.imul(print ^ (x | 0), 16777619);
  };
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  const stepPrint = (step: Step): number => {
    print = 0x811c9dc5;
    for (const v of [step.kind, step.direction, step.round, step.peer, step.peers, step.choosers, step.outcome]) mix(Number(v));
    const label = String(step.label);
    for (let i = 0; i < label.length; i++) mix(label.charCodeAt(i));
    if (step.choices)
      for (let i = 0; i < step.choices.length; i++) {
        bits[0] = step.choices[i]!;
        mix(words[0]!);
        mix(words[1]!);
      }
    return print;
  };
  const root = fresh();
  call('init', root, () => protocol.init(root.subarray(0, size), config));
  const fail = (state: Int32Array, path: Path | null, problem: string, last = 40, Kind = ContractBroken): never => {
    let described = '';
    try {
      described = String(protocol.describe(state.slice(0, size), config)); // a copy: the state is shown as it was
    } catch {
      described = '(describe threw)';
    }
    const shown = labels(path, last);
    const trail = shown.length === 0 ? 'none (the initial state)' : `${path!.length > shown.length ? '…, ' : ''}${shown.join(', ')}`;
    throw new Kind(`${where}: ${problem}; state [${Array.from(state.subarray(0, size)).join(', ')}] (${described}); results that led there: ${trail}`);
  };
  const guardIntact = (state: Int32Array): boolean => {
    for (let i = size; i < state.length; i++) if (state[i] !== SENTINEL) return false;
    return true;
  };
  // After a part of an announced run: next must announce the rest, and resolving the next part
  // must give the same state whether next was called before it (other engines) or not (Monte Carlo).
  const checkRestOfRun = (state: Int32Array, path: Path, step: Step, rest: Step): void => {
    called.set(state);
    const said = new Step();
    call('next', state, () => protocol.next(calledView, config, said));
    if (!announcesRest(said, rest))
      fail(
        state,
        path,
        `after a part of the run a step announced (step.peers), next said ${runText(said)}; it must announce the rest of the run, ${runText(rest)}`,
      );
    const results = stepResults(said, protocol, params, (problem) => fail(called, path, problem), crashes);
    const unannounced = Object.assign(new Step(), step, { kind: rest.kind, peer: rest.peer });
    for (const [result, label] of results) {
      skipped.set(state);
      call('resolve', state, () => protocol.resolve(skippedView, config, unannounced, result));
      after.set(called);
      call('resolve', called, () => protocol.resolve(afterView, config, said, result));
      if (!sameFields(skipped, after))
        fail(
          state,
          extend(path, label),
          `within a run a step announced (step.peers), the state after the next part is [${Array.from(skipped.subarray(0, size)).join(', ')}] without a call of next before it and [${Array.from(after.subarray(0, size)).join(', ')}] with one: next may change only what the next resolve overwrites (the Monte Carlo engine does not call it between the parts)`,
        );
    }
  };
  // resolveRun must reach the state that resolving the run's parts one by one reaches (as the
  // Monte Carlo engine did before it), for every way the parts can come out: all of them in a
  // run of up to RUN_COMBINATIONS_BITS draws, else a fixed spread of them.
  const checkResolveRun = (state: Int32Array, path: Path | null, step: Step): void => {
    if (step.choosers !== 0 && step.choices!.length > 2) return; // resolved part by part
    const parts = runParts(step);
    // A part whose other outcome has probability 0 never comes out that way.
    const can = (part: { choice: boolean }, bit: number): boolean => !part.choice || (step.choices![bit] ?? 0) > 0;
    for (const outcomes of runOutcomes(parts.length)) {
      if (!parts.every((part, j) => can(part, outcomes[j]!))) continue;
      let delivered = 0;
      let chosen = 0;
      byParts.set(state);
      parts.forEach((part, j) => {
        const bit = outcomes[j]!;
        if (part.choice) chosen |= bit << part.peer;
        else delivered |= bit << part.peer;
        call('resolve', state, () => protocol.resolve(byPartsView, config, partStep(step, part), bit));
      });
      inOne.set(state);
      call('resolveRun', state, () => protocol.resolveRun!(inOneView, config, Object.assign(new Step(), step), delivered, chosen));
      if (!guardIntact(inOne)) fail(state, path, `resolveRun wrote beyond the declared state size (${size})`);
      if (!sameFields(inOne, byParts))
        fail(
          state,
          path,
          `resolveRun(delivered ${delivered}, chosen ${chosen}) on ${runText(step)} gives the state [${Array.from(inOne.subarray(0, size)).join(', ')}], but resolving the run's parts one by one gives [${Array.from(byParts.subarray(0, size)).join(', ')}]; resolveRun must do what resolve does for each part`,
        );
    }
  };
  if (!guardIntact(root)) fail(root, null, `init wrote beyond the declared state size (${size})`);
  visit(root, root.subarray(0, size), null, 0, 0);
  let popped = 0;
  while (stack.length) {
    // checkCellsApart compares the first APART_STATES states' steps: its copy goes no further.
    if (++popped > apartStates && apart.expected) break;
    const top = stack.pop()!;
    const { path, crashed, started } = top;
    const state = top.state;
    if ((path?.length ?? 0) > maxSteps) {
      // The quick check (a budget) follows one trial of the default cell, and fewer steps than `check` does: a trial that
      // does end past its bound is refused all the same, so say whose bound it is and what to change.
      const bound =
        budget === undefined
          ? ''
          : ` (the quick check before every command follows a trial of the default cell up to ${maxSteps} steps, \`check\` up to ${MAX_STEPS}: if its trials end, give the parameters defaults whose trials are shorter)`;
      fail(state, path, `a trial took more than ${maxSteps} steps without ending${bound}`, 20);
    }
    shown.set(state);
    const description = call('describe', shown, () => protocol.describe(shownView, config));
    // describe only reads: no engine but trace calls it, so one that wrote would have check explore
    // (and trace tell) trials that run and exact never meet.
    const written = firstDifference(state, shown);
    if (written >= 0) fail(state, path, describeWroteProblem(written, state[written]!, shown[written]!));
    if (typeof description !== 'string') fail(state, path, `describe returned ${typeof description}, not text`);
    const step = new Step();
    const again = new Step();
    first.set(state);
    second.set(state);
    const slips: string[] = [];
    const returned = call('next', state, () => protocol.next(firstView, config, guarded(step, slips)) as unknown);
    // Guarded too (its slips are the first call's): a step is sealed, and a field the file adds
    // is reported as the slip it is, not as the TypeError the sealed step throws.
    call('next', state, () => protocol.next(secondView, config, guarded(again, [])));
    if (slips.length) fail(state, path, slips[0]!);
    if (returned !== undefined)
      fail(state, path, `next returned ${describeValue(returned)}; it must fill the step it is given (step.kind = SEND, …) and return nothing`);
    const unfilled = unfilledStep(step, protocol.outcomes.names.length);
    if (unfilled) fail(state, path, unfilled);
    if (!guardIntact(first)) fail(state, path, `next wrote beyond the declared state size (${size})`);
    const proxy = step.kind === CHOOSE ? proxyProblem(step.choices) : null;
    if (proxy) fail(state, path, proxy);
    if (!sameFields(first, second) || !sameStep(step, again))
      fail(state, path, 'next is not deterministic: two calls on the same state gave different steps or states');
    if ((apart.record || apart.expected) && popped <= apartStates) {
      const key = `${crashed}/${started}/${state.subarray(0, size).join(',')}`;
      const taken = stepPrint(step);
      apart.record?.set(key, taken);
      const was = apart.expected?.get(key);
      if (was !== undefined && was !== taken) fail(state, path, STEPS_APART, 40, StepsApart);
    }
    const results = stepResults(step, protocol, params, (problem) => fail(first, path, problem), crashes);
    const announced = announcementProblem(step);
    if (announced) fail(first, path, announced);
    if ((step.kind === CHOOSE || step.choosers !== 0) && step.choices) {
      const now = Array.from(step.choices).join(', ');
      const before = choicesGiven.get(step.choices);
      if (before !== undefined && before !== now) fail(first, path, changedChoices(before.split(', ').map(Number), Array.from(step.choices)));
      choicesGiven.set(step.choices, now);
    }
    if (step.kind === END) {
      ended++;
      continue;
    }
    if (step.kind === ROUND) {
      // stepResults held the round within 1..the limit: it must be the next, each round started once, in order.
      if (step.round !== started + 1) fail(first, path, unannouncedRound(step, started));
      for (const [mask, label] of crashPatterns(nodeRoles.length, crashed, step.round)) {
        child.set(first);
        for (let node = 0; node < nodeRoles.length; node++) {
          if (mask & ~crashed & (1 << node)) call('crash', first, () => protocol.crash!(childView, config, node));
        }
        call('resolve', first, () => protocol.resolve(childView, config, step, 0));
        if (!guardIntact(child)) fail(first, extend(path, label), `crash or resolve wrote beyond the declared state size (${size})`);
        if (!(child[0]! > first[0]!)) fail(first, extend(path, label), `resolve did not advance the clock (state[0] went from ${first[0]} to ${child[0]})`);
        for (let node = 0; node < nodeRoles.length; node++) {
          twice.set(child);
          const says = call('crashed', child, () => protocol.crashed!(childView, config, node));
          const written = firstDifference(twice, child);
          if (written >= 0) fail(twice, extend(path, label), crashedWroteProblem(node, written, twice[written]!, child[written]!));
          if (says !== ((mask & (1 << node)) !== 0))
            fail(
              child,
              extend(path, label),
              notBoolean(node, says) ?? `crashed(node ${node}) returned ${String(says)}, but node ${node} ${mask & (1 << node) ? 'has' : 'has not'} crashed`,
            );
        }
        visit(child, childView, extend(path, label), mask, step.round);
      }
      continue;
    }
    if (crashes && step.kind === SEND) {
      const notListed = peerNotListed(step, nodeRoles.length);
      if (notListed) fail(first, path, notListed);
      const sender = senderNode(step.direction, step.peer);
      if (crashed & (1 << sender))
        fail(
          first,
          path,
          `node ${sender} (${protocol.roles![nodeRoles[sender]!]}) dispatches ${labelText(step.label) || 'a message'} in round ${fieldText(step.round)} after it crashed; a crashed node takes no further step`,
        );
    }
    if (crashes && step.kind === CHOOSE && step.peer >= 0 && peerNotListed(step, nodeRoles.length)) fail(first, path, peerNotListed(step, nodeRoles.length)!);
    if (crashes && step.kind === CHOOSE && step.peer >= 0 && crashed & (1 << (1 + step.peer)))
      fail(
        first,
        path,
        `node ${1 + step.peer} (${protocol.roles![nodeRoles[1 + step.peer]!]}) makes the choice ${labelText(step.label) || '(unlabelled)'} in round ${fieldText(step.round)} after it crashed; a crashed node takes no further step`,
      );
    if (crashes && step.kind === SEND && step.round > started) fail(first, path, unannouncedRound(step, started));
    const last = step.peer + 31 - Math.clz32(step.peers);
    if (crashes && step.peers !== 0 && 1 + last >= nodeRoles.length)
      fail(first, path, `step.peers announces a run to peer ${last}, but nodes lists only ${counted(nodeRoles.length, 'node')}`);
    const rest = restOfRun(step);
    if (protocol.resolveRun && step.peers !== 0 && !crashes) checkResolveRun(first, path, step);
    const reaches = !(crashes && step.kind === SEND && crashed & (1 << receiverNode(step.direction, step.peer)));
    const chooses = (step.kind === CHOOSE || step.choosers !== 0) && step.choices;
    const filled = Object.assign(new Step(), step);
    const taken = reaches ? results : results.filter(([r]) => r === 0);
    // checkCellsApart's second pass takes each state's results the other way round.
    for (const [result, label] of apart.expected ? [...taken].reverse() : taken) {
      child.set(first);
      // The probabilities as they are just before this resolve (the next of a later part may refill an array no engine reads then).
      if (chooses) choicesBefore.take(step.choices!);
      call('resolve', first, () => protocol.resolve(childView, config, step, result));
      if (!guardIntact(child)) fail(first, path, `resolve wrote beyond the declared state size (${size})`);
      if (chooses && !choicesBefore.holds(step.choices))
        fail(first, extend(path, label), choicesChangedByResolve(choicesBefore.values(), Array.from(step.choices ?? [])));
      const changed = changedStepProblem(filled, step);
      if (changed) fail(first, extend(path, label), changed);
      twice.set(first);
      call('resolve', first, () => protocol.resolve(twiceView, config, step, result));
      if (!sameFields(child, twice))
        fail(
          first,
          extend(path, label),
          `resolve is not deterministic: two calls on the same state with the same result gave the states [${Array.from(childView).join(', ')}] and [${Array.from(twiceView).join(', ')}] (a draw of its own, the time, or a counter kept outside the state)`,
        );
      if (!(child[0]! > first[0]!)) fail(first, extend(path, label), `resolve did not advance the clock (state[0] went from ${first[0]} to ${child[0]})`);
      const reached = extend(path, label);
      if (rest) checkRestOfRun(child, reached, step, rest);
      visit(child, childView, reached, crashed, started);
    }
  }
  return { states: seen.nodes.length, ended };
}

/** Runs of more draws than this have their outcomes checked on a fixed spread, not every combination. */
const RUN_COMBINATIONS_BITS = 10;

/** runOutcomes of each number of parts, made once: a cell meets the same runs at many states. */
const runOutcomesMade: number[][][] = [];
const runOutcomes = (parts: number): readonly (readonly number[])[] => (runOutcomesMade[parts] ??= outcomesOfRun(parts));

/** The outcomes of a run's `parts` draws to check resolveRun with, each a list of bits (part j's at j): every combination, or a fixed spread. */
function outcomesOfRun(parts: number): number[][] {
  const pattern = (bit: (j: number) => number): number[] => Array.from({ length: parts }, (_, j) => bit(j));
  if (parts <= RUN_COMBINATIONS_BITS) return Array.from({ length: 2 ** parts }, (_, i) => pattern((j) => (i >> j) & 1));
  const spread = [pattern(() => 0), pattern(() => 1), pattern((j) => j & 1), pattern((j) => 1 - (j & 1))];
  for (let one = 0; one < parts; one++)
    spread.push(
      pattern((j) => (j === one ? 1 : 0)),
      pattern((j) => (j === one ? 0 : 1)),
    );
  let x = 0x2545f491;
  for (let i = 0; i < 64; i++)
    spread.push(
      pattern(() => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return x >>> 31;
      }),
    );
  return spread;
}

/** At a round's start: every set of crashed nodes that contains those already crashed, each with how a report names it. */
function crashPatterns(nodes: number, crashed: number, round: number): [number, string][] {
  const up = Array.from({ length: nodes }, (_, node) => node).filter((node) => !(crashed & (1 << node)));
  const patterns: [number, string][] = [];
  for (let subset = 0; subset < 1 << up.length; subset++) {
    const newly = up.filter((_, j) => subset & (1 << j));
    const mask = newly.reduce((m, node) => m | (1 << node), crashed);
    patterns.push([
      mask,
      newly.length ? `round ${round}: node${newly.length > 1 ? 's' : ''} ${newly.join(', ')} crash${newly.length > 1 ? '' : 'es'}` : `round ${round}: no crash`,
    ]);
  }
  return patterns;
}

/**
 * The step as `next` sees it, recording a write to a field the contract does not have (step.type
 * for step.kind, step.result for step.outcome): the engines would never read it.
 */
function guarded(step: Step, slips: string[]): Step {
  return new Proxy(step, {
    set(target, key, value): boolean {
      if (typeof key === 'string' && (STEP_FIELDS as readonly string[]).includes(key)) return Reflect.set(target, key, value);
      const likely =
        typeof key === 'string' && /^(type|state|action|what|op)$/i.test(key)
          ? ' (did you mean step.kind?)'
          : typeof key === 'string' && /^(result|value|end|winner)$/i.test(key)
            ? ' (did you mean step.outcome?)'
            : '';
      slips.push(`next wrote step.${String(key)}, which is not part of the step${likely}; the step's fields are ${STEP_FIELDS.join(', ')}`);
      return true;
    },
    defineProperty(target, key, descriptor): boolean {
      slips.push(`next defined step.${String(key)}; the step's fields are ${STEP_FIELDS.join(', ')}`);
      // A field is not configurable (a getter there throws in the engines): the same here, in the engines' words.
      const field = Reflect.getOwnPropertyDescriptor(target, key);
      if (field && !Reflect.defineProperty(Object.defineProperty({}, key, field), key, descriptor))
        throw new TypeError(`Cannot redefine property: ${String(key)}`);
      return true;
    },
  });
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The first field in which two states differ, or −1. */
function firstDifference(a: Int32Array, b: Int32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function sameFields(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The same step twice (a NaN the same as a NaN: the rule it breaks is reported after, not as non-determinism). */
function sameStep(a: Step, b: Step): boolean {
  return (
    Object.is(a.kind, b.kind) &&
    Object.is(a.direction, b.direction) &&
    Object.is(a.round, b.round) &&
    a.label === b.label &&
    Object.is(a.peer, b.peer) &&
    Object.is(a.peers, b.peers) &&
    Object.is(a.choosers, b.choosers) &&
    Object.is(a.outcome, b.outcome) &&
    sameChoices(a.choices, b.choices)
  );
}

/** The results a step can have, each with how a report names it; checks the step's own fields. */
function stepResults(
  step: Step,
  protocol: ProtocolDefinition<unknown>,
  params: Record<string, number>,
  fail: (problem: string) => never,
  crashes: boolean,
): [number, string][] {
  if (step.kind === ROUND) {
    if (!crashes) fail('next said ROUND in a cell without crashes; say ROUND only where configure received crashes: 1');
    const limit = roundLimitOf(protocol, params as ProtocolParams);
    if (!Number.isInteger(step.round) || step.round < 1 || step.round > Math.max(limit, 1))
      fail(`a round ${fieldText(step.round)} starts, outside 1..${limit} (the round limit)`);
    return [];
  }
  if (step.kind === END) return [];
  if (step.kind === SEND) {
    const problem = sendProblem(step, Math.max(roundLimitOf(protocol, params as ProtocolParams), 1), Boolean(protocol.roundLimit));
    if (problem) fail(problem);
    const what = labelText(step.label) || 'message';
    return [
      [1, `${what} (round ${step.round}) received`],
      [0, `${what} (round ${step.round}) lost`],
    ];
  }
  if (step.kind === CHOOSE) {
    const p = step.choices;
    const problem = proxyProblem(p) ?? choicesProblem(p);
    if (problem) fail(problem);
    return Array.from(p!, (_, i) => [i, `${labelText(step.label) || 'choice'} = ${i}`] as [number, string]).filter((_, i) => p![i]! > 0);
  }
  return fail(`next set step.kind to ${String(step.kind)}; it must be SEND, CHOOSE, ROUND or END`);
}

/** Work the quick check gives the comparison of canonicalize's exact values (a cell larger than that is check's). */
const QUICK_CANONICALIZE_WORK = 200_000;

/**
 * canonicalize must not change any exact value: the exact engine with and without merging, on a
 * memoryless channel (with every node's crash rate `crash`, where above 0). The quick check compares only where both fit its small budget.
 */
function checkCanonicalize(protocol: ProtocolDefinition<unknown>, params: Record<string, number>, quick = false, crash = 0): void {
  const model = buildCellModel({
    protocol: protocol.name,
    channel: 'bernoulli',
    params: { ...params, loss: 0.3, redundancy: 1, ...(crash > 0 ? { crash } : {}) },
  });
  const limits = quick ? { ...UNLIMITED, maxWork: QUICK_CANONICALIZE_WORK, maxWords: 1_000_000 } : { ...UNLIMITED, maxWork: 20_000_000, maxWords: 5_000_000 };
  let merged: ReturnType<typeof exactCell>;
  let plain: ReturnType<typeof exactCell>;
  try {
    merged = exactCell(model, { ...limits, compareMerged: false }, 'generic');
    plain = exactCell(model, { ...limits, merge: false }, 'generic');
  } catch (error) {
    if (quick && error instanceof ExactUnavailable) return;
    throw error;
  }
  const changed = mergingChanged(protocol.outcomes.names, plain, merged);
  if (changed)
    throw new ContractBroken(
      `cell ${Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}, loss 0.3${crash > 0 ? `, crash ${crash}` : ''}: canonicalize changes ${changed}: it merges states whose futures differ`,
    );
}
