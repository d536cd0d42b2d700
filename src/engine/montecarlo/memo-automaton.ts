import { CHOOSE, END, SEND, Step, clearStep } from '../../contract/protocol.js';
import type { SamplingTable } from '../../rng/sampler.js';
import type { CellModel } from '../model.js';
import { choiceEntry, choiceTable, sameProbabilities } from './generic.js';
import { StepNotFilled } from '../unfilled-step.js';

/**
 * The trial kernel's memory of the protocol's walk: an automaton built lazily, node by node, as
 * trials meet the protocol's states. `next` and `resolve`/`resolveRun` are deterministic
 * functions of the state and the config (check holds a protocol to it), so what `next` said in a
 * state, and the state that a step's results lead to, are the same every time that state comes
 * back: a node keeps its step, a transition (node, results) its child, and a trial that meets
 * them again costs a table lookup instead of the protocol's code. Only a miss calls the protocol,
 * on a copy of the node's state. The channel's state and every draw stay outside the automaton,
 * so a trial draws exactly what it draws without it.
 *
 * A node's step (kind, direction, round, peer, peers, choosers, choices, outcome) is read when a
 * trial first stands on it. A step the memory does not take — a run whose choice has more than
 * two outcomes, anything not well formed — marks the node LIVE: trials that reach it continue on
 * the protocol's own calls from its state, as without the memory, and so refuse a slip at the same
 * trial. Memory is capped (MEMO_BYTES): past it, a trial continues live from the first state not
 * kept.
 */

/** A node whose step is not read yet. */
export const UNREAD = -2;
/** A node from which the trial continues on the protocol's own calls. */
export const LIVE = -3;
/** A node whose step announces a run (peers or choosers): its results are two bit masks. */
export const RUN = 4;

/** The memory one automaton may take (a thread keeps at most KEPT_AUTOMATA of them). */
export const MEMO_BYTES = 32 * 1024 * 1024;
const KEPT_AUTOMATA = 2;
const FIRST_NODES = 1024;
/** Blocks of at least this many trials tell whether the automaton pays (a short one may still be filling it). */
const JUDGED_BLOCK = 16384;
/** The first trials of a cell, after which a protocol that leaves the automaton in most trials runs live. */
export const PROBE_TRIALS = 1024;
const FIRST_SLOTS = 4096;

/**
 * A node's record in `records`, NODE_FIELDS int32 from id × NODE_FIELDS (half a cache line, so
 * that the nodes trials walk most stay in the core's caches): its step and its first transition,
 * kept inline, so that a walk along likely steps reads one record per step; further transitions
 * are in a hash table.
 */
export const NODE_FIELDS = 8;
export const KIND = 0;
/** Index into `tables` of the step's choice, or −1. */
export const CHOICE = 1;
/** 2 × round + direction (a step of another direction, or a round beyond 2^30, is taken live). */
export const ROUND_DIRECTION = 2;
/** The run's peers; at an END, the outcome. */
export const PEERS = 3;
export const OUTCOME = 3;
export const CHOOSERS = 4;
export const FIRST_A = 5;
export const FIRST_B = 6;
/** The first transition's child, or −1. */
export const FIRST_CHILD = 7;
/** Bytes per node besides its state: its record, its hash and two intern slots. */
const NODE_BYTES = 4 * (NODE_FIELDS + 3);
/** Bytes per transition slot (four int32); at most half the slots are in use. */
const SLOT_BYTES = 16;

/** Memory automata with storage, least recently used first: only the last few keep theirs. */
const kept: MemoAutomaton[] = [];

export class MemoAutomaton {
  /** Nodes made so far; node 0 is the state `init` gives. */
  nodes = 0;
  /** Transitions kept (inline and in the table). */
  transitions = 0;
  /** Trials of the last block, and those of them that ended on the automaton, never leaving it (the kernel sets both). */
  ran = 0;
  walked = 0;
  records = new Int32Array(0);
  /** The choice tables met, and each one's first threshold's high part where a run's fast path can draw it (else −1). */
  readonly tables: SamplingTable[] = [];
  readonly fastChoice: number[] = [];
  /** The probabilities each table was made from. */
  private readonly made: Float64Array[] = [];
  private readonly choiceIndex = new Map<Float64Array, number>();
  private states = new Int32Array(0);
  private hashes = new Int32Array(0);
  private interned = new Int32Array(0);
  private slots = new Int32Array(0);
  private readonly maxNodes: number;
  private readonly maxSlots: number;
  private readonly size: number;
  private readonly step = new Step();
  /** False where `init` does not give one state whatever the array held: then nothing is kept. */
  private readonly usable: boolean;

