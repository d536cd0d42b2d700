import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUILT_IN_CHANNELS, CHANNELS } from '../src/catalog/channels.js';
import { builtInParameters, refreshParameters } from '../src/catalog/parameters.js';
import { bernoulli } from '../src/channels/bernoulli.js';
import { cut } from '../src/channels/cut.js';
import type { ChannelDefinition } from '../src/contract/channel.js';
import { BUILT_IN_PROTOCOLS, PROTOCOLS } from '../src/catalog/protocols.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { exactCell, UNLIMITED } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { messenger } from '../src/protocols/messenger.js';
import { expandCells } from '../src/scenario/cells.js';
import { cellDocument } from './contract.js';
import { scenarioFrom } from './helpers.js';
import { Ajv } from 'ajv';
import fc from 'fast-check';

/**
 * What a protocol or channel may declare, and what a scenario must then give: a declaration the
 * engines cannot take is refused where the catalog loads, and a parameter declared without a
 * default is required, never read as NaN.
 */

// The messenger that sends its order only where `sends` is 1: a parameter declared without a default.
const needy: ProtocolDefinition<{ sends: boolean }> = {
  ...(messenger as unknown as ProtocolDefinition<{ sends: boolean }>),
  name: 'needy-messenger',
  parameters: [{ name: 'sends', description: 'whether A sends at all', integer: true, minimum: 0, maximum: 1 }],
  configure: (params) => ({ sends: params['sends'] === 1 }),
  next(state, config, step) {
    if (!config.sends) {
      step.kind = 2; // END: neither attacks
      step.outcome = 1;
      return;
    }
    messenger.next(state, null, step);
  },
};

describe('a protocol parameter declared without a default', () => {
  registerProtocol(needy);
  after(() => unregister(needy.name));

  it('is required: a scenario that leaves it out is refused, one line naming it', () => {
    assert.throws(() => scenarioFrom({ protocol: needy.name, trials: 100 }), /the needy-messenger protocol needs sends: give sends/);
  });

  it('is taken given or swept, and reaches the protocol as given', () => {
    const given = scenarioFrom({ protocol: needy.name, sends: 0, trials: 100 });
    const exact = exactCell(buildCellModel(cellSpec(expandCells(given)[0]!)), UNLIMITED, 'generic');
    assert.deepEqual(exact.outcomes, [0, 1, 0, 0]);
    assert.equal(expandCells(scenarioFrom({ protocol: needy.name, sweep: { sends: [0, 1] }, trials: 100 })).length, 2);
  });
});

describe('a protocol parameter the engines cannot pass as a number', () => {
  for (const [member, extra] of [
    ['values', { values: ['cautious', 'bold'], default: 'cautious' }],
    ['text', { text: 'text', default: 'x' }],
    ['perDirection', { perDirection: true, minimum: 0, maximum: 1, default: 0 }],
    ['optional', { optional: true, minimum: 0, maximum: 1 }],
  ] as const) {
    it(`${member}: refused where the catalog loads (a built-in line) and where a protocol registers`, () => {
      const odd = { ...messenger, name: `odd-${member}`, parameters: [{ name: 'mode', description: 'how', ...extra }] } as ProtocolDefinition<any>;
      const pattern = new RegExp(`protocol odd-${member}: parameter 'mode' has ${member}, which a protocol's parameter cannot have`);
      (BUILT_IN_PROTOCOLS as ProtocolDefinition<any>[]).push(odd);
      PROTOCOLS[odd.name] = odd;
      try {
        assert.throws(() => builtInParameters(), pattern);
      } finally {
        (BUILT_IN_PROTOCOLS as ProtocolDefinition<any>[]).pop();
        delete PROTOCOLS[odd.name];
      }
      assert.throws(() => registerProtocol(odd), pattern);
      assert.equal(PROTOCOLS[odd.name], undefined);
    });
  }
});

