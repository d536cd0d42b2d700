import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_TO_B, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { FIRST_A, FIRST_CHILD, KIND, LIVE, MemoAutomaton, NODE_FIELDS } from '../src/engine/montecarlo/memo-automaton.js';
import { trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { protocolOf, stateWithFirstOutput } from './helpers.js';

/**
 * The memo automaton's bookkeeping, seen through the protocol's calls: what it keeps changes no
 * count (memo-automaton.test), only which calls of `next` and `resolve` a walk saves. A walk along
 * states and transitions already met calls neither; past the cap every step beyond the kept nodes
 * calls them; a trial adds at most one node; the transition table stops growing at its cap.
 */

/** Three sends whose results change nothing, then END: states 0, 1, 2, 3, each met in every trial. */
const march = protocolOf('memo-march', 1, {
  next(state, _config, step) {
    if (state[0] === 3) {
      step.kind = END;
      step.outcome = 0;
      return;
    }
    step.kind = SEND;
    step.direction = A_TO_B;
    step.round = state[0]! + 1;
  },
  resolve(state) {
    state[0]!++;
  },
});

/** A fair coin whose result changes nothing, then two sends, then END: states 0, 1, 2, 3. */
const fork = protocolOf('memo-fork', 1, {
  next(state, config, step) {
    if (state[0] !== 0) return march.next(state, config, step);
    step.kind = CHOOSE;
    step.choices = Float64Array.of(0.5, 0.5);
  },
  resolve(state) {
    state[0]!++;
  },
});

/**
 * A coin (0.6, 0.4) at the root: 0 leads to a send whose both results lead back to the root, 1 to
 * the end. The send's node has two transitions into node 0, the root.
 */
const bounce = protocolOf('memo-bounce', 1, {
  next(state, _config, step) {
    if (state[0] === 2) {
      step.kind = END;
      step.outcome = 0;
    } else if (state[0] === 0) {
      step.kind = CHOOSE;
      step.choices = Float64Array.of(0.6, 0.4);
    } else {
      step.kind = SEND;
      step.direction = A_TO_B;
      step.round = 1;
    }
  },
  resolve(state, _config, step, result) {
    state[0] = step.kind === CHOOSE ? 1 + result : 0;
  },
});

/**
 * One announced run of twelve sends, then END: the state keeps the parts sent and how many
 * arrived, so the run's 4,096 masks lead from the root to 13 states.
 */
const spread = protocolOf('memo-spread', 2, {
  next(state, _config, step) {
    if (state[0] === 12) {
      step.kind = END;
      step.outcome = state[1]! > 6 ? 0 : 1;
      return;
    }
    step.kind = SEND;
    step.direction = A_TO_B;
    step.round = 1;
    step.peer = state[0]!;
    step.peers = 0xfff >>> state[0]!;
  },
  resolve(state, _config, _step, result) {
    state[0]!++;
    state[1]! += result;
  },
  resolveRun(state, _config, _step, delivered) {
    state[0] = 12;
    let count = 0;
    for (let rest = delivered; rest !== 0; rest &= rest - 1) count++;
    state[1] = count;
  },
});

interface Calls {
  next: number;
  resolve: number;
}

/** The cell of `definition` over bernoulli, with its protocol wrapped to count the calls of next and resolve (resolveRun counted as resolve). */
function counted(definition: ProtocolDefinition<null>, loss = 0.3): { model: CellModel; plain: CellModel; calls: Calls } {
  registerProtocol(definition);
  try {
    const plain = buildCellModel({ protocol: definition.name, channel: 'bernoulli', params: { loss, redundancy: 1 } });
    const calls: Calls = { next: 0, resolve: 0 };
    const inner = plain.protocol as ProtocolDefinition<null>;
    const wrapped: ProtocolDefinition<null> = {
      ...inner,
      next(state, config, step) {
        calls.next++;
        inner.next(state, config, step);
      },
      resolve(state, config, step, result) {
        calls.resolve++;
        inner.resolve(state, config, step, result);
      },
      ...(inner.resolveRun
        ? {
            resolveRun(state: Int32Array, config: null, step: Parameters<NonNullable<typeof inner.resolveRun>>[2], delivered: number, chosen: number) {
              calls.resolve++;
              inner.resolveRun!(state, config, step, delivered, chosen);
            },
          }
        : {}),
    };
    return { model: { ...plain, protocol: wrapped as ProtocolDefinition<unknown> }, plain, calls };
  } finally {
    unregister(definition.name);
  }
}

function reset(calls: Calls): void {
  calls.next = 0;
  calls.resolve = 0;
}

/** Runs `trials` trials of block `block` through `memo` and checks them against the generic engine on the unwrapped cell. */
function walk(model: CellModel, plain: CellModel, memo: MemoAutomaton, label: string, block: number, trials: number): void {
  const tally = trialKernelWith(model, memo)(blockState('memo-bookkeeping', label, block), trials);
  assert.deepEqual(tally, runBlockGeneric(plain, blockStream('memo-bookkeeping', label, block), trials), `${label}, block ${block}`);
}

/** Memory for `nodes` nodes of a state of `size` int32 (memo-automaton.ts: half the bytes, 4·size + 44 bytes a node). */
/** The node whose one-word state is `value`. */
function nodeOf(memo: MemoAutomaton, value: number): number {
  const state = new Int32Array(1);
  for (let id = 0; id < memo.nodes; id++) {
    memo.load(id, state);
    if (state[0] === value) return id;
  }
  throw new Error(`no node of state [${value}]`);
}

function bytesFor(nodes: number, size: number): number {
  return 2 * nodes * (4 * size + 44);
}

describe('memo automaton: its bookkeeping, counted in calls of the protocol', () => {
  it('a trial adds at most one node: the march takes four trials to be kept whole, and a first trial calls next once more than a live one', () => {
    const { model, calls } = counted(march);
    const memo = new MemoAutomaton(model);
    const kernel = trialKernelWith(model, memo);
    reset(calls);
    kernel(blockState('memo-bookkeeping', 'march-one', 0), 1);
    // the root's step read, its send advanced to a new node, the rest live: 1 + 1 + 3 calls of next
    assert.deepEqual(calls, { next: 5, resolve: 3 });
    assert.equal(memo.nodes, 2);
    const nodes: number[] = [];
    for (let trial = 1; trial <= 4; trial++) {
      kernel(blockState('memo-bookkeeping', 'march-one', trial), 1);
      nodes.push(memo.nodes);
    }
    assert.deepEqual(nodes, [3, 4, 4, 4]);
    reset(calls);
    trialKernelWith(model, null)(blockState('memo-bookkeeping', 'march-one', 0), 1);
    assert.deepEqual(calls, { next: 4, resolve: 3 }, 'the live walk: a call of next a step, END included');
  });

  it('a transition met anew that leads to a known state walks on from that state', () => {
    // over a lossless channel a send draws nothing: the coin alone decides, by each trial's first word
    const { model, calls } = counted(fork, 0);
    const memo = new MemoAutomaton(model);
    const kernel = trialKernelWith(model, memo);
    reset(calls);
    kernel(stateWithFirstOutput(0, 1), 1);
    // the coin's 0: the root read, advanced to the new node 1, the rest live
    assert.deepEqual(calls, { next: 5, resolve: 3 });
    assert.equal(memo.nodes, 2);
    reset(calls);
    kernel(stateWithFirstOutput(0xffffffff, 1), 1);
    // the coin's 1: advanced to node 1 (known), whose step is read and advanced to the new node 2, the rest live
    assert.deepEqual(calls, { next: 5, resolve: 3 });
    assert.equal(memo.nodes, 3);
    assert.equal(memo.transitions, 3);
  });

  it('a walk along states and transitions already met calls neither next nor resolve', () => {
    for (const [definition, nodes, transitions] of [
      [march, 4, 6],
      // the send's two transitions lead back to the root (node 0): both kept, one inline, one in the table
      [bounce, 3, 4],
    ] as const) {
      const { model, plain, calls } = counted(definition);
      const memo = new MemoAutomaton(model);
      walk(model, plain, memo, definition.name, 0, 400);
      assert.equal(memo.nodes, nodes, `${definition.name}: every state interned once`);
      assert.equal(memo.transitions, transitions, `${definition.name}: every (node, result) kept once`);
      reset(calls);
      walk(model, plain, memo, definition.name, 1, 2000);
      assert.deepEqual(calls, { next: 0, resolve: 0 }, `${definition.name}: the second block walks the automaton alone`);
      assert.equal(memo.walked, 2000);
      assert.equal(memo.ran, 2000);
    }
  });

  it('the first transition is kept in the node’s record, the others in the table', () => {
    const { model, plain } = counted(bounce);
    const memo = new MemoAutomaton(model);
    walk(model, plain, memo, 'bounce-record', 0, 400);
    const send = nodeOf(memo, 1);
    // the send's first transition, inline, leads to the root (node 0)
    const o = send * NODE_FIELDS;
    assert.equal(memo.records[o + FIRST_CHILD], 0);
    const first = memo.records[o + FIRST_A]!;
    assert.equal(memo.childOf(send, first, 0), -1, 'the inline transition is not also in the table');
    assert.equal(memo.childOf(send, 1 - first, 0), 0, 'the other result, in the table, leads to the root too');
  });

  it('past the node cap every step beyond the kept nodes calls the protocol', () => {
    const { model, plain, calls } = counted(march);
    const memo = new MemoAutomaton(model, bytesFor(2, 1));
    walk(model, plain, memo, 'march-capped', 0, 200);
    assert.ok(memo.full);
    assert.equal(memo.nodes, 2);
    reset(calls);
    walk(model, plain, memo, 'march-capped', 1, 500);
    // per trial: node 1's send advanced (its child is not kept), then states 2 and 3 live
    assert.deepEqual(calls, { next: 3 * 500, resolve: 2 * 500 });
    assert.equal(memo.walked, 0, 'no trial ends on the automaton');
  });

  it('the transition table stops growing at its cap (4,096 slots, half of them in use), and grows where memory allows', () => {
    const { model, plain, calls } = counted(spread, 0.5);
    const capped = new MemoAutomaton(model, 64 * 1024);
    walk(model, plain, capped, 'spread', 0, 8192);
    assert.equal(capped.nodes, 14, 'the root and 13 counts');
    assert.equal(capped.transitions, 2048);
    const roomy = new MemoAutomaton(model);
    walk(model, plain, roomy, 'spread', 0, 8192);
    const kept = roomy.transitions;
    assert.ok(kept > 3000, `${kept} transitions: the table grew past its first 4,096 slots`);
    // the same trials again: every run's mask is found in the table (probed as it was placed), none resolved anew
    reset(calls);
    walk(model, plain, roomy, 'spread', 0, 8192);
    assert.equal(calls.resolve, 0);
    assert.equal(roomy.transitions, kept);
  });

  it('the node tables grow past their first 1,024 nodes with every node still found: 1,201 states interned once', () => {
    // a choice of 2,000 outcomes at the root; outcomes r and r + 1,200 lead to the same state, met again after the growth
    const wide = protocolOf('memo-wide', 2, {
      next(state, _config, step) {
        if (state[0] === 0) {
          step.kind = CHOOSE;
          step.choices = new Float64Array(2000).fill(1 / 2000);
        } else {
          step.kind = END;
          step.outcome = state[1]! & 1;
        }
      },
      resolve(state, _config, _step, result) {
        state[0] = 1;
        state[1] = result % 1200;
      },
    });
    const choices = new Float64Array(2000).fill(1 / 2000);
    const { model, plain } = counted({
      ...wide,
      next: (state, config, step) => (wide.next(state, config, step), state[0] === 0 && (step.choices = choices), undefined),
    });
    const memo = new MemoAutomaton(model);
    walk(model, plain, memo, 'wide', 0, 16000);
    assert.equal(memo.nodes, 1201);
  });

  it('a thread keeps the storage of two automata: a third one used drops the least recently used one’s, which walks again to the same tally', () => {
    const { model, plain } = counted(march);
    const [a, b, c] = [0, 1, 2].map(() => new MemoAutomaton(model));
    for (const memo of [a!, b!, c!]) walk(model, plain, memo, 'kept', 0, 50);
    assert.deepEqual([a!.nodes, b!.nodes, c!.nodes], [0, 4, 4]);
    walk(model, plain, a!, 'kept', 1, 50);
    assert.deepEqual([a!.nodes, b!.nodes, c!.nodes], [4, 0, 4]);
  });

  it('a step the automaton cannot encode (a round of 2^30 or more: no limit without usesRounds) is taken live and counted as the generic engine counts it', () => {
    const far = 2 ** 30 + 5;
    const farOff = (direction: number) =>
      protocolOf(`memo-far-${direction}`, 1, {
        next(state, _config, step) {
          if (state[0] === 1) {
            step.kind = END;
            step.outcome = 0;
            return;
          }
          step.kind = SEND;
          step.direction = direction as typeof A_TO_B;
          step.round = far;
        },
        resolve(state) {
          state[0] = 1;
        },
      });
    const { model, plain } = counted(farOff(A_TO_B));
    const memo = new MemoAutomaton(model);
    walk(model, plain, memo, 'far', 0, 300);
    assert.equal(runBlockGeneric(plain, blockStream('memo-bookkeeping', 'far', 0), 300).rounds, far * 300);
    assert.equal(memo.records[KIND], LIVE, 'the root is taken live');
    // a direction other than 0 and 1 is no step at all: both walks refuse it alike
    const sideways = counted(farOff(2));
    const refused = (e: unknown) =>
      e instanceof Error && /^protocol memo-far-2: a send has direction 2; it must be A_TO_B \(0\) or B_TO_A \(1\)/.test(e.message);
    assert.throws(() => runBlockGeneric(sideways.plain, blockStream('memo-bookkeeping', 'sideways', 0), 300), refused);
    assert.throws(() => trialKernelWith(sideways.model, new MemoAutomaton(sideways.model))(blockState('memo-bookkeeping', 'sideways', 0), 300), refused);
  });

  it('keeps nothing for a protocol whose init computes part of the state from what the array held (a shift)', () => {
    const shifty = protocolOf('memo-shifty', 2, { next: march.next, resolve: march.resolve });
    const { model, plain } = counted({
      ...shifty,
      init(state) {
        state[0] = 0;
        state[1]! >>= 1;
      },
    });
    const memo = new MemoAutomaton(model);
    walk(model, plain, memo, 'shifty', 0, 200);
    assert.equal(memo.nodes, 0);
  });

  it('a step of no kind the walk takes (kind left unset, choices set) is refused as the generic engine refuses it: at the root, read from the automaton, and in a state first met live', () => {
    // at the root; and where the coin's third outcome leads (a new node is entered live, and refused there)
    for (const [name, forgets] of [
      ['memo-forgets-root', (state: Int32Array) => state[0] === 0],
      ['memo-forgets-later', (state: Int32Array) => state[1] === 2],
    ] as const) {
      const forgetful = protocolOf(name, 2, {
        next(state, _config, step) {
          if (forgets(state)) step.choices = Float64Array.of(0.5, 0.5);
          else if (state[0] === 0) {
            step.kind = CHOOSE;
            step.choices = Float64Array.of(0.45, 0.45, 0.1);
          } else {
            step.kind = END;
            step.outcome = state[1]!;
          }
        },
        resolve(state, _config, _step, result) {
          state[0] = 1;
          state[1] = result;
        },
      });
      const { model, plain } = counted(forgetful);
      const stream = () => blockStream('memo-bookkeeping', name, 0);
      let first = 1;
      while (!throws(() => runBlockGeneric(plain, stream(), first))) first++;
      const message = new RegExp(
        `^StepNotFilled: protocol ${name}: next left step.kind unset: .* \\(state \\[${forgets(Int32Array.of(0, 0)) ? '0, 0' : '1, 2'}\\]\\)$`,
      );
      assert.throws(() => runBlockGeneric(plain, stream(), first), message);
      assert.throws(() => trialKernelWith(model, new MemoAutomaton(model))(blockState('memo-bookkeeping', name, 0), first), message, name);
      assert.deepEqual(
        trialKernelWith(model, new MemoAutomaton(model))(blockState('memo-bookkeeping', name, 0), first - 1),
        runBlockGeneric(plain, stream(), first - 1),
      );
    }
  });
});

function throws(body: () => unknown): boolean {
  try {
    body();
    return false;
  } catch {
    return true;
  }
}
