import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { cli } from './helpers.js';

// A seed is any text, and ' 7' draws other streams than '7': a CSV cell left bare is trimmed by
// many readers (csv-parse's trim, spreadsheets), which then name a seed the run did not use.
describe('CSV text that starts or ends with white space', () => {
  for (const seed of [' 7', '7 ', '\t7']) {
    it(`is quoted, so a reader that trims cells still reads the seed ${JSON.stringify(seed)}`, () => {
      const r = cli(['run', '--trials', '5', '--seed', seed, '--no-exact', '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = parse(r.stdout, { columns: true, trim: true }) as Record<string, string>[];
      assert.equal(row!['seed'], seed.startsWith('\t') ? `'${seed}` : seed);
    });
  }

  it('leaves other cells bare, as before', () => {
    const r = cli(['run', '--trials', '5', '--seed', '7', '--no-exact', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.split('\n')[1]!, /^seed-foot-soldiers,messenger,bernoulli,0\.5,2,1,5,7,/);
  });
});
