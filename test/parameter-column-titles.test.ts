import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ownOutcomesProtocolFile, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeriesOnce } from './cli-series.js';

/**
 * A protocol file's own parameters named as the table's short titles of the catalog's (`k` for
 * redundancy, `R` for rounds) and `participants`, which two-phase commit titles `n`, beside its own
 * `n`: each column and each fixed value of the heading must name one parameter only.
 */
const parameters = `[
    { name: 'k', description: 'unused', integer: true, minimum: 0, maximum: 9, default: 7 },
    { name: 'R', description: 'unused', integer: true, minimum: 0, maximum: 9, default: 8 },
    { name: 'n', description: 'unused', integer: true, minimum: 0, maximum: 9, default: 9 },
    { name: 'participants', description: 'unused', integer: true, minimum: 1, maximum: 4, default: 2 },
  ]`;

const dir = tempFiles({
  'titled.mjs': ownOutcomesProtocolFile('titled', "['lit', 'dark']", parameters),
  'swept.yaml': 'protocol: ./titled.mjs\nloss: 0.5\nredundancy: 1\ntrials: 100\nseed: 7\nsweep:\n  redundancy: [1, 2]\n  k: [3, 4]\n',
  'one.yaml': 'protocol: ./titled.mjs\nloss: 0.5\ntrials: 100\nseed: 7\n',
  '2pc.yaml': 'protocol: two-phase-commit\nloss: 0.5\ntrials: 100\nseed: 7\n',
  'labelled.mjs': ownOutcomesProtocolFile('labelled', "['lit', 'dark'], labels: ['redundancy', 'stalls']", parameters),
});
const at = (name: string): string => join(dir, name);

const series = cliSeriesOnce([
  ['run', at('swept.yaml'), '--workers', '1', '-f', 'markdown'],
  ['run', at('swept.yaml'), '--workers', '1', '-f', 'table'],
  ['run', at('one.yaml'), at('2pc.yaml'), '--workers', '1', '-f', 'markdown'],
  ['check', at('labelled.mjs')],
]);

/** A Markdown table's header cells, the first table after the heading that starts `### name:`. */
function markdownHeader(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`### ${name}:`));
  const head = lines.slice(start).find((l) => l.startsWith('| '))!;
  return head
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());
}

describe("a protocol file's parameter named as another parameter's short title", () => {
  it('leaves that parameter titled by its name, in the Markdown columns and heading', () => {
    const [markdown] = series() as [CliResult];
    assert.equal(markdown.status, 0, markdown.stderr);
    const header = markdownHeader(markdown.stdout, 'swept');
    assert.deepEqual(header.slice(0, 2), ['redundancy', 'k']);
    // The heading's fixed values: rounds beside the file's own R, participants beside its own n.
    const heading = markdown.stdout.split('\n').find((l) => l.startsWith('### swept:'))!;
    assert.match(heading, /\(loss 0\.5, rounds 1, R 8, n 9, participants 2\)/);
  });

  it('gives every column of the terminal table a title of its own', () => {
    const table = (series() as CliResult[])[1]!;
    assert.equal(table.status, 0, table.stderr);
    const titles = table.stdout
      .split('\n')
      .find((l) => l.includes('success'))!
      .split('│')
      .map((c) => c.trim())
      .filter(Boolean);
    assert.deepEqual(titles.slice(0, 2), ['redundancy', 'k']);
    assert.equal(new Set(titles).size, titles.length, titles.join(' | '));
  });

  it('keeps the short titles where nothing else is named so, beside the file in one command', () => {
    const both = (series() as CliResult[])[2]!;
    assert.equal(both.status, 0, both.stderr);
    const file = markdownHeader(both.stdout, 'one');
    assert.equal(new Set(file).size, file.length, file.join(' | '));
    assert.deepEqual(file.slice(0, 7), ['loss', 'redundancy', 'rounds', 'k', 'R', 'n', 'participants']);
    assert.deepEqual(markdownHeader(both.stdout, '2pc').slice(0, 5), ['loss', 'k', 'R', 'n', 'abortRate']);
  });

  it("refuses an outcome label named as such a parameter, which titles that parameter's column", () => {
    const checked = (series() as CliResult[])[3]!;
    assert.equal(checked.status, 2, checked.stdout);
    assert.match(checked.stderr, /outcomes\.labels titles success 'redundancy', the title of another column \(redundancy\)/);
    assert.equal(checked.stderr.split('\n').length, 2, checked.stderr);
  });
});