  constructor(
    private readonly model: CellModel,
    bytes = MEMO_BYTES,
  ) {
    this.size = model.stateSize;
    this.maxNodes = Math.max(1, Math.floor(bytes / 2 / (4 * this.size + NODE_BYTES)));
    this.maxSlots = Math.max(FIRST_SLOTS, 2 ** Math.floor(Math.log2(bytes / 2 / SLOT_BYTES)));
    this.usable = initIsAState(model);
    this.reset();
  }

  /** Forgets every node and transition (a walk's results never depend on what is kept). */
  reset(): void {
    this.nodes = 0;
    this.transitions = 0;
    this.ran = 0;
    this.walked = 0;
    this.tables.length = 0;
    this.fastChoice.length = 0;
    this.made.length = 0;
    this.choiceIndex.clear();
    this.records = new Int32Array(0);
    this.states = new Int32Array(0);
    this.hashes = new Int32Array(0);
    this.interned = new Int32Array(0);
    this.slots = new Int32Array(0);
    const at = kept.indexOf(this);
    if (at >= 0) kept.splice(at, 1);
  }

  /**
   * Makes the automaton one of the thread's kept ones before a block runs, dropping the storage
   * of the least recently used beyond KEPT_AUTOMATA; the root is made if it is not there.
   */
  prepare(state: Int32Array): void {
    if (!this.usable) return;
    if (kept[kept.length - 1] !== this) {
      // (not `indexOf(this) !== length − 1`: with none kept, −1 equals it, and nothing was ever kept or dropped)
      const at = kept.indexOf(this);
      if (at >= 0) kept.splice(at, 1);
      kept.push(this);
      while (kept.length > KEPT_AUTOMATA) kept[0]!.reset();
    }
    if (this.nodes === 0) {
      this.allocateNodes(0);
      this.slots = new Int32Array(4 * FIRST_SLOTS);
      state.fill(0); // as every engine gives init (generic.ts)
      this.model.protocol.init(state, this.model.protocolConfig);
      this.intern(state);
    }
  }

  /**
   * Whether walking the automaton can pay after the last block: not where fewer than a quarter of
   * its trials (of at least PROBE_TRIALS) ended on it, nor fewer than half in a long block or once
   * it is full. A trial that leaves it costs more than one that never entered it (calls of next
   * and resolve whose state is not kept), and a protocol whose trials keep meeting new states
   * (per-peer fields for many peers) shows it within its first few thousand trials.
   */
  pays(): boolean {
    const { ran, walked } = this;
    return this.usable && !(4 * walked < ran && ran >= PROBE_TRIALS) && !(2 * walked < ran && (ran >= JUDGED_BLOCK || this.full));
  }

  /** Whether it has as many nodes as its memory allows. */
  get full(): boolean {
    return this.nodes === this.maxNodes;
  }

  /** The root node (the state after `init`), or −1 where nothing is kept: the trial runs live. */
  get root(): number {
    return this.nodes > 0 ? 0 : -1;
  }

  /** Copies node `id`'s state into `state`. */
  load(id: number, state: Int32Array): void {
    const states = this.states;
    const size = this.size;
    for (let i = 0, from = id * size; i < size; i++) state[i] = states[from + i]!;
  }

  /** The child of node `id` for results (a, b) from the table (the first transition is in the record), or −1. */
  childOf(id: number, a: number, b: number): number {
    const slots = this.slots;
    const mask = (slots.length >>> 2) - 1;
    const key = id + 1;
    for (let s = transitionHash(key, a, b) & mask; ; s = (s + 1) & mask) {
      const o = s << 2;
      const k = slots[o]!;
      if (k === key && slots[o + 1] === a && slots[o + 2] === b) return slots[o + 3]!;
      if (k === 0) return -1;
    }
  }

  /**
   * Reads node `id`'s step: what `next` says in its state. A step the walk cannot take from the
   * tables (see the class) makes it LIVE.
   */
  read(id: number, state: Int32Array): void {
    const { protocol, protocolConfig: config } = this.model;
    const step = this.step;
    this.load(id, state);
    clearStep(step);
    protocol.next(state, config, step);
    // A choice that is no distribution is refused here, with the state it came from (one without
    // probabilities goes live, where the announcement's rules name it).
    if ((step.kind === CHOOSE || step.choosers !== 0) && step.choices) choiceTable(step.choices, protocol.name, state);
    const r = this.records;
    const o = id * NODE_FIELDS;
    r[o + KIND] = this.kindOf(step);
    if (r[o + KIND] === LIVE) return;
    r[o + ROUND_DIRECTION] = 2 * step.round + step.direction;
    r[o + PEERS] = step.kind === END ? step.outcome : step.peers;
    r[o + CHOOSERS] = step.choosers;
    r[o + CHOICE] = step.kind === CHOOSE || step.choosers !== 0 ? this.tableIndex(step.choices!) : -1;
  }

