import { MAX_REDUNDANCY } from '../../limits.js';
import type { Replay } from '../../contract/channel.js';
import { CHOOSE, END, Step, clearStep } from '../../contract/protocol.js';
import { samplingTable } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import type { CellModel } from '../model.js';
import { grownHistogram } from '../tally.js';
import { refuseUnreadableStep } from '../unfilled-step.js';
import { deliveredCounts } from './delivered-counts.js';
import { MAX_TRIAL_STEPS, refuseRoundWithoutCrashes } from './trial-rules.js';

/**
 * The protocol unrolled over its own states, for a replayed channel: what a trial does next
 * given whether each message was received. A replayed channel decides a message by reading the
 * trace at the trial's position, not by a draw, so the channel needs no part in the automaton
 * and it stays the size of the protocol's state space, however long the trace. Node i is a send
 * (its two successors, not received and received), a choice (a sampling table and successors)
 * or an end.
 */
export interface ProtocolAutomaton {
  readonly kind: Int8Array;
  readonly direction: Uint8Array;
  readonly round: Int32Array;
  /** A send's successors at 2i (not received) and 2i + 1; an end's outcome at 2i. */
  readonly next: Int32Array;
  readonly choices: (SamplingTable | undefined)[];
  readonly choiceNext: (Int32Array | undefined)[];
  /** No choice node: a trial draws its start and nothing else. */
  readonly drawFree: boolean;
  /**
   * Every choice node's branches end at once (the randomized protocol's key, drawn at the
   * decision): a trial draws its start and then at most one choice, its last draw.
   */
  readonly finalChoices: boolean;
}

/** Past this many protocol states, trials run through the definition step by step (runTrial). */
const MAX_NODES = 20_000;

const automata = new WeakMap<CellModel, ProtocolAutomaton | null>();

export function automatonFor(model: CellModel): ProtocolAutomaton | null {
  let automaton = automata.get(model);
  if (automaton === undefined) {
    automaton = unroll(model);
    automata.set(model, automaton);
  }
  return automaton;
}

/**
 * Runs the protocol definition over every state reachable with either fate of each message; null
 * past MAX_NODES. Each step is held to the contract as runTrial holds it (a step left unset, an
 * outcome that is no index, a choice that is no distribution, a send in no direction or round
 * are refused with the protocol's name, never counted).
 */
function unroll(model: CellModel): ProtocolAutomaton | null {
  const { protocol, protocolConfig: config } = model;
  const ids = new Map<string, number>();
  const states: Int32Array[] = [];
  const idOf = (state: Int32Array): number => {
    const key = state.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = states.length;
      ids.set(key, id);
      states.push(state);
    }
    return id;
  };
  const root = new Int32Array(model.stateSize);
  protocol.init(root, config);
  idOf(root);
  const kind: number[] = [];
  const direction: number[] = [];
  const round: number[] = [];
  const next: number[] = [];
  const choices: (SamplingTable | undefined)[] = [];
  const choiceNext: (Int32Array | undefined)[] = [];
  const step = new Step();
  for (let id = 0; id < states.length; id++) {
    if (states.length > MAX_NODES) return null;
    const state = states[id]!.slice();
    // Each step held to the contract as runTrial holds it (the step object is reused: cleared first).
    clearStep(step);
    protocol.next(state, config, step);
    refuseUnreadableStep(protocol.name, step, model.outcomes.names.length, model.roundLimit, state);
    // Crashes over a replayed trace run trial by trial (dispatch.ts): a round is no step here.
    refuseRoundWithoutCrashes(protocol.name, step);
    kind.push(step.kind);
    direction.push(step.direction);
    round.push(step.round);
    choices.push(undefined);
    choiceNext.push(undefined);
    if (step.kind === END) {
      next.push(step.outcome, 0);
    } else if (step.kind === CHOOSE) {
      const probabilities = Float64Array.from(step.choices!);
      choices[id] = samplingTable(probabilities);
      choiceNext[id] = Int32Array.from(probabilities, (_, i) => {
        const child = state.slice();
        protocol.resolve(child, config, step, i);
        return idOf(child);
      });
      next.push(0, 0);
    } else {
      const lost = state.slice();
      protocol.resolve(lost, config, step, 0);
      const received = state.slice();
      protocol.resolve(received, config, step, 1);
      next.push(idOf(lost), idOf(received));
    }
  }
  return {
    kind: Int8Array.from(kind),
    direction: Uint8Array.from(direction),
    round: Int32Array.from(round),
    next: Int32Array.from(next),
    choices,
    choiceNext,
    drawFree: !kind.includes(CHOOSE),
    finalChoices: kind.every((k, node) => k !== CHOOSE || choiceNext[node]!.every((branch) => kind[branch] === END)),
  };
}

