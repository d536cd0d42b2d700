import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A verdict on an exact value within the engine's own rounding of its bound (exactAllowance: a
 * few units in the last place near 1) is on no known side of it. It was counted as met on either
 * side: a gate `success atLeast b` passed (exit 0) and `plan` printed ✓ for a value the rounding
 * allowance put a hair below b, and so for a value above b whose truth may not be. Now `exact`
 * refuses such a gate (exit 2, nothing on stdout) and `plan` marks the target `?`, counts it as
 * not met and says why. Two-phase commit at 64 cohorts, R 200, loss 0.9, 3 copies: committed
 * 0.999984836742605 (the truth 0.99998483674260498…; the rounding allowed there 1.8e-15).
 */
const SCENARIO = 'name: c64\nprotocol: two-phase-commit\nloss: 0.9\nredundancy: 3\nrounds: 200\nparticipants: 64\nabortRate: 0\n';
const gated = (bound: string): string => `${SCENARIO}expect:\n  - { metric: success, atLeast: ${bound} }\n`;

describe('exact verdicts within the engine’s rounding of their bound', () => {
  const dir = tempFiles({
    'near.yaml': gated('0.999984836742606'),
    'below.yaml': gated('0.999984836742604'),
    'missed.yaml': gated('0.99998483674265'),
    'met.yaml': gated('0.9999848367426'),
    'c.yaml': SCENARIO,
  });

  it('exact refuses a gate it cannot judge, above or below the value, in one line with nothing on stdout', async () => {
    for (const [file, bound] of [
      ['near.yaml', '0.999984836742606'],
      ['below.yaml', '0.999984836742604'],
    ] as const) {
      const line = refusal(await cliIn(['exact', join(dir, file), '--format', 'csv']));
      const said = `${file}:9:5: the gate on success cannot be judged in c64 (loss=0.9, redundancy=3, rounds=200, participants=64, abortRate=0): its exact value 0.999984836742605 lies within the exact engine's rounding (1.8e-15) of ${bound}, so which side of it the true value is on is not known`;
      assert.ok(line.includes(said), line);
    }
  });

  it('exact judges a bound farther than its rounding: met or missed', async () => {
    const missed = await cliIn(['exact', join(dir, 'missed.yaml'), '--format', 'csv']);
    assert.equal(missed.status, 1, missed.stderr);
    assert.match(missed.stderr, /^expect failed: c64 .*success 0\.999984836742605 is not at least 0\.99998483674265\n$/);
    const met = await cliIn(['exact', join(dir, 'met.yaml'), '--format', 'csv']);
    assert.equal(met.status, 0, met.stderr);
  });

  it('plan marks such a target ?, does not count it as met, and says why', async () => {
    const r = await cliIn(['plan', join(dir, 'c.yaml'), '--target', 'success>=0.999984836742604', '--vary', 'redundancy=3:3']);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /│ 0\.999984836742605 \? +│/);
    assert.doesNotMatch(r.stdout, /✓/);
    assert.match(
      r.stderr,
      /^warning: redundancy=3: success 0\.999984836742605 lies within the exact engine's rounding \(1\.8e-15\) of 0\.999984836742604, so whether it meets success ≥ 0\.999984836742604 is not known; it is not counted as meeting it \(marked \?\)\ntwogenerals: no setting in range meets success ≥ 0\.999984836742604; /,
    );
    const csv = await cliIn(['plan', join(dir, 'c.yaml'), '--target', 'success>=0.999984836742604', '--vary', 'redundancy=3:3', '--format', 'csv', '--quiet']);
    assert.equal(csv.status, 1);
    assert.match(csv.stdout, /,undecided\n$/);
  });

  it('takes each engine’s own rounding: two-phase commit’s independent cohorts decide a bound 3e-15 from the value', async () => {
    // 10 cohorts, R 5, loss 0.2, abortRate 0.05: committed 0.5617023587325534 (the truth 0.56170235873255332).
    // The generic engines' 1e-12 of min(value, complement) would leave 0.56170235873255 undecided.
    const args = ['--set', 'protocol=two-phase-commit', '--set', 'participants=10', '--set', 'loss=0.2', '--set', 'rounds=5', '--set', 'abortRate=0.05'];
    const met = await cliIn(['plan', ...args, '--target', 'committed>=0.56170235873255', '--vary', 'redundancy=1:1']);
    assert.equal(met.status, 0, met.stderr);
    assert.match(met.stdout, /│ best │ 1 +│ 53\.087 +│ 0\.5617024 ✓ +│/);
    const near = await cliIn(['plan', ...args, '--target', 'committed>=0.5617023587325543', '--vary', 'redundancy=1:1']);
    assert.equal(near.status, 1, near.stdout);
    assert.match(near.stderr, /committed 0\.5617023587325534 lies within the exact engine's rounding \(1\.4e-15\) of 0\.5617023587325543/);
  });

  it('a notWorseThan gate of exact on two values within rounding of each other is refused as values that cannot be told apart', async () => {
    const base = tempFiles({ 'base.yaml': 'name: m\nprotocol: messenger\nloss: 0.5\nredundancy: 1\n' });
    const saved = await cliIn(['run', join(base, 'base.yaml'), '--trials', '100', '--out', join(base, 'out'), '--quiet', '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join(base, 'out', readdirSync(join(base, 'out'))[0]!);
    const gate = (loss: string): string =>
      `name: m\nprotocol: messenger\nloss: ${loss}\nredundancy: 1\nexpect:\n  - { metric: success, notWorseThan: ${baseline} }\n`;
    const files = tempFiles({ 'near.yaml': gate('0.50000000000001'), 'far.yaml': gate('0.5000001') });
    // success 0.49999999999999 against the baseline's 0.5: 1e-14 apart, within the 5e-13 the engine's rounding allows
    const line = refusal(await cliIn(['exact', join(files, 'near.yaml'), '--format', 'csv']));
    assert.match(
      line,
      /near\.yaml:6:5: notWorseThan: .*: success's exact values, 0\.49999999999999 and the baseline's 0\.5, cannot be told apart without trials/,
    );
    const far = await cliIn(['exact', join(files, 'far.yaml'), '--format', 'csv']);
    assert.equal(far.status, 1, far.stderr);
    assert.match(far.stderr, /success 0\.4999999 \(exact\) is lower than the baseline's 0\.5 \(exact/);
  });
});
