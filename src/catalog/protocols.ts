import { handshake } from '../protocols/handshake.js';
import { messenger } from '../protocols/messenger.js';
import { randomized } from '../protocols/randomized.js';
import { retransmit } from '../protocols/retransmit.js';
import { twoPhaseCommit } from '../protocols/two-phase-commit.js';
import type { ProtocolDefinition } from '../contract/protocol.js';

/** The protocols that ship: one line each. Everything else about a protocol is derived from its definition. */
export const BUILT_IN_PROTOCOLS: readonly ProtocolDefinition<any>[] = [messenger, handshake, retransmit, randomized, twoPhaseCommit];

/** The registry: the built-in protocols, and any a run registers (registry/index.ts), by name. */
export const PROTOCOLS: Record<string, ProtocolDefinition<any>> = Object.fromEntries(BUILT_IN_PROTOCOLS.map((p) => [p.name, p]));
