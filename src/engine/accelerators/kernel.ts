import { sample, sampleAfterTie, samplingTable } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { AutomatonTooLarge, buildAutomaton } from './automaton.js';
import { MIN_WALK_TRIALS, bitWalkFor } from './bit-walk.js';
import type { BitWalk } from './bit-walk.js';
import { laneKernels } from './lanes.js';
import { laneTrials, runLanes } from './one-draw.js';
import type { Automaton, AutomatonNode } from './automaton.js';
import type { CellModel } from '../model.js';
import { compileGenerated } from '../generated-code.js';
import { toTally } from '../tally.js';
import type { Tally } from '../tally.js';

/** Past this many automaton nodes the generated function is too large for V8 to optimize. */
export const KERNEL_NODE_LIMIT = 400;

/** A cell's compiled kernel: runs a block of trials from a stream, as the generic engine would. */
export interface CellKernel {
  run(stream: Int32Array, trials: number): Tally;
  /**
   * Two blocks at once, as the sum of their tallies (what run gives for each, added): the bit
   * walk runs two blocks faster than one after the other. Unlike run, it does not leave the
   * streams where their blocks end (nothing reads them). Absent where the cell has no walk.
   */
  readonly runPair?: (streamA: Int32Array, trialsA: number, streamB: Int32Array, trialsB: number) => Tally;
  /**
   * What runs the cell's long blocks: the SIMD lanes of one-draw.ts, the bit walk of
   * bit-walk.ts, or the compiled scalar kernel (which also runs short blocks and ties).
   */
  readonly engine: 'one-draw lanes' | 'bit walk' | 'compiled';
}

/**
 * The generated function: runs up to `trials` trials from the xoshiro128** state in `rs`
 * (updated in place) and adds to the accumulators. E[o · width + m]: trials ending in outcome o
 * after m messages (the dynamic part); S[i]: trials ending at static site i; DV[c]: received
 * messages of delivery class c (index C collects nothing); sums[0]: rounds used. HI holds the
 * cell's thresholds (see sampler.ts) unless they were compiled in. It stops early at a draw that
 * ties a threshold, or on reaching a cold node: sums[1] trials are then complete, and the next
 * one stopped at node sums[2] (−1: none stopped) with the tied high part sums[4] (−1: a cold node,
 * not yet drawn for), having cost so far partial path sums[3] or, where that is −1, sums[5]
 * messages up to round sums[6].
 */
type ShapeFunction = (rs: Int32Array, trials: number, E: Float64Array, S: Float64Array, DV: Float64Array, sums: Float64Array, HI: Int32Array) => void;

/**
 * Where a trial can end on a path from the start that no join makes ambiguous: its outcome,
 * messages, last round and deliveries are then constants of the code, so the kernel only counts
 * the trials ending there and the block's tally adds them up once.
 */
interface EndSite {
  readonly outcome: number;
  readonly messages: number;
  readonly round: number;
  readonly deliveries: readonly number[];
}

/** Where a static path stands when the kernel stops at a tie: what the trial has cost so far. */
interface PartialPath {
  readonly messages: number;
  readonly round: number;
  readonly deliveries: readonly number[];
}

/**
 * A cell whose every trial is one draw at the root, both outcomes ending it (the messenger):
 * the SIMD kernel (one-draw.ts) can run it. `slot`: the root's threshold slot; `site`: the end
 * site of outcome 0 (outcome 1's is the next).
 */
interface OneDraw {
  readonly slot: number;
  readonly site: number;
}

interface CompiledShape {
  readonly run: ShapeFunction;
  readonly sites: readonly EndSite[];
  readonly partials: readonly PartialPath[];
  readonly oneDraw: OneDraw | null;
  /** For each chance node with a draw: its id and its first threshold slot. */
  readonly slots: readonly { readonly node: number; readonly base: number }[];
  readonly slotCount: number;
  readonly width: number;
}

/**
 * Empty calls made before a kernel's first block give the code after its trial loop type
 * feedback (V8 allocates a function's feedback vector only after it has run a while; 16 calls
 * were not enough). Without it, the loop's on-stack-replacement code deoptimizes on reaching
 * that code at the end of every block, and V8 soon gives up optimizing the kernel.
 */
