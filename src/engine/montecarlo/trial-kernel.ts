import { CHOOSE, END, SEND, Step, UNSET } from '../../contract/protocol.js';
import { refuseSend, refuseUnfilled } from '../unfilled-step.js';
import type { SamplingTable } from '../../rng/sampler.js';
import type { CellModel } from '../model.js';
import { compileGenerated } from '../generated-code.js';
import { addTally, grownHistogram, toTally } from '../tally.js';
import type { Tally } from '../tally.js';
import { MAX_TRIAL_STEPS, TrialNeverEnds, choiceEntry, refuseAnnouncement, sameProbabilities } from './generic.js';
import { refuseRoundWithoutCrashes } from './trial-rules.js';
import { toolNow } from '../../io/tool-clock.js';
import {
  CHOICE,
  CHOOSERS,
  FIRST_A,
  FIRST_B,
  FIRST_CHILD,
  KIND,
  LIVE,
  MemoAutomaton,
  NODE_FIELDS,
  PROBE_TRIALS,
  OUTCOME,
  PEERS,
  ROUND_DIRECTION,
  RUN,
  UNREAD,
} from './memo-automaton.js';

/**
 * The trial-by-trial engine for cells too large to unroll into an automaton (two-phase commit
 * with many cohorts, protocol files): the generic engine's loop over the protocol's `next` and
 * `resolve`, compiled once per cell from source, so that its call sites see one protocol, one
 * channel and one step object and V8 inlines what it can. The generator runs in local variables
 * (no call and no object per draw), a two-outcome draw is one compare against the threshold's
 * high part, and a choice's table is looked up once per distinct probability array, not once per
 * draw. It draws exactly as runTrial does — the same words in the same order, ties decided by the
 * next word — and refuses an unfilled step as it does, so its tallies equal the generic engine's
 * and `trace` replays any of its trials. Where it pays, a trial walks a memo automaton of the
 * protocol's steps (memo-automaton.ts) instead of calling `next` and `resolve`, drawing the same.
 */
export type TrialKernel = (stream: Int32Array, trials: number) => Tally;

/** One xoshiro128** step: the output's high 31 bits (a non-negative int32) in x, the whole output in w. */
const DRAW =
  'r5 = Math.imul(s1, 5); w = Math.imul((r5 << 7) | (r5 >>> 25), 9); x = w >>> 1; tt = s1 << 9; ' +
  's2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= tt; s3 = (s3 << 11) | (s3 >>> 21);';

/**
 * Samples table `T` into k, as sampler.ts's `sample` does: no draw for a certain outcome; else the
 * first threshold whose high part is at least x, and on equality the next word's low bits decide.
 */
const SAMPLE = (T: string): string => `
  if (${T}.size === 1) k = 0;
  else {
    ${DRAW}
    hs = ${T}.high; last = ${T}.size - 1;
    k = last === 1 ? (x <= hs[0] ? 0 : 1) : firstAtLeast(hs, last, x);
    if (k < last && hs[k] === x) {
      tied = x;
      ${DRAW}
      k = afterTie(${T}, tied, w >>> 10, k);
    }
  }`;

/**
 * The step's choice table, looked up again only when a step names another probability array or
 * the same array refilled (lastMade: the probabilities the table was made from); c0 its first
 * threshold's high part where the run's fast path can draw it (two outcomes, below 2^31), else −1.
 */
const CHOICES = `
  if (step.choices !== lastChoices || !sameProbabilities(lastMade, lastChoices)) {
    lastChoices = step.choices; const entry = choiceEntry(lastChoices); choices = entry.table; lastMade = entry.made;
    c0 = choices.size === 2 && choices.high[0] < 2147483648 ? choices.high[0] | 0 : -1;
  }`;

/** A choice's draw into k. */
const CHOICE_DRAW = `${CHOICES}
  ${SAMPLE('choices')}`;

/** A message's fate through transmission tr into k, the message and its delivery counted (the channel's state is the caller's). */
const FATE = `
  const sampling = tr.sampling;
  ${SAMPLE('sampling')}
  const deliveryClass = tr.deliveryClass[k];
  if (deliveryClass >= 0) deliveries[deliveryClass]++;
  messages++;`;

