import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { blockState } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import { traceTrial, traceTrialSteps } from '../src/trace/trace.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { END, generalsOutcome } from '../src/contract/protocol.js';
import { UsageError } from '../src/errors.js';
import { good } from './rule-protocol.js';
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

  it('searches untold and tells only the trial it finds, the story --trial N tells of it', () => {
    // Describing every step of every trial searched cost a 64-cohort cell about 10 ms a trial.
    const [cell] = expandCells(scenarioFrom({ protocol: 'two-phase-commit', participants: 6, loss: 0.01, rounds: 1, abortRate: 0.2, trials: 100000 }));
    const protocol = buildCellModel(cellSpec(cell!)).protocol;
    const describe = protocol.describe;
    let described = 0;
    const counting = (state: Int32Array, config: unknown): string => {
      described++;
      return describe.call(protocol, state, config);
    };
    Object.defineProperty(protocol, 'describe', { value: counting, configurable: true, writable: true });
    try {
      const first = traceTrial(cell!, 1, (o) => o === 'blocked')!;
      assert.ok(first.trial > 20, `trial ${first.trial}: the search should pass some trials`);
      const sends = first.events.filter((e) => e.kind === 'send' || e.kind === 'choose').length;
      assert.equal(described, sends + 1, 'each told step, and the final state, once');
      assert.deepEqual(traceTrial(cell!, first.trial), first);
    } finally {
      Object.defineProperty(protocol, 'describe', { value: describe, configurable: true, writable: true });
    }
  });

  it('refuses a protocol whose found trial ends otherwise when told again from the same draws', () => {
    const name = 'trace-told-again';
    const base = good(name);
    let ends = 0; // kept outside the state: each end alternates
    registerProtocol({
      ...base,
      next(state, config, step) {
        base.next(state, config, step);
        if (step.kind === END) step.outcome = generalsOutcome(true, ends++ % 2 === 0);
      },
    });
    try {
      const [cell] = expandCells(scenarioFrom({ protocol: name, loss: 0.5, rounds: 1, trials: 100 }));
      assert.throws(
        () => traceTrial(cell!, 1, (o) => o === 'both'),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message ===
            `protocol ${name}: trial 1 ended both, and onlyA when told again from the same draws: a protocol must keep nothing across trials outside its state array`,
      );
    } finally {
      unregister(name);
    }
  });

  it('yields by work, not by trials: a search through large trials turns the event loop often', () => {
    // 64 cohorts: each trial ~200 messages. A yield every 4,096 trials left Ctrl-C unheard for seconds.
    const [cell] = expandCells(scenarioFrom({ protocol: 'two-phase-commit', participants: 64, loss: 0.2, rounds: 2, trials: 400 }));
    let yields = 0;
    const steps = traceTrialSteps(cell!, 1, () => false);
    for (let next = steps.next(); !next.done; next = steps.next()) yields++;
    assert.ok(yields >= 3, `${yields} yields over 400 trials of about 200 messages each`);
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