const WARM_UP_CALLS = 100;

/**
 * The longest kernel source compiled (characters, before line breaks): V8 optimizes no function
 * of more than 60 KB of bytecode, and a longer kernel ran in its interpreter for good, several
 * times slower than the trial kernel (three-phase commit with 3 cohorts voting, 391 nodes;
 * retransmission over Gilbert–Elliott at 17 rounds and more: docs/benchmarks.md, "Figures behind
 * the code"). Kernels of up to 56,000 characters were seen optimized. Past the limit the
 * cell runs on the trial kernel (montecarlo/trial-kernel.ts), which draws alike.
 */
const KERNEL_SOURCE_LIMIT = 60_000;

/** Reach probability below which a specialized kernel leaves a node to the walker. */
const COLD = 1e-4;

/** Static end sites counted in local variables; the rest count in memory. */
const SITE_LOCALS = 12;

/** One xoshiro128** step, keeping the output's high 31 bits (a non-negative int32) in x. */
const DRAW =
  'r5 = Math.imul(s1, 5); x = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 1; tt = s1 << 9; ' +
  's2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt; s3 = (s3 << 11) | (s3 >>> 21);';

/** What the code at a point knows: on a static path, messages, round and deliveries so far. */
interface Path {
  readonly static: boolean;
  readonly messages: number;
  readonly round: number;
  readonly deliveries: readonly number[];
}

const DYNAMIC: Path = { static: false, messages: 0, round: 0, deliveries: [] };

/**
 * Generates a kernel from the automaton: xoshiro128** inlined with its state in locals, the
 * outcome index computed without branches from int32 signs, nodes reached from one place inlined
 * and the others (joins) laid out once each and reached by forward jumps (labelled breaks).
 * From the start until the first join, what a trial has cost is known while generating the code,
 * so such a trial costs one counter increment at its end site. The kernel draws one word per
 * chance node (none for a certain outcome); at a draw that ties a threshold, or at a cold node,
 * it stops and the walker finishes that trial drawing as the generic engine's runTrial does. So
 * both engines consume the stream alike and give identical tallies, and `trace` can replay any
 * trial of a compiled run.
 */
