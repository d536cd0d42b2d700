import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { csvExporter } from '../src/export/csv.js';
import { jsonExporter } from '../src/export/json.js';
import { shortNumber } from '../src/export/numbers.js';
import { tableExporter } from '../src/export/table.js';
import { runExperiment } from '../src/experiment.js';
import type { Report } from '../src/report.js';
import { expandCells } from '../src/scenario/cells.js';
import { summarize } from '../src/stats/summary.js';
import { succeeded } from './assert-cli.js';
import { exponents, scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// The second planted-bug audit (docs/mutation.md): the text of numbers in every exporter.

/** A handshake report of one hand-made cell (outcomes both, neither, onlyA, onlyB), k = 1. */
function handshakeReport(trials: number, disagreeing: number, exact: CellResult['exact'] = null): Report {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials });
  const [cell] = expandCells(scenario);
  const tally = { trials, outcomes: [trials - disagreeing, 0, disagreeing, 0], messages: [0, 0, trials], deliveries: [trials], rounds: trials };
  const summary = summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally, exact } as CellResult, 0.95);
  return { tool: { name: 'twogenerals', version: 'x' }, scenarios: [scenario], summaries: [summary], blockSize: 1, confidence: 0.95 };
}

describe('shortNumber switches to exponents below 0.001 and from 10^6, not elsewhere', () => {
  it('prints plain decimals on the inside of both switch-overs', () => {
    assert.equal(shortNumber(123_456), '123500');
    assert.equal(shortNumber(999_900), '999900');
    assert.equal(shortNumber(0.001), '0.001');
    assert.equal(shortNumber(54_321.5, 5), '54322');
  });
  it('prints exponents on the outside', () => {
    assert.equal(shortNumber(1_234_567), '1.235e6');
    assert.equal(shortNumber(0.000999), '9.99e-4');
  });
});

describe('the table', () => {
  it('prints a half-width between 10^-5 and 10^-4 in five decimals (0 of 100,000: Wilson high 3.84/100,003.84)', () => {
    const text = tableExporter.render(handshakeReport(100_000, 0), { color: false });
    assert.match(text, /0 ±0\.00004\b/);
    assert.doesNotMatch(text, /±\d(\.\d+)?e-/);
  });
  it('marks a |z| above 4 in bold yellow on either side, and dims the others', () => {
    // 0 disagreeing of 100,000 against an exact 0.01: z = −1000/√990 = −31.8 (normal branch).
    const exact = { outcomes: [0.9, 0.09, 0.01, 0], messages: [0, 0, 1], messagesMean: 2, messagesSecondMoment: 4, deliveredMean: 2, roundsMean: 1 };
    const colored = tableExporter.render(handshakeReport(100_000, 0, exact as unknown as CellResult['exact']), { color: true });
    assert.ok(colored.includes('\u001b[33m\u001b[1mz−31.8'), JSON.stringify(colored));
    // 1,000 disagreeing against 0.01: z = 0, dimmed.
    const calm = tableExporter.render(handshakeReport(100_000, 1000, exact as unknown as CellResult['exact']), { color: true });
    assert.ok(calm.includes('\u001b[2mz+0.0'), JSON.stringify(calm));
  });
});

describe('the seed column', () => {
  it('keeps a seed that is not a number as written ("007"), and prints a whole seed as a number', async () => {
    const run = (seed: string) =>
      runExperiment([scenarioFrom({ protocol: 'messenger', loss: 0.5, trials: 10, seed })], { exact: 'off', simulate: true, confidence: 0.95, workers: 1 });
    const csv = csvExporter.render(await run('007'), { color: false });
    assert.match(csv.split('\n')[1]!, /^test,messenger,bernoulli,0\.5,2,1,10,007,/);
    const json = jsonExporter.render(await run('7'), { color: false });
    assert.match(json, /"seed": 7,/);
  });
});

describe('the JSON verdicts', () => {
  it('print the judged value in plain decimals (exact disagreement 0.05^10 gated)', async () => {
    const report = await runExperiment(
      [scenarioFrom({ protocol: 'messenger', loss: 0.05, redundancy: 10, expect: [{ metric: 'disagreement', atMost: 0.001 }] })],
      { exact: 'on', simulate: false, confidence: 0.95, workers: 1 },
    );
    const json = jsonExporter.render(report, { color: false });
    const verdicts = json.slice(json.indexOf('"verdicts"'), json.indexOf('"digest"'));
    assert.match(verdicts, /"low": 0\.00000000000009765625, "high": 0\.00000000000009765625, "passed": true/);
    assert.deepEqual(exponents(verdicts), []);
  });
});

describe('JSON text has no exponents where the CSV has none', () => {
  it('run -f json: the scenarios, the exact values and the tallies (loss 1e-7, disagreement 1e-7 and 1e-14)', async () => {
    const csv = succeeded(await cliIn(['run', '--set', 'loss=1e-7', '--sweep', 'redundancy=1,2', '--trials', '1000', '-f', 'csv']), 'run -f csv');
    assert.deepEqual(exponents(csv), []);
    const json = succeeded(await cliIn(['run', '--set', 'loss=1e-7', '--sweep', 'redundancy=1,2', '--trials', '1000', '-f', 'json']), 'run -f json');
    assert.deepEqual(exponents(json), []);
    assert.match(json, /"loss": 0\.0000001,/);
    assert.match(json, /"outcomes":\[0\.9999999,0,0\.0000001,0\]/);
    // Still the same numbers: JSON.parse reads the plain decimals back to the engine's values.
    const parsed = JSON.parse(json) as { exact: { outcomes: number[] }[] };
    assert.equal(parsed.exact[1]!.outcomes[2], 1e-14); // (10^-7)^2 exactly, rounded once (the doubles' product is 9.999999999999998e-15)
  });

  it('a result folder: results.json and manifest.json (a cell without exact values names its loss 1e-7)', async () => {
    const out = join(tempFiles({}), 'saved');
    succeeded(await cliIn(['run', '--set', 'loss=1e-7', '--sweep', 'redundancy=1,2', '--trials', '1000', '--no-exact', '--out', out, '--quiet']), 'run --out');
    const [folder] = readdirSync(out);
    const manifest = readFileSync(join(out, folder!, 'manifest.json'), 'utf8');
    assert.match(manifest, /"loss": 0\.0000001,/);
    assert.deepEqual(exponents(manifest), []);
    assert.deepEqual(exponents(readFileSync(join(out, folder!, 'results.json'), 'utf8')), []);
  });

  it('plan -f json (disagreement 0.3^18 = 3.87420489e-10)', async () => {
    const args = ['plan', '--target', 'disagreement<=1e-9', '--set', 'loss=0.3', '--vary', 'redundancy=1:20'];
    const csv = succeeded(await cliIn([...args, '-f', 'csv']), 'plan -f csv');
    assert.match(csv, /^18,18,0\.000000000387420489,true,true$/m);
    const json = succeeded(await cliIn([...args, '-f', 'json']), 'plan -f json');
    assert.deepEqual(exponents(json), []);
    assert.match(json, /"disagreement": 0\.000000000387420489,/);
    assert.equal((JSON.parse(json) as { winner: { disagreement: number } }).winner.disagreement, 3.87420489e-10);
  });
});