/** A message's draw: its fate into result, the channel's state, the cost and the deliveries counted. */
const SEND_DRAW = (direction: string, round: string): string => `{
  const tr = transmissions[channel.transmissionFor(channelConfig, channelState, ${direction}, ${round})];
  ${FATE}
  channelState = tr.nextState[k];
  lastRound = ${round};
  result = tr.received[k];
}`;

/**
 * The number of bits set in int32 `v`, into a new const `into`: written out rather than called,
 * so that V8's budget for inlining calls into the kernel (bytecode of the functions inlined,
 * about 900 bytes) is left to the protocol's `next` and `resolveRun`.
 */
const BIT_COUNT = (into: string, v: string): string =>
  `let ${into}Left = ${v} - ((${v} >>> 1) & 0x55555555);
    ${into}Left = (${into}Left & 0x33333333) + ((${into}Left >>> 2) & 0x33333333);
    const ${into} = Math.imul((${into}Left + (${into}Left >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;`;

/**
 * A run's draws, every part in order, their fates gathered as bits into delivered and chosen;
 * messages, deliveries and the channel's state counted as the parts go. Needs tr and ti (the
 * transmission at the run's start), choices and c0 where the run has choosers.
 */
const RUN_MASKS = `
  let rest = peers;
  const f = ti * FAST_FIELDS, h0 = fast[f];
  if ((PLAIN_CHANNEL || (h0 >= 0 && fast[f + 1] === channelState)) && (choosers === 0 || c0 >= 0)) {
    // The common case in few operations a part: a two-way fate on a channel this run
    // leaves as it is (fast: per transmission, prepared with the kernel); a part's
    // outcome k is all ones iff x is above the threshold's high part (on equality the next
    // word decides, as SAMPLE does), compared as int32. The outcomes gather as bits
    // (ones), counted and turned into deliveries once per run: few values live in the
    // loop, so the generator's words stay in registers. A part's bit is the lowest of
    // rest, taken as a mask (no bit index, no variable shift: one register fewer).
    let ones = 0;
    if (choosers === 0) {
      while (rest !== 0) {
        ${DRAW}
        k = (h0 - x) >> 31; // x > h0, without a branch to mispredict
        if (x === h0) { tied = x; ${DRAW} k = -afterTie(tr.sampling, tied, w >>> 10, 0); }
        ones |= rest & -rest & k;
        rest &= rest - 1;
      }
    } else {
      while (rest !== 0) {
        const bit = rest & -rest;
        rest ^= bit;
        if ((choosers & bit) !== 0) {
          ${DRAW}
          k = (c0 - x) >> 31;
          if (x === c0) { tied = x; ${DRAW} k = -afterTie(choices, tied, w >>> 10, 0); }
          chosen |= bit & k;
        }
        ${DRAW}
        k = (h0 - x) >> 31;
        if (x === h0) { tied = x; ${DRAW} k = -afterTie(tr.sampling, tied, w >>> 10, 0); }
        ones |= bit & k;
      }
    }
    ${BIT_COUNT('parts', 'peers')}
    ${BIT_COUNT('outcome1', 'ones')}
    messages += parts;
    const class1 = fast[f + 5];
    if (PLAIN_CHANNEL) delivered = ones;
    else {
      const received0 = fast[f + 2], flip = received0 ^ fast[f + 3];
      delivered = (peers & -received0) ^ (ones & -flip);
      const class0 = fast[f + 4];
      if (class0 >= 0) deliveries[class0] += parts - outcome1;
    }
    if (class1 >= 0) deliveries[class1] += outcome1;
  } else {
    while (rest !== 0) {
      const b = 31 - Math.clz32(rest & -rest);
      rest &= rest - 1;
      if (((choosers >>> b) & 1) === 1) {
        ${SAMPLE('choices')}
        chosen |= k << b;
      }
      const partSampling = tr.sampling;
      ${SAMPLE('partSampling')}
      const deliveryClass = tr.deliveryClass[k];
      if (deliveryClass >= 0) deliveries[deliveryClass]++;
      messages++;
      delivered |= tr.received[k] << b;
      const after = tr.nextState[k];
      if (after !== channelState) {
        channelState = after;
        tr = transmissions[channel.transmissionFor(channelConfig, channelState, direction, round)];
      }
    }
  }`;

