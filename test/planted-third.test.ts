import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ExactResult } from '../src/engine/exact/index.js';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { BLOCK_SIZE } from '../src/engine/schedule/blocks.js';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { xmlText } from '../src/export/junit.js';
import { savedContent } from '../src/export/json.js';
import { shortProportion } from '../src/export/numbers.js';
import { traceText } from '../src/export/trace.js';
import { fitAll } from '../src/fit/fit.js';
import { plan } from '../src/plan/plan.js';
import { defaultChart, sweptParameters } from '../src/plot/chart.js';
import type { Report } from '../src/report.js';
import { unreachedPrecision } from '../src/results/precision.js';
import { contentDigest, exactProblem } from '../src/results/verify.js';
import { blockState } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import type { Expectation } from '../src/scenario/types.js';
import { BaselineMismatch, judgeAgainstBaseline } from '../src/stats/expectations.js';
import { summarize } from '../src/stats/summary.js';
import { wilsonInterval } from '../src/stats/wilson.js';
import { traceTrial } from '../src/trace/trace.js';
import { scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// The third planted-bug audit (docs/mutation.md, "Planted bugs, third audit"): each test here
// fails with one of the bugs planted there, each value computed by hand or by an independent route.

describe('the Wilson interval at one success', () => {
  it('has a lower end above 0: 1 of 10 is [0.017876, 0.404150] at 95% (Wilson 1927, by hand)', () => {
    // z = 1.959964; z²/n = 0.384146; centre (0.1 + 0.192073) / 1.384146; half-width 0.193137.
    const { low, high } = wilsonInterval(1, 10, 0.95);
    assert.ok(Math.abs(low - 0.017876213095072924) < 1e-12, String(low));
    assert.ok(Math.abs(high - 0.40415002679523837) < 1e-12, String(high));
    // And its mirror at n − 1 of n: 9 of 10 is [0.595850, 0.982124], below 1.
    const nine = wilsonInterval(9, 10, 0.95);
    assert.ok(Math.abs(nine.low - 0.5958499732047616) < 1e-12, String(nine.low));
    assert.ok(Math.abs(nine.high - 0.982123786904927) < 1e-12, String(nine.high));
    const hundred = wilsonInterval(1, 100, 0.95);
    assert.ok(Math.abs(hundred.low - 0.001767432064140647) < 1e-12, String(hundred.low));
  });
});

describe('a proportion for people at 10^-3', () => {
  it('writes 0.001 to five decimals, as every proportion from 0.001 up, and just below it in exponent form', () => {
    assert.equal(shortProportion(0.001), '0.00100');
    assert.equal(shortProportion(0.000999), '9.99e-4');
  });
});

describe('the reports name their confidence level with every digit', () => {
  it('99.999% and 99.99999% (not 100%) in the Markdown header and under the table', async () => {
    for (const [level, shown] of [
      ['0.99999', '99\\.999'],
      ['0.9999999', '99\\.99999'],
    ] as const) {
      const markdown = await cliIn(['run', '--trials', '200', '--confidence', level, '--format', 'markdown', '--no-exact']);
      assert.equal(markdown.status, 0, markdown.stderr);
      assert.match(
        markdown.stdout,
        new RegExp(`^\\|.* \\| success \\| success ${shown}% CI \\| disagreement \\| disagreement ${shown}% CI \\| messengers \\|$`, 'm'),
      );
      const table = await cliIn(['run', '--trials', '200', '--confidence', level, '--format', 'table', '--no-exact']);
      assert.equal(table.status, 0, table.stderr);
      assert.match(table.stdout, new RegExp(`^±: wider side of the ${shown}% Wilson interval$`, 'm'));
    }
  });
});

describe('exact values read back from a file: each rule refuses', () => {
  const good = { outcomes: [0.5, 0.25, 0.25, 0], messages: [0, 0.5, 0.5], messagesMean: 1.5, messagesSecondMoment: 2.5, deliveredMean: 1, roundsMean: 1 };
  it('accepts values an engine can give', () => {
    assert.equal(exactProblem(good, 4), null);
    assert.equal(exactProblem({ ...good, messages: null }, 4), null);
  });
  it('refuses outcomes that do not add up to 1, a distribution of messages that is not one of probabilities, and every mean negative or not a number', () => {
    assert.equal(exactProblem({ ...good, outcomes: [0.5, 0.25, 0.2, 0] }, 4), 'its exact outcome probabilities add up to 0.95, not 1');
    assert.equal(exactProblem({ ...good, messages: [0, 1.5] }, 4), 'its exact distribution of messages is not one of probabilities');
    assert.equal(exactProblem({ ...good, messages: 'x' }, 4), 'its exact distribution of messages is not one of probabilities');
    for (const key of ['messagesMean', 'messagesSecondMoment', 'deliveredMean', 'roundsMean']) {
      assert.equal(exactProblem({ ...good, [key]: -1 }, 4), `its exact ${key} is -1, not a mean of a count`);
      assert.equal(exactProblem({ ...good, [key]: Number.NaN }, 4), `its exact ${key} is NaN, not a mean of a count`);
    }
  });
});

/** Handshake cells over redundancy 1, 2, 3 (R 2), each with `both` of 1,000 trials and two messages a trial (cost 2k). */
function handshakeCells(both: readonly number[], exact: readonly (ExactResult | null)[] = []) {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000, sweep: { redundancy: both.map((_, i) => i + 1) } });
  return expandCells(scenario).map((cell, i) => {
    const tally = { trials: 1000, outcomes: [both[i]!, 1000 - both[i]!, 0, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 };
    return summarize({ cell, copies: i + 1, deliveryValues: [i + 1], tally, exact: exact[i] ?? null } as CellResult, 0.95);
  });
}

