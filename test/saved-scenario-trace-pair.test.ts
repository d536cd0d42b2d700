import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

const TOWARD_B = `${'0'.repeat(40)}1${'0'.repeat(19)}11${'0'.repeat(38)}\n`;
const TOWARD_A = `${'01'.repeat(10)}${'0'.repeat(80)}\n`;
const SCENARIO = `protocol: handshake
channel: { model: trace, AtoB: traces/ab.txt, BtoA: traces/ba.txt }
rounds: 2
trials: 2000
`;

const csvOf = (cwd: string, args: readonly string[]): string => {
  const r = cli(args, {}, cwd);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

describe('a saved scenario.yaml with a trace per direction and stale copies where it was made', () => {
  it('runs on the pair with the recorded sha256, not the first pair found', () => {
    const root = tempFiles({});
    const made = join(root, 'alice', 'proj');
    const project = (ab: string, ba: string): void => {
      mkdirSync(join(made, 'ci', 'traces'), { recursive: true });
      writeFileSync(join(made, 'ci', 'traces', 'ab.txt'), ab);
      writeFileSync(join(made, 'ci', 'traces', 'ba.txt'), ba);
      writeFileSync(join(made, 'ci', 'link.yaml'), SCENARIO);
    };
    project(TOWARD_B, TOWARD_A);
    const expected = csvOf(made, ['run', 'ci/link.yaml', '-f', 'csv']);
    csvOf(made, ['run', 'ci/link.yaml', '--out', 'out', '--quiet']);
    const moved = join(root, 'runner', 'proj');
    mkdirSync(join(root, 'runner'));
    renameSync(made, moved);
    // Where the results were made (the recorded path itself, the first place tried): the
    // scenario again, one direction's trace as it was and the other's stale.
    project(TOWARD_B, TOWARD_A.replace('1', '0'));
    const [saved] = readdirSync(join(moved, 'out'));
    assert.equal(csvOf(moved, ['run', join(moved, 'out', saved!, 'scenario.yaml'), '-f', 'csv']), expected);
  });
});
