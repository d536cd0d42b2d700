import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chartSpec } from '../src/plot/chart.js';
import type { Row } from '../src/plot/chart.js';
import { succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** A value a chart cannot draw is left off, and a note on stderr says how many, of which line, and why. */

const row = (redundancy: number, messengers: number, exact: number | null = null): Row => ({
  scenario: 's',
  protocol: 'messenger',
  channel: 'bernoulli',
  loss: 0.5,
  redundancy,
  trials: 100,
  messengers_mean: messengers,
  messengers_exact: exact,
});

const drawn = (spec: Record<string, unknown>): { estimate: number | null; exact: number | null }[] =>
  (spec['data'] as { values: { estimate: number | null; exact: number | null }[] }).values;

describe('a value a chart cannot draw', () => {
  const options = { metric: 'messengers_mean', x: 'redundancy', series: null, logY: false, title: 's' };

  it('NaN or ±Infinity is left off any axis, and named with its line and reason', () => {
    const notes: string[] = [];
    const spec = chartSpec([row(1, 2), row(2, Number.NaN), row(3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)], options, (t) => notes.push(t));
    assert.deepEqual(
      drawn(spec).map((d) => [d.estimate, d.exact]),
      [
        [2, null],
        [null, null],
        [null, null],
      ],
    );
    assert.deepEqual(notes, [
      'the chart leaves off 1 point of messengers_mean: it is not a number, which no axis can show: 1 of the estimates',
      'the chart leaves off 2 points of messengers_mean: each is infinite, which no axis can show: 1 of the estimates, 1 of the exact values',
    ]);
  });

  it('0 or below is left off a logarithmic axis, named by the line it belonged to', () => {
    const notes: string[] = [];
    const spec = chartSpec([row(1, 2, 0), row(2, -1, 1), row(3, 4, 4)], { ...options, logY: true, logYAsked: true, series: 'redundancy' }, (t) =>
      notes.push(t),
    );
    assert.deepEqual(
      drawn(spec).map((d) => [d.estimate, d.exact]),
      [
        [2, null],
        [null, 1],
        [4, 4],
      ],
    );
    assert.deepEqual(notes, [
      'the chart leaves off 1 point of messengers_mean: it is 0, which a logarithmic axis cannot show: 1 of redundancy=1 (exact)',
      'the chart leaves off 1 point of messengers_mean: it is below 0, which a logarithmic axis cannot show: 1 of redundancy=2',
    ]);
  });

  it('says nothing where every value is drawn', () => {
    const notes: string[] = [];
    chartSpec([row(1, 2), row(2, 3)], { ...options, logY: true, logYAsked: true }, (t) => notes.push(t));
    assert.deepEqual(notes, []);
  });
});

describe('plot --log-y of estimates of 0', () => {
  it('draws the rest and says on stderr how many points of which line it left off', async () => {
    const dir = tempFiles({});
    const csv = join(dir, 'r.csv');
    writeFileSync(
      csv,
      succeeded(await cliIn(['run', '--sweep', 'redundancy=1:8', '--sweep', 'loss=0.1,0.3', '--trials', '2000', '--no-exact', '--format', 'csv'])),
    );
    const [header, ...body] = readFileSync(csv, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const column = (name: string): number => header!.indexOf(name);
    const zeros = (loss: string): number => body.filter((r) => r[column('loss')] === loss && r[column('disagreement')] === '0').length;
    const [atLow, atHigh] = [zeros('0.1'), zeros('0.3')];
    assert.ok(atLow > 0);
    const result = await cliIn(['plot', csv, '--log-y', '--x', 'redundancy', '--series', 'loss']);
    succeeded(result);
    const lines = [`${atLow} of loss=0.1`, ...(atHigh ? [`${atHigh} of loss=0.3`] : [])].join(', ');
    assert.equal(
      result.stderr,
      `note: the chart leaves off ${atLow + atHigh} points of disagreement: each is 0, which a logarithmic axis cannot show: ${lines}; and ${atLow + atHigh} confidence bands\n`,
    );
    assert.equal((await cliIn(['plot', csv, '--log-y', '--x', 'redundancy', '--series', 'loss', '--quiet'])).stderr, '');
  });
});

describe('fit -o of a trace whose run lengths are not all seen', () => {
  it('says which counts its logarithmic axis left off', async () => {
    const dir = tempFiles({});
    const result = await cliIn(['fit', 'examples/traces/radio-link-ping.txt', '-o', join(dir, 'fit.svg')]);
    succeeded(result);
    assert.match(
      result.stderr,
      /^note: the chart leaves off \d+ points? of runs: (it|each) is 0, which a logarithmic axis cannot show: \d+ of measured (gaps|loss bursts)/m,
    );
  });
});