describe('plan: the frontier, the closest setting, and where its values come from', () => {
  const atLeast = (bound: number) => [{ metric: 'success', relation: '>=' as const, bound }];
  it('keeps on the frontier only a setting better than every cheaper one (0.5, 0.9, then 0.7: not the third)', () => {
    const result = plan(handshakeCells([500, 900, 700]), atLeast(0.99));
    assert.deepEqual(
      result.frontier.map((c) => c.summary.params['redundancy']),
      [1, 2],
    );
  });
  it('names the cheaper of two settings equally close to a target none meets', () => {
    const result = plan(handshakeCells([900, 900]), atLeast(0.99));
    assert.equal(result.winner, null);
    assert.equal(result.unreachable.length, 1);
    assert.equal(result.unreachable[0]!.best.cost, 2);
    assert.equal(result.unreachable[0]!.best.summary.params['redundancy'], 1);
  });
  it('says its values are exact only where every setting has exact values', () => {
    const exact: ExactResult = {
      outcomes: [0.9, 0.1, 0, 0],
      messages: [0, 0, 1],
      messagesMean: 2,
      messagesSecondMoment: 4,
      deliveredMean: 2,
      roundsMean: 1,
      statesExpanded: 1,
      method: 'generic',
    };
    assert.equal(plan(handshakeCells([900, 900], [exact, null]), atLeast(0.8)).exact, false);
    assert.equal(plan(handshakeCells([900, 900], [exact, exact]), atLeast(0.8)).exact, true);
  });
});

describe('trace at the edge of a block of 65,536 trials', () => {
  it("replays trials 65,535 to 65,537 from their own block's stream, as run counted them", () => {
    for (const seed of ['edge-1', 'edge-2', 'edge-3', 'edge-4']) {
      const [cell] = expandCells(scenarioFrom({ protocol: 'retransmit', loss: 0.4, redundancy: 1, rounds: 4, trials: 200_000, seed }));
      const model = buildCellModel(cellSpec(cell!));
      for (const trial of [BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1]) {
        const block = Math.floor((trial - 1) / BLOCK_SIZE);
        const index = (trial - 1) % BLOCK_SIZE;
        // Trial `trial` alone: the block's tally of index + 1 trials less that of index trials.
        const upTo = (n: number) => (n === 0 ? null : runBlockCompiled(model, blockState(seed, cell!.key, block), n));
        const after = upTo(index + 1)!;
        const before = upTo(index);
        const outcome = after.outcomes.findIndex((c, i) => c !== (before?.outcomes[i] ?? 0));
        const messages = after.messages.findIndex((c, m) => c !== (before?.messages[m] ?? 0));
        const traced = traceTrial(cell!, trial)!;
        assert.equal(traced.trial, trial);
        assert.equal(traced.block, block);
        assert.equal(traced.outcome, model.outcomes.names[outcome], `${seed}, trial ${trial}`);
        assert.equal(traced.messages, messages, `${seed}, trial ${trial}`);
      }
    }
  });
});