  /**
   * Where node `id` leads for results (a, b) — a single step's result and 0, or a run's delivered
   * and chosen masks: `next` and the step's resolution on a copy of its state, left in `state`;
   * the child kept where memory allows, and returned where it was known before, else −1: the
   * trial goes on live from `state`. A new state's followers are mostly new too (the states of a
   * protocol with many peers are many), so a trial adds at most one node: the automaton grows
   * along the likely walks first, and a trial off them runs as fast as without it.
   */
  advance(id: number, a: number, b: number, state: Int32Array, step: Step): number {
    const { protocol, protocolConfig: config } = this.model;
    this.load(id, state);
    clearStep(step);
    protocol.next(state, config, step);
    // Read again, later than read() read it: a choice whose probabilities are no longer those the
    // node keeps (an array a method changed since, in another trial) would be drawn from the old ones.
    const choice = this.records[id * NODE_FIELDS + CHOICE]!;
    if (choice >= 0 && !(step.choices instanceof Float64Array && sameProbabilities(this.made[choice]!, step.choices)))
      throw new StepNotFilled(
        protocol.name,
        `next is not deterministic: in one state it gave the probabilities [${Array.from(this.made[choice]!).join(', ')}] first and [${Array.from(step.choices ?? []).join(', ')}] later (an array a method changes between steps?); give each distribution an array of its own and never change it`,
        state,
      );
    if (this.records[id * NODE_FIELDS + KIND] === RUN) {
      if (typeof protocol.resolveRun === 'function') protocol.resolveRun(state, config, step, a, b);
      else resolveParts(this.model, state, step, a, b);
    } else protocol.resolve(state, config, step, a);
    const known = this.nodes;
    const child = this.intern(state);
    if (child >= 0) this.keep(id, a, b, child);
    return child < known ? child : -1;
  }

  private kindOf(step: Step): number {
    const { kind, peers, choosers } = step;
    if (kind === END) return Number.isInteger(step.outcome) && step.outcome >= 0 && step.outcome < this.model.outcomes.names.length ? END : LIVE;
    if (
      (kind !== SEND && kind !== CHOOSE) ||
      (step.direction !== 0 && step.direction !== 1) ||
      !(isInt32(step.round) && step.round >= 0 && step.round < 2 ** 30)
    )
      return LIVE;
    // A send beyond the cell's round limit (or in round 0) is the live walk's to refuse: a lone
    // SEND's, or a run's (every peer of a run sends, a chooser after its choice).
    if ((kind === SEND || peers !== 0) && !(step.round >= 1 && step.round <= this.model.roundLimit)) return LIVE;
    if (peers === 0 && choosers === 0) return kind === SEND || step.choices instanceof Float64Array ? kind : LIVE;
    // The trial kernel's rules of a run (announcementProblem), and a choice of at most two outcomes, whose results fit a mask.
    const wellFormed =
      // A symbol or BigInt is no number (the bit operations would throw on it): the live walk refuses it.
      typeof peers === 'number' &&
      typeof choosers === 'number' &&
      typeof step.peer === 'number' &&
      peers === (peers & 0x7fffffff) &&
      (peers & 1) === 1 &&
      choosers === (choosers & peers) &&
      step.peer === (step.peer & 0x7fffffff) &&
      (kind === SEND ? (choosers & 1) === 0 : (choosers & 1) === 1) &&
      (choosers === 0 || (step.choices instanceof Float64Array && choiceTable(step.choices).size <= 2));
    return wellFormed ? RUN : LIVE;
  }

  private tableIndex(choices: Float64Array): number {
    let index = this.choiceIndex.get(choices);
    // An array refilled with other probabilities (a cell the check did not explore) gets a table of its own.
    if (index === undefined || !sameProbabilities(this.made[index]!, choices)) {
      const { table, made } = choiceEntry(choices);
      index = this.tables.length;
      this.tables.push(table);
      this.made.push(made);
      this.fastChoice.push(table.size === 2 && table.high[0]! < 2 ** 31 ? table.high[0]! : -1);
      this.choiceIndex.set(choices, index);
    }
    return index;
  }

  /** The node of `state`, made if new; −1 where it is new and memory is full. */
  private intern(state: Int32Array): number {
    const size = this.size;
    const hash = stateHash(state);
    const mask = this.interned.length - 1;
    let s = hash & mask;
    for (; ; s = (s + 1) & mask) {
      const id = this.interned[s]! - 1;
      if (id < 0) break;
      if (this.hashes[id] === hash && sameState(this.states, id * size, state)) return id;
    }
    if (this.nodes === this.maxNodes) return -1;
    if (this.nodes * NODE_FIELDS === this.records.length) {
      this.allocateNodes(this.nodes);
      return this.intern(state);
    }
    const id = this.nodes++;
    this.states.set(state, id * size);
    this.interned[s] = id + 1;
    const o = id * NODE_FIELDS;
    this.hashes[id] = hash;
    this.records[o + KIND] = UNREAD;
    this.records[o + FIRST_CHILD] = -1;
    return id;
  }