function compileShape(automaton: Automaton, classCount: number, literal: boolean, name: string): CompiledShape | null {
  const { nodes, root } = automaton;
  const width = automaton.maxMessages + 1;
  const sites: EndSite[] = [];
  const partials: PartialPath[] = [];
  const slots: { node: number; base: number }[] = [];
  const classSlots: number[] = []; // per outcome slot: delivery class, or classCount for none
  const outcomeSlots: number[] = []; // per outcome slot: o · width of the end it leads to, or −1
  const inDegree = new Int32Array(nodes.length);
  for (const node of nodes) if (node.kind !== 'end') for (const n of new Set(node.next)) inDegree[n]!++;
  // In a kernel compiled for one cell, chance nodes that a trial reaches with probability below
  // COLD are left out: a trial reaching one stops and the walker finishes it. Every code path
  // left in the kernel then runs within its first blocks, so V8 optimizes it with complete type
  // feedback and never deoptimizes on meeting a rare path late (each deoptimization costs tens
  // of milliseconds), and the function stays small.
  const cold = literal ? reachProbabilities(nodes, root).map((p, id) => nodes[id]!.kind !== 'end' && p < COLD) : nodes.map(() => false);
  const joins = nodes.map((node, id) => node.kind !== 'end' && !cold[id] && id !== root && inDegree[id]! > 1);
  // Block L{i} ends just before join i, so "go to join i" is `break L{i}`: every jump is forward,
  // because the automaton is acyclic and the joins are laid out in topological order.
  const order = topologicalOrder(nodes, root).filter((id) => joins[id]);
  const label = new Map(order.map((id, i) => [id, `L${i}`]));
  const counterOf = (c: number): string => (c < 8 ? `d${c}` : `DV[${c}]`);
  const local = (c: number): string => `${counterOf(c)}++; `;
  // Static two-outcome leaves count in a pair of locals: the sum of signs (−count of outcome 0)
  // and the visits (but at the root every trial visits).
  const pairs: { first: number; visitsAreTrials: boolean }[] = [];
  // Set when every trial is one draw at the root, both outcomes ending it (the messenger).
  let oneDraw = null as OneDraw | null;

  // The first static sites count in locals: an increment in a register, not in memory.
  const siteCounter = (i: number): string => (i < SITE_LOCALS ? `c${i}` : `S[${i}]`);
  const site = (path: Path, outcome: number): number => sites.push({ outcome, messages: path.messages, round: path.round, deliveries: path.deliveries }) - 1;
  const partial = (path: Path): number => partials.push({ messages: path.messages, round: path.round, deliveries: path.deliveries }) - 1;

  function goto(id: number, path: Path): string {
    if (!joins[id]) return emit(id, path);
    const jump = `break ${label.get(id)};`;
    if (!path.static) return jump;
    return `m = ${path.messages}; r = ${path.round}; ${path.deliveries.map(local).join('')}${jump}`;
  }

  function emit(id: number, path: Path): string {
    const node: AutomatonNode = nodes[id]!;
    if (node.kind === 'end') {
      return path.static ? `${siteCounter(site(path, node.outcome))}++; continue trials;` : `E[${node.outcome * width} + m]++; rounds += r; continue trials;`;
    }
    if (cold[id]) {
      // Rarely reached: the walker finishes the trial from here (see `cold`).
      return `ex = -1; en = ${id}; es = ${path.static ? partial(path) : -1}; break trials;`;
    }
    const n = node.probabilities.length;
    const send = node.kind === 'send';
    const classOf = (k: number): number => (send ? node.deliveryClass[k]! : -1);
    const after = (k: number): Path =>
      path.static
        ? {
            static: true,
            messages: path.messages + (send ? 1 : 0),
            round: send ? node.round : path.round,
            deliveries: classOf(k) >= 0 ? [...path.deliveries, classOf(k)] : path.deliveries,
          }
        : path;
    const count = send && !path.static ? `m++; r = ${node.round}; ` : '';
    const deliver = (k: number): string => (!path.static && classOf(k) >= 0 ? local(classOf(k)) : '');
    if (n === 1) return `${count}${deliver(0)}${goto(node.next[0]!, after(0))}`;

    const base = outcomeSlots.length;
    slots.push({ node: id, base });
    for (let k = 0; k < n; k++) {
      classSlots.push(classOf(k) >= 0 ? classOf(k) : classCount);
      const target = nodes[node.next[k]!]!;
      outcomeSlots.push(target.kind === 'end' ? target.outcome * width : -1);
    }
    // The outcome index k is the number of thresholds at or below x: n − 1 plus, per threshold, the
    // sign of the int32 difference x − h (−1 where x is below h, else 0).
    const cellHighs = highParts(node.probabilities);
    const highs = Array.from({ length: n - 1 }, (_, k) => (literal ? String(cellHighs[k]) : `HI[${base + k}]`));
    const tie = highs.map((h) => `x === ${h}`).join(' || ');
    // On a tie the kernel stops and the trial is finished outside (see CellKernel.run): the code
    // on that path only moves values, so V8 needs no type feedback for it and never deoptimizes.
    const counted: Path = path.static ? { ...after(0), deliveries: path.deliveries } : path;
    const exit = `ex = x; en = ${id}; es = ${path.static ? partial(counted) : -1}; break trials;`;
    const leaf = node.next.every((t) => nodes[t]!.kind === 'end');

    if (n === 2) {
      // Two outcomes: sgn = (x − h) >> 31 is −1 for outcome 0 and 0 for outcome 1, so counts can
      // be kept without branching: outcome 0 happened −sgn times, outcome 1 (1 + sgn) times.
      const draw = `${DRAW} ${count}if (${tie}) { ${exit} } `;
      const sgn = `((x - ${highs[0]}) >> 31)`;
      if (leaf && path.static) {
        const first = sites.length;
        site(after(0), (nodes[node.next[0]!] as { outcome: number }).outcome);
        site(after(1), (nodes[node.next[1]!] as { outcome: number }).outcome);
        const pair = pairs.push({ first, visitsAreTrials: id === root }) - 1;
        if (id === root) oneDraw = { slot: base, site: first };
        return `${draw}pa${pair} += ${sgn}; ${id === root ? '' : `pb${pair}++; `}continue trials;`;
      }
      if (leaf) {
        const [o0, o1] = node.next.map((t) => (nodes[t] as { outcome: number }).outcome * width) as [number, number];
        const delivered = [0, 1].map((k) => (classOf(k) >= 0 ? `${counterOf(classOf(k))} += ${k === 0 ? `-${sgn}` : `1 + ${sgn}`}; ` : '')).join('');
        return `${draw}${delivered}E[${o1} + ${sgn} * ${o1 - o0} + m]++; rounds += r; continue trials;`;
      }
      return `${draw}if (x < ${highs[0]}) { ${deliver(0)}${goto(node.next[0]!, after(0))} } else { ${deliver(1)}${goto(node.next[1]!, after(1))} }`;
    }
    // k = the number of thresholds at or below x: each term is −1 (x below) or 0, the sign of an int32 difference.
    const chain = `${n - 1}${highs.map((h) => ` + ((x - ${h}) >> 31)`).join('')}`;
    const code = `${DRAW} ${count}k = ${chain}; if (${tie}) { ${exit} } `;
    if (leaf) {
      if (!path.static) return `${code}${send ? `DV[CLS[${base} + k]]++; ` : ''}E[OUT[${base} + k] + m]++; rounds += r; continue trials;`;
      const first = sites.length;
      for (let k = 0; k < n; k++) site(after(k), (nodes[node.next[k]!] as { outcome: number }).outcome);
      return `${code}S[${first} + k]++; continue trials;`;
    }
    // Several outcomes share branches: their delivery classes are counted through a table.
    const shared: Path = path.static ? { ...after(0), deliveries: path.deliveries } : path;
    return `${code}${send ? `DV[CLS[${base} + k]]++; ` : ''}${branch(node.next, shared)}`;
  }

  /** Code that continues at next[k]: outcomes leading to the same node share one branch. */
  function branch(next: readonly number[], path: Path): string {
    const targets = [...new Set(next)];
    if (targets.length === 1) return goto(targets[0]!, path);
    const condition = (target: number): string => next.flatMap((t, k) => (t === target ? [`k === ${k}`] : [])).join(' || ');
    const [last, ...rest] = targets.reverse();
    return (
      rest
        .reverse()
        .map((t) => `if (${condition(t)}) { ${goto(t, path)} } else `)
        .join('') + `{ ${goto(last!, path)} }`
    );
  }

  let body = emit(root, { static: true, messages: 0, round: 0, deliveries: [] });
  order.forEach((id, i) => {
    body = `L${i}: { ${body} }\n${emit(id, DYNAMIC)}`;
  });
  const counters = Array.from({ length: Math.min(classCount, 8) }, (_, c) => `d${c}`);
  const siteLocals = Array.from({ length: Math.min(sites.length, SITE_LOCALS) }, (_, i) => `c${i}`);
  const pairLocals = pairs.flatMap((_, j) => [`pa${j}`, `pb${j}`]);
  const source = `
    return function kernel(rs, trials, E, S, DV, sums, HI) {
      let s0 = rs[0] | 0, s1 = rs[1] | 0, s2 = rs[2] | 0, s3 = rs[3] | 0;
      let x = 0, k = 0, r5 = 0, tt = 0, m = 0, r = 0, rounds = 0, t = 0, ex = 0, en = -1, es = -1${[...counters, ...siteLocals, ...pairLocals].map((d) => `, ${d} = 0`).join('')};
      trials: for (; t < trials; t++) {
        ${body}
      }
      rs[0] = s0; rs[1] = s1; rs[2] = s2; rs[3] = s3;
      ${counters.map((d, c) => `DV[${c}] += ${d};`).join(' ')}
      ${pairs.map(({ first, visitsAreTrials }, j) => `S[${first}] -= pa${j}; S[${first + 1}] += ${visitsAreTrials ? 't' : `pb${j}`} + pa${j};`).join(' ')}
      ${siteLocals.map((c, i) => `S[${i}] += ${c};`).join(' ')}
      sums[0] += rounds; sums[1] = t; sums[2] = en; sums[3] = es; sums[4] = ex; sums[5] = m; sums[6] = r;
    };`;
  if (source.length > KERNEL_SOURCE_LIMIT) return null;
  const readable = `${lineBroken(source)}\n//# sourceURL=twogenerals-kernel/${name}.js\n`;
  const factory = compileGenerated(`kernel ${name}`, ['CLS', 'OUT'], readable) as (...args: unknown[]) => ShapeFunction;
  const run = factory(Int32Array.from(classSlots), Int32Array.from(outcomeSlots));
  const scratch = new Float64Array(Math.max(outcomeSlots.length, sites.length, classCount + 1, 8) * Math.max(1, width));
  for (let i = 0; i < WARM_UP_CALLS; i++) run(Int32Array.of(1, 2, 3, 4), 0, scratch, scratch, scratch, scratch, new Int32Array(1));
  if (!literal) {
    // Walk every branch once, thresholds set to force it, so that V8 optimizes the kernel with
    // complete type feedback (see `cold` for the specialized kernels' way to the same end).
    const baseOf = new Map(slots.map(({ node, base }) => [node, base]));
    // A threshold of −1 is below every draw and never tied (a draw's high part is 0 to 2^31 − 1:
    // the second draw from the warm-up state is 0, which tied thresholds of 0 and stopped every
    // walk at the root's children, so the kernel met the rest of its paths in real trials and
    // deoptimized there, block after block).
    for (const forced of branchSteerings(nodes, root)) {
      const HI = new Int32Array(outcomeSlots.length).fill(-1);
      for (const [node, k] of forced) {
        const base = baseOf.get(node);
        if (base === undefined) continue;
        const n = (nodes[node] as { probabilities: Float64Array }).probabilities.length;
        for (let j = 0; j < n - 1; j++) HI[base + j] = j < k ? -1 : 2 ** 31 - 1;
      }
      run(Int32Array.of(1, 2, 3, 4), 1, scratch, scratch, scratch, scratch, HI);
    }
  }
  return { run, sites, partials, oneDraw, slots, slotCount: outcomeSlots.length, width };
}