/**
 * The walk through the memo automaton (memo-automaton.ts): per step, the node's step as `next`
 * said it there, the same draws as the live walk, and the child for the results from a table;
 * the protocol is called only where the automaton has no answer yet. Leaves outcome set at an
 * END, or live true with the state where the trial goes on through the protocol's calls.
 */
const MEMO_WALK = `
  for (let id = root; ; steps++) {
    const o = id * ${NODE_FIELDS};
    let nodeKind = records[o + ${KIND}];
    if (nodeKind === UNREAD) { memo.read(id, state); records = memo.records; nodeKind = records[o + ${KIND}]; }
    if (nodeKind === END) { outcome = records[o + ${OUTCOME}]; break; }
    if (nodeKind === LIVE || steps === MAX_TRIAL_STEPS) { memo.load(id, state); live = true; break; }
    let a = 0, b = 0;
    if (nodeKind === CHOOSE) {
      choices = memo.tables[records[o + ${CHOICE}]];
      ${SAMPLE('choices')}
      a = k;
    } else {
      const roundDirection = records[o + ${ROUND_DIRECTION}], direction = roundDirection & 1, round = roundDirection >> 1;
      const ti = channel.transmissionFor(channelConfig, channelState, direction, round);
      let tr = transmissions[ti];
      lastRound = round;
      if (nodeKind === RUN) {
        const peers = records[o + ${PEERS}], choosers = records[o + ${CHOOSERS}];
        if (choosers !== 0) { const c = records[o + ${CHOICE}]; choices = memo.tables[c]; c0 = memo.fastChoice[c]; }
        let delivered = 0, chosen = 0;
        ${RUN_MASKS}
        a = delivered; b = chosen;
      } else {
        ${FATE}
        channelState = tr.nextState[k];
        a = tr.received[k];
      }
    }
    let child = records[o + ${FIRST_CHILD}];
    if (child < 0 || records[o + ${FIRST_A}] !== a || records[o + ${FIRST_B}] !== b) {
      child = memo.childOf(id, a, b);
      if (child < 0) {
        child = memo.advance(id, a, b, state, step);
        records = memo.records;
        if (child < 0) { live = true; steps++; break; }
      }
    }
    id = child;
  }`;

/**
 * The trial from the state in `state` on, through the protocol's own calls at every step (the
 * generic engine's loop); sets outcome.
 */
