import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { savedContent } from '../src/export/json.js';
import { contentDigest } from '../src/results/verify.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A re-export of a saved run (`merge results.json`) judges its `notWorseThan` gates against the
 * baseline the run was judged against, or is refused: a baseline saved again under the same
 * path (another run put in its place) gave the re-export other verdicts under the saved run's
 * name, and a run whose gate failed (exit 1) re-exported with exit 0.
 */
describe('a re-export of a saved run keeps the baseline its gates were judged against', () => {
  const dir = tempFiles({
    'gate.yaml': 'name: gate\nprotocol: messenger\ntrials: 2000\nexpect:\n  - { metric: success, notWorseThan: ./base/b1 }\n',
  });
  /** Saves a run of the messenger at this loss as dir/base/b1, in place of any before it. */
  const saveBaseline = async (loss: number): Promise<void> => {
    rmSync(join(dir, 'base'), { recursive: true, force: true });
    const r = await cliIn(['run', '--set', `loss=${loss}`, '--trials', '2000', '--no-exact', '--out', join(dir, 'base'), '--quiet', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    renameSync(join(dir, 'base', readdirSync(join(dir, 'base'))[0]!), join(dir, 'base', 'b1'));
  };
  const saveRun = async (): Promise<{ folder: string; status: number | null }> => {
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    const r = await cliIn(['run', join(dir, 'gate.yaml'), '--no-exact', '--out', out, '--quiet', '-f', 'csv']);
    return { folder: join(out, readdirSync(out)[0]!), status: r.status };
  };

  it('re-exports a failed gate as failed while its baseline is the same', async () => {
    await saveBaseline(0.3);
    const { folder, status } = await saveRun();
    assert.equal(status, 1, 'the run fails its gate: its baseline is better');
    const r = await cliIn(['merge', folder, '-f', 'json']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, readFileSync(join(folder, 'results.json'), 'utf8'), 'the re-export is the saved results.json');
  });

  it('refuses the re-export once another run is saved in the baseline’s place, where it passed the gate with exit 0', async () => {
    await saveBaseline(0.3);
    const { folder, status } = await saveRun();
    assert.equal(status, 1);
    await saveBaseline(0.7);
    for (const format of ['csv', 'json', 'junit']) {
      const r = await cliIn(['merge', folder, '-f', format]);
      assert.equal(r.status, 2, `${format}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: [^\n]*gate\.yaml:5:5: notWorseThan \.\/base\/b1: not the baseline that [^\n]*results\.json was judged against \(its digest differs from the one recorded there\): re-run the scenario to judge it against the baseline as it is now\n$/,
      );
    }
  });

  it('re-exports as saved where the baseline is saved again with the same counts', async () => {
    await saveBaseline(0.7);
    const { folder, status } = await saveRun();
    assert.equal(status, 0);
    await saveBaseline(0.7);
    const r = await cliIn(['merge', folder, '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(folder, 'results.json'), 'utf8'));
  });

  it('refuses a record of baselines that is not one list per scenario', async () => {
    await saveBaseline(0.7);
    const { folder } = await saveRun();
    const data = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Record<string, unknown>;
    assert.equal((data['baselines'] as unknown[][])[0]!.length, 1, 'the run records its gate’s baseline');
    data['baselines'] = ['sha256:0'];
    data['digest'] = contentDigest(savedContent(data));
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(data));
    const r = await cliIn(['merge', edited, '-f', 'csv']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: [^\n]*edited\.json: its digests of the gates' baselines are not one list per scenario\n$/);
  });
});
