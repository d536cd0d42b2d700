import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableExporter } from '../src/export/table.js';
import { runExperiment } from '../src/experiment.js';
import type { Report } from '../src/report.js';
import { scenarioFrom } from './helpers.js';

// The built-in outcome sets (src/contract/protocol.ts): which outcomes count as success and
// disagreement, and the titles the table gives those columns, held against values worked out by hand.

async function reportOf(data: Record<string, unknown>): Promise<Report> {
  return runExperiment([scenarioFrom(data)], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
}

/**
 * The table's column titles (the line after each table's top border, a table within 80 columns
 * going on in another with its parameters again), spaces and borders dropped, each once.
 */
function headOf(report: Report): string[] {
  const text = tableExporter.render(report, { color: false });
  const lines = text.split('\n');
  const heads = lines.filter((_, i) => i > 0 && lines[i - 1]!.startsWith('┌'));
  assert.ok(
    heads.some((line) => line.includes('messengers')),
    text,
  );
  return [...new Set(heads.flatMap((head) => head.split('│').map((cell) => cell.trim())))].filter(Boolean);
}

describe('the outcome sets: success, disagreement and their columns', () => {
  it("the two generals' success is both attacking, disagreement one attacking alone; the columns say so", async () => {
    // The messenger at loss 0.3, one copy: A attacks always, B iff the message arrives (0.7).
    const report = await reportOf({ protocol: 'messenger', loss: 0.3, redundancy: 1, trials: 1000, seed: 'outcome-sets' });
    const s = report.summaries[0]!;
    assert.deepEqual(s.outcomeNames, ['both', 'neither', 'onlyA', 'onlyB']);
    assert.ok(Math.abs(s.exact!.success - 0.7) < 1e-15, String(s.exact!.success));
    assert.ok(Math.abs(s.exact!.disagreement - 0.3) < 1e-15, String(s.exact!.disagreement));
    const [both, , onlyA, onlyB] = s.result.tally!.outcomes;
    assert.ok(both! > 600 && both! < 800, String(both));
    assert.equal(s.success.count, both);
    assert.equal(s.disagreement.count, onlyA! + onlyB!);
    assert.deepEqual(headOf(report).slice(-3), ['success', 'disagreement', 'messengers']);
  });

  it("two-phase commit's success is all committed, blocked its own column, disagreement inconsistent", async () => {
    const report = await reportOf({
      protocol: 'two-phase-commit',
      loss: 0.3,
      rounds: 2,
      participants: 2,
      abortRate: 0.1,
      redundancy: 1,
      trials: 1000,
      seed: 'outcome-sets',
    });
    const s = report.summaries[0]!;
    assert.deepEqual(s.outcomeNames, ['committed', 'aborted', 'blocked', 'inconsistent']);
    const [committed, , , inconsistent] = s.exact!.outcomes;
    assert.ok(committed! > 0.1 && committed! < 0.9, String(committed));
    assert.equal(s.exact!.success, committed);
    assert.equal(s.exact!.disagreement, inconsistent);
    const counts = s.result.tally!.outcomes;
    assert.ok(counts[0]! > 0);
    assert.equal(s.success.count, counts[0]);
    assert.equal(s.disagreement.count, counts[3]);
    assert.deepEqual(headOf(report).slice(-4), ['committed', 'blocked', 'inconsistent', 'messengers']);
  });
});