const LIVE_WALK = `
        for (; ; steps++) {
          // clearStep written out: a fresh step, as every engine gives next (A_TO_B is 0)
          step.kind = UNSET; step.direction = 0; step.round = 0; step.label = ''; step.peer = -1;
          step.peers = 0; step.choosers = 0; step.choices = null; step.outcome = -1;
          protocol.next(state, config, step);
          const kind = step.kind;
          if (kind === END) break;
          if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(protocol.name, state, protocol.describe(state, config));
          const peers = step.peers, choosers = step.choosers;
          let result = 0;
          if (peers !== 0 || choosers !== 0) {
            // An announced run: every part drawn and resolved here, no call of next between parts.
            const first = step.peer, direction = step.direction, round = step.round;
            // The fields' rules (announcementProblem) in a few compares; the refusal only where one fails.
            // (typeof first: a symbol or BigInt there is no number, and the bit operations would throw on it.)
            if (!(typeof peers === 'number' && typeof choosers === 'number' && typeof first === 'number' &&
                  peers === (peers & 0x7fffffff) && (peers & 1) === 1 && choosers === (choosers & peers) && first === (first & 0x7fffffff) &&
                  (kind === SEND ? (choosers & 1) === 0 : kind === CHOOSE && (choosers & 1) === 1) && (choosers === 0 || step.choices instanceof Float64Array)))
              refuseAnnouncement(protocol.name, step, state);
            // Every peer of a run sends (a chooser after its choice): in a direction and a round the cell allows.
            if (typeof direction !== 'number' || typeof round !== 'number' ||
                direction !== (direction & 1) || round !== (round | 0) || round < 1 || round > ROUND_LIMIT)
              refuseSend(protocol.name, step, ROUND_LIMIT, state);
            // A transmission that leaves the channel in its state serves the run's next send too
            // (transmissionFor is a function of its arguments): looked up again only on a change.
            const ti = channel.transmissionFor(channelConfig, channelState, direction, round);
            let tr = transmissions[ti];
            lastRound = round;
            if (choosers !== 0) { ${CHOICES} }
            if (RESOLVE_RUN && (choosers === 0 || choices.size <= 2)) {
              // The protocol resolves the run in one call: every part drawn first, in the same
              // order, its fates gathered as bits.
              let delivered = 0, chosen = 0;
              ${RUN_MASKS}
              protocol.resolveRun(state, config, step, delivered, chosen);
              continue;
            }
            // One call site of resolve for both kinds of part, so that V8 inlines it once.
            let rest = peers, afterChoice = false;
            for (;;) {
              let choosing = false;
              if (afterChoice) afterChoice = false;
              else {
                if (rest === 0) break;
                const b = 31 - Math.clz32(rest & -rest);
                rest &= rest - 1;
                step.peer = first + b;
                choosing = afterChoice = ((choosers >>> b) & 1) === 1;
              }
              if (choosing) {
                step.kind = CHOOSE;
                ${CHOICE_DRAW}
                result = k;
              } else {
                step.kind = SEND;
                ${FATE}
                result = tr.received[k];
                const after = tr.nextState[k];
                if (after !== channelState) {
                  channelState = after;
                  tr = transmissions[channel.transmissionFor(channelConfig, channelState, direction, round)];
                }
              }
              protocol.resolve(state, config, step, result);
            }
            continue;
          }
          if (kind === CHOOSE) {
            ${CHOICE_DRAW}
            result = k;
          } else {
            if (kind !== SEND) {
              refuseUnfilled(protocol.name, step, outcomes.length, state);
              refuseRoundWithoutCrashes(protocol.name, step);
            }
            // A pre-filter (a round past 2^31 − 1 too: refuseSend refuses only what the contract does); a
            // symbol or BigInt there is no number (the bit operations would throw on it, an internal error).
            if (typeof step.direction !== 'number' || typeof step.round !== 'number' ||
                step.direction !== (step.direction & 1) || step.round !== (step.round | 0) || step.round < 1 || step.round > ROUND_LIMIT)
              refuseSend(protocol.name, step, ROUND_LIMIT, state);
            ${SEND_DRAW('step.direction', 'step.round')}
          }
          protocol.resolve(state, config, step, result);
        }
        outcome = step.outcome;
        if (typeof outcome !== 'number' || outcome !== (outcome | 0) || outcome < 0 || outcome >= outcomes.length) refuseUnfilled(protocol.name, step, outcomes.length, state);
`;

/** The generator's scratch variables, in locals. */
const GENERATOR_LOCALS = `
  let r5 = 0, w = 0, x = 0, tt = 0, k = 0, last = 0, tied = 0, hs = null;`;

/** The generator's scratch, and the last choice table, in locals. */
const LOCALS = `${GENERATOR_LOCALS}
  let lastChoices = null, lastMade = null, choices = null, c0 = -1;`;

/**
 * Without a memo automaton: every trial through the protocol's calls, one call per trial (as
 * memoTrial below): a block's long loop would run in on-stack-replacement code, which kept the
 * generator's words in stack slots and deoptimized on leaving the loop, every block. The last
 * choice table stays in the kernel's scope, looked up again only when a step names another.
 */
const LIVE_SOURCE = `
  // carry: the generator's words, then a trial's messages and last round.
  const carry = new Int32Array(6);
  let lastChoices = null, lastMade = null, choices = null, c0 = -1;
  function liveTrial() {
    let s0 = carry[0], s1 = carry[1], s2 = carry[2], s3 = carry[3];
    ${GENERATOR_LOCALS}
    ${SAMPLE('initialSampling')}
    let channelState = initialStates[k].state;
    let messages = 0, lastRound = 0, steps = 0, outcome = -1;
    // init is given zeros, as every engine gives it (generic.ts), never the last trial's end
    for (let i = 0; i < state.length; i++) state[i] = 0;
    protocol.init(state, config);
    ${LIVE_WALK}
    carry[0] = s0; carry[1] = s1; carry[2] = s2; carry[3] = s3; carry[4] = messages; carry[5] = lastRound;
    return outcome;
  }
  return function trialKernel(stream, trials) {
    let rounds = 0;
    carry[0] = stream[0]; carry[1] = stream[1]; carry[2] = stream[2]; carry[3] = stream[3];
    outcomes.fill(0); histogram.fill(0); deliveries.fill(0);
    for (let t = 0; t < trials; t++) {
      const outcome = liveTrial();
      const messages = carry[4];
      outcomes[outcome]++;
      if (messages >= histogram.length) histogram = grownHistogram(histogram, messages);
      histogram[messages]++;
      rounds += carry[5];
    }
    stream[0] = carry[0]; stream[1] = carry[1]; stream[2] = carry[2]; stream[3] = carry[3];
    return toTally(trials, outcomes, histogram, deliveries, rounds);
  };`;

