import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** Every line of a chart is one setting of one run, told apart from the others by its colour. */

/** The estimate lines' paths, in the order Vega draws them (one per line of the legend). */
const estimateLines = (svg: string): string[] => svg.match(/<g class="mark-line role-mark layer_\d+_layer_0_marks"[^>]*>.*?<\/g>/gs) ?? [];

/** The colours of the legend's entries, in its order. */
const legendColours = (svg: string): string[] =>
  [...svg.matchAll(/<g class="mark-symbol role-legend-symbol"[^>]*><path [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]!);

/** The y of each vertex of a path, top to bottom in pixels. */
const heights = (line: string): number[] => [...(/ d="([^"]*)"/.exec(line)?.[1] ?? '').matchAll(/[-\d.e]+,([-\d.e]+)/g)].map((m) => Number(m[1]));

describe('the lines of a chart', () => {
  it('draws two runs of one scenario at two seeds as two lines, each through its own estimates', async () => {
    const scenario = (seed: number) => `name: same\nprotocol: messenger\nloss: 0.3\nseed: ${seed}\ntrials: 400\nsweep:\n  redundancy: [1, 2, 3]\n`;
    const dir = tempFiles({ 'a.yaml': scenario(1), 'b.yaml': scenario(2) });
    const csv = join(dir, 'runs.csv');
    writeFileSync(csv, succeeded(await cliIn(['run', join(dir, 'a.yaml'), join(dir, 'b.yaml'), '--no-exact', '--format', 'csv'])));
    const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    const bySeed = (seed: string) => rows.filter((r) => r['seed'] === seed).map((r) => Number(r['success']));
    assert.notDeepEqual(bySeed('1'), bySeed('2'), 'the two seeds give different estimates');
    const out = join(dir, 'chart.svg');
    succeeded(await cliIn(['plot', csv, '--metric', 'success', '--log-y', '-o', out]));
    const svg = readFileSync(out, 'utf8');
    const lines = estimateLines(svg);
    // One line zigzagged through both runs' estimates, two points at each redundancy.
    assert.equal(lines.length, 2);
    for (const line of lines) assert.equal(heights(line).length, 3);
    // Each line rises as its own run's estimates do: the same order of heights (SVG's y grows downwards).
    const order = (values: number[]) => values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
    const drawn = lines.map((line) => order(heights(line).map((y) => -y)));
    assert.deepEqual(new Set(drawn.map((o) => o.join())), new Set([order(bySeed('1')).join(), order(bySeed('2')).join()]));
    assert.match(svg, />seed</);
  });

  it('gives each of more than ten lines a colour of its own, in the lines and in the legend', async () => {
    for (const [count, expected] of [
      [12, 12],
      [25, 25],
    ] as const) {
      const dir = tempFiles({});
      const csv = join(dir, 'results.csv');
      writeFileSync(
        csv,
        succeeded(await cliIn(['run', '--sweep', `redundancy=1:${count}`, '--sweep', 'loss=0.2,0.4', '--trials', '50', '--no-exact', '--format', 'csv'])),
      );
      const svg = succeeded(await cliIn(['plot', csv, '--x', 'loss', '--series', 'redundancy', '--metric', 'success']));
      const legend = legendColours(svg);
      assert.equal(legend.length, count);
      assert.equal(new Set(legend).size, expected, `${count} lines: legend colours ${legend.join(' ')}`);
      const strokes = estimateLines(svg).map((line) => / stroke="(#[0-9a-f]{6})"/.exec(line)?.[1]);
      assert.equal(new Set(strokes).size, count);
    }
  });

  it('keeps the default palette up to ten lines', async () => {
    const svg = succeeded(await cliIn(['plot', 'scenarios/redundancy-vs-loss.yaml', '--trials', '100', '--metric', 'success']));
    assert.deepEqual(legendColours(svg), ['#4c78a8', '#f58518', '#e45756']);
  });
});
