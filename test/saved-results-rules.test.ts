import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { savedContent } from '../src/export/json.js';
import { contentDigest } from '../src/results/verify.js';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/**
 * Negative tests for the rules a saved results.json must meet where `plot` and a `notWorseThan`
 * baseline read it back (results/saved-report.ts), each with its digest made to match, so that
 * only the rule under test can refuse it; the unedited file is drawn.
 */
describe('a saved results.json read back: every rule refuses in one line', () => {
  const dir = tempFiles({ 's.yaml': 'protocol: messenger\nloss: 0.3\ntrials: 1000\nseed: 1\nsweep:\n  redundancy: [1, 2]\n' });
  let saved = '';
  let serial = 0;
  const results = async (): Promise<string> => {
    if (saved) return saved;
    const r = await cliInProcess(['run', join(dir, 's.yaml'), '--out', join(dir, 'out'), '--quiet', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [folder] = readdirSync(join(dir, 'out'));
    saved = join(dir, 'out', folder!, 'results.json');
    return saved;
  };
  const edited = async (change: (data: Record<string, unknown>) => void): Promise<string> => {
    const data = JSON.parse(readFileSync(await results(), 'utf8')) as Record<string, unknown>;
    change(data);
    data['digest'] = contentDigest(savedContent(data));
    const path = join(dir, `edited-${++serial}.json`);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const plotted = (path: string) => cliInProcess(['plot', path, '-o', join(dir, `chart-${++serial}.svg`)]);
  const refused = async (path: string, message: RegExp): Promise<void> => {
    const r = await plotted(path);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: [^\n]+\n$/, 'one line');
    assert.match(r.stderr.trimEnd(), message);
  };
  const tally = (data: Record<string, unknown>) =>
    (data['tallies'] as Record<string, unknown>[])[0]! as { trials: number; outcomes: number[]; messages: number[] };

  it('the file as saved is drawn', async () => {
    const r = await plotted(await results());
    assert.equal(r.status, 0, r.stderr);
  });

  it('written by another version', async () => {
    const path = await edited((d) => {
      d['version'] = '0.1.0';
    });
    await refused(
      path,
      /edited-\d+\.json: written by twogenerals 0\.1\.0; this is \d+\.\d+\.\d+: its counts may mean something else here, so re-run it with this version$/,
    );
  });

  it('another block size', async () => {
    const path = await edited((d) => {
      d['blockSize'] = 1024;
    });
    await refused(path, /edited-\d+\.json: its block size is 1024; this version cuts trials into blocks of 65536$/);
  });

  it('a cell with other trials than its scenario asks for (its counts consistent)', async () => {
    const path = await edited((d) => {
      const t = tally(d);
      t.trials += 1;
      t.outcomes[0]! += 1;
      t.messages[1]! += 1;
    });
    await refused(path, /edited-\d+\.json: cell 1 \(messenger\|bernoulli\|[^)]*\): it holds 1001 trials; the scenario asks for 1000$/);
  });

  it('a cell counting another number of outcomes than its protocol has', async () => {
    const path = await edited((d) => {
      tally(d).outcomes.push(0);
    });
    await refused(
      path,
      /edited-\d+\.json: cell 1 \([^)]*\): it counts 5 outcomes; its protocol messenger has 4 \(both, neither, onlyA, onlyB\): the counts were made with other outcomes$/,
    );
  });
});
