import { CHOOSE, END, Step, clearStep } from '../../contract/protocol.js';
import { refuseUnreadableStep } from '../unfilled-step.js';
import { refuseRoundWithoutCrashes } from '../montecarlo/trial-rules.js';
import { UsageError } from '../../errors.js';
import type { CellModel } from '../model.js';

/**
 * A cell's protocol and channel unrolled into a finite automaton, by running the protocol
 * definition itself over every reachable state. Nodes are (protocol state, channel state) pairs;
 * each chance node lists its outcome probabilities, in sampling order, and the node each leads
 * to. The compiled kernel runs this automaton, so it follows the definition with no second copy
 * of any protocol's rules.
 */
export interface Automaton {
  readonly nodes: readonly AutomatonNode[];
  readonly root: number;
  /** The most messages any trial can dispatch: the cost histogram's size. */
  readonly maxMessages: number;
}

export type AutomatonNode =
  | { readonly kind: 'send'; readonly round: number; readonly probabilities: Float64Array; readonly deliveryClass: Int32Array; readonly next: number[] }
  | { readonly kind: 'choose'; readonly probabilities: Float64Array; readonly next: number[] }
  | { readonly kind: 'end'; readonly outcome: number };

export class AutomatonTooLarge extends Error {}

/** Unrolls the cell into an automaton of at most `limit` nodes (else AutomatonTooLarge). */
export function buildAutomaton(model: CellModel, limit: number): Automaton {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions } = model;
  const nodes: AutomatonNode[] = [];
  const ids = new Map<string, number>();
  const pending: { id: number; state: Int32Array; channelState: number }[] = [];
  const step = new Step();

  const idOf = (state: Int32Array, channelState: number): number => {
    const key = `${channelState}|${state.join(',')}`;
    let id = ids.get(key);
    if (id === undefined) {
      if (nodes.length >= limit) throw new AutomatonTooLarge(`more than ${limit} states`);
      id = nodes.length;
      ids.set(key, id);
      nodes.push(undefined as never);
      pending.push({ id, state, channelState });
    }
    return id;
  };

  // The root chooses the channel's starting state; with one starting state it is that state.
  const starts = model.initialStates.map(({ state: channelState }) => {
    const state = new Int32Array(model.stateSize);
    protocol.init(state, config);
    return idOf(state, channelState);
  });
  let root = starts[0]!;
  if (starts.length > 1) {
    root = nodes.length;
    nodes.push({ kind: 'choose', probabilities: Float64Array.from(model.initialStates, (s) => s.probability), next: starts });
  }

  while (pending.length) {
    const { id, state, channelState } = pending.pop()!;
    clearStep(step);
    protocol.next(state, config, step);
    refuseUnreadableStep(protocol.name, step, model.outcomes.names.length, model.roundLimit, state);
    // Crash cells run through the definition (dispatch.ts): a round start is no step here.
    refuseRoundWithoutCrashes(protocol.name, step);
    if (step.kind === END) {
      nodes[id] = { kind: 'end', outcome: step.outcome };
      continue;
    }
    if (step.kind === CHOOSE) {
      const probabilities = Float64Array.from(step.choices!);
      const next = Array.from(probabilities, (_, i) => {
        const child = state.slice();
        protocol.resolve(child, config, step, i);
        return idOf(child, channelState);
      });
      nodes[id] = { kind: 'choose', probabilities, next };
      continue;
    }
    const t = transmissions[channel.transmissionFor(channelConfig, channelState, step.direction, step.round)]!;
    const round = step.round;
    const next = Array.from(t.probabilities, (_, i) => {
      const child = state.slice();
      protocol.resolve(child, config, step, t.received[i]!);
      return idOf(child, t.nextState[i]!);
    });
    nodes[id] = { kind: 'send', round, probabilities: t.probabilities, deliveryClass: t.deliveryClass, next };
  }
  return { nodes, root, maxMessages: longestPath(nodes, root, protocol.name) };
}

/**
 * Messages on the longest path from the root. The automaton is acyclic where the clock only
 * grows, as the contract asks; a protocol whose resolve leads back to a state already on the path
 * (a cell the quick check did not explore) is refused as its own slip, not followed round forever.
 */
function longestPath(nodes: readonly AutomatonNode[], root: number, protocol: string): number {
  const depth = new Int32Array(nodes.length).fill(-1);
  // The nodes whose children are being measured: the path from the root to the top of the stack.
  const open = new Uint8Array(nodes.length);
  const stack = [root];
  while (stack.length) {
    const id = stack[stack.length - 1]!;
    const node = nodes[id]!;
    if (depth[id]! >= 0) {
      stack.pop();
      continue;
    }
    const children = node.kind === 'end' ? [] : node.next.filter((n) => depth[n]! < 0);
    if (children.length) {
      if (children.some((n) => open[n] === 1))
        throw new UsageError(
          `protocol ${protocol}`,
          'a trial can come back to a state it had left: resolve must advance the clock (state[0]) on every step, so that every trial ends',
        );
      open[id] = 1;
      stack.push(...children);
      continue;
    }
    open[id] = 0;
    stack.pop();
    const below = node.kind === 'end' ? 0 : Math.max(...node.next.map((n) => depth[n]!));
    depth[id] = below + (node.kind === 'send' ? 1 : 0);
  }
  return depth[root]!;
}