/** Packets the root's jumps are keyed by (countStarts): a table of 2^16 entries, 256 KiB. */
const ROOT_BITS = 16;

/** Starts countStarts counts in one call of its loop (a multiple of 8). */
const COUNT_CHUNK = 1 << 16;

/** Past this many ends of paths through the automaton (each a node of its own: ends alike share a result), trials follow the automaton instead. */
const MAX_PATHS = 65_535;

/** Past this many nodes with jumps (a KiB each at most), walks go on send by send from the others. */
const MAX_JUMP_NODES = 4096;

/** Past this many nodes in the paths' graph, or NODE_BYTES_LIMIT of them, trials follow the automaton instead. */
const MAX_TRIE_NODES = 2 ** 20;

/** The most the graph's nodes may take (about 40 bytes each, and 8 a copy: at 1,000 copies a node, 8,000 nodes). */
const NODE_BYTES_LIMIT = 64 * 2 ** 20;

/** The most nodes a graph of paths of messages of `copies` copies may hold. */
export function maxGraphNodes(copies: number): number {
  return Math.min(MAX_TRIE_NODES, Math.floor(NODE_BYTES_LIMIT / (40 + 8 * copies)));
}

/** What paths through the automaton end in: per result, its outcome, messages, last round and deliveries (copies a result). */
export interface PathResults {
  readonly outcome: number[];
  readonly messages: number[];
  readonly rounds: number[];
  readonly deliveries: number[];
}

/**
 * The paths trials take through the automaton over a replayed trace: node 0 is the empty path,
 * and a node's child for `delivered` is the path one send longer. A node holds what the path has
 * come to (its automaton node, messages, last round, deliveries) and, where the automaton ends
 * or chooses there, its result (−1 before: the path goes on). Paths that come to the same share
 * a node, so the nodes are the protocol's states by what a tally counts, not the paths (a tree
 * of the handshake's paths at 8 copies over 10^7 packets has 451,064 nodes; the graph 8,003).
 */
export class PathTrie {
  /** Node · (copies + 1) + delivered → the child, −1 before any start took it. */
  private child: Int32Array;
  /** Per node: its result, or −1 where the path goes on. */
  private result: Int32Array;
  /** Per node that goes on: the direction of its next send. */
  private direction: Uint8Array;
  private node: Int32Array;
  private messages: Int32Array;
  private lastRound: Int32Array;
  /** Messages delivering c + 1 copies, at node · copies + c. */
  private deliveries: Int32Array;
  /** Per node: where its jumps start in `jumps`; −1 before a walk asked, −2 for none (past MAX_JUMP_NODES). */
  private jumpAt: Int32Array;
  /**
   * From a node, the next `jumpSends` sends at once, keyed by their packets' fates (lostFrom's
   * bits): the node they lead to · 32 + the sends taken (fewer where the path ends first); −1
   * before a walk met it.
   */
  private jumps = new Int32Array(0);
  private jumpNodes = 0;
  /** Sends a jump takes: as many as 8 packets hold (0: no jumps, where the directions replay different packets or a message sends more than 4 copies, so that a jump would take one send: those walk over the delivered counts). */
  private readonly jumpSends: number;
  private size = 0;
  private paths = 0;
  readonly results: PathResults = { outcome: [], messages: [], rounds: [], deliveries: [] };
  private readonly copies: number;
  private readonly maxNodes: number;
  /** countStarts' counts of each result, grown as results appear. */
  private counts: Float64Array = new Float64Array(0);

