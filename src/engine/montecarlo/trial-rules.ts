import { thousands } from '../../io/text.js';
import { counted, returnedValue } from '../../io/wording.js';
import { UsageError } from '../../errors.js';
import { CHOOSE, ROUND, announcementProblem, fieldText, labelText } from '../../contract/protocol.js';
import type { ProtocolDefinition, Step } from '../../contract/protocol.js';
import { StepNotFilled } from '../unfilled-step.js';

/**
 * A trial that takes more chance points than this has no end in sight: every resolve advances
 * the clock, so only a protocol whose `next` never says END gets here (a user's protocol file
 * with a bug). Checked once per step: a compare the branch predictor never misses.
 */
export const MAX_TRIAL_STEPS = 10_000_000;

/** A protocol's trial that never ends, named with the state it had reached: the protocol's author's to fix (exit 2). */
export class TrialNeverEnds extends UsageError {
  override name = 'TrialNeverEnds';
  constructor(protocol: string, state: Int32Array, described: string) {
    super(
      `protocol ${protocol}`,
      `a trial did not end after ${thousands(MAX_TRIAL_STEPS)} steps (state [${Array.from(state.subarray(0, 16)).join(', ')}${state.length > 16 ? ', …' : ''}]: ${described})`,
    );
  }
}

/** A protocol whose crashed node dispatched a message, or made a choice: the protocol's author's to fix (exit 2). */
export class SentAfterCrash extends UsageError {
  override name = 'SentAfterCrash';
  constructor(protocol: string, node: number, step: Step, described: string) {
    const did = step.kind === CHOOSE ? `made the choice ${labelText(step.label) || '(unlabelled)'}` : `dispatched ${labelText(step.label) || 'a message'}`;
    super(
      `protocol ${protocol}`,
      `node ${node} ${did} in round ${fieldText(step.round)} after it crashed (${described}); a crashed node takes no further step`,
    );
  }
}

/**
 * With crashes, a choice a peer makes (`step.peer` ≥ 0: node 1 + peer, a cohort's vote) is a step
 * of that node: none is taken once it has crashed. A choice that names no peer is no node's.
 */
export function refuseChoiceAfterCrash(protocol: ProtocolDefinition<unknown>, config: unknown, step: Step, state: Int32Array, nodes: number): void {
  if (step.peer < 0) return;
  refusePeerNotListed(protocol.name, step, state, nodes);
  const node = 1 + step.peer;
  if (protocol.crashed!(state, config, node)) throw new SentAfterCrash(protocol.name, node, step, protocol.describe(state, config));
}

/**
 * With crashes, why a send or a peer's choice names a node beyond those `nodes` lists, or null: a
 * node left off the list is given no crash rate, so it would never crash and the numbers would be
 * those of a cell where it cannot (check refused it only in the cells it explores).
 */
export function peerNotListed(step: Step, nodes: number): string | null {
  if (peerNode(step) < nodes) return null;
  return `${step.kind === CHOOSE ? 'a choice' : 'a send'} names peer ${Math.max(step.peer, 0)}, but nodes lists only ${counted(nodes, 'node')}`;
}

/** The B-side node a send goes to or comes from, or a peer's choice is made by: 1 + its peer (node 1 where it names none). */
export function peerNode(step: Step): number {
  return 1 + Math.max(step.peer, 0);
}

/** Throws StepNotFilled where a step names a node beyond the `nodes` the protocol lists (peerNotListed). */
export function refusePeerNotListed(protocol: string, step: Step, state: Int32Array, nodes: number): void {
  const problem = peerNotListed(step, nodes);
  if (problem) throw new StepNotFilled(protocol, problem, state);
}

/**
 * Why what `nodes` returned is no list of nodes, or null: at least 2 role indices into `roles`,
 * and at most `most` (check's 30, whose crash patterns are bit masks; the engines take more). A
 * role index past the roles gave that node no crash rate, in any cell check did not explore.
 */