describe("the contract suite's generated cells", () => {
  it("give a channel's free-text parameter its declared default (not an empty text the channel may refuse), and unbounded numbers finite values", () => {
    const worded: ChannelDefinition<any> = {
      ...cut,
      name: 'worded-cut',
      parameters: [
        { name: 'words', description: 'losses, as words', text: 'text', default: '0.1 0.5' },
        { name: 'spare', description: 'a whole number without bounds', integer: true, default: 7 },
        { name: 'slack', description: 'a number below 0, without a minimum', maximum: -2, default: -3 },
      ],
    };
    (BUILT_IN_CHANNELS as ChannelDefinition<any>[]).push(worded);
    CHANNELS[worded.name] = worded;
    refreshParameters();
    try {
      for (const doc of fc.sample(cellDocument('messenger', worded.name), { seed: 1, numRuns: 20 })) {
        const channel = doc['channel'] as Record<string, number | string>;
        assert.equal(channel['words'], '0.1 0.5');
        assert.ok(Number.isInteger(channel['spare']) && (channel['spare'] as number) >= 7 && (channel['spare'] as number) <= 9, String(channel['spare']));
        assert.ok(Number.isFinite(channel['slack']) && (channel['slack'] as number) <= -2, String(channel['slack']));
      }
    } finally {
      (BUILT_IN_CHANNELS as ChannelDefinition<any>[]).pop();
      delete CHANNELS[worded.name];
      refreshParameters();
    }
  });
});

describe("a top-level channel's parameter, given beside another top-level channel", () => {
  // A second channel of top-level parameters (a copy of bernoulli, its loss renamed, as
  // docs/architecture.md has a newcomer write one), catalogued under cut's name so that the
  // build-time schema takes the scenarios.
  const flat: ChannelDefinition<any> = {
    ...bernoulli,
    name: 'cut',
    parameters: [{ name: 'flatLoss', description: 'loss probability', minimum: 0, maximum: 1, default: 0.2 }],
    configure: (params, copies) => bernoulli.configure({ loss: params['flatLoss'] }, copies),
  };
  const cutLine = BUILT_IN_CHANNELS.indexOf(cut);
  before(() => {
    (BUILT_IN_CHANNELS as ChannelDefinition<any>[])[cutLine] = flat;
    CHANNELS['cut'] = flat;
    refreshParameters();
  });
  after(() => {
    (BUILT_IN_CHANNELS as ChannelDefinition<any>[])[cutLine] = cut;
    CHANNELS['cut'] = cut;
    refreshParameters();
  });

  it('is refused, not left unread (the cells ran at the channel’s own default)', () => {
    assert.throws(
      () => scenarioFrom({ protocol: 'messenger', channel: 'cut', loss: 0.9, trials: 100 }),
      /loss applies only to the bernoulli channel; the cut channel takes flatLoss at the top level/,
    );
    assert.equal(expandCells(scenarioFrom({ protocol: 'messenger', channel: 'cut', trials: 100 }))[0]!.params['flatLoss'], 0.2);
  });
});

describe("a channel object's per-direction parameter", () => {
  const split: ChannelDefinition<any> = {
    ...cut,
    name: 'split-cut',
    parameters: [...cut.parameters, { name: 'drop', description: 'loss probability', minimum: 0, maximum: 1, default: 0, perDirection: true }],
  };
  before(() => {
    (BUILT_IN_CHANNELS as ChannelDefinition<any>[]).push(split);
    CHANNELS[split.name] = split;
    refreshParameters();
  });
  after(() => {
    (BUILT_IN_CHANNELS as ChannelDefinition<any>[]).pop();
    delete CHANNELS[split.name];
    refreshParameters();
  });

  it('takes {AtoB, BtoA} in the schema, as a top-level one does (the schema refused the form the declaration offers)', async () => {
    const { scenarioSchema, AJV_OPTIONS } = await import('../src/scenario/schema.js');
    const check = new Ajv(AJV_OPTIONS).compile(scenarioSchema());
    const scenario = (channel: Record<string, unknown>) => ({ protocol: 'messenger', channel: { model: split.name, ...channel } });
    assert.ok(check(scenario({ drop: 0.1 })), JSON.stringify(check.errors));
    assert.ok(check(scenario({ drop: { AtoB: 0.1, BtoA: 0.2 } })), JSON.stringify(check.errors));
    assert.ok(!check(scenario({ drop: { AtoB: 0.1 } })), 'both directions');
    assert.ok(!check(scenario({ dropAtoB: 0.1 })), 'no key of its own');
  });
});
