import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { rangeWords } from '../src/catalog/range-words.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { messenger } from '../src/protocols/messenger.js';
import { cliIn } from './in-process.js';

/** A range with an unbounded end is shown in words, never as -Infinity or Infinity. */

const unbounded: ProtocolDefinition<null> = {
  ...(messenger as unknown as ProtocolDefinition<null>),
  name: 'unbounded-messenger',
  parameters: [
    { name: 'anyShift', description: 'a shift of any size', default: 0 },
    { name: 'atLeastZero', description: 'a count from zero up', integer: true, minimum: 0, default: 0 },
    { name: 'atMostOne', description: 'a level up to one', maximum: 1, default: 0 },
  ],
  configure: () => null,
};

describe('a parameter range in words', () => {
  it('shows both ends where both are finite, and words for an unbounded end', () => {
    assert.equal(rangeWords({ minimum: 0, maximum: 1 }), '0..1');
    assert.equal(rangeWords({ integer: true, minimum: 1, maximum: 1000 }), 'integer 1..1000');
    assert.equal(rangeWords({ minimum: 0, maximum: Number.POSITIVE_INFINITY }), '≥ 0');
    assert.equal(rangeWords({ integer: true, minimum: 0 }), 'integer ≥ 0');
    assert.equal(rangeWords({ minimum: Number.NEGATIVE_INFINITY, maximum: 1 }), '≤ 1');
    assert.equal(rangeWords({ minimum: Number.NEGATIVE_INFINITY, maximum: Number.POSITIVE_INFINITY }), 'any number');
    assert.equal(rangeWords({ integer: true }), 'any integer');
  });

  describe('in list, for a protocol whose parameters are unbounded', () => {
    registerProtocol(unbounded);
    after(() => unregister(unbounded.name));

    it('never prints Infinity', async () => {
      const { status, stdout } = await cliIn(['list']);
      assert.equal(status, 0);
      assert.doesNotMatch(stdout, /Infinity/);
      assert.match(stdout, /anyShift +a shift of any size; any number; default 0 \[unbounded-messenger\]/);
      assert.match(stdout, /atLeastZero +a count from zero up; integer ≥ 0; default 0/);
      assert.match(stdout, /atMostOne +a level up to one; ≤ 1; default 0/);
    });

    it('sweeps such a parameter without naming an infinite bound', async () => {
      const { status, stderr } = await cliIn([
        'run',
        '--trials',
        '100',
        '--no-exact',
        '-f',
        'csv',
        '--set',
        `protocol=${unbounded.name}`,
        '--sweep',
        'anyShift=1:3',
      ]);
      assert.doesNotMatch(stderr, /Infinity/);
      assert.equal(status, 0, stderr);
    });
  });
});