export function nodesProblem(roles: unknown, roleCount: number, most = Number.POSITIVE_INFINITY): string | null {
  if (
    Array.isArray(roles) &&
    roles.length >= 2 &&
    roles.length <= most &&
    roles.every((r: unknown) => Number.isInteger(r) && (r as number) >= 0 && (r as number) < roleCount)
  )
    return null;
  const count = most === Number.POSITIVE_INFINITY ? 'at least 2' : `2 to ${most}`;
  return `nodes returned ${rolesShown(roles)}; it must list ${count} role indices into roles (0 to ${roleCount - 1})`;
}

/** What nodes returned, as a refusal shows it: a short list item by item ([0,2], [0n,1n], ["1"]), anything else as roleShown shows an item. */
function rolesShown(roles: unknown): string {
  if (!Array.isArray(roles)) {
    const text = roleShown(roles);
    return text.length <= 120 ? text : returnedValue(roles);
  }
  const text = `[${roles.map(roleShown).join(',')}]`;
  return text.length <= 120 ? text : `a list of ${counted(roles.length, 'item')}`;
}

/** One item of what nodes returned: as JSON writes it where it can (a number, text in quotes), a BigInt with its n, else by its kind (returnedValue). */
function roleShown(role: unknown): string {
  if (typeof role === 'bigint') return `${role}n`;
  if (typeof role === 'number') return String(role); // NaN as NaN, where JSON writes null
  if (typeof role === 'string' || typeof role === 'boolean' || role === null) return JSON.stringify(role);
  return returnedValue(role);
}

/**
 * After a round start's crashes: every node's `crashed` must say what happened, down before or
 * crashed now (`down`, 1 per node down), else StepNotFilled: a `crash` that does not stick (or
 * marks another node) in a cell `check` did not explore would run that node on as if up.
 */
export function refuseCrashNotKept(protocol: ProtocolDefinition<unknown>, config: unknown, state: Int32Array, round: number, down: Uint8Array): void {
  for (let node = 0; node < down.length; node++) {
    const has = down[node] === 1;
    const says: unknown = protocol.crashed!(state, config, node);
    if (says !== has)
      throw new StepNotFilled(
        protocol.name,
        notBoolean(node, says) ??
          `crashed(node ${node}) returned ${String(says)} after round ${round}'s crashes were drawn, but node ${node} ${has ? 'has' : 'has not'} crashed: crash must mark the node it is given (and only it) crashed in the state, and the mark stay`,
        state,
      );
  }
}

/**
 * Why what `crashed` returned is no answer, or null: it must be true or false. A flag returned
 * as it is kept (1 or 0) was refused as if it disagreed with the crashes drawn ("returned 0, but
 * node 0 has not crashed"), which named no slip.
 */
export function notBoolean(node: number, says: unknown): string | null {
  return typeof says === 'boolean'
    ? null
    : `crashed(node ${node}) returned ${returnedValue(says)}, not true or false: crashed must return a boolean (compare the node's mark, state[i] === 1)`;
}

/**
 * With crashes, at a later step: what the node's `crashed` says, held to `down` (1 per node down):
 * a node down must stay down (a resolve that revives a node, say, is refused).
 */
export function crashedHeld(protocol: ProtocolDefinition<unknown>, config: unknown, state: Int32Array, round: number, down: Uint8Array, node: number): unknown {
  const says: unknown = protocol.crashed!(state, config, node);
  if (down[node] === 1 && says !== true)
    throw new StepNotFilled(
      protocol.name,
      notBoolean(node, says) ??
        `crashed(node ${node}) returned ${String(says)} in round ${round}, but node ${node} has crashed: a crashed node stays crashed (keep its mark in the state)`,
      state,
    );
  return says;
}

/** The nodes `state` has crashed, 1 each, by the protocol's `crashed`; null where none has (the engines that follow states, not trials). */
export function crashedNodes(protocol: ProtocolDefinition<unknown>, config: unknown, state: Int32Array, nodes: number): Uint8Array | null {
  let down: Uint8Array | null = null;
  for (let node = 0; node < nodes; node++) if (protocol.crashed!(state, config, node)) (down ??= new Uint8Array(nodes))[node] = 1;
  return down;
}