/** Node ids in an order where every node comes after all nodes that lead to it. */
function topologicalOrder(nodes: readonly AutomatonNode[], root: number): number[] {
  const seen = new Uint8Array(nodes.length);
  const postorder: number[] = [];
  const stack: [number, number][] = [[root, 0]];
  seen[root] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const node = nodes[top[0]]!;
    const next = node.kind === 'end' ? [] : node.next;
    if (top[1] < next.length) {
      const child = next[top[1]++]!;
      if (!seen[child]) {
        seen[child] = 1;
        stack.push([child, 0]);
      }
    } else {
      postorder.push(top[0]);
      stack.pop();
    }
  }
  return postorder.reverse();
}

/**
 * For every branch (node, k) of the automaton, the choices that lead a trial from the root to
 * that node and then along k: the forcings under which a kernel walks each branch once.
 */
function branchSteerings(nodes: readonly AutomatonNode[], root: number): Map<number, number>[] {
  const parent = new Map<number, [number, number]>();
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const node = nodes[id]!;
    if (node.kind === 'end') continue;
    node.next.forEach((next, k) => {
      if (next !== root && !parent.has(next)) {
        parent.set(next, [id, k]);
        queue.push(next);
      }
    });
  }
  const steerings: Map<number, number>[] = [];
  for (const id of queue) {
    const node = nodes[id]!;
    if (node.kind === 'end') continue;
    for (let k = 0; k < node.next.length; k++) {
      const forced = new Map<number, number>([[id, k]]);
      for (let at = parent.get(id); at; at = parent.get(at[0])) forced.set(at[0], at[1]);
      steerings.push(forced);
    }
  }
  return steerings;
}

