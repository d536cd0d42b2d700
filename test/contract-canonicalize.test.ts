import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { END, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { ContractBroken, checkProtocol } from '../src/protocol-files/check.js';
import { good } from './rule-protocol.js';

// The second planted-bug audit (docs/mutation.md): canonicalize is held to the engine's rounding, not to a percent.

/** The good protocol with a coin of P(1) = 10^-6 that decides whether A attacks alone, and `canonicalize`. */
function rareCoin(name: string, canonicalize: (state: Int32Array) => void): ProtocolDefinition<{ rounds: number }> {
  const base = good(name);
  const coin = Float64Array.of(1 - 1e-6, 1e-6);
  return {
    ...base,
    next(state, config, step) {
      base.next(state, config, step);
      if (state[0] === 0) step.choices = coin;
      if (step.kind === END) step.outcome = generalsOutcome(true, state[1] === 1 && state[2] === 0);
    },
    canonicalize,
  };
}

function checked(protocol: ProtocolDefinition<{ rounds: number }>): ReturnType<typeof checkProtocol> {
  registerProtocol(protocol);
  try {
    return checkProtocol(protocol);
  } finally {
    unregister(protocol.name);
  }
}

describe('canonicalize may not move an exact value by more than rounding', () => {
  it('refuses a merge that moves P(both) by 7·10^-7 (0.7 · 10^-6): the coin forgotten', () => {
    assert.throws(
      () => checked(rareCoin('rare-coin-forgotten', (state) => void (state[2] = 0))),
      (error: unknown) => {
        assert.ok(error instanceof ContractBroken, String(error));
        assert.match(error.message, /^cell rounds=1, loss 0\.3: canonicalize changes the exact probability of both \(0\.69999\d+ without merging, 0\.7 with\)/);
        return true;
      },
    );
  });
  it('passes a canonicalize that merges nothing', () => {
    assert.equal(checked(rareCoin('rare-coin-kept', () => undefined)).cells, 3);
  });
});