/**
 * With a memo automaton: each trial walks it while it has the answers, and goes on through the
 * protocol's calls (liveRest, a function of its own: its rarely taken calls do not unsettle the
 * walk's optimized code) from the first state it does not keep.
 */
const MEMO_SOURCE = `
  // carry: the generator's words, then a trial's messages, last round and whether it ended on the automaton.
  const carry = new Int32Array(7);
  let root = -1;
  function liveRest(channelState, messages, lastRound, steps) {
    let s0 = carry[0], s1 = carry[1], s2 = carry[2], s3 = carry[3], outcome = -1;
    ${LOCALS}
    ${LIVE_WALK}
    carry[0] = s0; carry[1] = s1; carry[2] = s2; carry[3] = s3; carry[4] = messages; carry[5] = lastRound;
    return outcome;
  }
  // One call per trial, so that V8 optimizes the trial on entry: a block's long loop would run in
  // on-stack-replacement code, the generator's words in stack slots (as commit-kernel.ts found).
  function memoTrial() {
    let s0 = carry[0], s1 = carry[1], s2 = carry[2], s3 = carry[3];
    ${LOCALS}
    ${SAMPLE('initialSampling')}
    let channelState = initialStates[k].state;
    let messages = 0, lastRound = 0, steps = 0, outcome = -1, live = root < 0, records = memo.records;
    if (live) {
      for (let i = 0; i < state.length; i++) state[i] = 0; // as every engine gives init (generic.ts)
      protocol.init(state, config);
    }
    else { ${MEMO_WALK} }
    carry[6] = live ? 0 : 1;
    carry[0] = s0; carry[1] = s1; carry[2] = s2; carry[3] = s3;
    if (live) return liveRest(channelState, messages, lastRound, steps);
    carry[4] = messages; carry[5] = lastRound;
    return outcome;
  }
  return function trialKernel(stream, trials) {
    let rounds = 0, walked = 0;
    carry[0] = stream[0]; carry[1] = stream[1]; carry[2] = stream[2]; carry[3] = stream[3];
    outcomes.fill(0); histogram.fill(0); deliveries.fill(0);
    memo.prepare(state);
    root = memo.root;
    for (let t = 0; t < trials; t++) {
      const outcome = memoTrial();
      const messages = carry[4];
      walked += carry[6];
      outcomes[outcome]++;
      if (messages >= histogram.length) histogram = grownHistogram(histogram, messages);
      histogram[messages]++;
      rounds += carry[5];
    }
    memo.walked = walked; memo.ran = trials;
    stream[0] = carry[0]; stream[1] = carry[1]; stream[2] = carry[2]; stream[3] = carry[3];
    return toTally(trials, outcomes, histogram, deliveries, rounds);
  };`;

/** The index of the first of high[0 .. last) at least x, or last: the outcome before any tie. */
function firstAtLeast(high: Float64Array, last: number, x: number): number {
  let low = 0;
  let top = last;
  while (low < top) {
    const mid = (low + top) >>> 1;
    if (high[mid]! < x) low = mid + 1;
    else top = mid;
  }
  return low;
}

/** The outcome once x tied the high part of threshold `from`: the second word's top 22 bits decide. */
function afterTie(table: SamplingTable, x: number, low22: number, from: number): number {
  const m = x * 2 ** 22 + low22;
  const last = table.size - 1;
  for (let i = from; i < last; i++) if (m < table.threshold[i]!) return i;
  return last;
}