/**
 * A cell's trials mispredict at least this many branches each, on average, before the bit walk
 * (bit-walk.ts) runs them instead of the compiled kernel: below it the kernel's branches go the
 * likely way often enough that it is as fast. Only cells of many trials (`specialize`) walk: a
 * sweep of cells of 10^6 trials (W3) ran 7% slower with its unpredictable cells walked, the
 * walk's tables and warm-up paid per cell.
 */
const WALK_MISPREDICTS = 0.25;

/**
 * The branches per trial that even a perfect predictor of each branch's likelier side gets
 * wrong: the sum over draws of the reach times the unlikelier outcome's probability.
 */
function mispredictsPerTrial({ nodes, root }: Automaton): number {
  return reachProbabilities(nodes, root).reduce((sum, reach, id) => {
    const node = nodes[id]!;
    return node.kind === 'end' || node.probabilities.length < 2 ? sum : sum + reach * (1 - Math.max(...node.probabilities));
  }, 0);
}

/** Probability that a trial reaches each node. */
function reachProbabilities(nodes: readonly AutomatonNode[], root: number): number[] {
  const reach = new Array<number>(nodes.length).fill(0);
  reach[root] = 1;
  for (const id of topologicalOrder(nodes, root)) {
    const node = nodes[id]!;
    if (node.kind === 'end') continue;
    node.next.forEach((next, k) => (reach[next]! += reach[id]! * node.probabilities[k]!));
  }
  return reach;
}

