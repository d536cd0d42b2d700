import { CHOOSE, END, SEND, Step } from '../protocols/types.js';
import type { CellModel } from './model.js';

/** Exact distribution of a cell's outcome and cost. */
export interface ExactResult {
  /** Probability of each outcome, in the protocol's outcome order. */
  readonly outcomes: readonly number[];
  /** messages[m]: probability that a trial dispatches m messages. */
  readonly messages: readonly number[];
  readonly deliveredMean: number;
  readonly roundsMean: number;
  /** Distinct (state, channel state) pairs expanded: the size of the computation. */
  readonly statesExpanded: number;
}

/**
 * Probability mass by messages dispatched so far: mass[i] belongs to offset + i messages. Most
 * states are reached with few distinct message counts, so only that window is stored.
 */
class MessageMass {
  constructor(
    public offset: number,
    public mass: number[],
  ) {}

  total(): number {
    let s = 0;
    for (const v of this.mass) s += v;
    return s;
  }

  /** This mass times `factor`, after `shift` more messages. */
  scaled(factor: number, shift: number): MessageMass {
    return new MessageMass(this.offset + shift, this.mass.map((v) => v * factor));
  }

  add(other: MessageMass): void {
    const low = Math.min(this.offset, other.offset);
    const high = Math.max(this.offset + this.mass.length, other.offset + other.mass.length);
    if (low < this.offset || high > this.offset + this.mass.length) {
      const grown = new Array<number>(high - low).fill(0);
      this.mass.forEach((v, i) => (grown[i + this.offset - low] = v));
      this.offset = low;
      this.mass = grown;
    }
    other.mass.forEach((v, i) => (this.mass[i + other.offset - this.offset]! += v));
  }
}

/**
 * Probability mass reaching one protocol-and-channel state, by messages dispatched so far; the
 * delivered and rounds masses are expectations times probability, which add when branches merge.
 */
interface Node {
  readonly state: Int32Array;
  readonly channelState: number;
  readonly messages: MessageMass;
  deliveredMass: number;
  roundsMass: number;
}

export class ExactBudgetExceeded extends Error {}

/** Default budget: enough for every two-general protocol with rounds up to a few hundred. */
export const DEFAULT_EXACT_BUDGET = 5_000_000;

/**
 * The exact engine: runs the protocol definition with every chance point branched and weighted
 * by its probability, merging branches that reach the same state. Because every resolve advances
 * the protocol's clock (state[0]), processing states in clock order sees every path into a
 * state before the state is expanded, so the work is polynomial in the round limit.
 * `budget` bounds the work (states × cost-window length); past it ExactBudgetExceeded.
 */
export function exactCell(model: CellModel, budget = DEFAULT_EXACT_BUDGET): ExactResult {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions } = model;
  const outcomes = new Array<number>(model.outcomes.names.length).fill(0);
  const messages = new MessageMass(0, []);
  let deliveredMean = 0;
  let roundsMean = 0;
  let expanded = 0;
  let work = 0;
  const levels: (Map<string, Node> | undefined)[] = [];

  const add = (node: Node): void => {
    protocol.canonicalize?.(node.state, config);
    const clock = node.state[0]!;
    const level = (levels[clock] ??= new Map());
    const key = `${node.channelState}|${node.state.join(',')}`;
    const existing = level.get(key);
    if (!existing) {
      level.set(key, node);
      return;
    }
    existing.messages.add(node.messages);
    existing.deliveredMass += node.deliveredMass;
    existing.roundsMass += node.roundsMass;
  };

  for (const { probability, state: channelState } of model.initialStates) {
    const state = new Int32Array(model.stateSize);
    protocol.init(state, config);
    add({ state, channelState, messages: new MessageMass(0, [probability]), deliveredMass: 0, roundsMass: 0 });
  }

  const step = new Step();
  for (let clock = 0; clock < levels.length; clock++) {
    const level = levels[clock];
    if (!level) continue;
    levels[clock] = undefined; // release the level once processed
    for (const node of level.values()) {
      expanded++;
      work += node.messages.mass.length;
      if (work > budget) throw new ExactBudgetExceeded(`more than ${budget} units of work`);
      const mass = node.messages.total();
      if (mass === 0) continue;
      const state = node.state;
      protocol.next(state, config, step);
      if (step.kind === END) {
        outcomes[step.outcome]! += mass;
        messages.add(node.messages);
        deliveredMean += node.deliveredMass;
        roundsMean += node.roundsMass;
        continue;
      }
      const from = state[0]!;
      if (step.kind === CHOOSE) {
        const choices = step.choices!;
        for (let i = 0; i < choices.length; i++) {
          const p = choices[i]!;
          if (p === 0) continue;
          const child = state.slice();
          protocol.resolve(child, config, step, i);
          checkClock(protocol.name, from, child);
          add({
            state: child,
            channelState: node.channelState,
            messages: node.messages.scaled(p, 0),
            deliveredMass: node.deliveredMass * p,
            roundsMass: node.roundsMass * p,
          });
        }
        continue;
      }
      if (step.kind !== SEND) throw new Error('unknown step kind');
      const t = transmissions[channel.transmissionFor(channelConfig, node.channelState, step.direction, step.round)]!;
      for (let i = 0; i < t.probabilities.length; i++) {
        const p = t.probabilities[i]!;
        const child = state.slice();
        protocol.resolve(child, config, step, t.received[i]!);
        checkClock(protocol.name, from, child);
        add({
          state: child,
          channelState: t.nextState[i]!,
          messages: node.messages.scaled(p, 1),
          deliveredMass: (node.deliveredMass + mass * t.delivered[i]!) * p,
          roundsMass: mass * p * step.round,
        });
      }
    }
  }
  const distribution = new Array<number>(messages.offset + messages.mass.length).fill(0);
  messages.mass.forEach((v, i) => (distribution[messages.offset + i] = v));
  return { outcomes, messages: distribution, deliveredMean, roundsMean, statesExpanded: expanded };
}

function checkClock(name: string, from: number, child: Int32Array): void {
  if (!(child[0]! > from)) throw new Error(`protocol ${name}: resolve did not advance the clock (state[0])`);
}