/**
 * Whether every send of the cell takes a run's fast path as it is: one channel state, which every
 * transmission leaves as it is, each transmission two fates (lost, then received) of which the
 * lost one is in no delivery class. The kernel is then compiled without the checks and the
 * fates' table lookups that other channels need (bernoulli's cells: every send one draw).
 */
function plainChannel(model: CellModel): boolean {
  if (model.initialStates.length !== 1) return false;
  const only = model.initialStates[0]!.state;
  return model.transmissions.every(
    (tr) =>
      tr.sampling.size === 2 &&
      tr.sampling.high[0]! < 2 ** 31 &&
      tr.nextState[0] === only &&
      tr.nextState[1] === only &&
      tr.received[0] === 0 &&
      tr.received[1] === 1 &&
      tr.deliveryClass[0] === -1,
  );
}

/** Numbers per transmission in `fastTransmissions`' table. */
const FAST_FIELDS = 6;

/**
 * Per transmission, what a run's fast path needs, in one Int32Array (FAST_FIELDS each): the
 * first threshold's high part (−1 where the path does not apply: not two outcomes, or a certain
 * first one), the channel state both outcomes lead to (−2 where they differ), whether each
 * outcome is received, and each outcome's delivery class.
 */
function fastTransmissions(model: CellModel): Int32Array {
  const fast = new Int32Array(FAST_FIELDS * model.transmissions.length);
  model.transmissions.forEach((tr, t) => {
    const two = tr.sampling.size === 2 && tr.sampling.high[0]! < 2 ** 31;
    fast.set(
      two
        ? [
            tr.sampling.high[0]!,
            tr.nextState[0] === tr.nextState[1] ? tr.nextState[0]! : -2,
            tr.received[0]!,
            tr.received[1]!,
            tr.deliveryClass[0]!,
            tr.deliveryClass[1]!,
          ]
        : [-1, -2, 0, 0, -1, -1],
      FAST_FIELDS * t,
    );
  });
  return fast;
}

const kernels = new WeakMap<CellModel, TrialKernel>();

/**
 * The cell's trial kernel, compiled on first use (a fresh function per cell: its own type
 * feedback). Whether walking a memo automaton beats the protocol's own calls depends on the
 * protocol: it does where trials keep to a modest number of states (three-phase commit with ten
 * cohorts), not where they keep meeting new ones (per-peer fields for many peers) or where `next`
 * costs less than a lookup in a large table (the built-in two-phase commit's bit sets). So the
 * kernel asks the machine: after a block that fills the automaton, it runs a long block each
 * way, and keeps the faster per trial (see chooseWalk). Both give the same tally, so the choice
 * changes only the speed, never a count.
 */
export function trialKernelFor(model: CellModel): TrialKernel {
  let kernel = kernels.get(model);
  if (!kernel) kernels.set(model, (kernel = chooseWalk(model)));
  return kernel;
}

/** Blocks of at least this many trials are timed for the choice (a short one says little). */
const TIMED_BLOCK = 16384;

function chooseWalk(model: CellModel): TrialKernel {
  const memo = new MemoAutomaton(model);
  const walk = compiledKernel(model, memo);
  let live: TrialKernel | null = null;
  let chosen: TrialKernel | null = null;
  /** Long blocks run so far: the first fills the automaton, the second runs live, the third walks it. */
  let long = 0;
  let liveTime = 0;
  const goLive = (): TrialKernel => {
    memo.reset();
    return (chosen = live ??= compiledKernel(model, null));
  };
  const timed = (kernel: TrialKernel, words: Int32Array, trials: number): [Tally, number] => {
    const start = toolNow();
    const tally = kernel(words, trials);
    return [tally, (toolNow() - start) / trials];
  };
  return (stream, trials) => {
    // The compiled kernels leave the generator's last words in the array they are given: a copy.
    const words = stream.slice();
    if (chosen) return chosen(words, trials);
    if (!memo.pays()) return goLive()(words, trials);
    if (trials < TIMED_BLOCK) return walk(words, trials);
    long++;
    if (long === 1) {
      // Its first trials tell a protocol whose trials keep meeting new states: most never finish on the automaton.
      const first = walk(words, PROBE_TRIALS);
      const rest = (memo.pays() ? walk : goLive())(words, trials - PROBE_TRIALS);
      return addTally(first, rest);
    }
    if (long === 2) {
      live ??= compiledKernel(model, null);
      const [tally, perTrial] = timed(live, words, trials);
      liveTime = perTrial;
      return tally;
    }
    const [tally, perTrial] = timed(walk, words, trials);
    if (long === 3) {
      if (perTrial >= liveTime) goLive();
      else chosen = walk;
    }
    return tally;
  };
}