/** Everything about an automaton that the generated code depends on; thresholds are not. */
function shapeKey(automaton: Automaton, classCount: number): string {
  const parts = automaton.nodes.map((node) =>
    node.kind === 'end'
      ? `e${node.outcome}`
      : node.kind === 'send'
        ? `s${node.round}:${node.next.join(',')}:${node.deliveryClass.join(',')}`
        : `c${node.next.join(',')}`,
  );
  return `${automaton.root}|${automaton.maxMessages}|${classCount}|${parts.join(';')}`;
}

/** Eight hex digits of FNV-1a over the text: a name, not a check. */
function shortDigest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const shapes = new Map<string, CompiledShape | null>();
const kernels = new WeakMap<CellModel, CellKernel | null>();

/**
 * The cell's kernel, compiled on first use; null when the automaton is too large. A kernel with
 * the cell's thresholds written into the code as literals runs about a third faster than one
 * reading them from a table, but every cell then needs its own compilation (a few milliseconds
 * in V8's optimizing compiler): worth it for cells of many trials (`specialize`), not for
 * sweeps of many small cells, which share one kernel per automaton shape.
 */
export function kernelFor(model: CellModel, specialize = false): CellKernel | null {
  if (model.replay) return null; // a replayed channel has no tables to unroll
  const cache = specialize ? specialized : kernels;
  let kernel = cache.get(model);
  if (kernel === undefined) {
    kernel = bindKernel(model, specialize);
    cache.set(model, kernel);
  }
  return kernel;
}

const specialized = new WeakMap<CellModel, CellKernel | null>();

/**
 * Automata of at least this many nodes walk their unpredictable cells (see WALK_MISPREDICTS)
 * whatever their trials, for the first WALKED_CELLS cells of their shape in a thread: their shared
 * kernel is so large that V8 optimizes it only after some hundred thousand trials in its
 * interpreter (three-phase commit with 3 cohorts, 195 nodes: a run of the example's 400,000
 * trials spent most of its time there; docs/benchmarks.md, "Figures behind the code"), and the bit walk runs at its speed from its first block. Its tables cost each cell a
 * few milliseconds, which a sweep's later cells of one shape save by sharing the kernel, whose
 * slow start a thread then pays once. The choice changes no count.
 */
const LARGE_SHAPE_NODES = 64;
const WALKED_CELLS = 8;
/** Cells of each large shape walked so far in this thread. */
const walkedCells = new Map<string, number>();

/** Whether a cell not specialized walks as one of the first cells of a large shape (counted here). */
function walksAsLarge(automaton: Automaton, key: string): boolean {
  if (automaton.nodes.length < LARGE_SHAPE_NODES) return false;
  const walked = walkedCells.get(key) ?? 0;
  if (walked >= WALKED_CELLS) return false;
  if (walkedCells.size >= 64) walkedCells.clear();
  walkedCells.set(key, walked + 1);
  return true;
}

/** Threshold high parts of a distribution, as compared with a draw's high 31 bits. */
function highParts(probabilities: Float64Array): Int32Array {
  // A threshold of exactly 2^53 (cumulative probability 1) has high part 2^31, beyond int32; as
  // 2^31 − 1 it still decides correctly, because a draw equal to it takes the exact tie path.
  return Int32Array.from(samplingTable(probabilities).high, (h) => Math.min(h, 2 ** 31 - 1));
}

