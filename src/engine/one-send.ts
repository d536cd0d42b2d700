import { END, SEND, Step, sendProblem } from '../contract/protocol.js';
import type { Direction, ProtocolDefinition } from '../contract/protocol.js';

/** A protocol whose every trial sends one message and ends: the send, and the outcome after it was lost and received. */
export interface OneSend {
  readonly direction: Direction;
  readonly round: number;
  readonly outcomes: readonly [number, number];
}

/**
 * The protocol's one send (the messenger's order), or null where its trial does more than send
 * one message and end, or breaks the contract doing so (left to the engines that refuse it).
 */
export function oneSendOf(protocol: ProtocolDefinition<unknown>, config: unknown, stateSize: number, roundLimit: number, outcomeCount: number): OneSend | null {
  const state = new Int32Array(stateSize);
  protocol.init(state, config);
  const step = new Step();
  protocol.next(state, config, step);
  if (step.kind !== SEND || step.peers !== 0 || step.choosers !== 0 || sendProblem(step, roundLimit) !== null) return null;
  const outcomes: [number, number] = [-1, -1];
  for (const received of [0, 1] as const) {
    const after = state.slice();
    protocol.resolve(after, config, step, received);
    const last = new Step();
    protocol.next(after, config, last);
    if (last.kind !== END || !(Number.isInteger(last.outcome) && last.outcome >= 0 && last.outcome < outcomeCount)) return null;
    outcomes[received] = last.outcome;
  }
  return { direction: step.direction, round: step.round, outcomes };
}

/** Copies delivered per message received over the starts of a replay (per d = 0 … copies, the starts delivering d); 0 where none delivers. */
export function meanCopiesReceived(startsByDelivered: Float64Array): number {
  let received = 0;
  let copies = 0;
  for (let d = 1; d < startsByDelivered.length; d++) {
    received += startsByDelivered[d]!;
    copies += d * startsByDelivered[d]!;
  }
  return received > 0 ? copies / received : 0;
}
