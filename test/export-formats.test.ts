import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FORMAT_NAMES } from '../src/export/index.js';
import { writtenColumns } from '../src/export/rows.js';
import { cliInProcess } from './in-process.js';

/**
 * Every exporter's bytes pinned on one report: a sweep with a gate that passes and one that fails,
 * exact values beside the estimates, a description with characters Markdown and XML escape, and
 * two-phase commit's own outcome columns. The expected files are the outputs of this version, read
 * line by line when they were made (test/fixtures/export/); a change meant to alter a format
 * rewrites them with the command in their test.
 */
const DIR = 'test/fixtures/export';
const ARGS = ['run', `${DIR}/gated.yaml`, `${DIR}/commit.yaml`, '--workers', '1'];

describe('the exporters print the bytes pinned for each format', () => {
  it('every format has its pinned output', () => {
    assert.deepEqual(FORMAT_NAMES, ['table', 'csv', 'json', 'markdown', 'junit']);
  });
  for (const format of FORMAT_NAMES) {
    it(`${format}: the failing gate exits 1 after the whole output`, async () => {
      // to rewrite: node bin/twogenerals.js run test/fixtures/export/gated.yaml test/fixtures/export/commit.yaml --workers 1 -f FORMAT > test/fixtures/export/expected.FORMAT
      const r = await cliInProcess([...ARGS, '-f', format]);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, readFileSync(`${DIR}/expected.${format}`, 'utf8'));
      assert.match(
        r.stderr,
        /^expect failed: gated \(lossAtoB=0\.1, lossBtoA=0\.3, redundancy=2, rounds=1\): disagreement \[0\.006877887380873446, 0\.015998901907473176\] is not at most 0\.01\n/,
      );
    });
  }
  it('trace: the text timeline and the Mermaid diagram', async () => {
    // to rewrite: the two trace commands below with > test/fixtures/export/expected.trace-text (-mermaid)
    const text = await cliInProcess(['trace', `${DIR}/gated.yaml`, '--cell', '2', '--first', 'onlyA']);
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stdout, readFileSync(`${DIR}/expected.trace-text`, 'utf8'));
    const mermaid = await cliInProcess(['trace', `${DIR}/commit.yaml`, '--trial', '2', '-f', 'mermaid']);
    assert.equal(mermaid.status, 0, mermaid.stderr);
    assert.equal(mermaid.stdout, readFileSync(`${DIR}/expected.trace-mermaid`, 'utf8'));
  });
  for (const format of ['csv', 'json', 'markdown']) {
    it(`exact, ${format}: the exact-only columns`, async () => {
      // to rewrite: node bin/twogenerals.js exact test/fixtures/export/gated.yaml test/fixtures/export/commit.yaml -f FORMAT > test/fixtures/export/expected-exact.FORMAT
      const r = await cliInProcess(['exact', `${DIR}/gated.yaml`, `${DIR}/commit.yaml`, '-f', format]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${DIR}/expected-exact.${format}`, 'utf8'));
    });
  }
  it('trace: a crash, single copies and a blocked commit, in both formats', async () => {
    // to rewrite: node bin/twogenerals.js trace test/fixtures/export/crash.yaml --first blocked [-f mermaid] > test/fixtures/export/expected.trace-crash-text (-mermaid)
    for (const [format, file] of [
      ['text', 'expected.trace-crash-text'],
      ['mermaid', 'expected.trace-crash-mermaid'],
    ] as const) {
      const r = await cliInProcess(['trace', `${DIR}/crash.yaml`, '--first', 'blocked', '-f', format]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${DIR}/${file}`, 'utf8'));
    }
  });
  it('a run to a precision over a sweep, a sweep that leaves no fixed parameter, a JSON report without gates, a trace with votes', async () => {
    // to rewrite: the commands below, > the files they are compared with
    const cases: [string[], string][] = [
      [['run', `${DIR}/precise.yaml`, `${DIR}/swept.yaml`, `${DIR}/single.yaml`, '--workers', '1'], 'expected-precise.table'],
      [['run', `${DIR}/commit.yaml`, '-f', 'json', '--workers', '1'], 'expected-commit.json'],
      [['trace', `${DIR}/commit.yaml`, '--trial', '2'], 'expected.trace-commit-text'],
    ];
    for (const [args, file] of cases) {
      const r = await cliInProcess(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${DIR}/${file}`, 'utf8'), file);
    }
  });
  it('the columns a protocol’s names must not take: every written column, its outcomes and their exact columns', () => {
    const columns = writtenColumns(['won', 'lost']);
    assert.deepEqual(columns.slice(0, 3), ['scenario', 'protocol', 'channel']);
    for (const name of ['trials', 'seed', 'won', 'lost', 'won_exact', 'lost_exact', 'success', 'messengers_sd', 'success_exact', 'rounds_mean_exact']) {
      assert.ok(columns.includes(name), name);
    }
  });
});
