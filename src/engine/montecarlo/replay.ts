import type { Replay } from '../../contract/channel.js';
import { CHOOSE, END, Step } from '../../contract/protocol.js';
import { sample, samplingTable } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import { uniformBelow } from '../../rng/uniform.js';
import type { Xoshiro128 } from '../../rng/xoshiro128.js';
import type { CellModel } from '../model.js';
import { toTally } from '../tally.js';
import type { Tally } from '../tally.js';

/**
 * The protocol unrolled over its own states, for a replayed channel: what a trial does next
 * given whether each message was received. A replayed channel decides a message by reading the
 * trace at the trial's position, not by a draw, so the channel needs no part in the automaton
 * and it stays the size of the protocol's state space, however long the trace. Node i is a send
 * (its two successors, not received and received), a choice (a sampling table and successors)
 * or an end.
 */
interface ProtocolAutomaton {
  readonly kind: Int8Array;
  readonly direction: Uint8Array;
  readonly round: Int32Array;
  /** A send's successors at 2i (not received) and 2i + 1; an end's outcome at 2i. */
  readonly next: Int32Array;
  readonly choices: (SamplingTable | undefined)[];
  readonly choiceNext: (Int32Array | undefined)[];
}

/** Past this many protocol states, trials run through the definition step by step (runTrial). */
const MAX_NODES = 20_000;

const automata = new WeakMap<CellModel, ProtocolAutomaton | null>();

function automatonFor(model: CellModel): ProtocolAutomaton | null {
  let automaton = automata.get(model);
  if (automaton === undefined) {
    automaton = unroll(model);
    automata.set(model, automaton);
  }
  return automaton;
}

/** Runs the protocol definition over every state reachable with either fate of each message; null past MAX_NODES. */
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
    protocol.next(state, config, step);
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
  };
}

/**
 * Trials over a replayed channel through the protocol's automaton: a uniform start, then each
 * message's fate read from the trace at the position, and the protocol's own choices drawn —
 * the draws runTrial makes, in its order, so the tallies are the same to the bit; only the
 * protocol's code is not run again for every step. A protocol with too many states for an
 * automaton runs through runTrial.
 */
export function runBlockReplay(model: CellModel, replay: Replay, rng: Xoshiro128, trials: number, generic: () => Tally): Tally {
  const automaton = automatonFor(model);
  if (!automaton) return generic();
  const { kind, direction, round, next, choices, choiceNext } = automaton;
  const starts = replay.starts;
  const deliveries = new Float64Array(model.deliveryValues.length);
  const outcomes = new Float64Array(model.outcomes.names.length);
  let histogram = new Float64Array(16);
  let rounds = 0;
  for (let t = 0; t < trials; t++) {
    let position = uniformBelow(rng, starts);
    let node = 0;
    let messages = 0;
    let lastRound = 0;
    for (;;) {
      const k = kind[node]!;
      if (k === END) break;
      if (k === CHOOSE) {
        node = choiceNext[node]![sample(rng, choices[node]!)]!;
        continue;
      }
      const delivered = replay.delivered(position, direction[node] as 0 | 1);
      position = replay.after(position);
      messages++;
      lastRound = round[node]!;
      if (delivered > 0) {
        deliveries[delivered - 1]!++;
        node = next[2 * node + 1]!;
      } else node = next[2 * node]!;
    }
    outcomes[next[2 * node]!]!++;
    if (messages >= histogram.length) {
      const bigger = new Float64Array(Math.max(messages + 1, histogram.length * 2));
      bigger.set(histogram);
      histogram = bigger;
    }
    histogram[messages]!++;
    rounds += lastRound;
  }
  return toTally(trials, outcomes, histogram, deliveries, rounds);
}
