import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { builtInParameters, parameterSlip, parameterSpec, PARAMETER_NAMES, refreshParameters, withDefaults } from '../src/catalog/parameters.js';
import { BUILT_IN_PROTOCOLS, PROTOCOLS } from '../src/catalog/protocols.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { twoPhaseCommit } from '../src/protocols/two-phase-commit.js';

/**
 * Two protocols of the catalog that declare one parameter name, each with its own range and
 * default: a copy of two-phase commit whose participants run 1 to 4 (default 2), added as a
 * built-in line would add it (docs/architecture.md), before the scenario modules load.
 */
const vote: ProtocolDefinition<any> = {
  ...twoPhaseCommit,
  name: 'fixture-vote',
  parameters: [
    { name: 'participants', description: 'cohorts, at most 4', integer: true, minimum: 1, maximum: 4, default: 2 },
    { name: 'abortRate', description: 'probability that a cohort votes NO', minimum: 0, maximum: 0.5, default: 0 },
  ],
};

describe('a parameter name two protocols of the catalog declare, each its own', () => {
  (BUILT_IN_PROTOCOLS as ProtocolDefinition<any>[]).push(vote);
  PROTOCOLS[vote.name] = vote;
  refreshParameters();
  after(() => {
    (BUILT_IN_PROTOCOLS as ProtocolDefinition<any>[]).splice(BUILT_IN_PROTOCOLS.indexOf(vote), 1);
    delete PROTOCOLS[vote.name];
    refreshParameters();
  });

  it('loads, one column a name, each protocol read by its own declaration', () => {
    assert.doesNotThrow(() => builtInParameters());
    assert.equal(PARAMETER_NAMES.filter((n) => n === 'participants').length, 1);
    assert.equal(parameterSpec('participants', 'fixture-vote')?.maximum, 4);
    assert.equal(parameterSpec('participants', 'two-phase-commit')?.maximum, 64);
    assert.equal(withDefaults('fixture-vote', 'bernoulli', {})['participants'], 2);
    assert.equal(withDefaults('two-phase-commit', 'bernoulli', {})['participants'], 3);
    assert.equal(parameterSlip('fixture-vote', { participants: 5 }), 'participants 5 is not a whole number from 1 to 4');
    assert.equal(parameterSlip('two-phase-commit', { participants: 5 }), null);
  });

  it("holds each protocol's scenarios to its own range in the scenario schema, set and swept", async () => {
    const { scenarioSchema, AJV_OPTIONS } = await import('../src/scenario/schema.js');
    const check = new Ajv(AJV_OPTIONS).compile(scenarioSchema());
    const valid = (data: Record<string, unknown>): boolean => check(data) as boolean;
    assert.ok(valid({ protocol: 'two-phase-commit', participants: 6, abortRate: 0.9 }), JSON.stringify(check.errors));
    assert.ok(valid({ protocol: 'two-phase-commit', sweep: { participants: { from: 1, to: 6 } } }), JSON.stringify(check.errors));
    assert.ok(valid({ protocol: 'fixture-vote', participants: 4 }), JSON.stringify(check.errors));
    assert.equal(valid({ protocol: 'fixture-vote', participants: 5 }), false);
    assert.deepEqual(check.errors?.map((e) => [e.instancePath, e.keyword, e.params['limit']])[0], ['/participants', 'maximum', 4]);
    assert.equal(valid({ protocol: 'fixture-vote', abortRate: 0.9 }), false);
    assert.equal(valid({ protocol: 'fixture-vote', sweep: { participants: [1, 5] } }), false);
    assert.equal(valid({ protocol: 'fixture-vote', sweep: { participants: { from: 1, to: 6 } } }), false);
  });

  it("holds a built-in protocol's parameter to its range in the published schema only where the scenario names that protocol", async () => {
    const { publishedSchema, AJV_OPTIONS } = await import('../src/scenario/schema.js');
    const check = new Ajv({ ...AJV_OPTIONS, strict: false }).compile(publishedSchema());
    const valid = (data: Record<string, unknown>): boolean => check(data) as boolean;
    // A protocol file's own participants, with a range of its own: the editor must not flag it by two-phase commit's.
    assert.ok(valid({ protocol: './mine.mjs', participants: 100 }), JSON.stringify(check.errors));
    assert.ok(valid({ protocol: './mine.mjs', participants: 2.5, sweep: { participants: [1, 100] } }), JSON.stringify(check.errors));
    assert.equal(valid({ protocol: 'two-phase-commit', participants: 65 }), false);
    assert.equal(valid({ protocol: 'two-phase-commit', participants: 2.5 }), false);
    assert.equal(valid({ protocol: 'two-phase-commit', sweep: { participants: { from: 1, to: 65 } } }), false);
    assert.ok(valid({ protocol: 'two-phase-commit', participants: 64, sweep: { abortRate: [0, 1] } }), JSON.stringify(check.errors));
    assert.equal(valid({ protocol: 'fixture-vote', participants: 5 }), false);
    assert.ok(valid({ protocol: 'fixture-vote', participants: 4 }), JSON.stringify(check.errors));
  });

  it('leaves a key of the name behind only where a flag gives a protocol that does not declare it', async () => {
    const { leftBehindPlace } = await import('../src/scenario/left-behind.js');
    const to = (protocol: string) => [{ flag: `--set protocol=${protocol}`, kind: 'protocol' as const, from: 'two-phase-commit', to: protocol }];
    assert.equal(leftBehindPlace(to('fixture-vote'), ['participants'], 's.yaml:2:1'), undefined);
    assert.equal(leftBehindPlace(to('fixture-vote'), ['sweep', 'participants'], 's.yaml:3:3'), undefined);
    assert.equal(
      leftBehindPlace(to('messenger'), ['participants'], 's.yaml:2:1'),
      "--set protocol=messenger: the file's participants (s.yaml:2:1) was written for its two-phase-commit protocol, not messenger (remove it with --set participants=null)",
    );
  });

  it("gives a protocol's exact schema its own declaration", async () => {
    const { protocolFileSchema } = await import('../src/scenario/schema.js');
    const properties = protocolFileSchema('./vote.mjs', 'fixture-vote', vote.outcomes.names)['properties'] as Record<string, any>;
    assert.equal(properties['participants'].maximum, 4);
    assert.equal(properties['participants'].default, 2);
    assert.equal(properties['sweep'].properties.participants.items.maximum, 4);
  });
});
