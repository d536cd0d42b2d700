import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { blockState } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import { traceTrial } from '../src/trace/trace.js';
import { scenarioFrom } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';

describe('trace', () => {
  for (const data of [
    { protocol: 'retransmit', loss: 0.4, redundancy: 1, rounds: 4 },
    { protocol: 'handshake', channel: { model: 'gilbert-elliott', goodToBad: 0.2, badToGood: 0.3 }, redundancy: 2, rounds: 3 },
    { protocol: 'randomized', loss: 0.3, redundancy: 1, rounds: 3 },
  ]) {
    it(`replays the trials run counted (${data.protocol}): their outcomes add up to run's tally`, () => {
      const n = 1000; // trial N replays the N − 1 before it: 1,000 trials replay half a million
      const [cell] = expandCells(scenarioFrom({ ...data, trials: 100000, seed: 'trace' }));
      const counted = runBlockCompiled(buildCellModel(cellSpec(cell!)), blockState('trace', cell!.key, 0), n);
      const replayed = new Map<string, number>();
      for (let trial = 1; trial <= n; trial++) {
        const t = traceTrial(cell!, trial)!;
        replayed.set(t.outcome, (replayed.get(t.outcome) ?? 0) + 1);
      }
      const names = buildCellModel(cellSpec(cell!)).outcomes.names;
      assert.deepEqual(
        names.map((name) => replayed.get(name) ?? 0),
        counted.outcomes,
      );
    });
  }

  it('finds the first trial with an outcome, also past the first block', () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'messenger', loss: 0.5, redundancy: 2, trials: 200000 }));
    const first = traceTrial(cell!, 70000, (o) => o === 'onlyA')!;
    assert.ok(first.trial >= 70000 && first.block === 1);
    assert.equal(first.outcome, 'onlyA');
    assert.equal(first.events.length, 1);
    assert.equal(traceTrial(cell!, first.trial)!.outcome, 'onlyA');
  });

  it('prints a timeline and a Mermaid diagram from the CLI', async () => {
    // The commands' output, not the process around it: in this process (in-process.ts).
    const text = await cliIn(['trace', 'scenarios/handshake-regress.yaml', '--cell', '4', '--first', 'disagreement']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /round 4 +B → A: ack 3, 1 copy: lost/);
    assert.match(text.stdout, /outcome: B attacks alone \(disagreement\); 4 messages, 4 messengers\n/);
    // One of each is said in the singular, as the title's one trial is.
    const one = await cliIn(['trace', '--trial', '1', '--set', 'redundancy=1']);
    assert.match(one.stdout, /; 1 message, 1 messenger\n/);
    assert.match((await cliIn(['run', '--trials', '1'])).stdout, /^seed-foot-soldiers: messenger over bernoulli; 1 trial, seed 2026\n/);
    const mermaid = await cliIn(['trace', 'scenarios/handshake-regress.yaml', '--cell', '4', '--first', 'disagreement', '--format', 'mermaid']);
    assert.equal(mermaid.status, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /^sequenceDiagram\n/);
    assert.match(mermaid.stdout, /B-xA: ack 3 \(1 copy, lost\)/);
  });

  it('rejects what it cannot do with one clear line and exit 2', async () => {
    for (const [args, message] of [
      [['trace'], /say which trial/],
      [['trace', '--trial', '0'], /expected a whole number/],
      [['trace', '--trial', '5', '--cell', '9'], /--cell 9: the scenario has 1 cell/],
      [['trace', '--first', 'bothh'], /--first bothh: messenger ends in both, neither, onlyA, onlyB/],
      // run stops such a cell where its tallies are precise enough: trace cannot know that trial count
      [['trace', '--precision', '0.001', '--trial', '70000'], /^twogenerals: --precision 0\.001: a run to a precision .*--trials N\n$/],
      [['trace', 'test/fixtures/export/precise.yaml', '--first', 'onlyB'], /^twogenerals: test\/fixtures\/export\/precise\.yaml: a run to a precision /],
    ] as const) {
      const r = await cliInProcess([...args]); // a refusal needs no process of its own
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