  constructor(
    private readonly automaton: ProtocolAutomaton,
    private readonly replay: Replay,
  ) {
    const copies = (this.copies = replay.copies);
    this.maxNodes = maxGraphNodes(copies);
    this.child = new Int32Array(64 * (copies + 1)).fill(-1);
    this.result = new Int32Array(64);
    this.direction = new Uint8Array(64);
    this.node = new Int32Array(64);
    this.messages = new Int32Array(64);
    this.lastRound = new Int32Array(64);
    this.deliveries = new Int32Array(64 * copies);
    this.jumpAt = new Int32Array(64).fill(-1);
    this.jumpSends = replay.oneTrace && copies <= 4 ? Math.floor(8 / copies) : 0;
    this.open(0, 0, 0, 0);
  }

  /**
   * How many starts end in each result, the starts followed in order 0, 1, … (so the results
   * are numbered as the starts first meet them); null once broken. Where both
   * directions replay the same packets and a message sends at most ROOT_BITS copies, a start's
   * first sends are one lookup in a table keyed by the fates of its first ROOT_BITS packets (a
   * window slid along the trace a packet at a time, not read at each start). What is left of a
   * path goes on by the trie's jumps where a jump takes two sends or more, else send by send
   * over the copies each position delivers (counted once, a window slid along the trace).
   * Where `resultOfStart` is given, each start's result is noted there too.
   */
  countStarts(resultOfStart: Uint16Array | null = null): Float64Array | null {
    this.resultOfStart = resultOfStart;
    const { replay, copies } = this;
    const starts = replay.starts;
    this.counts = new Float64Array(64);
    if (this.jumpSends === 0) {
      const atoB = deliveredCounts(replay, 0);
      this.deliveredAt = [atoB, replay.oneTrace ? atoB : deliveredCounts(replay, 1)];
    }
    const rootSends = replay.oneTrace && copies <= ROOT_BITS && this.result[0]! < 0 ? Math.floor(ROOT_BITS / copies) : 0;
    if (rootSends > 0) this.rootJumps = new Int32Array(1 << (rootSends * copies)).fill(-1);
    try {
      // In chunks: a loop that deoptimizes (a rare path met for the first time) is compiled again at its next call.
      for (let from = 0; from < starts; from += COUNT_CHUNK) {
        const to = Math.min(starts, from + COUNT_CHUNK);
        if (!(rootSends > 0 ? this.countByRoot(rootSends, from, to) : this.countByWalks(from, to))) return null;
      }
    } finally {
      this.deliveredAt = null;
      this.rootJumps = null;
      this.resultOfStart = null;
    }
    // Past the trie's limits no count stands, even one a walk went on with (a guard: a walk that meets them returns −1).
    return this.broken ? null : this.counts;
  }

  /** Where countStarts also notes each start's result (results fit 16 bits: MAX_PATHS). */
  private resultOfStart: Uint16Array | null = null;
  /** Per direction, the copies a message sent from each position delivers: set while countStarts runs where jumps take one send or none. */
  private deliveredAt: [Uint8Array | Uint16Array, Uint8Array | Uint16Array] | null = null;
  /** countStarts' jumps from the root, keyed by the fates of the first `rootSends · copies` packets: node · 32 + the sends taken; −1 before a start met it. */
  private rootJumps: Int32Array | null = null;