/** After a resolve: the nodes down before it (`down`, crashedNodes) stay down. */
export function refuseRevived(protocol: ProtocolDefinition<unknown>, config: unknown, state: Int32Array, round: number, down: Uint8Array | null): void {
  if (down) for (let node = 0; node < down.length; node++) if (down[node] === 1) crashedHeld(protocol, config, state, round, down, node);
}

/** A protocol that said ROUND in a cell without crashes: it must say ROUND only when configured with crashes: 1. */
export class UnexpectedRound extends UsageError {
  override name = 'UnexpectedRound';
  constructor(protocol: string) {
    super(`protocol ${protocol}`, 'next said ROUND in a cell without crashes; say ROUND only where configure received crashes: 1');
  }
}

/**
 * Refuses a round start (ROUND) where the engine runs only cells without crashes (the automata
 * and the trial kernels: dispatch.ts gives crash cells to the generic engine), as runTrial refuses
 * it there; those engines would otherwise read it as a send.
 */
export function refuseRoundWithoutCrashes(protocol: string, step: Step): void {
  if (step.kind === ROUND) throw new UnexpectedRound(protocol);
}

/** What is wrong with an array given as step.choices again, holding other probabilities than it held before. */
export function changedChoices(before: ArrayLike<number>, now: ArrayLike<number>): string {
  return `next gave step.choices an array it had given before with other probabilities ([${Array.from(before).join(', ')}] then, [${Array.from(now).join(', ')}] now): the engines keep one sampling table per array, so give each distribution an array of its own and never change it`;
}

/** What is wrong with a choice's probability array that the resolve given its result changed (`before`: as next gave it). */
export function choicesChangedByResolve(before: ArrayLike<number>, now: ArrayLike<number>): string {
  return `resolve changed the probabilities of the step.choices it was given ([${Array.from(before).join(', ')}] as next gave them, [${Array.from(now).join(', ')}] after resolve): the engines draw or weigh a choice by what next gave, so never change a choice's array once given (give each distribution an array of its own)`;
}

/** Whether a round start (ROUND) breaks the order: it must start the round after the last started (`started`), within the round limit. */
export const misorderedRound = (round: number, started: number, limit: number): boolean => round !== started + 1 || round > limit;

/**
 * A protocol that, with crashes on, sent in a round it had not started (step.kind = ROUND), or
 * started a round out of order (again, skipping one, past the limit): the engines draw a round's
 * crashes where it starts, so that round would have none, or have them twice (a protocol file
 * that never says ROUND would print crash-free numbers for crash cells; one that says it twice a
 * round, numbers of a higher crash rate). The protocol's author's to fix (exit 2).
 */
export class UnannouncedRound extends UsageError {
  override name = 'UnannouncedRound';
  constructor(protocol: string, step: Step, started: number, limit?: number) {
    super(`protocol ${protocol}`, unannouncedRound(step, started, limit));
  }
}

/**
 * What is wrong with a send, with crashes on, in a round after the last started (`started`; 0:
 * none); or with a round start (ROUND) that is not the next round (a round started again, or one
 * skipped: its crashes drawn twice, or never) or past the round limit `limit`.
 */
export function unannouncedRound(step: Step, started: number, limit = Number.POSITIVE_INFINITY): string {
  if (step.kind === ROUND)
    return `next started round ${fieldText(step.round)} (step.kind = ROUND) after ${started === 0 ? 'no round' : `round ${started}`}${step.round === started + 1 ? `, past the round limit ${limit}` : ''}: with crashes on, next says ROUND once for every round, in order from 1 up to the round limit (also where nothing is sent), as the engines draw a round's crashes where it starts`;
  return `${labelText(step.label) || 'a message'} was sent in round ${fieldText(step.round)}, but the last round started (step.kind = ROUND) was ${started === 0 ? 'none' : started}: with crashes on, next says ROUND for a round before anything is sent in it (the engines draw its crashes there)`;
}

/** Throws StepNotFilled where a step announces a run (`peers`, `choosers`) no engine can run: the protocol's author's to fix (exit 2). */
export function refuseAnnouncement(protocol: string, step: Step, state: Int32Array): void {
  const problem = announcementProblem(step);
  if (problem) throw new StepNotFilled(protocol, problem, state);
}
