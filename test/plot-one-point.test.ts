import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A line of one point (a scenario of one cell beside a sweep) draws its interval and its exact
 * value too: an area over one x has no width and a dashed line through one point no length.
 */

/** The aria-labels Vega gives the marks of a kind (rule, symbol) outside the estimate layer. */
const labels = (svg: string, kind: string): string[] =>
  [...svg.matchAll(new RegExp(`<g class="mark-${kind} role-mark layer_\\d+_marks"[^>]*>(.*?)</g>`, 'gs'))].flatMap((m) =>
    [...m[1]!.matchAll(/aria-label="([^"]*)"/g)].map((l) => l[1]!),
  );

describe('a line of one point', () => {
  it('draws its confidence interval as a bar and its exact value as a diamond, at the values of the results', async () => {
    const dir = tempFiles({
      'sweep.yaml': 'name: sweep\nprotocol: messenger\ntrials: 2000\nsweep:\n  loss: [0.1, 0.2]\n',
      'one.yaml': 'name: one\nprotocol: messenger\nloss: 0.3\nredundancy: 1\ntrials: 2000\n',
    });
    const csv = join(dir, 'results.csv');
    writeFileSync(csv, succeeded(await cliIn(['run', join(dir, 'sweep.yaml'), join(dir, 'one.yaml'), '--format', 'csv'])));
    const one = (parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[]).find((r) => r['scenario'] === 'one')!;
    const svg = succeeded(await cliIn(['plot', csv, '--metric', 'success']));
    const [bar] = labels(svg, 'rule');
    assert.ok(bar, 'a bar for the interval');
    const [, low, high] = /success: ([\d.e-]+); high: ([\d.e-]+); scenario: one/.exec(bar) ?? [];
    assert.ok(Math.abs(Number(low) - Number(one['success_low'])) < 1e-9 && Math.abs(Number(high) - Number(one['success_high'])) < 1e-9, bar);
    // The diamond's symbol is the exact value's, apart from the estimate's points.
    assert.deepEqual(labels(svg, 'symbol'), [`loss: 0.3; success: ${Number(one['success_exact'])}; scenario: one`]);
    assert.match(svg, /band or bar: confidence interval; dashed or diamond: exact/);
  });

  it('leaves charts whose every line has two points or more as they were', async () => {
    const svg = succeeded(await cliIn(['plot', 'scenarios/redundancy-vs-loss.yaml', '--trials', '1000', '--metric', 'success']));
    assert.deepEqual(labels(svg, 'rule'), []);
    assert.deepEqual(labels(svg, 'symbol'), []);
    assert.match(svg, /band: confidence interval; dashed: exact/);
  });
});
