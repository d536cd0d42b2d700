import { handshake } from '../protocols/handshake.js';
import { messenger } from '../protocols/messenger.js';
import { randomized } from '../protocols/randomized.js';
import { retransmit } from '../protocols/retransmit.js';
import { twoPhaseCommit } from '../protocols/two-phase-commit.js';
import type { ProtocolDefinition } from '../contract/protocol.js';

/** The protocols that ship: one line each. Everything else about a protocol is derived from its definition. */
export const BUILT_IN_PROTOCOLS: readonly ProtocolDefinition<any>[] = [messenger, handshake, retransmit, randomized, twoPhaseCommit];

/** The catalog: the built-in protocols, and any a run registers (register.ts), by name. */
export const PROTOCOLS: Record<string, ProtocolDefinition<any>> = Object.fromEntries(BUILT_IN_PROTOCOLS.map((p) => [p.name, p]));

/**
 * The protocol of this name, or undefined. Only where a name comes in from outside (a scenario
 * being resolved, a task crossing to a worker thread): past that, scenarios and cells carry the
 * definition itself.
 */
export function protocolNamed(name: string): ProtocolDefinition<any> | undefined {
  return Object.hasOwn(PROTOCOLS, name) ? PROTOCOLS[name] : undefined;
}
