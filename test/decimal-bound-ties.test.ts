import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exactVerdict } from '../src/stats/exact-verdict.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * An exact value equal to its bound in the decimals a user writes meets it (issue 20: 0.999 meets
 * `success >= 0.999`), however many inputs it is made of. From the inputs' doubles, a small
 * probability made of many carried that many times their rounding: loss 0.1 and 2 copies over 5
 * rounds lost everything with probability 1.0000000000000011e-10, two-phase commit's cohorts at
 * 10 copies and R 10 blocked with 1.0000000000000056e-100, and a verdict allowed (k + 1) · 2^-53
 * of a value of size 10^-k for it. The exact values are now the decimals' own (1e-10, 1e-100),
 * rounded once: on the bound within a few units in the last place, with no allowance for inputs
 * that a value near but not on the bound would also have been granted.
 */
const RETRANSMIT = 'name: r\nprotocol: retransmit\nloss: 0.1\nredundancy: 2\nrounds: 5\n';
const COHORTS = 'name: c\nprotocol: two-phase-commit\nloss: 0.1\nredundancy: 10\nrounds: 10\nparticipants: 1\nabortRate: 0\n';
const gate = (metric: string, key: 'atMost' | 'atLeast', bound: string): string => `expect:\n  - { metric: ${metric}, ${key}: ${bound} }\n`;

describe('exact values on a decimal bound, made of many decimal inputs', () => {
  const dir = tempFiles({
    'neither.yaml': RETRANSMIT + gate('neither', 'atMost', '1e-10'),
    'neither-least.yaml': RETRANSMIT + gate('neither', 'atLeast', '1e-10'),
    'blocked.yaml': COHORTS + gate('blocked', 'atMost', '1e-100'),
    'r.yaml': RETRANSMIT,
    'c.yaml': COHORTS,
  });

  it('exact passes a gate on the bound the decimals give, from either side', async () => {
    for (const file of ['neither.yaml', 'neither-least.yaml', 'blocked.yaml']) {
      const r = await cliIn(['exact', join(dir, file), '--format', 'csv']);
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
      assert.equal(r.stderr, '', file);
    }
  });

  it('plan counts such a setting as meeting the target, with ✓ and no warning', async () => {
    const retransmit = await cliIn(['plan', join(dir, 'r.yaml'), '--target', 'neither<=1e-10', '--vary', 'rounds=5:5']);
    assert.equal(retransmit.status, 0, retransmit.stderr);
    assert.match(retransmit.stdout, /│ best │ 5 +│ [0-9.]+ +│ 1e-10 ✓ +│/);
    assert.doesNotMatch(retransmit.stderr, /warning/);
    const cohorts = await cliIn(['plan', join(dir, 'c.yaml'), '--target', 'blocked<=1e-100', '--vary', 'rounds=10:10', '--format', 'csv', '--quiet']);
    assert.equal(cohorts.status, 0, cohorts.stderr);
    assert.match(cohorts.stdout, /\n[^\n]*,true\n$/);
  });

  it('notWorseThan: the same decimal value from other inputs (0.1^100 against a baseline of 0.01^50) is not worse', async () => {
    const base = tempFiles({ 'base.yaml': 'name: m\nprotocol: messenger\nloss: 0.01\nredundancy: 50\n' });
    const saved = await cliIn(['run', join(base, 'base.yaml'), '--trials', '100', '--out', join(base, 'out'), '--quiet', '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join(base, 'out', readdirSync(join(base, 'out'))[0]!);
    const gated = (metric: string): string =>
      `name: m\nprotocol: messenger\nloss: 0.1\nredundancy: 100\nexpect:\n  - { metric: ${metric}, notWorseThan: ${baseline} }\n`;
    const files = tempFiles({ 'disagreement.yaml': gated('disagreement'), 'success.yaml': gated('success') });
    for (const file of ['disagreement.yaml', 'success.yaml']) {
      // 1e-100 both (from the doubles 1.000000000000006e-100 and 1.0000000000000009e-100, refused as values that cannot be told apart, exit 2).
      const r = await cliIn(['exact', join(files, file), '--format', 'csv']);
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    }
  });

  it('a value near a short decimal bound but not on it is not counted as on it', () => {
    // 75 units in the last place above 1e-300, as 0.1^300 was from the double 0.1: farther than
    // the engine's rounding (1e-15), so above it; it was counted as on the bound, and met both.
    assert.equal(exactVerdict(1.0000000000000168e-300, '<=', 1e-300, 1e-15), 'missed');
    assert.equal(exactVerdict(1.0000000000000168e-300, '>=', 1e-300, 1e-15), 'met');
    assert.equal(exactVerdict(1e-300, '<=', 1e-300, 1e-15), 'met');
    assert.equal(exactVerdict(1.000000000000068e-300, '<=', 1e-300, 1e-15), 'missed');
    assert.equal(exactVerdict(0.5617023587325533, '>=', 0.5617023587325543, 1e-15), 'undecided');
  });
});
