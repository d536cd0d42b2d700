import { handshake } from './handshake.js';
import { messenger } from './messenger.js';
import { randomized } from './randomized.js';
import { retransmit } from './retransmit.js';
import { twoPhaseCommit } from './two-phase-commit.js';
import type { ProtocolDefinition } from './types.js';

export const PROTOCOLS: Readonly<Record<string, ProtocolDefinition<any>>> = {
  messenger,
  handshake,
  retransmit,
  randomized,
  'two-phase-commit': twoPhaseCommit,
};

export const PROTOCOL_NAMES = Object.keys(PROTOCOLS);
