import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { savedContent } from '../src/export/json.js';
import { contentDigest } from '../src/results/verify.js';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A saved run of two scenarios, the first without a gate and the second with a `notWorseThan`:
 * its results.json records the baseline's digest under the second scenario's own entry, so a
 * re-export after another run is saved in the baseline's place is refused; and a record that is
 * not one list of digests (or nulls) per scenario is refused as such.
 */
describe("a re-export of two scenarios' run, the second gated against a baseline", () => {
  const dir = tempFiles({
    'plain.yaml': 'name: plain\nprotocol: messenger\ntrials: 2000\n',
    'gate.yaml': 'name: gate\nprotocol: messenger\ntrials: 2000\nexpect:\n  - { metric: success, notWorseThan: ./base/b1 }\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const saveBaseline = async (loss: number): Promise<void> => {
    rmSync(join(dir, 'base'), { recursive: true, force: true });
    const r = await cliIn(['run', '--set', `loss=${loss}`, '--trials', '2000', '--no-exact', '--out', join(dir, 'base'), '--quiet', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    renameSync(join(dir, 'base', readdirSync(join(dir, 'base'))[0]!), join(dir, 'base', 'b1'));
  };
  const saveRun = async (): Promise<string> => {
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    await cliIn(['run', join(dir, 'plain.yaml'), join(dir, 'gate.yaml'), '--no-exact', '--out', out, '--quiet', '-f', 'csv']);
    return join(out, readdirSync(out)[0]!);
  };

  it("records the gate's baseline under the second scenario and refuses the re-export once the baseline is replaced", async () => {
    await saveBaseline(0.3);
    const folder = await saveRun();
    const data = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Record<string, unknown>;
    const recorded = data['baselines'] as unknown[][];
    assert.equal(recorded.length, 2);
    assert.deepEqual(recorded[0], []);
    assert.match(String(recorded[1]![0]), /^sha256:[0-9a-f]{64}$/);
    await saveBaseline(0.7);
    const says = refusal(await cliIn(['merge', folder, '-f', 'csv']), 'merge');
    assert.match(says, /gate\.yaml:5:5: notWorseThan \.\/base\/b1: not the baseline that [^\n]*results\.json was judged against/);
  });

  it('refuses a record of baselines with a list too many, or a digest that is no text', async () => {
    await saveBaseline(0.7);
    const folder = await saveRun();
    const data = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as Record<string, unknown>;
    const digest = (data['baselines'] as string[][])[1]![0]!;
    for (const [what, baselines] of [
      ['a list too many', [[], [digest], []]],
      ['a number for a digest', [[], [7]]],
    ] as const) {
      const edited = join(dir, 'edited.json');
      writeFileSync(edited, JSON.stringify({ ...data, baselines, digest: contentDigest(savedContent({ ...data, baselines })) }));
      const says = refusal(await cliIn(['merge', edited, '-f', 'csv']), what);
      assert.match(says, /edited\.json: its digests of the gates' baselines are not one list per scenario\n$/, what);
    }
  });
});
