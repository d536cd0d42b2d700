import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// `--set a.b=…` where the file has no `a`: the message named a mapping the user never wrote, or a
// key it never left out; the same flag on a file that gives `a` was understood.
describe('--set into a key the file leaves out', () => {
  const dir = tempFiles({ 'plain.yaml': 'protocol: messenger\ntrials: 200\n' });
  const plain = join(dir, 'plain.yaml');

  it('expect.0… is refused as a list reached into, as where the file has an expect', async () => {
    for (const set of ['expect.0=null', 'expect.0.metric=success']) {
      const r = await cliIn(['validate', plain, '--set', set]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(
        r.stderr,
        `twogenerals: --set ${set}: expect is a list, and --set does not reach into a list (expect.0): give it whole, --set 'expect=[…]'\n`,
      );
    }
  });

  it('loss.AtoB keeps the default loss in the other direction, as the default scenario does', async () => {
    const r = await cliIn(['exact', plain, '--set', 'loss.AtoB=0.1', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [head, row] = r.stdout.trim().split('\n');
    const at = (name: string): string => row!.split(',')[head!.split(',').indexOf(name)]!;
    assert.deepEqual([at('lossAtoB'), at('lossBtoA'), at('success_exact')], ['0.1', '0.5', '0.99']);
    const byDefault = await cliIn(['exact', '--set', 'loss.AtoB=0.1', '-f', 'csv']);
    assert.equal(byDefault.stdout.trim().split('\n')[1]!.split(',').slice(3).join(','), row!.split(',').slice(3).join(','));
  });

  it('loss.AtoB over another channel says loss is not its parameter', async () => {
    const file = join(tempFiles({ 'ge.yaml': 'protocol: messenger\nchannel: { model: gilbert-elliott, goodToBad: 0.1, badToGood: 0.5 }\n' }), 'ge.yaml');
    const r = await cliIn(['validate', file, '--set', 'loss.AtoB=0.1']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^twogenerals: --set loss\.AtoB=0\.1: loss applies only to the bernoulli channel; /);
  });
});