  /**
   * Counts starts from … to − 1 (from a multiple of 8), each by its jump from the root and then
   * onwards; false once broken. Starts whose paths go on past the root's jump are walked two at
   * a time (walkPair), so that the processor overlaps their chains of lookups; a start that
   * would add to the trie waits for the one before it, so that results are numbered as the
   * starts first meet them.
   */
  private countByRoot(rootSends: number, from: number, to: number): boolean {
    const { replay, copies } = this;
    const span = rootSends * copies;
    const mask = (1 << span) - 1;
    const rootJumps = this.rootJumps!;
    let { result } = this;
    let fates = 0;
    let waiting = -1; // a start whose path goes on, walked with the next such start
    let waitingAt = 0;
    let waitingPosition = 0;
    for (let s = from; s < to; s++) {
      // The fates from s on, eight starts' windows at a time.
      if ((s & 7) === 0) fates = replay.lostFrom(s, span + 7);
      const window = (fates >>> (s & 7)) & mask;
      let jump = rootJumps[window]!;
      if (jump < 0) {
        if (waiting >= 0) {
          if (!this.tally(waiting, this.goOn(waitingAt, waitingPosition))) return false;
          waiting = -1;
        }
        jump = this.fillRootJump(rootSends, window);
        if (jump < 0) return false;
        result = this.result;
      }
      const at = jump >>> 5;
      const r = result[at]!;
      if (r >= 0) {
        this.tally(s, r);
      } else if (waiting < 0) {
        waiting = s;
        waitingAt = at;
        waitingPosition = s + (jump & 31) * copies;
      } else {
        if (!this.walkPair(waitingAt, waitingPosition, at, s + (jump & 31) * copies)) return false;
        this.tally(waiting, this.pairResults[0]);
        this.tally(s, this.pairResults[1]);
        result = this.result;
        waiting = -1;
      }
    }
    return waiting < 0 || this.tally(waiting, this.goOn(waitingAt, waitingPosition));
  }

  /** Counts start s as ending in result r (false where r is −1: broken). */
  private tally(s: number, r: number): boolean {
    if (r < 0) return false;
    if (r >= this.counts.length) this.counts = grownHistogram(this.counts, r);
    this.counts[r]!++;
    if (this.resultOfStart !== null) this.resultOfStart[s] = r;
    return true;
  }

  /** walkPair's results, first walk's then second's. */
  private readonly pairResults: [number, number] = [0, 0];

  /**
   * Two walks on (nodes a and b at positions pa and pb, not yet wrapped), in step while both go
   * on through the trie as it is; then the first to its end and the second to its end, each
   * alone (goOn), so that whatever they add is added in the order of their starts. False once broken.
   */
  private walkPair(a: number, pa: number, b: number, pb: number): boolean {
    const { replay, copies, deliveredAt, result } = this;
    const { starts } = replay;
    if (pa >= starts) pa %= starts;
    if (pb >= starts) pb %= starts;
    let ra = result[a]!;
    let rb = result[b]!;
    if (deliveredAt !== null) {
      const atoB = deliveredAt[0];
      const btoA = deliveredAt[1];
      const { child, direction } = this;
      const width = copies + 1;
      while (ra < 0 && rb < 0) {
        const na = child[a * width + (direction[a] === 0 ? atoB : btoA)[pa]!]!;
        const nb = child[b * width + (direction[b] === 0 ? atoB : btoA)[pb]!]!;
        if (na < 0 || nb < 0) break;
        a = na;
        b = nb;
        pa += copies;
        if (pa >= starts) pa %= starts;
        pb += copies;
        if (pb >= starts) pb %= starts;
        ra = result[a]!;
        rb = result[b]!;
      }
    } else {
      const { jumps, jumpAt } = this;
      const span = this.jumpSends * copies;
      while (ra < 0 && rb < 0) {
        const ja = jumpAt[a]!;
        const jb = jumpAt[b]!;
        if (ja < 0 || jb < 0) break;
        const ta = jumps[ja + replay.lostFrom(pa, span)]!;
        const tb = jumps[jb + replay.lostFrom(pb, span)]!;
        if (ta < 0 || tb < 0) break;
        a = ta >>> 5;
        b = tb >>> 5;
        pa += (ta & 31) * copies;
        if (pa >= starts) pa %= starts;
        pb += (tb & 31) * copies;
        if (pb >= starts) pb %= starts;
        ra = result[a]!;
        rb = result[b]!;
      }
    }
    if (ra < 0) ra = this.goOn(a, pa);
    if (ra < 0) return false;
    if (rb < 0) rb = this.goOn(b, pb);
    if (rb < 0) return false;
    this.pairResults[0] = ra;
    this.pairResults[1] = rb;
    return true;
  }

