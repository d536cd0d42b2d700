import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { cli, tempFiles } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';
import { succeeded } from './assert-cli.js';

/** Estimate lines (one per series) and their points, from Vega's SVG. */
function marks(svg: string): { lines: number; points: number } {
  // The estimate layer (a line with points) is the one Vega-Lite splits into layer_N_layer_0/1.
  const lines = svg.match(/class="mark-line role-mark layer_\d+_layer_0_marks"/g)?.length ?? 0;
  const symbols = /<g class="mark-symbol role-mark layer_\d+_layer_1_marks"[^>]*>(.*?)<\/g>/s.exec(svg)?.[1] ?? '';
  return { lines, points: symbols.match(/<path/g)?.length ?? 0 };
}

describe('plot', () => {
  const dir = tempFiles({});
  const csv = join(dir, 'results.csv');
  writeFileSync(csv, succeeded(cli(['run', 'scenarios/redundancy-vs-loss.yaml', '--trials', '20000', '--format', 'csv'])));

  it('draws well-formed SVG, one line per series with a point per cell', async () => {
    const out = join(dir, 'chart.svg');
    const r = await cliIn(['plot', csv, '-o', out, '--metric', 'success']);
    assert.equal(r.status, 0, r.stderr);
    const svg = readFileSync(out, 'utf8');
    assert.equal(XMLValidator.validate(svg), true);
    assert.deepEqual(marks(svg), { lines: 3, points: 24 }); // loss 0.1, 0.3, 0.5 × redundancy 1..8
    assert.match(svg, /redundancy/);
  });

  // Vega reads a title's text as a name of its own first: a scenario called constructor (a valid
  // name) stopped plot, and run --out's chart, with an internal error (exit 3) and saved nothing.
  it('draws a scenario whose name every JavaScript object has (constructor, toString) as its title', async () => {
    for (const name of ['constructor', 'toString']) {
      const files = tempFiles({ 's.yaml': `name: ${name}\nprotocol: messenger\ntrials: 1000\nsweep:\n  redundancy: [1, 2]\n  loss: [0.1, 0.3]\n` });
      const svg = succeeded(await cliIn(['plot', join(files, 's.yaml'), '--metric', 'success']));
      assert.match(svg, new RegExp(`>${name}<`));
      const out = join(files, 'out');
      const saved = await cliIn(['run', join(files, 's.yaml'), '--format', 'csv', '--out', out]);
      assert.equal(saved.status, 0, saved.stderr);
    }
  });

  // A scenario plot runs first was drawn and exit 0 whatever its expect said, where run of the same file exits 1.
  it("judges a scenario's expect as run does: the chart written, then run's lines and exit 1 on a failure", async () => {
    const scenario = (atLeast: number) =>
      `name: gated\nprotocol: retransmit\nredundancy: 1\nrounds: 2\ntrials: 10000\nseed: 1\nsweep:\n  loss: [0.1, 0.3]\nexpect:\n  - { metric: success, atLeast: ${atLeast} }\n`;
    const files = tempFiles({ 'failing.yaml': scenario(0.9), 'passing.yaml': scenario(0.5) });
    const out = join(files, 'chart.svg');
    const failing = await cliIn(['plot', join(files, 'failing.yaml'), '-o', out]);
    const ran = await cliIn(['run', join(files, 'failing.yaml'), '--format', 'csv']);
    assert.equal(ran.status, 1, ran.stderr);
    assert.equal(failing.status, 1, failing.stderr);
    assert.equal(XMLValidator.validate(readFileSync(out, 'utf8')), true);
    const failures = (text: string) => text.split('\n').filter((line) => line.startsWith('expect failed: '));
    assert.deepEqual(failures(failing.stderr), failures(ran.stderr));
    assert.equal(failures(failing.stderr).length, 1); // loss 0.3 fails, loss 0.1 passes
    assert.match(failures(failing.stderr)[0]!, /^expect failed: gated \(loss=0\.3, .*\): success \[[\d.]+, [\d.]+\] is not at least 0\.9$/);
    assert.equal((await cliIn(['plot', join(files, 'passing.yaml'), '-o', out])).status, 0);
  });

  it('takes saved JSON and scenario files too, and --x / --series', async () => {
    const json = join(dir, 'results.json');
    writeFileSync(json, succeeded(await cliIn(['run', 'scenarios/redundancy-vs-loss.yaml', '--trials', '20000', '--format', 'json'])));
    const swapped = succeeded(await cliIn(['plot', json, '--x', 'loss', '--series', 'redundancy', '--metric', 'success']));
    assert.deepEqual(marks(swapped), { lines: 8, points: 24 });
    const fromScenario = await cliIn(['plot', 'scenarios/handshake-regress.yaml', '--trials', '5000', '--metric', 'onlyA']);
    assert.equal(fromScenario.status, 0, fromScenario.stderr);
    assert.equal(marks(fromScenario.stdout).lines, 1);
  });

  it("says in its subtitle what it draws, and only that: a cost has no band, an outcome's CSV column no exact value", async () => {
    const subtitle = (svg: string) => /Subtitle text '([^']*)'/.exec(svg)?.[1];
    const success = succeeded(await cliIn(['plot', csv, '--metric', 'success']));
    assert.equal(subtitle(success), 'lines with points: Monte Carlo estimate; band: confidence interval; dashed: exact');
    const outcome = succeeded(await cliIn(['plot', csv, '--metric', 'onlyA']));
    assert.equal(subtitle(outcome), 'lines with points: Monte Carlo estimate; band: confidence interval');
    const cost = succeeded(await cliIn(['plot', csv, '--metric', 'messengers_mean']));
    assert.doesNotMatch(cost, /class="mark-area/);
    assert.equal(subtitle(cost), 'lines with points: Monte Carlo estimate; dashed: exact');
  });

  it("draws an outcome's confidence band, at the confidence of the results' own intervals", async () => {
    // The messenger's onlyA is its disagreement: the same counts, so the same band as the run printed.
    const wide = join(dir, 'wide.csv');
    writeFileSync(wide, succeeded(await cliIn(['run', 'scenarios/iid-redundancy.yaml', '--trials', '3000', '--confidence', '0.99', '--format', 'csv'])));
    // The band's outline as Vega draws it (the same scale: the same values, the same axis).
    const band = (svg: string) => /<g class="mark-area[^>]*>(.*?)<\/g>/s.exec(svg)?.[1]?.match(/ d="[^"]*"/g) ?? [];
    const outcome = succeeded(await cliIn(['plot', wide, '--metric', 'onlyA']));
    const disagreement = succeeded(await cliIn(['plot', wide, '--metric', 'disagreement']));
    assert.equal(band(outcome).length, 1);
    assert.deepEqual(band(outcome), band(disagreement));
  });

  it("draws an outcome's exact curve where the results carry its exact values (a saved run, a scenario run first)", async () => {
    const json = join(dir, 'outcome.json');
    writeFileSync(json, succeeded(await cliIn(['run', 'scenarios/iid-redundancy.yaml', '--trials', '3000', '--format', 'json'])));
    const dashed = (svg: string) => svg.match(/<path[^>]*stroke-dasharray="4,3"[^>]*>/g)?.map((p) => / d="[^"]*"/.exec(p)?.[0]) ?? [];
    for (const source of [json, 'scenarios/iid-redundancy.yaml']) {
      const args = source === json ? [] : ['--trials', '3000'];
      const outcome = succeeded(await cliIn(['plot', source, ...args, '--metric', 'onlyA']));
      assert.match(outcome, /Subtitle text 'lines with points: Monte Carlo estimate; band: confidence interval; dashed: exact'/);
      // onlyA is the messenger's disagreement: the same exact curve.
      assert.equal(dashed(outcome).length, 1);
      assert.deepEqual(dashed(outcome), dashed(succeeded(await cliIn(['plot', source, ...args, '--metric', 'disagreement']))));
    }
  });

  it('refuses --x, --series or a single cell of a scenario it would run before running it', async () => {
    // 10^15 trials per cell is work no machine finishes: a refusal after the run would never come.
    for (const [args, message] of [
      [['--x', 'rounds'], /^twogenerals: --x rounds: not a swept parameter of these results; swept: loss, redundancy\n$/],
      [
        ['--series', 'seed'],
        /^twogenerals: --series seed: not a parameter of these results: draw one line per value of scenario, protocol, channel, loss, redundancy, rounds\n$/,
      ],
      [['--set', 'sweep=null'], /^twogenerals: plot: nothing to plot: the results have a single cell/],
    ] as const) {
      const r = await cliIn(['plot', 'scenarios/redundancy-vs-loss.yaml', '--trials', '1e15', ...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  it("refuses another protocol's outcome for a scenario it would run, before running it", async () => {
    const r = await cliIn(['plot', 'scenarios/redundancy-vs-loss.yaml', '--metric', 'committed']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^twogenerals: --metric committed: unknown metric; choose one of: success, disagreement, messengers_mean, delivered_mean, rounds_mean, both, neither, onlyA, onlyB\n$/,
    );
    assert.equal(r.stdout, '');
  });

  it("lists only the outcomes saved results hold: another protocol's is no metric of a saved CSV or JSON", async () => {
    const json = join(dir, 'results-rows.json');
    writeFileSync(json, succeeded(await cliIn(['run', 'scenarios/redundancy-vs-loss.yaml', '--trials', '1000', '--format', 'json'])));
    for (const saved of [csv, json]) {
      const r = await cliIn(['plot', saved, '--metric', 'committed']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(
        r.stderr,
        'twogenerals: --metric committed: unknown metric; choose one of: success, disagreement, messengers_mean, delivered_mean, rounds_mean, both, neither, onlyA, onlyB\n',
      );
      assert.equal(r.stdout, '');
    }
  });

  it('draws a line per combination of the other swept parameters: a third one never zigzags within a line', async () => {
    const three = join(dir, 'three.csv');
    const args = ['--set', 'protocol=retransmit', '--sweep', 'loss=0.1,0.3,0.5', '--sweep', 'redundancy=1:2', '--sweep', 'rounds=1:3'];
    writeFileSync(three, succeeded(await cliIn(['run', ...args, '--trials', '2000', '--format', 'csv'])));
    const svg = succeeded(await cliIn(['plot', three]));
    assert.equal(XMLValidator.validate(svg), true);
    assert.deepEqual(marks(svg), { lines: 6, points: 18 }); // redundancy 1..2 × rounds 1..3, a point per loss
    assert.match(svg, /redundancy, rounds/);
    const bySeries = succeeded(await cliIn(['plot', three, '--x', 'rounds', '--series', 'loss']));
    assert.deepEqual(marks(bySeries), { lines: 6, points: 18 }); // loss × redundancy, a point per round limit
  });

  it('draws every cell on the logarithmic axis it chooses itself, an estimate of 0 at its foot', async () => {
    // At loss 0.1 and 20,000 trials, redundancy 5..8 saw no disagreement: its estimates are 0.
    const svg = succeeded(await cliIn(['plot', csv]));
    assert.equal(XMLValidator.validate(svg), true);
    assert.deepEqual(marks(svg), { lines: 3, points: 24 });
    assert.match(svg, /aria-label="Y-axis titled 'disagreement' for a symlog scale/);
    // Asked for, --log-y is a plain logarithmic axis, which cannot show a 0.
    const asked = succeeded(await cliIn(['plot', csv, '--log-y']));
    assert.match(asked, /aria-label="Y-axis titled 'disagreement' for a log scale/);
    assert.ok(marks(asked).points < 24);
  });

  it('names a parameter a scenario lacks in the legend with a dash, not null', async () => {
    const files = tempFiles({
      'a.yaml': 'name: A\nprotocol: messenger\ntrials: 1000\nsweep:\n  redundancy: {from: 1, to: 2}\n  loss: [0.1, 0.3]\n',
      'b.yaml':
        'name: B\nprotocol: messenger\ntrials: 1000\nchannel: { model: gilbert-elliott, goodToBad: 0.05, badToGood: 0.5, lossGood: 0, lossBad: 1 }\nsweep:\n  redundancy: {from: 1, to: 2}\n  goodToBad: [0.05, 0.2]\n',
    });
    const both = join(files, 'both.csv');
    writeFileSync(both, succeeded(await cliIn(['run', join(files, 'a.yaml'), join(files, 'b.yaml'), '--format', 'csv'])));
    const svg = succeeded(await cliIn(['plot', both]));
    assert.equal(XMLValidator.validate(svg), true);
    assert.match(svg, /with 4 values: A, 0\.1, –, A, 0\.3, –, B, –, 0\.05, B, –, 0\.2"/);
    assert.doesNotMatch(svg, /null/);
  });

  it('orders the legend as the sweep does, not as text', async () => {
    const csv12 = join(dir, 'twelve.csv');
    writeFileSync(csv12, succeeded(await cliIn(['run', '--sweep', 'redundancy=1:12', '--sweep', 'loss=0.1,0.5', '--trials', '1000', '--format', 'csv'])));
    const svg = succeeded(await cliIn(['plot', csv12, '--x', 'loss', '--series', 'redundancy']));
    assert.match(svg, /aria-label="Symbol legend titled 'redundancy' for fill color and stroke color with 12 values: 1, 2, 3, 4, 5, ending with 12"/);
  });

  it('writes PNG', async () => {
    const out = join(dir, 'chart.png');
    assert.equal((await cliIn(['plot', csv, '-o', out])).status, 0);
    assert.deepEqual([...readFileSync(out).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('refuses results without a sweep, unknown metrics and parameters: exit 2, one line', async () => {
    const single = join(dir, 'single.csv');
    writeFileSync(single, succeeded(await cliIn(['run', '--trials', '1000', '--format', 'csv'])));
    for (const [args, message] of [
      [[single], /nothing to plot: the results have a single cell/],
      [[csv, '--metric', 'sucess'], /--metric sucess: unknown metric \(did you mean 'success'\?\)/],
      [[csv, '--x', 'rounds'], /--x rounds: not a swept parameter/],
      [[csv, '-o', join(dir, 'chart.pdf')], /plot writes SVG or PNG/],
      // Saved results are drawn as they are: a flag for a scenario run first is refused, not ignored.
      [[csv, '--set', 'loss=0.9'], /--set: .*results\.csv holds saved results, drawn as they are: --set applies only to a scenario file/],
      [[csv, '--trials', '5', '--sweep', 'loss=0.1,0.2'], /--trials --sweep: .*results\.csv holds saved results/],
    ] as const) {
      const r = await cliInProcess(['plot', ...args]); // a refusal needs no process of its own
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
      assert.equal(r.stdout, '');
    }
  });

  it("run --out saves the sweep's chart beside the results", async () => {
    const out = join(dir, 'saved');
    assert.equal((await cliIn(['run', 'scenarios/handshake-regress.yaml', '--trials', '5000', '--format', 'csv', '--out', out])).status, 0);
    const r = await cliIn(['run', 'scenarios/handshake-regress.yaml', '--trials', '5000', '--format', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /saved (.*)/);
    const folder = /saved (.*)/.exec(r.stderr)![1]!;
    assert.equal(XMLValidator.validate(readFileSync(join(folder, 'chart.svg'), 'utf8')), true);
  });
});
