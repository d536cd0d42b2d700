import { samplingTable } from '../rng/sampler.js';
import type { Automaton, AutomatonNode } from './automaton.js';

/**
 * A block of trials compiled for one cell: runs `trials` trials from the xoshiro128** state in
 * `rng` (updated in place) and adds to the accumulators: outcome counts, the histogram of
 * messages per trial, sums = [copies delivered, rounds used], and `sites`, the trials that
 * ended at each static end site (see `CompiledKernel.sites`).
 */
export type KernelFunction = (
  rng: Int32Array,
  trials: number,
  outcomes: Float64Array,
  histogram: Float64Array,
  sums: Float64Array,
  sites: Float64Array,
) => void;

/**
 * Where a trial can end on a path from the start that no merge makes ambiguous: its outcome,
 * messages, last round and copies delivered are then constants, so the kernel only counts the
 * trials ending there and the caller adds them up once per block.
 */
export interface EndSite {
  readonly outcome: number;
  readonly messages: number;
  readonly round: number;
  readonly delivered: number;
}

export interface CompiledKernel {
  readonly run: KernelFunction;
  readonly sites: readonly EndSite[];
}

/** Past this many automaton nodes the generated function is too large for V8 to optimize. */
export const KERNEL_NODE_LIMIT = 400;

/** One xoshiro128** step; `shift` 1 keeps the high 31 bits (a non-negative int32). */
const DRAW = (v: string, shift: number) =>
  `r5 = Math.imul(s1, 5); ${v} = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> ${shift}; tt = s1 << 9; ` +
  's2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt; s3 = (s3 << 11) | (s3 >>> 21);';

/** What the code at a point knows: on a static path, messages, round and deliveries so far. */
interface Path {
  readonly static: boolean;
  readonly messages: number;
  readonly round: number;
  readonly delivered: number;
}

/**
 * Generates the kernel's source from the automaton: xoshiro128** inlined with its state in
 * locals, each chance node's thresholds as literals, the outcome index computed without branches
 * from int32 signs, nodes reached from one place inlined and the rest dispatched by a switch.
 * From the start until the first merge, what a trial has cost is known while generating the
 * code, so such a trial costs one counter increment at its end site. The kernel consumes the
 * stream exactly as the generic engine's `runTrial` does (one word per draw, a second only on a
 * threshold tie, none for a certain outcome), so both give identical tallies and `trace` can
 * replay any trial of a compiled run.
 */
