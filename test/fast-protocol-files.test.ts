import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unregister } from '../src/catalog/register.js';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import { ROOT, cli, scenarioFrom, tempFiles } from './helpers.js';

/**
 * bench/two-phase-commit.mjs and examples/protocols/three-phase-commit.mjs were rewritten the
 * fast way (bit sets, Math.clz32, resolveRun over masks): they must take exactly the steps and
 * draws of their first versions (test/fixtures/protocols/*-scan.mjs), so the same tallies from
 * the same stream on the generic engine and on the trial kernel, and the same exact values.
 */
const FIXTURES = join(ROOT, 'test', 'fixtures', 'protocols');

/** The cells' models of one file: both versions name the protocol and its parameters alike, so one is registered at a time. */
async function modelsOf(file: string, cells: readonly Record<string, unknown>[]): Promise<CellModel[]> {
  const { name } = await loadProtocolFile(file, 'test');
  try {
    return cells.map((data) => buildCellModel(cellSpec(expandCells(scenarioFrom({ trials: 1, protocol: name, ...data }))[0]!)));
  } finally {
    unregister(name);
  }
}

async function sameAsBefore(rewritten: string, first: string, cells: readonly Record<string, unknown>[], exact: readonly number[]): Promise<void> {
  const now = await modelsOf(rewritten, cells);
  const before = await modelsOf(first, cells);
  cells.forEach((cell, i) => {
    const label = JSON.stringify(cell);
    const expected = runBlockGeneric(before[i]!, blockStream('fast-files', label, 0), 1000);
    assert.deepEqual(runBlockGeneric(now[i]!, blockStream('fast-files', label, 0), 1000), expected, `${label}: generic engine`);
    if (now[i]!.crash === null) assert.deepEqual(trialKernelWith(now[i]!, null)(blockState('fast-files', label, 0), 1000), expected, `${label}: trial kernel`);
    if (exact.includes(i)) assert.deepEqual(exactCell(now[i]!), exactCell(before[i]!), `${label}: exact`);
  });
}

describe('protocol files rewritten with bit sets', () => {
  it('bench/two-phase-commit.mjs: the first version’s tallies and exact values, one word of cohorts and two (31, the most of its one-word path)', async () => {
    const cell = (cohorts: number, noVoteRate: number, extra: Record<string, unknown> = {}) => ({
      cohorts,
      noVoteRate,
      loss: 0.2,
      redundancy: 1,
      phaseRounds: 3,
      ...extra,
    });
    await sameAsBefore(
      join(ROOT, 'bench', 'two-phase-commit.mjs'),
      join(FIXTURES, 'two-phase-commit-scan.mjs'),
      [
        cell(10, 0.05, { loss: 0.1, phaseRounds: 4 }),
        cell(2, 0.3, { phaseRounds: 2 }),
        cell(2, 1),
        cell(4, 0),
        cell(40, 0.02),
        cell(31, 0.05, { phaseRounds: 1 }), // the most cohorts of its one-word path
        cell(5, 0.2, { loss: undefined, channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.3 }, redundancy: 2 }),
      ],
      [1, 2],
    );
  });

  it('examples/protocols/three-phase-commit.mjs: the first version’s tallies and exact values, with and without crashes', async () => {
    const cell = (cohorts: number, noVoteRate: number, extra: Record<string, unknown> = {}) => ({ cohorts, noVoteRate, loss: 0.2, redundancy: 1, ...extra });
    await sameAsBefore(
      join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'),
      join(FIXTURES, 'three-phase-commit-scan.mjs'),
      [
        cell(3, 0, { loss: 0.05 }),
        cell(10, 0.1),
        cell(16, 0.3, { redundancy: 2 }),
        cell(2, 1),
        cell(3, 0.1, { crash: { coordinator: 0.05, cohort: 0.1 } }),
        cell(2, 0.2, { loss: undefined, channel: { model: 'gilbert-elliott', goodToBad: 0.05, badToGood: 0.25 }, crash: { coordinator: 0.1 } }),
      ],
      [0, 3, 4, 5],
    );
  });
});

describe('bench/two-phase-commit.mjs with 31 cohorts in a word (31, 63)', () => {
  it('commits every trial over a lossless link with no NO votes, as its first version does (it aborted every one, exit 0)', () => {
    for (const file of ['bench/two-phase-commit.mjs', 'test/fixtures/protocols/two-phase-commit-scan.mjs'])
      for (const cohorts of [30, 31, 63]) {
        const dir = tempFiles({
          's.yaml': `protocol: ${join(ROOT, file)}\ncohorts: ${cohorts}\nnoVoteRate: 0\nloss: 0\nredundancy: 1\nphaseRounds: 2\ntrials: 100\nseed: 7\n`,
        });
        const r = cli(['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv']);
        assert.equal(r.status, 0, r.stderr);
        const [header, row] = r.stdout
          .trim()
          .split('\n')
          .map((line) => line.split(','));
        assert.equal(row![header!.indexOf('committed')], '100', `${file}, ${cohorts} cohorts: ${r.stdout}`);
      }
  });
});
