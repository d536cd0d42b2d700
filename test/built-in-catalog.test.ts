import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { bernoulli } from '../src/channels/bernoulli.js';
import { BUILT_IN_CHANNELS, CHANNELS } from '../src/catalog/channels.js';
import { builtInParameters, refreshParameters } from '../src/catalog/parameters.js';
import { BUILT_IN_PROTOCOLS, PROTOCOLS } from '../src/catalog/protocols.js';
import type { ChannelDefinition } from '../src/contract/channel.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { messenger } from '../src/protocols/messenger.js';

/**
 * A built-in protocol or channel is one file and one line in the catalog (docs/architecture.md):
 * the line is played here by adding the definitions to the built-in lists before anything that
 * derives from them loads (the scenario modules are imported after), as a rebuild would see them.
 * Only the catalog is imported statically.
 */
const SOURCE = join(import.meta.dirname, '..', '..', 'src');

// A copy of the messenger with an outcome set of its own, and of Bernoulli with its parameter renamed.
const courier: ProtocolDefinition<any> = {
  ...messenger,
  name: 'fixture-courier',
  outcomes: { ...messenger.outcomes, names: ['together', 'apart', 'aloneA', 'aloneB'] },
};
const bernoulliDrop: ChannelDefinition<any> = {
  ...bernoulli,
  name: 'bernoulli-drop',
  parameters: [{ ...bernoulli.parameters[0]!, name: 'testLoss' }],
  configure: (params, copies) =>
    bernoulli.configure({ loss: params['testLoss'], lossAtoB: params['testLossAtoB'], lossBtoA: params['testLossBtoA'] } as never, copies),
};

function addBuiltIn<T extends { name: string }>(list: readonly T[], byName: Record<string, T>, definition: T): () => void {
  (list as T[]).push(definition);
  byName[definition.name] = definition;
  return () => {
    (list as T[]).splice(list.indexOf(definition), 1);
    delete byName[definition.name];
  };
}

describe('a built-in protocol and channel added by one file and one catalog line', () => {
  const removed = [addBuiltIn(BUILT_IN_PROTOCOLS, PROTOCOLS, courier), addBuiltIn(BUILT_IN_CHANNELS, CHANNELS, bernoulliDrop)];
  refreshParameters();
  after(() => {
    for (const remove of removed) remove();
    refreshParameters();
  });

  it("is in the schema: its name, its parameter, its own outcomes as expect metrics, and --set's per-direction form", async () => {
    const { scenarioSchema, AJV_OPTIONS } = await import('../src/scenario/schema.js');
    const check = new Ajv(AJV_OPTIONS).compile(scenarioSchema());
    const scenario = { protocol: 'fixture-courier', channel: 'bernoulli-drop', testLoss: 0.2, expect: [{ metric: 'together', atLeast: 0.5 }] };
    assert.ok(check(scenario), JSON.stringify(check.errors));
    assert.ok(check({ ...scenario, testLoss: { AtoB: 0.1, BtoA: 0.2 }, sweep: { testLoss: [0.1, 0.2] } }), JSON.stringify(check.errors));
    const { applyOverrides } = await import('../src/scenario/overrides.js');
    const set = applyOverrides({ source: 's.yaml', data: { ...scenario }, locate: () => 's.yaml' }, { set: ['testLoss.AtoB=0.4'] });
    assert.deepEqual(set.data['testLoss'], { AtoB: 0.4, BtoA: 0.2 });
  });

  it('refuses, when the catalog loads, a second channel whose parameter takes a name another already has', () => {
    const remove = addBuiltIn(BUILT_IN_CHANNELS, CHANNELS, { ...bernoulli, name: 'bernoulli-copy' });
    try {
      // Else --sweep loss of the copy is refused as "loss applies only to the bernoulli channel".
      assert.throws(() => builtInParameters(), /channel bernoulli-copy: parameter 'loss' is already defined by channel bernoulli/);
    } finally {
      remove();
    }
    assert.doesNotThrow(() => builtInParameters());
  });
});

describe('no protocol or channel is named outside its own file and the catalog', () => {
  it("the schema's defaults are the declarations' and DEFAULTS', none written in it", () => {
    const code = readFileSync(join(SOURCE, 'scenario', 'schema.ts'), 'utf8');
    assert.deepEqual(code.match(/default: *['"\d][^,}\n]*/g) ?? [], []);
  });

  it('in scenario/, cli/, engine/ and export/, but for the defaults and fit (which fits its own models)', () => {
    const names = [...BUILT_IN_PROTOCOLS, ...BUILT_IN_CHANNELS].map((d) => d.name).filter((n) => n !== 'trace');
    const exempt = new Set([join('scenario', 'defaults.ts'), join('cli', 'commands', 'fit.ts')]);
    const found: string[] = [];
    for (const folder of ['scenario', 'cli', 'engine', 'export']) {
      for (const file of readdirSync(join(SOURCE, folder), { recursive: true, encoding: 'utf8' })) {
        const path = join(folder, file);
        if (!path.endsWith('.ts') || exempt.has(path)) continue;
        const code = readFileSync(join(SOURCE, path), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        for (const name of names) if (code.includes(`'${name}'`) || code.includes(`"${name}"`)) found.push(`${path}: '${name}'`);
      }
    }
    // export/trace.ts counts copies in the word the tool uses for one ("3 messengers").
    assert.deepEqual(found, [`${join('export', 'trace.ts')}: 'messenger'`]);
  });
});