  /** Counts starts from … to − 1, each walked from the root, two at a time; false once broken. */
  private countByWalks(from: number, to: number): boolean {
    let s = from;
    for (; s + 1 < to; s += 2) {
      if (!this.walkPair(0, s, 0, s + 1)) return false;
      this.tally(s, this.pairResults[0]);
      this.tally(s + 1, this.pairResults[1]);
    }
    return s === to || this.tally(s, this.goOn(0, s));
  }

  /** The root's jump over packets with fates `lost` (rootSends sends), kept; −1 once broken. */
  private fillRootJump(rootSends: number, lost: number): number {
    const to = this.sendsOver(0, lost, rootSends);
    return to < 0 ? -1 : (this.rootJumps![lost] = to);
  }

  /** countStarts' walk on from node `at` at `position` (not yet wrapped): by jumps, else over the delivered counts. */
  private goOn(at: number, position: number): number {
    const { starts } = this.replay;
    if (position >= starts) position %= starts;
    const deliveredAt = this.deliveredAt;
    if (deliveredAt === null) return this.followOn(at, position);
    const atoB = deliveredAt[0];
    const btoA = deliveredAt[1];
    const { copies } = this;
    const width = copies + 1;
    let { child, result, direction } = this;
    let r = result[at]!;
    while (r < 0) {
      const delivered = (direction[at] === 0 ? atoB : btoA)[position]!;
      position += copies;
      if (position >= starts) position %= starts;
      let next = child[at * width + delivered]!;
      if (next < 0) {
        next = this.add(at, delivered);
        if (next < 0) return -1;
        ({ child, result, direction } = this);
      }
      at = next;
      r = result[at]!;
    }
    return r;
  }

  /** The result of a trial standing at node `at` at `position`, by the trie's jumps (send by send from a node past MAX_JUMP_NODES). */
  private followOn(at: number, position: number): number {
    const { replay, jumpSends } = this;
    const { starts, copies } = replay;
    const span = jumpSends * copies;
    let ended = this.result[at]!;
    while (ended < 0) {
      let jump = jumpSends > 0 ? this.jumpAt[at]! : -2;
      if (jump === -1) jump = this.openJumps(at);
      if (jump >= 0) {
        const lost = replay.lostFrom(position, span);
        let to = this.jumps[jump + lost]!;
        if (to < 0) {
          to = this.fillJump(at, lost, jump + lost);
          if (to < 0) return -1;
        }
        at = to >>> 5;
        position += (to & 31) * copies;
        if (position >= starts) position %= starts;
      } else {
        const delivered = replay.delivered(position, this.direction[at] as 0 | 1);
        position = replay.after(position);
        let next = this.child[at * (copies + 1) + delivered]!;
        if (next < 0) {
          next = this.add(at, delivered);
          if (next < 0) return -1;
        }
        at = next;
      }
      ended = this.result[at]!;
    }
    return ended;
  }

  /** Room in `jumps` for node `at`'s jumps; −2 past MAX_JUMP_NODES (then it goes send by send). */
  private openJumps(at: number): number {
    if (this.jumpNodes === MAX_JUMP_NODES) return (this.jumpAt[at] = -2);
    const width = 1 << (this.jumpSends * this.copies);
    const from = this.jumpNodes++ * width;
    if (from + width > this.jumps.length) {
      const grown = new Int32Array(Math.max(2 * this.jumps.length, 16 * width)).fill(-1);
      grown.set(this.jumps);
      this.jumps = grown;
    }
    return (this.jumpAt[at] = from);
  }

  /** The jump from `at` over packets with fates `lost`, kept at `slot`; −1 once broken. */
  private fillJump(at: number, lost: number, slot: number): number {
    const to = this.sendsOver(at, lost, this.jumpSends);
    return to < 0 ? -1 : (this.jumps[slot] = to);
  }