function bindKernel(model: CellModel, specialize: boolean): CellKernel | null {
  let automaton: Automaton;
  try {
    automaton = buildAutomaton(model, KERNEL_NODE_LIMIT);
  } catch (error) {
    if (error instanceof AutomatonTooLarge) return null;
    throw error;
  }
  const classCount = model.deliveryValues.length;
  const key = shapeKey(automaton, classCount);
  let shape = specialize ? undefined : shapes.get(key);
  if (shape === undefined) {
    // Each kernel its own sourceURL: its protocol and channel, then a digest of what it was compiled
    // from (the shape; a specialized one's probabilities too), so a sweep's kernels are told apart.
    const compiledFrom = specialize
      ? `${key}|${automaton.nodes.map((node) => ('probabilities' in node ? Array.from(node.probabilities).join(',') : '')).join(';')}`
      : key;
    const name = `${model.protocol.name}-over-${model.channel.name}-${specialize ? 'specialized' : 'shared'}-${shortDigest(compiledFrom)}`;
    shape = compileShape(automaton, classCount, specialize, name);
    if (!specialize) {
      if (shapes.size >= 64) shapes.clear();
      shapes.set(key, shape);
    }
  }
  if (shape === null) return null; // too long a kernel for V8 to optimize (KERNEL_SOURCE_LIMIT)
  const HI = new Int32Array(shape.slotCount);
  for (const { node, base } of shape.slots) HI.set(highParts((automaton.nodes[node] as { probabilities: Float64Array }).probabilities), base);
  const { run, sites, partials, oneDraw, width } = shape;
  const outcomeCount = model.outcomes.names.length;
  const walker = new AutomatonWalker(automaton);
  // Accumulators are allocated once per cell and cleared per block: no garbage per block.
  const E = new Float64Array(outcomeCount * width);
  const S = new Float64Array(sites.length);
  const DV = new Float64Array(classCount + 1);
  const sums = new Float64Array(7);
  const outcomes = new Float64Array(outcomeCount);
  const histogram = new Float64Array(width);
  const highOf = (node: number): number => highParts((automaton.nodes[node] as { probabilities: Float64Array }).probabilities)[0]!;
  // Built on the first block long enough for it: a sweep's many small cells never need one.
  let walk: BitWalk | null | undefined =
    oneDraw || mispredictsPerTrial(automaton) < WALK_MISPREDICTS || !(specialize || walksAsLarge(automaton, key)) ? null : undefined;
  const walkFor = (trials: number): BitWalk | null => {
    if (trials < MIN_WALK_TRIALS) return null;
    if (walk === undefined) walk = bitWalkFor(automaton, classCount, highOf, { E, DV, sums });
    return walk;
  };
  let rounds = 0;
  const clear = (): void => {
    E.fill(0);
    S.fill(0);
    DV.fill(0);
    sums.fill(0);
    outcomes.fill(0);
    histogram.fill(0);
    rounds = 0;
  };
  /** Runs `left` trials from `stream` on the scalar kernel, into the accumulators. */
  const runScalar = (stream: Int32Array, trials: number): void => {
    let left = trials;
    while (left > 0) {
      run(stream, left, E, S, DV, sums, HI);
      if (sums[2]! < 0) break;
      // The kernel stopped at a tie or a cold node: finish that trial by walking the automaton.
      const path = sums[3]! >= 0 ? partials[sums[3]!]! : { messages: sums[5]!, round: sums[6]!, deliveries: [] };
      const end = walker.finish(sums[2]!, sums[4]!, stream, path.messages, path.round, DV);
      for (const c of path.deliveries) DV[c]!++;
      outcomes[end.outcome]!++;
      histogram[end.messages]!++;
      rounds += end.round;
      left -= sums[1]! + 1;
    }
  };
  /** The tally of the accumulators, for `trials` trials in all. */
  const tally = (trials: number): Tally => {
    for (let o = 0; o < outcomeCount; o++) {
      for (let m = 0; m < width; m++) {
        outcomes[o]! += E[o * width + m]!;
        histogram[m]! += E[o * width + m]!;
      }
    }
    rounds += sums[0]!;
    sites.forEach((site, i) => {
      const count = S[i]!;
      outcomes[site.outcome]! += count;
      histogram[site.messages]! += count;
      rounds += count * site.round;
      for (const c of site.deliveries) DV[c]! += count;
    });
    return toTally(trials, outcomes, histogram, DV.subarray(0, classCount), rounds);
  };
  return {
    get engine() {
      return oneDraw && laneKernels() ? 'one-draw lanes' : walkFor(MIN_WALK_TRIALS) ? 'bit walk' : 'compiled';
    },
    run(stream, trials) {
      clear();
      let left = trials;
      if (oneDraw) {
        const below = runLanes(stream, trials, HI[oneDraw.slot]!);
        if (below >= 0) {
          const done = laneTrials(trials);
          S[oneDraw.site]! += below;
          S[oneDraw.site + 1]! += done - below;
          left -= done;
        }
      } else if (walkFor(trials)?.run(stream, trials)) {
        left = 0; // else a tie: the scalar kernel runs the block
      }
      runScalar(stream, left);
      return tally(trials);
    },
    ...(walk !== null && {
      runPair(streamA: Int32Array, trialsA: number, streamB: Int32Array, trialsB: number): Tally {
        clear();
        const walk = walkFor(Math.min(trialsA, trialsB));
        const ties = walk ? walk.runPair(streamA, trialsA, streamB, trialsB) : 3;
        // A block that met a tie, or too short for the walk, runs on the scalar kernel.
        if (ties & 1) runScalar(streamA, trialsA);
        if (ties & 2) runScalar(streamB, trialsB);
        return tally(trialsA + trialsB);
      },
    }),
  };
}