describe('fitAll chooses by BIC, not by AIC', () => {
  it('Bernoulli where Gilbert gains 1.94 nats: enough for AIC (1), not for BIC (ln(1000)/2 = 3.45)', () => {
    // 1,000 packets: 84 runs of 10 delivered, each then 16 bursts of two losses and 68 single ones, and 60 delivered.
    const lost = new Uint8Array(1000);
    let at = 0;
    for (let u = 0; u < 84; u++) {
      at += 10;
      for (let k = 0; k < (u < 16 ? 2 : 1); k++) lost[at++] = 1;
    }
    const all = fitAll(lost);
    // By hand: Bernoulli p = 0.1, ln L = 100 ln 0.1 + 900 ln 0.9. Gilbert from the transitions
    // 815 (0→0), 84 (0→1), 84 (1→0), 16 (1→1): goodToBad 84/899, badToGood 84/100, first packet good
    // with the stationary 1 − π_bad.
    const g2b = 84 / 899;
    const b2g = 0.84;
    const bernoulli = 100 * Math.log(0.1) + 900 * Math.log(0.9);
    const gilbert = Math.log(1 - g2b / (g2b + b2g)) + 815 * Math.log(1 - g2b) + 84 * Math.log(g2b) + 84 * Math.log(b2g) + 16 * Math.log(1 - b2g);
    assert.ok(Math.abs(all.bernoulli.logLikelihood - bernoulli) < 1e-9, String(all.bernoulli.logLikelihood));
    assert.ok(Math.abs(all.gilbert.logLikelihood - gilbert) < 1e-9, String(all.gilbert.logLikelihood));
    assert.ok(all.gilbert.aic < all.bernoulli.aic, 'AIC would take Gilbert');
    assert.ok(all.bernoulli.bic < all.gilbert.bic && all.bernoulli.bic < all.gilbertElliott.bic, 'BIC takes Bernoulli');
    assert.equal(all.chosen.model, 'bernoulli');
  });
});

describe('notWorseThan on an outcome that counts as success', () => {
  it('fails where `both` fell from 990 to 900 of 1,000 (lower is worse for it, as for success)', () => {
    const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000 });
    const [cell] = expandCells(scenario);
    const summaryOf = (both: number) =>
      summarize(
        {
          cell: cell!,
          copies: 1,
          deliveryValues: [1],
          tally: { trials: 1000, outcomes: [both, 1000 - both, 0, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 },
          exact: null,
        } as CellResult,
        0.95,
      );
    const baseline = { scenarios: [scenario], summaries: [summaryOf(990)], confidence: 0.95 } as unknown as Report;
    const e = { metric: 'both', notWorseThan: 'base/results.json' } as Expectation;
    // By exact fractions: 110 trials without `both`, 100 of them this run's: Fisher's one-sided
    // p = P(X ≥ 100) = 4.787450089374316e-21, z = Φ⁻¹(1 − p) = 9.3406450295867474.
    const worse = judgeAgainstBaseline(summaryOf(900), e, baseline, 0.95);
    assert.equal(worse.passed, false);
    assert.ok(Math.abs(worse.baseline!.z! - 9.340645029586747) < 1e-6, String(worse.baseline!.z));
    assert.match(worse.message, /: both 0\.9 is significantly lower than the baseline's 0\.99 /);
    assert.equal(judgeAgainstBaseline(summaryOf(995), e, baseline, 0.95).passed, true);
  });
});

describe("one role's crash rate swept under a crash rate for every role", () => {
  it('keeps every other role at that rate, the first role as the last', () => {
    const paramsOf = (sweep: Record<string, number[]>) =>
      expandCells(scenarioFrom({ protocol: 'two-phase-commit', crash: 0.1, sweep })).map((c) => ({ ...c.params }));
    for (const cell of paramsOf({ crashCohort: [0, 0.2] })) {
      assert.equal(cell['crashCoordinator'], 0.1, JSON.stringify(cell));
      assert.equal(cell['crash'], undefined);
    }
    assert.deepEqual(
      paramsOf({ crashCohort: [0, 0.2] }).map((c) => c['crashCohort']),
      [0, 0.2],
    );
    for (const cell of paramsOf({ crashCoordinator: [0, 0.2] })) {
      assert.equal(cell['crashCohort'], 0.1, JSON.stringify(cell));
      assert.equal(cell['crash'], undefined);
    }
  });
});

