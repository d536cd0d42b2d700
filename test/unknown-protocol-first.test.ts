import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A scenario whose `protocol` names no protocol is refused for that, at that line: the keys
 * beside it are judged against the protocol, so a protocol file's own parameter next to the
 * file's name written instead of its path was refused as an unknown key.
 */
describe('a protocol that names no protocol', () => {
  it("is refused at the protocol line, not at the file's own parameter beside it", async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: three-phase-commit\ncohorts: 4\nnoVoteRate: 0.1\nloss: 0.05\n' });
    for (const command of ['validate', 'run', 'exact']) {
      const stderr = refusal(await cliIn([command, join(dir, 's.yaml')]), command);
      assert.match(
        stderr,
        /s\.yaml:1:11: unknown protocol 'three-phase-commit' .*; choose one of: messenger, .*, or a protocol file by its path, relative to the scenario \(\.\/my-protocol\.mjs\)\n$/,
        command,
      );
    }
  });

  it('is refused for the protocol when a flag names it', async () => {
    const stderr = refusal(await cliIn(['validate', 'examples/three-phase-commit.yaml', '--set', 'protocol=three-phase-commit']));
    assert.match(
      stderr,
      /^twogenerals: --set protocol=three-phase-commit: unknown protocol 'three-phase-commit' .*; choose one of: .*, or a protocol file by its path/,
    );
  });

  it('is refused for the protocol before a misspelt key', async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: handshak\nrounds: 2\nredundancancy: 2\n' });
    assert.match(refusal(await cliIn(['validate', join(dir, 's.yaml')])), /s\.yaml:1:11: unknown protocol 'handshak' \(did you mean 'handshake'\?\)/);
  });
});