  private keep(id: number, a: number, b: number, child: number): void {
    const o = id * NODE_FIELDS;
    if (this.records[o + FIRST_CHILD]! < 0) {
      this.records[o + FIRST_A] = a;
      this.records[o + FIRST_B] = b;
      this.records[o + FIRST_CHILD] = child;
      this.transitions++;
      return;
    }
    if (2 * (this.transitions + 1) > this.slots.length >>> 2) {
      if (this.slots.length >>> 2 >= this.maxSlots) return;
      const old = this.slots;
      this.slots = new Int32Array(2 * old.length);
      for (let o = 0; o < old.length; o += 4) if (old[o] !== 0) this.place(old[o]!, old[o + 1]!, old[o + 2]!, old[o + 3]!);
    }
    this.place(id + 1, a, b, child);
    this.transitions++;
  }

  private place(key: number, a: number, b: number, child: number): void {
    const slots = this.slots;
    const mask = (slots.length >>> 2) - 1;
    let s = transitionHash(key, a, b) & mask;
    while (slots[s << 2] !== 0) s = (s + 1) & mask;
    const o = s << 2;
    slots[o] = key;
    slots[o + 1] = a;
    slots[o + 2] = b;
    slots[o + 3] = child;
  }

  /** Room for twice `nodes` nodes (FIRST_NODES at first, at most maxNodes), the first `nodes` kept. */
  private allocateNodes(nodes: number): void {
    const capacity = nodes === 0 ? Math.min(FIRST_NODES, this.maxNodes) : Math.min(2 * nodes, this.maxNodes);
    const records = new Int32Array(capacity * NODE_FIELDS);
    records.set(this.records.subarray(0, nodes * NODE_FIELDS));
    this.records = records;
    const states = new Int32Array(capacity * this.size);
    states.set(this.states.subarray(0, nodes * this.size));
    this.states = states;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes.subarray(0, nodes));
    this.hashes = hashes;
    this.interned = new Int32Array(2 ** Math.ceil(Math.log2(2 * capacity)));
    const mask = this.interned.length - 1;
    for (let id = 0; id < nodes; id++) {
      let s = hashes[id]! & mask;
      while (this.interned[s] !== 0) s = (s + 1) & mask;
      this.interned[s] = id + 1;
    }
  }
}

/** A run resolved part by part from its masks, as the trial kernel resolves one without resolveRun. */
function resolveParts(model: CellModel, state: Int32Array, step: Step, delivered: number, chosen: number): void {
  const { protocol, protocolConfig: config } = model;
  const first = step.peer;
  const choosers = step.choosers;
  for (let rest = step.peers; rest !== 0; rest &= rest - 1) {
    const b = 31 - Math.clz32(rest & -rest);
    step.peer = first + b;
    if (((choosers >>> b) & 1) === 1) {
      step.kind = CHOOSE;
      protocol.resolve(state, config, step, (chosen >>> b) & 1);
    }
    step.kind = SEND;
    protocol.resolve(state, config, step, (delivered >>> b) & 1);
  }
}

/** Whether `init` leaves the same state whatever the array held before: only then is its state the root. */
function initIsAState(model: CellModel): boolean {
  const { protocol, protocolConfig: config, stateSize } = model;
  const zeros = new Int32Array(stateSize);
  const ones = new Int32Array(stateSize).fill(-1);
  protocol.init(zeros, config);
  protocol.init(ones, config);
  return sameState(zeros, 0, ones);
}

function isInt32(x: number): boolean {
  return typeof x === 'number' && x === (x | 0); // a symbol or BigInt next left there is none (| would throw on it)
}

function sameState(states: Int32Array, offset: number, state: Int32Array): boolean {
  for (let i = 0; i < state.length; i++) if (states[offset + i] !== state[i]) return false;
  return true;
}

function stateHash(state: Int32Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < state.length; i++) h = Math.imul(h ^ state[i]!, 0x01000193) ^ (h >>> 13);
  return mix(h);
}

function transitionHash(key: number, a: number, b: number): number {
  return mix(Math.imul(key, 0x9e3779b1) ^ Math.imul(a, 0x85ebca6b) ^ Math.imul(b ^ (b >>> 16), 0xc2b2ae35));
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h & 0x7fffffff;
}
