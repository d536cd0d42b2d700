import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { makeListCommand } from '../src/cli/commands/list.js';
import { A_TO_B, CHOOSE, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import { checkContract, generatedCells } from './contract.js';
import { scenarioFrom } from './helpers.js';

/**
 * Adding a protocol is its definition plus one registry entry: nothing else names it. A protocol
 * defined here and registered is known to the schema, validation, --set/--sweep, list, both
 * engines and trace, and meets the whole contract without a test of its own.
 */
// state: [clock, A decided to send (1) or stayed silent (2), received]
const hesitant: ProtocolDefinition<{ send: Float64Array }> = {
  name: 'hesitant-messenger',
  summary: 'A sends the order with probability eagerness, then attacks; B attacks iff it arrives.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (4 states)',
  usesRounds: false,
  parameters: [{ name: 'eagerness', description: 'probability that A sends the order at all', minimum: 0, maximum: 1, default: 0.9 }],
  configure: (params) => ({ send: Float64Array.of(params['eagerness']!, 1 - params['eagerness']!) }),
  stateSize: () => 3,
  init: (state) => state.fill(0),
  next(state, config, step) {
    if (state[0] === 0) {
      step.kind = CHOOSE;
      step.choices = config.send;
      step.label = 'send?';
    } else if (state[0] === 1 && state[1] === 1) {
      step.kind = SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.label = 'order';
    } else {
      step.kind = END;
      step.outcome = generalsOutcome(true, state[2] === 1);
    }
  },
  resolve(state, _config, step, result) {
    if (step.kind === CHOOSE) {
      state[1] = result + 1;
      state[0] = 1;
    } else {
      state[2] = result;
      state[0] = 2;
    }
  },
  describe: (state) => `A ${state[1] === 2 ? 'stayed silent' : 'sent'}; B ${state[2] ? 'has' : 'lacks'} the order`,
};

describe('a protocol added by its definition and one registry entry', () => {
  registerProtocol(hesitant);
  after(() => unregister(hesitant.name));

  it('is in the JSON Schema, with its parameter, its range and its default', () => {
    const schema = scenarioSchema() as { properties: Record<string, Record<string, unknown>> };
    assert.ok((schema.properties['protocol']!['enum'] as string[]).includes('hesitant-messenger'));
    assert.deepEqual(schema.properties['eagerness'], {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: 'probability that A sends the order at all',
      default: 0.9,
    });
  });

  it('validates, defaults, overrides and sweeps its parameter, and refuses it elsewhere', () => {
    assert.equal(scenarioFrom({ protocol: 'hesitant-messenger' }).params['eagerness'], 0.9);
    const swept = scenarioFrom({ protocol: 'hesitant-messenger', sweep: { eagerness: [0.1, 0.5] } });
    assert.deepEqual(swept.sweep, [{ parameter: 'eagerness', values: [0.1, 0.5] }]);
    assert.throws(() => scenarioFrom({ protocol: 'hesitant-messenger', eagerness: 2 }), /eagerness must be at most 1/);
    assert.throws(() => scenarioFrom({ protocol: 'messenger', eagerness: 0.5 }), /eagerness applies only to the hesitant-messenger protocol/);
  });

  it('is listed with its parameter', async () => {
    let text = '';
    const stdout = new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) });
    await makeListCommand({ stdout, stderr: stdout, env: {} } as never).parseAsync([], { from: 'user' });
    assert.match(text, /hesitant-messenger +A sends the order with probability eagerness/);
    assert.match(text, /eagerness +probability that A sends the order at all; 0\.\.1; default 0\.9 \[hesitant-messenger\]/);
  });

  it('meets the whole contract on every channel, with no test written for it', async () => {
    for (const channel of ['bernoulli', 'gilbert-elliott', 'cut']) {
      for (const [i, data] of generatedCells('hesitant-messenger', channel).entries()) await checkContract(data, `registry-${i}`);
    }
  });
});
