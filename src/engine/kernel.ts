import { samplingTable } from '../rng/sampler.js';
import { AutomatonTooLarge, buildAutomaton } from './automaton.js';
import type { Automaton, AutomatonNode } from './automaton.js';
import type { CellModel } from './model.js';
import { toTally } from './tally.js';
import type { Tally } from './tally.js';

/** Past this many automaton nodes the generated function is too large for V8 to optimize. */
export const KERNEL_NODE_LIMIT = 400;

/** A cell's compiled kernel: runs a block of trials from a stream, as the generic engine would. */
export interface CellKernel {
  run(stream: Int32Array, trials: number): Tally;
}

/**
 * The generated function: runs `trials` trials from the xoshiro128** state in `rs` (updated in
 * place) and adds to the accumulators. E[o · width + m]: trials ending in outcome o after m
 * messages (the dynamic part); S[i]: trials ending at static site i; DV[c]: received messages of
 * delivery class c (index C collects nothing); sums[0]: rounds used. HI and FULL hold the
 * cell's thresholds (see sampler.ts), so cells of the same shape share one compiled function.
 */
type ShapeFunction = (
  rs: Int32Array,
  trials: number,
  E: Float64Array,
  S: Float64Array,
  DV: Float64Array,
  sums: Float64Array,
  HI: Int32Array,
  FULL: Float64Array,
) => void;

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

interface CompiledShape {
  readonly run: ShapeFunction;
  readonly sites: readonly EndSite[];
  /** For each chance node with a draw: its id and its first threshold slot. */
  readonly slots: readonly { readonly node: number; readonly base: number }[];
  readonly slotCount: number;
  readonly width: number;
}

/** One xoshiro128** step; `shift` 1 keeps the high 31 bits (a non-negative int32). */
const DRAW = (v: string, shift: number): string =>
  `r5 = Math.imul(s1, 5); ${v} = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> ${shift}; tt = s1 << 9; ` +
  's2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt; s3 = (s3 << 11) | (s3 >>> 21);';

/** Resolves a tie of the high 31 bits with the low word y, exactly as sampler.ts does. */
const fix = (FULL: Float64Array, x: number, y: number, base: number, n: number): number => {
  const m53 = x * 4194304 + (y >>> 10);
  let j = 0;
  while (j < n - 1 && m53 >= FULL[base + j]!) j++;
  return j;
};

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
 * so such a trial costs one counter increment at its end site. The kernel consumes the stream
 * exactly as the generic engine's runTrial does (one word per draw, a second only on a threshold
 * tie, none for a certain outcome), so both give identical tallies and `trace` can replay any
 * trial of a compiled run.
 */
