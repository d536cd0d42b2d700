import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { simulateCell } from '../src/engine/schedule/runner.js';
import { simulateBlocks } from '../src/engine/schedule/blocks.js';
import { blockState } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import { meanZ, proportionZ } from '../src/stats/zscore.js';
import { closedForm } from './closed-forms.js';
import { scenarioFrom } from './helpers.js';

const OUTCOMES = ['both', 'neither', 'onlyA', 'onlyB'];
const TRIALS = 200_000;

// Extremes included: certain loss and no loss, one copy and sixteen, one round and sixty-four.
const POINTS: [string, number, number, number][] = [
  ['messenger', 0.5, 2, 1],
  ['messenger', 0.9, 16, 1],
  ['messenger', 0, 1, 1],
  ['messenger', 1, 3, 1],
  ['handshake', 0.1, 1, 1],
  ['handshake', 0.3, 1, 4],
  ['handshake', 0.5, 2, 7],
  ['handshake', 0.05, 1, 64],
  ['handshake', 1, 1, 5],
  ['retransmit', 0.3, 1, 16],
  ['retransmit', 0.5, 1, 3],
  ['retransmit', 0.7, 2, 64],
  ['retransmit', 0.9, 1, 1],
  ['retransmit', 0, 16, 64],
];

describe('Monte Carlo engine against the closed forms', () => {
  for (const [protocol, loss, k, R] of POINTS) {
    it(`${protocol} loss=${loss} k=${k} R=${R}: every |z| ≤ 3.5`, async () => {
      const [cell] = expandCells(scenarioFrom({ protocol, loss, redundancy: k, rounds: R, trials: TRIALS, seed: 'closed-forms' }));
      const tally = await simulateCell(cell!);
      const expected = closedForm(protocol, loss, k, R);
      assert.equal(tally.trials, TRIALS);
      OUTCOMES.forEach((name, i) => {
        const z = proportionZ(tally.outcomes[i]!, TRIALS, expected.outcomes[name]!);
        assert.ok(Math.abs(z) <= 3.5, `${name}: ${tally.outcomes[i]} of ${TRIALS}, exact ${expected.outcomes[name]}, z=${z}`);
      });
      const mean = tally.messages.reduce((s, c, m) => s + c * m, 0) / TRIALS;
      const second = tally.messages.reduce((s, c, m) => s + c * m * m, 0) / TRIALS;
      // The exact sd is unknown here; the sample sd is a fine stand-in at this size.
      const z = meanZ(mean, TRIALS, expected.messages, Math.sqrt(Math.max(0, second - mean * mean)));
      assert.ok(Math.abs(z) <= 3.5, `messages mean ${mean} vs ${expected.messages}: z=${z}`);
    });
  }
});

describe('blocks and streams', () => {
  const model = buildCellModel({ protocol: 'retransmit', channel: 'bernoulli', params: { loss: 0.4, redundancy: 1, rounds: 8 } });

  it('the same block always draws the same stream', () => {
    assert.deepEqual(runBlock(model, blockState('s', 'cell', 3), 5000), runBlock(model, blockState('s', 'cell', 3), 5000));
  });

  it('different blocks, cells and seeds draw different streams', () => {
    const first = (seed: string, cell: string, block: number) => blockState(seed, cell, block).join(',');
    const states = new Set([first('s', 'cell', 0), first('s', 'cell', 1), first('s', 'other', 0), first('t', 'cell', 0)]);
    assert.equal(states.size, 4);
    assert.notDeepEqual(runBlock(model, blockState('s', 'cell', 0), 5000).outcomes, runBlock(model, blockState('s', 'cell', 1), 5000).outcomes);
  });

  it('counts every trial once, and its histogram and outcomes agree', () => {
    const tally = runBlock(model, blockState('s', 'cell', 0), 12345);
    assert.equal(tally.trials, 12345);
    assert.equal(
      tally.outcomes.reduce((a, b) => a + b, 0),
      12345,
    );
    assert.equal(
      tally.messages.reduce((a, b) => a + b, 0),
      12345,
    );
    const received = tally.deliveries.reduce((a, b) => a + b, 0);
    assert.ok(received > 0 && received <= tally.messages.reduce((s, c, m) => s + c * m, 0));
  });

  it("a cell's first blocks do not depend on how many trials follow", async () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'retransmit', rounds: 5, trials: 2 * 65536 }));
    const whole = await simulateCell(cell!);
    const spec = { protocol: 'retransmit', channel: 'bernoulli', params: cell!.params };
    const firstTwoOfTen = simulateBlocks({ id: 0, spec, seed: cell!.scenario.seed, cellKey: cell!.key, trials: 10 * 65536, firstBlock: 0, blocks: 2 });
    assert.deepEqual(firstTwoOfTen, whole);
  });
});