/**
 * Finishes a trial the kernel stopped at a threshold tie, drawing as sampler.ts does: the tied
 * draw's low word first, then one draw per chance node.
 */
class AutomatonWalker {
  private readonly tables = new Map<number, SamplingTable>();

  constructor(private readonly automaton: Automaton) {}

  finish(
    nodeId: number,
    high: number,
    stream: Int32Array,
    messages: number,
    round: number,
    deliveries: Float64Array,
  ): { outcome: number; messages: number; round: number } {
    const rng = new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!);
    let id = nodeId;
    // high < 0: the kernel left a cold node before drawing for it.
    if (high < 0 && this.automaton.nodes[id]!.kind === 'send') {
      messages++;
      round = (this.automaton.nodes[id] as { round: number }).round;
    }
    let k = high < 0 ? sample(rng, this.table(id)) : sampleAfterTie(rng, this.table(id), high);
    for (;;) {
      const node = this.automaton.nodes[id]!;
      if (node.kind === 'end') break;
      if (node.kind === 'send' && node.deliveryClass[k]! >= 0) deliveries[node.deliveryClass[k]!]!++;
      id = node.next[k]!;
      const next = this.automaton.nodes[id]!;
      if (next.kind === 'end') break;
      if (next.kind === 'send') {
        messages++;
        round = next.round;
      }
      k = sample(rng, this.table(id));
    }
    stream.set(rng.getState());
    return { outcome: (this.automaton.nodes[id] as { outcome: number }).outcome, messages, round };
  }

  private table(id: number): SamplingTable {
    let table = this.tables.get(id);
    if (!table) this.tables.set(id, (table = samplingTable((this.automaton.nodes[id] as { probabilities: Float64Array }).probabilities)));
    return table;
  }
}

/**
 * The generated source with one statement or block edge per line, for a profiler, a debugger or
 * TWOGENERALS_PRINT_KERNEL to show. The kernel has no string literals and every statement ends
 * in ';', so breaking after ';' and '{' and before '}' changes no meaning.
 */
function lineBroken(source: string): string {
  let depth = 0;
  return source
    .replace(/\{ /g, '{\n')
    .replace(/; (?=[^()]*\))/g, '\u0000') // semicolons inside a for (…; …; …) header stay
    .replace(/; /g, ';\n')
    .replace(/\u0000/g, '; ')
    .replace(/ \}/g, '\n}')
    .replace(/\} (?!else)/g, '}\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      if (line.startsWith('}')) depth = Math.max(0, depth - 1);
      const indented = `${'  '.repeat(depth)}${line}`;
      depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0) + (line.startsWith('}') ? 1 : 0);
      return indented;
    })
    .join('\n');
}
