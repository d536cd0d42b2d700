import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { xmlText } from '../src/export/junit.js';
import { markdownExporter } from '../src/export/markdown.js';
import { shortNumber, shortProportion } from '../src/export/numbers.js';
import { toRows } from '../src/export/rows.js';
import { tableExporter } from '../src/export/table.js';
import { traceMermaid, traceText } from '../src/export/trace.js';
import { traceTrial } from '../src/trace/trace.js';
import type { Report } from '../src/report.js';
import { expandCells } from '../src/scenario/cells.js';
import { summarize } from '../src/stats/summary.js';
import { cli, scenarioFrom, tempFiles } from './helpers.js';
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

describe('the exporters, lines 3 modulo 6 (eleventh round)', () => {
  const dir = tempFiles({
    'b.yaml': 'protocol: messenger\nloss: 0.2\ntrials: 2000\nseed: units\n',
    'c.yaml': 'protocol: two-phase-commit\nparticipants: 2\nabortRate: 0.2\nloss: 0.2\nrounds: 2\ntrials: 2000\nseed: units\n',
    'h.yaml': 'protocol: handshake\nloss: 0.5\nrounds: 2\ntrials: 1000\nseed: 4\n',
    'r.yaml': 'protocol: randomized\nloss: 0.3\nrounds: 3\ntrials: 1000\nseed: 4\n',
    'crash.yaml': 'protocol: two-phase-commit\nparticipants: 2\nloss: 0.2\nrounds: 2\ncrash: 0.3\ntrials: 1000\nseed: 4\n',
    'a|b.txt': '0101100101',
    'pipe.yaml': 'protocol: messenger\nchannel: { model: trace, file: "a|b.txt" }\ntrials: 100\nseed: 1\n',
  });
  const ok = async (args: string[]): Promise<string> => {
    const r = await cliInProcess(args);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  it('JSON names why a cell has no exact values', async () => {
    const json = JSON.parse(await ok(['run', join(dir, 'b.yaml'), '--no-exact', '-f', 'json'])) as Record<string, unknown>;
    assert.deepEqual([json['exact'], json['exactMissing']], [[null], ['exact values were turned off (--no-exact)']]);
  });
  it('markdown without exact values has no exact columns, in its head or its rows; a cell’s | is escaped', async () => {
    const lines = (await ok(['run', join(dir, 'b.yaml'), '--no-exact', '-f', 'markdown'])).split('\n').filter((line) => line.startsWith('| '));
    assert.equal(lines[0], '| loss | k | success | success 95% CI | disagreement | disagreement 95% CI | messengers |');
    assert.match(lines[2]!, /^\| 0\.2 \| 2 \| 0\.\d{5} \| \[0\.\d{5}, 0\.\d{5}\] \| 0\.\d{5} \| \[0\.\d{5}, 0\.\d{5}\] \| 2 \|$/);
    const piped = (await ok(['run', join(dir, 'pipe.yaml'), '-f', 'markdown'])).split('\n').filter((line) => line.startsWith('| '));
    assert.match(piped[2]!, /^\| a\\\|b\.txt \| [0-9a-f]{64} \| 2 \| /);
  });
  it('markdown leaves a cell without exact values empty beside one with them', () => {
    const mixed = {
      tool: { name: 'twogenerals', version: '0' },
      scenarios: [CELL!.scenario],
      summaries: [summarize(handshake(TALLY, exact()), 0.95), summarize(handshake(TALLY, null), 0.95)],
      blockSize: 65_536,
      confidence: 0.95,
    } as unknown as Report;
    const rows = markdownExporter
      .render(mixed, { color: false })
      .split('\n')
      .filter((line) => line.startsWith('| '));
    assert.match(rows[2]!, /\| 1\.5 \| [+−]\d+\.\d\d \|$/, 'the exact messengers of the cell with exact values, and its z');
    assert.match(rows[3]!, /\| 0\.50000 \| \[[^\]]+\] \| {2}\| {2}\| 0\.25000 \| \[[^\]]+\] \| {2}\| {2}\| 1\.5 \| {2}\| {2}\|$/, 'empty exact fields');
  });
  it('markdown never rounds an exact probability to a sure 1 that is not one (the table’s 1−1.0e-9)', () => {
    const nearlySure = exact({ outcomes: [1 - 1e-9, 1e-9, 0, 0] } as never);
    const report = {
      tool: { name: 'twogenerals', version: '0' },
      scenarios: [CELL!.scenario],
      summaries: [summarize(handshake(null, nearlySure), 0.95), summarize(handshake(null, exact({ outcomes: [1, 0, 0, 0] } as never)), 0.95)],
      blockSize: 65_536,
      confidence: 0.95,
    } as unknown as Report;
    const rows = markdownExporter
      .render(report, { color: false })
      .split('\n')
      .filter((line) => line.startsWith('| '));
    assert.equal(rows[2], '| 0.5 | 1 | 2 | 1−1.0e-9 | 0 | 1.5 |');
    assert.equal(rows[3], '| 0.5 | 1 | 2 | 1 | 0 | 1.5 |', 'a sure thing is 1');
    assert.match(tableExporter.render(report, { color: false }), /= 1−1\.0e-9/);
  });
  it('the table prints a protocol’s shown outcomes for a cell without exact values', async () => {
    const table = await ok(['run', join(dir, 'c.yaml'), '--no-exact', '-f', 'table']);
    assert.match(table, / blocked /);
    assert.doesNotMatch(table, /= |NaN/);
  });
  it('Markdown heads success and disagreement by the protocol’s labels and prints its shown outcomes, as the table does, with and without trials', async () => {
    const run = (await ok(['run', join(dir, 'c.yaml'), '-f', 'markdown'])).split('\n').filter((line) => line.startsWith('| '));
    assert.match(run[0]!, /\| committed z \| blocked \| blocked 95% CI \| blocked exact \| blocked z \| inconsistent \|/);
    assert.equal(run[2]!.split(' | ').length, run[0]!.split(' | ').length);
    const exact = (await ok(['exact', join(dir, 'c.yaml'), '-f', 'markdown'])).split('\n').filter((line) => line.startsWith('| '));
    assert.match(exact[0]!, / \| committed exact \| blocked exact \| inconsistent exact \| messengers exact \|$/);
  });
  it('the table’s heads bold and borders grey with --color, no escape without', () => {
    const coloured = cli(['run', join(dir, 'b.yaml'), '--color', '--trials', '100'], { FORCE_COLOR: '1' });
    assert.equal(coloured.status, 0, coloured.stderr);
    assert.match(coloured.stdout, /\u001b\[90m│\u001b\[39m\u001b\[1m loss \u001b\[22m/);
    assert.match(coloured.stdout, /^\u001b\[90m┌─/m);
    const plain = cli(['run', join(dir, 'b.yaml'), '--no-color', '--trials', '100'], { FORCE_COLOR: '1' });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /\u001b/);
  });
  it('numbers in exponent form keep their significant digits', () => {
    assert.equal(shortNumber(1.23456e-5), '1.235e-5');
    assert.equal(shortNumber(2.5e7, 6), '2.5e7');
    assert.equal(shortNumber(1234567), '1.235e6');
  });
  it('a seed of digits is a number in the rows, one with a leading zero stays text', () => {
    const seedOf = (seed: string) => {
      const [cell] = expandCells(scenarioFrom({ protocol: 'messenger', trials: 4, seed }));
      return toRows([
        summarize(
          {
            cell: cell!,
            copies: 2,
            deliveryValues: [1, 2],
            tally: { trials: 4, outcomes: [4, 0, 0, 0], messages: [0, 4], deliveries: [0, 4], rounds: 4 },
            exact: null,
          },
          0.95,
        ),
      ]).records[0]!['seed'];
    };
    assert.deepEqual([seedOf('2026'), seedOf('007'), seedOf('1e3'), seedOf('x7')], [2026, '007', '1e3', 'x7']);
  });
  it('XML text holds no line break or tab (attribute values stay on one line)', () => {
    assert.equal(xmlText('a\nb\tc'), 'a b c');
  });
  it('trace text: B alone, a cohort’s crash by its number, a draw that is no vote, and where a replayed trace starts', async () => {
    assert.match(await ok(['trace', join(dir, 'h.yaml'), '--first', 'onlyB']), /^outcome: B attacks alone \(disagreement\); /m);
    assert.match(await ok(['trace', join(dir, 'crash.yaml'), '--trial', '1']), /^round 2 {3}Cohort 1 crashes$/m);
    const randomized = await ok(['trace', join(dir, 'r.yaml'), '--trial', '1']);
    assert.match(randomized, /^ {10}A key drawn: 3$/m);
    assert.match(await ok(['trace', join(dir, 'r.yaml'), '--trial', '1', '-f', 'mermaid']), /^ {2}Note over A: key drawn: 3$/m);
  });
  it('trace text and Mermaid say where a replayed trace starts, counting packets from 1', () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'messenger', loss: 0.2, trials: 10 }));
    const t = { ...traceTrial(cell!, 1)!, traceStart: { position: 4, packets: 20_050 } };
    assert.equal(traceText(t).split('\n')[1], 'the trace replayed from its packet 5 of 20,050');
    assert.match(traceMermaid(t), /^ {2}Note over A,B: the trace replayed from its packet 5 of 20,050$/m);
  });
});
