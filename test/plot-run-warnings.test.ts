import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// plot SCENARIO runs it as run does: what run says of the run on stderr, plot says too (it drew a
// precision never reached, stopped at maxTrials, as if it had been reached, and said nothing).
describe('plot of a scenario it runs', () => {
  it('warns of a precision not reached at maxTrials, as run does', async () => {
    const dir = tempFiles({ 'p.yaml': 'protocol: messenger\ntrials: { precision: 0.000001, maxTrials: 2000 }\nsweep: { redundancy: [1, 2] }\n' });
    const chart = join(dir, 'chart.svg');
    const r = await cliIn(['plot', join(dir, 'p.yaml'), '-o', chart]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(chart));
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    assert.equal(warnings.length, 2, r.stderr);
    for (const w of warnings)
      assert.match(
        w,
        /^warning: p \(loss=0\.5, redundancy=[12], rounds=1\): precision 0\.000001 not reached: stopped at maxTrials, 2,000 trials, with a half-width of /,
      );
    const quiet = await cliIn(['plot', join(dir, 'p.yaml'), '-o', chart, '--quiet']);
    assert.equal(quiet.stderr, '');
  });
});
