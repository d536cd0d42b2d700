import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A refusal names its file and place whole, however deep the folder (a CI runner's workspace, a
 * long TMPDIR): an error line showed a place longer than 300 characters by its ends, so a
 * scenario 150 characters deep lost its line:column and the words after it (`the file's
 * crashCoordinator (/tmp/…/twogenerals-test-7820-1-9…, not messenger`), and one 300 deep was named
 * without its file name. Only a place longer than any path (a flag's value of 40,000 characters)
 * is shown by its ends.
 */
describe('a scenario in a deep folder', () => {
  const deep = (): string => {
    const dir = join(tempFiles({}), ...['a', 'b', 'c', 'd'].map((c) => c.repeat(100)));
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('is named whole, with its line and column, in a refusal of one of its values', async () => {
    const file = join(deep(), 'bad-loss.yaml');
    writeFileSync(file, 'protocol: messenger\nloss: 2\ntrials: 1000\n');
    const says = refusal(await cliIn(['validate', file]));
    assert.ok(says.startsWith(`twogenerals: ${file}:2:7: loss `), says);
  });

  it("is named whole inside a flag's refusal, with the words after it", async () => {
    const file = join(deep(), 'coordinator.yaml');
    writeFileSync(file, 'protocol: two-phase-commit\ncrashCoordinator: 0.1\ntrials: 1000\n');
    const says = refusal(await cliIn(['validate', file, '--set', 'protocol=messenger']));
    assert.ok(
      says.startsWith(
        `twogenerals: --set protocol=messenger: the file's crashCoordinator (${file}:2:1) was written for its two-phase-commit protocol, not messenger (remove it with --set crashCoordinator=null)`,
      ),
      says,
    );
  });
});