function compileShape(automaton: Automaton, classCount: number): CompiledShape {
  const { nodes, root } = automaton;
  const width = automaton.maxMessages + 1;
  const sites: EndSite[] = [];
  const slots: { node: number; base: number }[] = [];
  const classSlots: number[] = []; // per outcome slot: delivery class, or classCount for none
  const outcomeSlots: number[] = []; // per outcome slot: o · width of the end it leads to, or −1
  const inDegree = new Int32Array(nodes.length);
  for (const node of nodes) if (node.kind !== 'end') for (const n of new Set(node.next)) inDegree[n]!++;
  const joins = nodes.map((node, id) => node.kind !== 'end' && id !== root && inDegree[id]! > 1);
  // Block L{i} ends just before join i, so "go to join i" is `break L{i}`: every jump is forward,
  // because the automaton is acyclic and the joins are laid out in topological order.
  const order = topologicalOrder(nodes, root).filter((id) => joins[id]);
  const label = new Map(order.map((id, i) => [id, `L${i}`]));
  const local = (c: number): string => (c < 8 ? `d${c}++; ` : `DV[${c}]++; `);

  const site = (path: Path, outcome: number): number => sites.push({ outcome, messages: path.messages, round: path.round, deliveries: path.deliveries }) - 1;

  function goto(id: number, path: Path): string {
    if (!joins[id]) return emit(id, path);
    const jump = `break ${label.get(id)};`;
    if (!path.static) return jump;
    return `m = ${path.messages}; r = ${path.round}; ${path.deliveries.map(local).join('')}${jump}`;
  }

  function emit(id: number, path: Path): string {
    const node: AutomatonNode = nodes[id]!;
    if (node.kind === 'end') {
      return path.static ? `S[${site(path, node.outcome)}]++; continue trials;` : `E[${node.outcome * width} + m]++; rounds += r; continue trials;`;
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
    // k = the number of thresholds at or below x: each term is −1 (x below) or 0, the sign of an int32 difference.
    const highs = Array.from({ length: n - 1 }, (_, k) => `HI[${base + k}]`);
    const chain = `${n - 1}${highs.map((h) => ` + ((x - ${h}) >> 31)`).join('')}`;
    const tie = highs.map((h) => `x === ${h}`).join(' || ');
    const code = `${DRAW('x', 1)} ${count}k = ${chain}; if (${tie}) { ${DRAW('y', 0)} k = fix(FULL, x, y, ${base}, ${n}); } `;

    if (node.next.every((t) => nodes[t]!.kind === 'end')) {
      if (!path.static) return `${code}${send ? `DV[CLS[${base} + k]]++; ` : ''}E[OUT[${base} + k] + m]++; rounds += r; continue trials;`;
      const first = sites.length;
      for (let k = 0; k < n; k++) site(after(k), (nodes[node.next[k]!] as { outcome: number }).outcome);
      return `${code}S[${first} + k]++; continue trials;`;
    }
    if (n === 2) return `${code}if (k === 0) { ${deliver(0)}${goto(node.next[0]!, after(0))} } else { ${deliver(1)}${goto(node.next[1]!, after(1))} }`;
    // Several outcomes share branches: their delivery classes are counted through a table.
    const shared: Path = path.static ? { ...after(0), deliveries: path.deliveries } : path;
    return `${code}${send ? `DV[CLS[${base} + k]]++; ` : ''}${branch(node.next, shared)}`;
  }

  /** Code that continues at next[k]: outcomes leading to the same node share one branch. */
  function branch(next: readonly number[], path: Path): string {
    const targets = [...new Set(next)];
    if (targets.length === 1) return goto(targets[0]!, path);
    const condition = (target: number): string =>
      next.flatMap((t, k) => (t === target ? [`k === ${k}`] : [])).join(' || ');
    const [last, ...rest] = targets.reverse();
    return rest.reverse().map((t) => `if (${condition(t)}) { ${goto(t, path)} } else `).join('') + `{ ${goto(last!, path)} }`;
  }

  let body = emit(root, { static: true, messages: 0, round: 0, deliveries: [] });
  order.forEach((id, i) => {
    body = `L${i}: { ${body} }\n${emit(id, DYNAMIC)}`;
  });
  const counters = Array.from({ length: Math.min(classCount, 8) }, (_, c) => `d${c}`);
  const source = `
    return function kernel(rs, trials, E, S, DV, sums, HI, FULL) {
      let s0 = rs[0] | 0, s1 = rs[1] | 0, s2 = rs[2] | 0, s3 = rs[3] | 0;
      let x = 0, y = 0, k = 0, r5 = 0, tt = 0, m = 0, r = 0, rounds = 0${counters.map((d) => `, ${d} = 0`).join('')};
      trials: for (let t = 0; t < trials; t++) {
        ${body}
      }
      rs[0] = s0; rs[1] = s1; rs[2] = s2; rs[3] = s3;
      ${counters.map((d, c) => `DV[${c}] += ${d};`).join(' ')}
      sums[0] += rounds;
    };`;
  const factory = new Function('CLS', 'OUT', 'fix', source) as (...args: unknown[]) => ShapeFunction;
  const run = factory(Int32Array.from(classSlots), Int32Array.from(outcomeSlots), fix);
  // Empty calls first give the code after the trial loop type feedback (V8 allocates feedback
  // only after several calls); otherwise the loop's on-stack-replacement code deoptimizes on
  // reaching it at the end of every block, and V8 soon gives up optimizing the kernel.
  const scratch = new Float64Array(Math.max(8, sites.length, classCount + 1));
  for (let i = 0; i < 16; i++) run(Int32Array.of(1, 2, 3, 4), 0, scratch, scratch, scratch, scratch, new Int32Array(1), scratch);
  return { run, sites, slots, slotCount: outcomeSlots.length, width };
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

const shapes = new Map<string, CompiledShape>();
const kernels = new WeakMap<CellModel, CellKernel | null>();

/** The cell's kernel, compiling its shape on first use; null when the automaton is too large. */
export function kernelFor(model: CellModel): CellKernel | null {
  let kernel = kernels.get(model);
  if (kernel === undefined) {
    kernel = bindKernel(model);
    kernels.set(model, kernel);
  }
  return kernel;
}

function bindKernel(model: CellModel): CellKernel | null {
  let automaton: Automaton;
  try {
    automaton = buildAutomaton(model, KERNEL_NODE_LIMIT);
  } catch (error) {
    if (error instanceof AutomatonTooLarge) return null;
    throw error;
  }
  const classCount = model.deliveryValues.length;
  const key = shapeKey(automaton, classCount);
  let shape = shapes.get(key);
  if (!shape) {
    if (shapes.size >= 64) shapes.clear();
    shapes.set(key, (shape = compileShape(automaton, classCount)));
  }
  const HI = new Int32Array(shape.slotCount);
  const FULL = new Float64Array(shape.slotCount);
  for (const { node, base } of shape.slots) {
    const table = samplingTable((automaton.nodes[node] as { probabilities: Float64Array }).probabilities);
    HI.set(Array.from(table.high, (h) => Math.min(h, 2 ** 31 - 1)), base); // the last slot (certain) is never compared
    FULL.set(table.threshold, base);
  }
  const { run, sites, width } = shape;
  const outcomeCount = model.outcomes.names.length;
  return {
    run(stream, trials) {
      const E = new Float64Array(outcomeCount * width);
      const S = new Float64Array(sites.length);
      const DV = new Float64Array(classCount + 1);
      const sums = new Float64Array(1);
      run(stream, trials, E, S, DV, sums, HI, FULL);
      const outcomes = new Float64Array(outcomeCount);
      const histogram = new Float64Array(width);
      for (let o = 0; o < outcomeCount; o++) {
        for (let m = 0; m < width; m++) {
          outcomes[o]! += E[o * width + m]!;
          histogram[m]! += E[o * width + m]!;
        }
      }
      let rounds = sums[0]!;
      sites.forEach((site, i) => {
        const count = S[i]!;
        outcomes[site.outcome]! += count;
        histogram[site.messages]! += count;
        rounds += count * site.round;
        for (const c of site.deliveries) DV[c]! += count;
      });
      return toTally(trials, outcomes, histogram, DV.subarray(0, classCount), rounds);
    },
  };
}
