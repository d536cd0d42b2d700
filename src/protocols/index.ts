import { handshake } from './handshake.js';
import { messenger } from './messenger.js';
import { retransmit } from './retransmit.js';
import type { ProtocolDefinition } from './types.js';

export const PROTOCOLS: Readonly<Record<string, ProtocolDefinition<any>>> = {
  messenger,
  handshake,
  retransmit,
};

export const PROTOCOL_NAMES = Object.keys(PROTOCOLS);