describe('plot refuses rows twogenerals could not have written', () => {
  it('success_exact 1.5: one line, exit 2, nothing drawn', async () => {
    const run = await cliIn(['run', 'scenarios/handshake-regress.yaml', '--trials', '2000', '-f', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const [head, first, ...rest] = run.stdout.trimEnd().split('\n');
    const columns = head!.split(',');
    assert.ok(columns.includes('success_exact'), head);
    const dir = tempFiles({});
    try {
      for (const column of ['success_exact', 'disagreement_exact']) {
        const row = first!.split(',');
        row[columns.indexOf(column)] = '1.5';
        const path = join(dir, `${column}.csv`);
        writeFileSync(path, [head, row.join(','), ...rest].join('\n'));
        const r = await cliIn(['plot', path]);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, new RegExp(`^twogenerals: [^\\n]*${column}\\.csv: row 1, column ${column}: 1\\.5 is not a probability \\(0 to 1\\)\\n$`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a column named twice: one line, exit 2, whichever of the two it would have drawn', async () => {
    const run = await cliIn(['run', 'scenarios/handshake-regress.yaml', '--trials', '2000', '-f', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const at = lines[0]!.split(',').indexOf('success');
    const dir = tempFiles({});
    try {
      const path = join(dir, 'twice.csv');
      writeFileSync(path, lines.map((line, i) => `${line},${i === 0 ? 'success' : line.split(',')[at]}`).join('\n'));
      const r = await cliIn(['plot', path]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: [^\n]*twice\.csv: the column 'success' appears twice\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("trace's timeline", () => {
  it('counts messengers as messages times copies, and numbers a replayed start from packet 1', () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'retransmit', loss: 0.3, redundancy: 3, rounds: 4, trials: 1000, seed: 'timeline' }));
    const t = traceTrial(cell!, 1)!;
    const sends = t.events.filter((e) => e.kind === 'send').length;
    assert.equal(t.messages, sends);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    assert.match(traceText(t), new RegExp(`; ${plural(sends, 'message')}, ${plural(3 * sends, 'messenger')}\\n$`));
    // A replayed trace's start as the timeline's second line, 1-based: position 0 is packet 1.
    const replayed = traceText({ ...t, traceStart: { position: 0, packets: 12_000 } }).split('\n');
    assert.equal(replayed[1], 'the trace replayed from its packet 1 of 12,000');
  });
});

describe('a notWorseThan baseline swept at other values', () => {
  it('is refused for a cell it lacks where some cells match (loss 0.1, 0.2 against 0.1, 0.3): 0.2 is never judged against 0.3', () => {
    const cellsOf = (losses: number[]) => {
      const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000, sweep: { loss: losses } });
      const tally = { trials: 1000, outcomes: [900, 100, 0, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 };
      return {
        scenario,
        summaries: expandCells(scenario).map((cell) => summarize({ cell, copies: 1, deliveryValues: [1], tally, exact: null } as CellResult, 0.95)),
      };
    };
    const mine = cellsOf([0.1, 0.2]);
    const theirs = cellsOf([0.1, 0.3]);
    const baseline = { scenarios: [theirs.scenario], summaries: theirs.summaries, confidence: 0.95 } as unknown as Report;
    const e = { metric: 'success', notWorseThan: 'base/results.json' } as Expectation;
    assert.equal(judgeAgainstBaseline(mine.summaries[0]!, e, baseline, 0.95).passed, true);
    assert.throws(
      () => judgeAgainstBaseline(mine.summaries[1]!, e, baseline, 0.95),
      (error: unknown) => error instanceof BaselineMismatch && /none of its cells matches /.test(error.problem),
    );
  });
});

describe('a precision run: every outcome counts toward the widest half-width', () => {
  it('neither at 500 of 1,000 (±0.030930) is wider than success (0.3, ±0.029124) and disagreement (0.2): precision 0.03 is not reached', () => {
    const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: { precision: 0.03, maxTrials: 1000 } });
    const [cell] = expandCells(scenario);
    const tally = { trials: 1000, outcomes: [300, 500, 200, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 };
    const summary = summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally, exact: null } as CellResult, 0.95);
    const report = { scenarios: [scenario], summaries: [summary], blockSize: 1, confidence: 0.95 } as unknown as Report;
    const [unreached, ...rest] = unreachedPrecision(report);
    assert.equal(rest.length, 0);
    assert.ok(unreached, 'the cell stopped short of its precision');
    assert.ok(Math.abs(unreached.halfWidth - 0.03093039963189581) < 1e-12, String(unreached.halfWidth));
  });
});

describe('JUnit text keeps a surrogate pair whose low half is U+DC00', () => {
  it('U+10000 (D800 DC00) and U+10FC00 (DBFF DC00) stay as written; a lone DC00 becomes U+FFFD', () => {
    assert.equal(xmlText('a\u{10000}b'), 'a\u{10000}b');
    assert.equal(xmlText('\u{10FC00}'), '\u{10FC00}');
    assert.equal(xmlText('x\uDC00y'), 'x\uFFFDy');
  });
});

describe("plot's default chart from a sweep's shape", () => {
  it('x is the parameter of most values, a line per value of the other; a column of one value is no sweep', () => {
    const columns = ['scenario', 'protocol', 'channel', 'loss', 'redundancy', 'rounds', 'trials', 'disagreement'];
    const rows = [0.1, 0.2, 0.3].flatMap((loss) =>
      [1, 2].map((redundancy) => ({
        scenario: 's',
        protocol: 'handshake',
        channel: 'bernoulli',
        loss,
        redundancy,
        rounds: 4,
        trials: 100,
        disagreement: loss / 10,
      })),
    );
    assert.deepEqual(sweptParameters(columns, rows), ['loss', 'redundancy']);
    const chart = defaultChart(columns, rows, 't')!;
    assert.equal(chart.x, 'loss');
    assert.equal(chart.series, 'redundancy');
  });
});

describe('--set of a key with an empty part', () => {
  it("is refused as no key, in one line, before the scenario's schema sees an unknown key ''", async () => {
    for (const key of ['loss..AtoB', '.loss', 'loss.']) {
      const r = await cliIn(['run', '--trials', '100', '--set', `${key}=0.1`]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `twogenerals: --set ${key}=0.1: '${key}' is not a key: write it as name or name.part, such as loss or loss.AtoB\n`);
    }
  });
});

describe('exact probabilities a rounding carried past 0 or 1', () => {
  it('are summarized inside [0, 1], each outcome as success and disagreement are', () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000 }));
    const exact: ExactResult = {
      outcomes: [1 + 2 ** -52, -1e-17, 0, 0],
      messages: [0, 0, 1],
      messagesMean: 2,
      messagesSecondMoment: 4,
      deliveredMean: 2,
      roundsMean: 1,
      statesExpanded: 1,
      method: 'generic',
    };
    const summary = summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally: null, exact } as unknown as CellResult, 0.95);
    assert.deepEqual(summary.exact!.outcomes, [1, 0, 0, 0]);
    assert.equal(summary.exact!.success, 1);
    assert.equal(summary.exact!.disagreement, 0);
  });
});

