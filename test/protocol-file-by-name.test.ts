import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, cli, tempFiles } from './helpers.js';

const PROTOCOL = readFileSync(join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'), 'utf8');
const BY_PATH = 'protocol: ./three-phase-commit.mjs\ncohorts: 2\ntrials: 1000\n';
const BY_NAME = 'protocol: three-phase-commit\ncohorts: 2\ntrials: 1000\n';
const REFUSAL =
  /^twogenerals: by-name\.yaml:1:11: unknown protocol 'three-phase-commit'.*or a protocol file by its path, relative to the scenario \(\.\/my-protocol\.mjs\)\n$/;

/**
 * A scenario names a protocol file by its path, never by the name the file declares. That name
 * was known once another scenario of the same command had loaded the file, so a scenario naming
 * it ran there (recording no digest of the file it ran), and was refused on its own.
 */
describe("a scenario naming a protocol file by the file's declared name", () => {
  it('is refused on its own', () => {
    const dir = tempFiles({ 'three-phase-commit.mjs': PROTOCOL, 'by-name.yaml': BY_NAME });
    const r = cli(['run', 'by-name.yaml', '-f', 'csv'], {}, dir);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, REFUSAL);
  });

  it('is refused the same beside a scenario that loaded the file by its path, and nothing is printed', () => {
    const dir = tempFiles({ 'three-phase-commit.mjs': PROTOCOL, 'by-path.yaml': BY_PATH, 'by-name.yaml': BY_NAME });
    const r = cli(['run', 'by-path.yaml', 'by-name.yaml', '-f', 'csv'], {}, dir);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, REFUSAL);
    assert.equal(r.stdout, '');
  });

  it('runs by its path', () => {
    const dir = tempFiles({ 'three-phase-commit.mjs': PROTOCOL, 'by-path.yaml': BY_PATH });
    const r = cli(['run', 'by-path.yaml', '-f', 'csv', '--no-exact'], {}, dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,protocol,/);
  });
});
