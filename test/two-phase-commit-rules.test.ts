import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { trialKernelFor } from '../src/engine/montecarlo/trial-kernel.js';
import { checkProtocol } from '../src/protocol-files/check.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { twoPhaseCommit } from '../src/protocols/two-phase-commit.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { ROOT } from './helpers.js';

/**
 * The built-in two-phase commit skips the clock positions where nothing happens; the same rules
 * written as a protocol file (bench/two-phase-commit.mjs) step through every one. (Its own file:
 * it defines `cohorts`, as the three-phase-commit example that other tests load does.)
 */
describe('two-phase commit, built in and as a file', () => {
  const commit = (participants: number, extra: Record<string, number>) => ({ participants, redundancy: 1, ...extra });
  it('make the same draws in the same order: the same tally from the same stream', async () => {
    // Two implementations, one stepping through every clock position, one skipping idle ones: the
    // same steps in the same order give the same tally from the same stream.
    const { name } = await loadProtocolFile(join(ROOT, 'bench', 'two-phase-commit.mjs'), 'test');
    for (const [n, abortRate, loss, rounds] of [
      [10, 0.05, 0.1, 4],
      [5, 0.3, 0.4, 2],
      [7, 1, 0.2, 3],
    ] as const) {
      const builtIn = buildCellModel({ protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(n, { abortRate, loss, rounds }) });
      const file = buildCellModel({
        protocol: name,
        channel: 'bernoulli',
        params: { cohorts: n, noVoteRate: abortRate, loss, redundancy: 1, phaseRounds: rounds },
      });
      assert.deepEqual(
        trialKernelFor(builtIn)(blockState('same-rules', String(n), 0), 2000).outcomes,
        runBlockGeneric(file, blockStream('same-rules', String(n), 0), 2000).outcomes,
      );
      assert.deepEqual(
        trialKernelFor(builtIn)(blockState('same-rules', String(n), 1), 2000).messages,
        runBlockGeneric(file, blockStream('same-rules', String(n), 1), 2000).messages,
      );
    }
  });
});

describe('two-phase commit under check, votes of both kinds in one round', () => {
  it('keeps the contract where some cohorts vote YES and others NO (its default abortRate, 0, never lets check see that)', () => {
    // Two cohorts at most, so that every cell stays far below check's state limit with crashes.
    const mixed = {
      ...twoPhaseCommit,
      parameters: [
        { name: 'participants', description: 'cohorts', integer: true, minimum: 1, maximum: 2, default: 2 },
        { name: 'abortRate', description: 'NO votes', minimum: 0, maximum: 1, default: 0.5 },
      ],
    };
    const report = checkProtocol(mixed);
    assert.equal(report.cells, 18);
    assert.ok(report.trialsEnded > 0);
  });
});