export function compileKernel(automaton: Automaton): CompiledKernel {
  const { nodes, root } = automaton;
  const full: number[] = []; // per slot: the full 53-bit threshold, for ties
  const tie: number[] = []; // per slot k: the high part that ties with threshold k − 1 (−1: none)
  const delivered: number[] = [];
  const endOutcome: number[] = [];
  const sites: EndSite[] = [];
  // Parents per node, counting a parent once however many of its outcomes lead here.
  const inDegree = new Int32Array(nodes.length);
  for (const node of nodes) if (node.kind !== 'end') for (const n of new Set(node.next)) inDegree[n]!++;
  const cased = nodes.map((node, id) => node.kind !== 'end' && id !== root && inDegree[id]! > 1);
  // Cases are numbered densely so that V8 can dispatch through a jump table.
  const caseNumber = new Map(nodes.flatMap((_, id) => (cased[id] ? [id] : [])).map((id, i) => [id, i]));

  const site = (path: Path, outcome: number): number => {
    sites.push({ outcome, messages: path.messages, round: path.round, delivered: path.delivered });
    return sites.length - 1;
  };

  function goto(id: number, path: Path): string {
    if (!cased[id]) return emit(id, path);
    const jump = `node = ${caseNumber.get(id)};`;
    if (!path.static) return `${jump} continue trial;`;
    return `m = ${path.messages}; r = ${path.round}; dl += ${path.delivered}; ${jump} break start;`;
  }

  function emit(id: number, path: Path): string {
    const node: AutomatonNode = nodes[id]!;
    if (node.kind === 'end') {
      return path.static ? `S[${site(path, node.outcome)}]++; continue trials;` : `o = ${node.outcome}; break trial;`;
    }
    const n = node.probabilities.length;
    const send = node.kind === 'send';
    const after = (k: number): Path =>
      path.static
        ? { static: true, messages: path.messages + (send ? 1 : 0), round: send ? node.round : path.round, delivered: path.delivered + (send ? node.delivered[k]! : 0) }
        : path;
    const count = send && !path.static ? `m++; r = ${node.round}; ` : '';
    const addDelivered = (k: number): string => (send && !path.static && node.delivered[k] ? `dl += ${node.delivered[k]}; ` : '');
    if (n === 1) return `${count}${addDelivered(0)}${goto(node.next[0]!, after(0))}`;

    const base = full.length;
    const table = samplingTable(node.probabilities);
    for (let k = 0; k < n; k++) {
      full.push(table.threshold[k]!);
      tie.push(k === 0 ? -1 : table.high[k - 1]!);
      delivered.push(send ? node.delivered[k]! : 0);
      const target = nodes[node.next[k]!]!;
      endOutcome.push(target.kind === 'end' ? target.outcome : -1);
    }
    // k = the number of thresholds at or below x: each term is −1 (x below) or 0, the sign of an int32 difference.
    const highs = Array.from(table.high.subarray(0, n - 1));
    const chain = `${n - 1}${highs.map((h) => ` + ((x - ${h}) >> 31)`).join('')}`;
    const tieTest = n <= 4 ? highs.map((h) => `x === ${h}`).join(' || ') : `x === TIE[${base} + k]`;
    const code = `${DRAW('x', 1)} ${count}k = ${chain}; if (${tieTest}) { ${DRAW('y', 0)} k = fix(x, y, ${base}, ${n}); } `;

    if (node.next.every((t) => nodes[t]!.kind === 'end')) {
      if (!path.static) return `${code}${send ? `dl += DEL[${base} + k]; ` : ''}o = OUT[${base} + k]; break trial;`;
      const first = sites.length;
      for (let k = 0; k < n; k++) site(after(k), (nodes[node.next[k]!] as { outcome: number }).outcome);
      return `${code}S[${first} + k]++; continue trials;`;
    }
    if (n === 2) return `${code}if (k === 0) { ${addDelivered(0)}${goto(node.next[0]!, after(0))} } else { ${addDelivered(1)}${goto(node.next[1]!, after(1))} }`;
    // Several outcomes share branches; the copies delivered are then read from a table.
    const shared: Path = path.static ? { ...after(0), delivered: path.delivered } : path;
    return `${code}${send ? `dl += DEL[${base} + k]; ` : ''}${branch(node.next, shared)}`;
  }

  /** Code that continues at next[k]: outcomes leading to the same node share one branch. */
  function branch(next: readonly number[], path: Path): string {
    const targets = [...new Set(next)];
    if (targets.length === 1) return goto(targets[0]!, path);
    const condition = (target: number): string => {
      const ks = next.flatMap((t, k) => (t === target ? [k] : []));
      const contiguous = ks[ks.length - 1]! - ks[0]! === ks.length - 1;
      if (!contiguous) return ks.map((k) => `k === ${k}`).join(' || ');
      if (ks[0] === 0) return `k <= ${ks[ks.length - 1]}`;
      if (ks[ks.length - 1] === next.length - 1) return `k >= ${ks[0]}`;
      return `(k >= ${ks[0]} && k <= ${ks[ks.length - 1]})`;
    };
    // The likeliest outcomes come first (k = 0), so their target is tested first.
    const [last, ...rest] = targets.reverse();
    return rest.reverse().map((t) => `if (${condition(t)}) { ${goto(t, path)} } else `).join('') + `{ ${goto(last!, path)} }`;
  }

  const start = emit(root, { static: true, messages: 0, round: 0, delivered: 0 });
  const entries = [...caseNumber.keys()];
  const dispatch = entries.length
    ? `trial: for (;;) { switch (node) { ${entries.map((id) => `case ${caseNumber.get(id)}: { ${emit(id, { static: false, messages: 0, round: 0, delivered: 0 })} }`).join('\n')} default: throw new Error('no node ' + node); } }
        oc[o]++; hist[m]++; rounds += r;`
    : '';
  const source = `
    return function kernel(rs, trials, oc, hist, sums, S) {
      let s0 = rs[0] | 0, s1 = rs[1] | 0, s2 = rs[2] | 0, s3 = rs[3] | 0;
      let x = 0, y = 0, k = 0, r5 = 0, tt = 0, m = 0, r = 0, o = 0, node = 0, dl = 0, rounds = 0;
      trials: for (let t = 0; t < trials; t++) {
        start: { ${start} }
        ${dispatch}
      }
      rs[0] = s0; rs[1] = s1; rs[2] = s2; rs[3] = s3;
      sums[0] += dl; sums[1] += rounds;
    };`;
  const fix = (x: number, y: number, base: number, n: number): number => {
    const m53 = x * 4194304 + (y >>> 10);
    let j = 0;
    while (j < n - 1 && m53 >= full[base + j]!) j++;
    return j;
  };
  const factory = new Function('TIE', 'DEL', 'OUT', 'fix', source) as (...args: unknown[]) => KernelFunction;
  const run = factory(Float64Array.from(tie), Float64Array.from(delivered), Int32Array.from(endOutcome), fix);
  // Empty calls first give the code after the trial loop type feedback (V8 allocates feedback
  // only after several calls); otherwise the loop's on-stack-replacement code deoptimizes on
  // reaching it at the end of every block, and V8 soon gives up optimizing the kernel.
  const scratch = new Float64Array(Math.max(4, sites.length));
  for (let i = 0; i < 16; i++) run(Int32Array.of(1, 2, 3, 4), 0, scratch, scratch, scratch, scratch);
  return { run, sites };
}
