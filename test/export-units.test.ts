import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { xmlText } from '../src/export/junit.js';
import { markdownExporter } from '../src/export/markdown.js';
import { shortProportion } from '../src/export/numbers.js';
import { toRows } from '../src/export/rows.js';
import { tableExporter } from '../src/export/table.js';
import type { Report } from '../src/report.js';
import { expandCells } from '../src/scenario/cells.js';
import { summarize } from '../src/stats/summary.js';
import { scenarioFrom, tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/**
 * The exporters' rules that no shipped scenario reaches, on summaries made by hand: a report where
 * only some cells have exact values, a statistic that is not finite, characters XML cannot hold.
 */

/** One cell for every summary: a report's tables group cells by their scenario. */
const [CELL] = expandCells(scenarioFrom({ protocol: 'handshake', rounds: 2, redundancy: 1, trials: 4 }));

function handshake(tally: CellResult['tally'], exact: CellResult['exact']): CellResult {
  return { cell: CELL!, copies: 1, deliveryValues: [1], tally, exact };
}

const TALLY = { trials: 4, outcomes: [2, 1, 1, 0], messages: [0, 2, 2], deliveries: [3], rounds: 6 };

function exact(overrides: Record<string, number> = {}): NonNullable<CellResult['exact']> {
  return {
    outcomes: [0.5, 0.25, 0.25, 0],
    messages: [0, 0.5, 0.5],
    messagesMean: 1.5,
    messagesSecondMoment: 2.5,
    deliveredMean: 0.75,
    roundsMean: 1.5,
    statesExpanded: 1,
    ...overrides,
  } as never;
}

describe('rows', () => {
  it('have the exact columns when some cell has exact values, empty for a cell without', () => {
    const rows = toRows([summarize(handshake(TALLY, exact()), 0.95), summarize(handshake(TALLY, null), 0.95)]);
    assert.ok(rows.columns.includes('success_exact') && rows.columns.includes('messengers_z'));
    assert.equal(rows.records[0]!['success_exact'], 0.5);
    assert.equal(rows.records[1]!['success_exact'], null);
    assert.equal(rows.records[1]!['messengers_z'], null);
  });

  it('write a statistic that is not finite as an empty field, with trials or exact only', () => {
    const withTrials = toRows([summarize(handshake(TALLY, exact({ messagesMean: Number.POSITIVE_INFINITY })), 0.95)]);
    assert.equal(withTrials.records[0]!['messengers_exact'], null);
    const exactOnly = toRows([summarize(handshake(null, exact({ deliveredMean: Number.NaN, roundsMean: Number.POSITIVE_INFINITY })), 0.95)]);
    assert.equal(exactOnly.records[0]!['delivered_mean_exact'], null);
    assert.equal(exactOnly.records[0]!['rounds_mean_exact'], null);
    assert.equal(exactOnly.records[0]!['success_exact'], 0.5);
  });
});

describe('XML text', () => {
  it('names U+FFFE and U+FFFF, which XML cannot hold, replaces a lone surrogate, and escapes markup', () => {
    assert.equal(xmlText('a\uFFFEb\uFFFF<&>"\''), 'a\\ufffeb\\uffff&lt;&amp;&gt;&quot;&apos;');
    assert.equal(xmlText('a\uD83D\uDE00b\uD800c\uDC00'), 'a\uD83D\uDE00b\uFFFDc\uFFFD');
  });

  it('counts the failed checks of a JUnit report, not the passed ones', async () => {
    const dir = tempFiles({
      'g.yaml': [
        'name: g',
        'protocol: handshake',
        'loss: { AtoB: 0.1, BtoA: 0.3 }',
        'redundancy: 2',
        'rounds: 1',
        'trials: 2000',
        'seed: exporters',
        'expect:',
        '  - { metric: success, atLeast: 0.5 }',
        '  - { metric: disagreement, atMost: 0.01 }',
        '  - { metric: success, atMost: 1 }',
        '',
      ].join('\n'),
    });
    const r = await cliInProcess(['run', `${dir}/g.yaml`, '-f', 'junit', '--workers', '1']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^<testsuites name="twogenerals" tests="3" failures="1" /m);
  });
});

describe('numbers', () => {
  it('write a proportion above 0.99999 as 1 less its complement', () => {
    assert.equal(shortProportion(0.999995), '1−5.0e-6');
    assert.equal(shortProportion(0.99999), '0.99999');
  });
});

describe('reports whose cells lack exact values, or trials', () => {
  const report = (summaries: Report['summaries']): Report =>
    ({ tool: { name: 'twogenerals', version: '0' }, scenarios: [summaries[0]!.cell.scenario], summaries, blockSize: 65_536, confidence: 0.95 }) as Report;

  it('rows: no exact columns when no cell has exact values; exact-only rows with a cell without them', () => {
    const plain = toRows([summarize(handshake(TALLY, null), 0.95)]);
    assert.ok(!plain.columns.includes('success_exact'));
    const exactOnly = toRows([summarize(handshake(null, exact()), 0.95), summarize(handshake(null, null), 0.95)]);
    assert.equal(exactOnly.records[0]!['disagreement_exact'], 0.25);
    assert.equal(exactOnly.records[1]!['disagreement_exact'], null);
  });

  it('rows: loss, redundancy and rounds are columns even where a channel has no loss', () => {
    const [cell] = expandCells(
      scenarioFrom({ protocol: 'handshake', channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.5 }, rounds: 2, trials: 4 }),
    );
    assert.equal('loss' in cell!.params, false);
    const rows = toRows([summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally: TALLY, exact: null }, 0.95)]);
    assert.deepEqual(rows.columns.slice(3, 6), ['loss', 'redundancy', 'rounds']);
    assert.equal(rows.records[0]!['loss'], null);
  });

  it('markdown and the table print a cell without exact values beside one with them', () => {
    const mixed = report([summarize(handshake(TALLY, exact()), 0.95), summarize(handshake(TALLY, null), 0.95)]);
    const markdown = markdownExporter.render(mixed, { color: false });
    assert.equal(markdown.split('\n').filter((line) => line.startsWith('| ')).length, 4, markdown);
    const table = tableExporter.render(report([summarize(handshake(TALLY, null), 0.95)]), { color: false });
    assert.doesNotMatch(table, /= |z[+−-]\d|NaN/);
  });

  it('the table prints an exact-only cell without estimates or z-scores', () => {
    const table = tableExporter.render(report([summarize(handshake(null, exact()), 0.95)]), { color: false });
    assert.match(table, /= 0\.50000/);
    assert.doesNotMatch(table, /NaN|z[+−-]\d|Stryker|–/, 'no estimate, not even a dash for one');
    assert.equal(tableExporter.name, 'table', 'the CLI asks for colour by this name');
  });
});

describe('trace text', () => {
  it('words a coordinated attack', async () => {
    const r = await cliInProcess(['trace', 'test/fixtures/export/gated.yaml', '--first', 'both']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^outcome: both generals attack \(coordinated\); /m);
  });
});
