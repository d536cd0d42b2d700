import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { xmlText } from '../src/export/junit.js';
import { toRows } from '../src/export/rows.js';
import { expandCells } from '../src/scenario/cells.js';
import { summarize } from '../src/stats/summary.js';
import { scenarioFrom } from './helpers.js';

/**
 * The exporters' rules that no shipped scenario reaches, on summaries made by hand: a report where
 * only some cells have exact values, a statistic that is not finite, characters XML cannot hold.
 */

function handshake(tally: CellResult['tally'], exact: CellResult['exact']): CellResult {
  const [cell] = expandCells(scenarioFrom({ protocol: 'handshake', rounds: 2, redundancy: 1, trials: 4 }));
  return { cell: cell!, copies: 1, deliveryValues: [1], tally, exact };
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
  it('names U+FFFE and U+FFFF, which XML cannot hold, and escapes markup', () => {
    assert.equal(xmlText('a\uFFFEb\uFFFF<&>"\''), 'a\\ufffeb\\uffff&lt;&amp;&gt;&quot;&apos;');
  });
});