  /**
   * Up to `sends` sends from node `at` over packets with fates `lost` (bit i: packet i lost),
   * worked out send by send (fewer where the path ends first): the node reached · 32 + the sends
   * taken; −1 once broken.
   */
  private sendsOver(at: number, lost: number, sends: number): number {
    const { copies } = this;
    const mask = (1 << copies) - 1;
    let node = at;
    let taken = 0;
    for (; taken < sends && this.result[node]! < 0; taken++) {
      const delivered = copies - bitCount((lost >>> (taken * copies)) & mask);
      let next = this.child[node * (copies + 1) + delivered]!;
      if (next < 0) {
        next = this.add(node, delivered);
        if (next < 0) return -1;
      }
      node = next;
    }
    return node * 32 + taken;
  }

  /** Past its limits (MAX_PATHS ends, maxGraphNodes nodes, a path of MAX_TRIAL_STEPS sends): it takes no more starts. */
  broken = false;

  /**
   * The child of `parent` for `delivered`, found now: the node already holding what the path
   * comes to, where another path came to the same, else a new one; −1 (and broken) past the
   * trie's limits.
   */
  private add(parent: number, delivered: number): number {
    // A start that never ends is left to the walk (it meets it only if it draws it).
    if (this.broken || this.messages[parent] === MAX_TRIAL_STEPS) {
      this.broken = true;
      return -1;
    }
    const { automaton, copies } = this;
    const from = this.node[parent]!;
    const at = this.size;
    if (at === this.result.length) this.grow();
    // Written at the next free node, which is taken only if no node holds the same.
    this.deliveries.copyWithin(at * copies, parent * copies, parent * copies + copies);
    if (delivered > 0) this.deliveries[at * copies + delivered - 1]!++;
    const node = automaton.next[2 * from + (delivered > 0 ? 1 : 0)]!;
    const messages = this.messages[parent]! + 1;
    const lastRound = automaton.round[from]!;
    const hash = (this.deliveredHash[parent]! + (delivered > 0 ? DELIVERED_HASH[delivered - 1]! : 0)) | 0;
    let child = this.sameNode(hash, node, messages, lastRound, at);
    if (child < 0) {
      if (at === this.maxNodes) {
        this.broken = true;
        return -1;
      }
      this.deliveredHash[at] = hash;
      const key = nodeKey(hash, node, messages, lastRound);
      const first = this.firstOfKey.get(key);
      this.nextOfKey[at] = first ?? -1;
      this.firstOfKey.set(key, at);
      child = this.open(node, messages, lastRound, at);
      if (child < 0) return -1;
    }
    return (this.child[parent * (copies + 1) + delivered] = child);
  }

  /** The node holding automaton node `node`, `messages`, `lastRound` and the deliveries written at node `at` (whose hash is `hash`); −1 where there is none. */
  private sameNode(hash: number, node: number, messages: number, lastRound: number, at: number): number {
    const { copies, deliveries } = this;
    let same = this.firstOfKey.get(nodeKey(hash, node, messages, lastRound)) ?? -1;
    for (; same >= 0; same = this.nextOfKey[same]!) {
      if (this.node[same] !== node || this.messages[same] !== messages || this.lastRound[same] !== lastRound) continue;
      if (sameRun(deliveries, same * copies, deliveries, at * copies, copies)) return same;
    }
    return -1;
  }

  /** Per node: a hash of its deliveries (the sum of DELIVERED_HASH over its messages that delivered). */
  private deliveredHash = new Int32Array(64);
  /** The first node of each key (nodeKey), and after node i the next of the same key (−1: none): nodes to compare a new one with. */
  private readonly firstOfKey = new Map<number, number>();
  private nextOfKey = new Int32Array(64);