describe('merge: recorded places that do not fit the expect entries', () => {
  it('are given to no gate: one place recorded for two entries (its digest made to match) is left unused', async () => {
    const dir = tempFiles({
      'g.yaml': 'protocol: messenger\ntrials: 1000\nexpect:\n  - metric: success\n    atLeast: 0.1\n  - metric: disagreement\n    atMost: 0.01\n',
    });
    try {
      const run = await cliIn(['run', join(dir, 'g.yaml'), '-f', 'json', '--no-exact']);
      assert.equal(run.status, 1, run.stderr); // the disagreement gate fails
      const data = JSON.parse(run.stdout) as Record<string, unknown> & { places: string[][] };
      const second = data.places[0]![1]!;
      assert.match(second, /g\.yaml:6:5$/);
      data.places = [[second]];
      const forged = join(dir, 'forged.json');
      writeFileSync(forged, JSON.stringify({ ...data, digest: contentDigest(savedContent(data)) }));
      const merged = await cliIn(['merge', forged, '-f', 'junit']);
      assert.equal(merged.status, 1, merged.stderr);
      const success = merged.stdout.split('\n').find((line) => line.includes('name="success'));
      assert.ok(success, merged.stdout);
      assert.doesNotMatch(success, /line="6"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the handshake with crashes: a general who crashed does not attack', () => {
  it('loss 0, A crashing at 0.3 a round start: R 1 gives neither 0.3; R 3 gives both 0.7^3 and neither the rest, never onlyA', () => {
    const outcomes = (data: Record<string, unknown>) => {
      const [cell] = expandCells(scenarioFrom({ protocol: 'handshake', loss: 0, redundancy: 1, ...data }));
      return exactCell(buildCellModel(cellSpec(cell!))).outcomes; // both, neither, onlyA, onlyB
    };
    const close = (actual: readonly number[], expected: readonly number[]) =>
      assert.ok(
        actual.every((p, i) => Math.abs(p - expected[i]!) < 1e-15),
        `${actual} vs ${expected}`,
      );
    // R 1: A crashes before its order (0.3): the order is never sent, nobody attacks.
    close(outcomes({ rounds: 1, crash: { A: 0.3 } }), [0.7, 0.3, 0, 0]);
    // B crashes before the order arrives (0.3): A, up and unaware, attacks alone.
    close(outcomes({ rounds: 1, crash: { B: 0.3 } }), [0.7, 0, 0.3, 0]);
    // R 3: A must be up at the start of rounds 1, 2 and 3; crashed at round 3 it has missed no leg, yet does not attack.
    close(outcomes({ rounds: 3, crash: { A: 0.3 } }), [0.7 ** 3, 1 - 0.7 ** 3, 0, 0]);
  });
});
