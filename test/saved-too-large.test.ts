import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { INPUT_LIMITS, tooLargeToReadBack } from '../src/io/files.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A saved results.json holds every row beside its counts, about 1.1 kB a cell: the largest sweep
 * (100,000 cells: `run --sweep loss=0.00001:1:0.00001 --trials 1 --out DIR`) saved 110 MB, which
 * `merge` and a `notWorseThan` gate refuse (64 MB), and nothing said so until then. The run says
 * so when it saves it.
 */
describe('a saved results.json too large to read back is named when it is saved', () => {
  it('names the size and the limit only past the limit', () => {
    assert.equal(tooLargeToReadBack(INPUT_LIMITS.shard, 'shard'), null);
    assert.equal(tooLargeToReadBack(110_561_764, 'shard'), 'it is 106 MB, more than the 64 MB twogenerals reads (README, "Input limits")');
  });

  it('warns on stderr where merge then refuses the folder, and not where it re-exports it', async () => {
    const limits = INPUT_LIMITS as { shard: number };
    const kept = limits.shard;
    const dir = tempFiles({});
    try {
      // A limit the run's own results.json passes stands for the 64 MB a sweep of 60,000 cells passes.
      limits.shard = 2048;
      const saved = await cliIn(['run', '--trials', '100', '--out', join(dir, 'big'), '-f', 'csv']);
      assert.equal(saved.status, 0, saved.stderr);
      const folder = join(dir, 'big', readdirSync(join(dir, 'big'))[0]!);
      assert.match(
        saved.stderr,
        /\nwarning: [^\n]*results\.json: it is 1 MB, more than the 1 MB twogenerals reads \(README, "Input limits"\), so `merge` cannot re-export it and no `notWorseThan` gate can take it as its baseline \(`plot` reads its results\.csv\)\n$/,
      );
      const merged = await cliIn(['merge', folder, '-f', 'csv']);
      assert.equal(merged.status, 2);
      assert.match(merged.stderr, /the results file is larger than/);
      limits.shard = kept;
      const fits = await cliIn(['run', '--trials', '100', '--out', join(dir, 'small'), '-f', 'csv']);
      assert.equal(fits.status, 0, fits.stderr);
      assert.doesNotMatch(fits.stderr, /warning/);
    } finally {
      limits.shard = kept;
    }
  });
});