  /** Sets up node `at` at automaton node `node`; −1 past MAX_PATHS. */
  private open(node: number, messages: number, lastRound: number, at: number): number {
    const { kind, next, direction } = this.automaton;
    this.size = at + 1;
    this.node[at] = node;
    this.messages[at] = messages;
    this.lastRound[at] = lastRound;
    this.direction[at] = direction[node]!;
    this.result[at] = -1;
    if (kind[node] !== END && kind[node] !== CHOOSE) return at;
    if (++this.paths === MAX_PATHS) {
      this.broken = true;
      return -1;
    }
    const stop = kind[node] === END ? next[2 * node]! : -1 - node;
    const key = nodeKey(this.deliveredHash[at]!, stop, messages, lastRound);
    let result = this.sameResult(key, stop, messages, lastRound, at);
    if (result < 0) {
      const { results, copies } = this;
      result = results.outcome.length;
      this.nextResult.push(this.firstResultOfKey.get(key) ?? -1);
      this.firstResultOfKey.set(key, result);
      results.outcome.push(stop);
      results.messages.push(messages);
      results.rounds.push(lastRound);
      for (let c = 0; c < copies; c++) results.deliveries.push(this.deliveries[at * copies + c]!);
    }
    this.result[at] = result;
    return at;
  }

  /** The result that ends in `stop` after `messages` messages, the last in `lastRound`, with node `at`'s deliveries; −1 where there is none yet. */
  private sameResult(key: number, stop: number, messages: number, lastRound: number, at: number): number {
    const { results, copies, deliveries } = this;
    let same = this.firstResultOfKey.get(key) ?? -1;
    for (; same >= 0; same = this.nextResult[same]!) {
      if (results.outcome[same] !== stop || results.messages[same] !== messages || results.rounds[same] !== lastRound) continue;
      if (sameRun(results.deliveries, same * copies, deliveries, at * copies, copies)) return same;
    }
    return -1;
  }

  /** The first result of each key (nodeKey of its deliveries' hash, end, messages and last round), and after result r the next of the same key. */
  private readonly firstResultOfKey = new Map<number, number>();
  private readonly nextResult: number[] = [];

  private grow(): void {
    const n = 2 * this.result.length;
    const grown = <T extends Int32Array | Uint8Array>(from: T, size: number, fill = 0): T => {
      const to = new (from.constructor as new (n: number) => T)(size);
      if (fill !== 0) to.fill(fill);
      to.set(from);
      return to;
    };
    this.child = grown(this.child, n * (this.copies + 1), -1);
    this.result = grown(this.result, n);
    this.direction = grown(this.direction, n);
    this.node = grown(this.node, n);
    this.messages = grown(this.messages, n);
    this.lastRound = grown(this.lastRound, n);
    this.deliveries = grown(this.deliveries, n * this.copies);
    this.jumpAt = grown(this.jumpAt, n, -1);
    this.deliveredHash = grown(this.deliveredHash, n);
    this.nextOfKey = grown(this.nextOfKey, n);
  }
}

/** Per delivered count c + 1: a random word, summed into a node's hash of its deliveries (any fixed words serve: equal hashes are compared in full). */
const DELIVERED_HASH = Int32Array.from({ length: MAX_REDUNDANCY }, (_, c) => Math.imul(c + 1, 0x9e3779b1) ^ Math.imul(c + 7, 0x85ebca6b));

/** A node's key: its deliveries' hash, automaton node, messages and last round, mixed to a safe integer (nodes with the same key are compared in full). */
function nodeKey(hash: number, node: number, messages: number, lastRound: number): number {
  return ((hash ^ Math.imul(node, 0x27d4eb2d) ^ Math.imul(messages, 0x165667b1)) >>> 0) * 2 ** 20 + (lastRound & 0xfffff);
}

/** Whether a[aFrom …] and b[bFrom …] hold the same `length` numbers. */
function sameRun(a: ArrayLike<number>, aFrom: number, b: ArrayLike<number>, bFrom: number, length: number): boolean {
  for (let c = 0; c < length; c++) if (a[aFrom + c] !== b[bFrom + c]) return false;
  return true;
}

/** The 1 bits of a 32-bit word. */
function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