/**
 * A trial kernel for the cell that walks `memo` (memo-automaton.ts), or with null the protocol's
 * own calls at every step; either gives the same tally (tests compare them, and caps).
 */
export function trialKernelWith(model: CellModel, memo: MemoAutomaton | null): TrialKernel {
  const kernel = compiledKernel(model, memo);
  return (stream, trials) => kernel(stream.slice(), trials);
}

/** The compiled kernel, warmed up; it leaves the generator's last words in the array it is given. */
function compiledKernel(model: CellModel, memo: MemoAutomaton | null): TrialKernel {
  const kernel = compileTrialKernel(model, memo);
  // Empty calls give the code after the trial loop type feedback before the first block, so
  // that the loop's optimized code does not deoptimize on leaving it (see kernel.ts).
  for (let i = 0; i < WARM_UP_CALLS; i++) kernel(Int32Array.of(1, 2, 3, 4), 0);
  return kernel;
}

const WARM_UP_CALLS = 100;

/** The cost histogram's first size: most protocols' trials never outgrow it, so `grownHistogram` stays cold. */
const HISTOGRAM_SIZE = 256;

function compileTrialKernel(model: CellModel, memo: MemoAutomaton | null): TrialKernel {
  const names = [
    'protocol',
    'config',
    'channel',
    'channelConfig',
    'transmissions',
    'initialStates',
    'initialSampling',
    'state',
    'step',
    'outcomes',
    'histogram',
    'deliveries',
    'choiceEntry',
    'sameProbabilities',
    'firstAtLeast',
    'afterTie',
    'grownHistogram',
    'toTally',
    'TrialNeverEnds',
    'MAX_TRIAL_STEPS',
    'CHOOSE',
    'END',
    'SEND',
    'UNSET',
    'refuseUnfilled',
    'refuseSend',
    'refuseRoundWithoutCrashes',
    'ROUND_LIMIT',
    'refuseAnnouncement',
    'fast',
    'FAST_FIELDS',
    'memo',
    'UNREAD',
    'LIVE',
    'RUN',
  ];
  const resolveRun = typeof model.protocol.resolveRun === 'function';
  const name = `${model.protocol.name}-over-${model.channel.name}`;
  const source = `const RESOLVE_RUN = ${resolveRun}, PLAIN_CHANNEL = ${plainChannel(model)};\n${memo ? MEMO_SOURCE : LIVE_SOURCE}\n//# sourceURL=twogenerals-trial-kernel/${name}.js\n`;
  // Generated code, printed as the compiled kernels are (kernel.ts): a cell without one runs this.
  const factory = compileGenerated(`trial kernel ${name}`, names, source) as (...values: unknown[]) => TrialKernel;
  const state = new Int32Array(model.stateSize);
  // A choice that is no distribution is refused the first time it is met, with the state it came from.
  const checkedChoiceEntry = (probabilities: Float64Array) => choiceEntry(probabilities, model.protocol.name, state);
  return factory(
    model.protocol,
    model.protocolConfig,
    model.channel,
    model.channelConfig,
    model.transmissions,
    model.initialStates,
    model.initialSampling,
    state,
    new Step(),
    new Float64Array(model.outcomes.names.length),
    new Float64Array(HISTOGRAM_SIZE),
    new Float64Array(model.deliveryValues.length),
    checkedChoiceEntry,
    sameProbabilities,
    firstAtLeast,
    afterTie,
    grownHistogram,
    toTally,
    TrialNeverEnds,
    MAX_TRIAL_STEPS,
    CHOOSE,
    END,
    SEND,
    UNSET,
    refuseUnfilled,
    refuseSend,
    refuseRoundWithoutCrashes,
    model.roundLimit,
    refuseAnnouncement,
    fastTransmissions(model),
    FAST_FIELDS,
    memo,
    UNREAD,
    LIVE,
    RUN,
  );
}
