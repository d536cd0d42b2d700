import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useColor } from '../src/cli/output.js';
import { exactSteps } from '../src/engine/exact/index.js';
import { EXPLICIT_EXACT_WORDS, EXPLICIT_EXACT_WORK } from '../src/engine/exact/result.js';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { parseTarget, plan } from '../src/plan/plan.js';
import { chartSpec, defaultChart } from '../src/plot/chart.js';
import type { Row } from '../src/plot/chart.js';
import { checkRows } from '../src/plot/rows-check.js';
import { builtIns, changedBuiltIn, refuseBuiltInsChangedSinceLoad, watchBuiltIns } from '../src/protocol-files/built-ins.js';
import { cellKey, expandCells } from '../src/scenario/cells.js';
import type { CellSummary, ExactSummary } from '../src/stats/summary.js';
import { summarize } from '../src/stats/summary.js';
import { cell } from './exact-helpers.js';
import { ROOT, scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// The fourth planted-bug audit (docs/mutation.md, "Planted bugs, fourth audit"): each test here
// fails with one of the bugs planted there, each value computed by hand or by an independent route.

describe('the independent-cohorts solver at the edge of its work limit', () => {
  it('refuses a cell whose first check past the limit falls on its last round before any work', () => {
    // R 256: ⌈256 / 2⌉ = 128 units a round, the limit looked at every 32 rounds (4,096 units).
    // At a limit of 30,000 the first look past it is at round 256 (32,768 units), the last round:
    // refused at once, not after 7 slices (28,672 units) of work spent for nothing.
    const model = cell('two-phase-commit', 'bernoulli', { participants: 2, rounds: 256, redundancy: 1, loss: 0.2, abortRate: 0.1 });
    const steps = exactSteps(model, { maxWork: 30_000, maxWords: Number.POSITIVE_INFINITY });
    assert.throws(() => steps.next(), { message: 'it needs more than 30,000 steps of work (round 256 of 256 of phase 1)' });
  });
});

/** Handshake cells over `sweep` (R 2) with `both` of 1,000 trials each and `messages` messages every trial. */
function handshakeCells(both: readonly number[], messages: readonly number[], sweep: Record<string, number[]> = { redundancy: [1, 2] }): CellSummary[] {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000, sweep });
  return expandCells(scenario).map((c, i) => {
    const spread = Array(messages[i]! + 1).fill(0);
    spread[messages[i]!] = 1000;
    const tally = { trials: 1000, outcomes: [both[i]!, 1000 - both[i]!, 0, 0], messages: spread, deliveries: [1000], rounds: 1000 };
    return summarize({ cell: c, copies: 1, deliveryValues: [1], tally, exact: null } as CellResult, 0.95);
  });
}

/** The same summary with exact values: success `success`, the cost `cost`. */
function withExact(s: CellSummary, success: number, cost: number): CellSummary {
  const exact = { ...({} as ExactSummary), outcomes: [success, 1 - success, 0, 0], success, disagreement: 1 - success, messengersMean: cost };
  return { ...s, exact };
}

describe('plan: ties, exact rounding and --largest', () => {
  it('of two settings that cost the same, names the one with the better value of the first target', () => {
    // Both cost 2 messages and meet success ≥ 0.5; 990 of 1,000 beats 900 of 1,000.
    for (const both of [
      [900, 990],
      [990, 900],
    ]) {
      const result = plan(handshakeCells(both, [2, 2]), [{ metric: 'success', relation: '>=', bound: 0.5 }]);
      assert.equal(result.winner!.summary.params['redundancy'], both[0] === 990 ? 1 : 2);
      assert.equal(result.frontier.length, 1, 'the worse of two equal costs is never on the frontier');
      assert.equal(result.frontier[0], result.winner);
    }
  });
  it('takes an exact value a rounding short of its bound as undecided, not meeting it (EXACT_ROUNDING), and one 1e-9 short as missing it', () => {
    const [a, b] = handshakeCells([900, 900], [2, 4]);
    const target = [{ metric: 'success', relation: '>=' as const, bound: 0.9 }];
    const close = plan([withExact(a!, 0.9 - 1e-15, 2)], target);
    assert.equal(close.winner, null);
    assert.ok(close.candidates[0]!.undecided[0]! > 1e-15, 'undecided, within the rounding allowed');
    const far = plan([withExact(b!, 0.9 - 1e-9, 4)], target);
    assert.equal(far.winner, null);
    assert.deepEqual(far.candidates[0]!.undecided, [null]);
  });
  it('with --largest, lists the frontier from the largest value of the parameter down', () => {
    const summaries = handshakeCells([990, 990, 990], [2, 2, 2], { rounds: [2, 6, 4] });
    const result = plan(summaries, [{ metric: 'success', relation: '>=', bound: 0.5 }], 'rounds');
    assert.deepEqual(
      result.frontier.map((c) => c.summary.params['rounds']),
      [6, 4, 2],
    );
    assert.equal(result.winner!.summary.params['rounds'], 6);
  });
  it('refuses a target whose bound is no number (success >= ., success >= e)', () => {
    for (const text of ['success >= .', 'success >= e', 'success <= +-']) assert.equal(parseTarget(text), null, text);
  });
});

describe('colour (no-color.org, FORCE_COLOR)', () => {
  it('is off where FORCE_COLOR is 0 or false, on where it is anything else, whatever the stream', () => {
    for (const isTTY of [true, false]) {
      assert.equal(useColor({ isTTY }, { FORCE_COLOR: 'false' }), false);
      assert.equal(useColor({ isTTY }, { FORCE_COLOR: '0' }), false);
      assert.equal(useColor({ isTTY }, { FORCE_COLOR: '1' }), true);
      assert.equal(useColor({ isTTY }, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
    }
  });
  it('is on for a terminal, but not one whose TERM is dumb, nor a pipe', () => {
    assert.equal(useColor({ isTTY: true }, { TERM: 'xterm-256color' }), true);
    assert.equal(useColor({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(useColor({ isTTY: false }, { TERM: 'xterm-256color' }), false);
    assert.equal(useColor({ isTTY: true }, { TERM: 'xterm', NO_COLOR: '' }), true, 'an empty NO_COLOR is not set');
  });
});

describe('the built-ins a protocol file must leave as it found them', () => {
  /** The member changedBuiltIn names after `change`, with `undo` run straight after (nothing else runs between). */
  function named(change: () => void, undo: () => void): string | undefined {
    const before = builtIns();
    change();
    try {
      return changedBuiltIn(before);
    } finally {
      undo();
    }
  }
  const typedArray = Object.getPrototypeOf(Int32Array.prototype) as Record<string, unknown>;
  it('names a member added to what every typed array inherits', () => {
    assert.equal(
      named(
        () => {
          typedArray['planted'] = 1;
        },
        () => {
          delete typedArray['planted'];
        },
      ),
      'TypedArray.prototype.planted',
    );
  });
  it("names a getter replaced, where the member's value (none) is the same", () => {
    const size = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!;
    assert.equal(
      named(
        () => Object.defineProperty(Map.prototype, 'size', { ...size, get: () => 0 }),
        () => Object.defineProperty(Map.prototype, 'size', size),
      ),
      'Map.prototype.size',
    );
  });
  it("names a Map's method and the global setTimeout replaced", () => {
    const get = Map.prototype.get;
    assert.equal(
      named(
        () => {
          Map.prototype.get = () => undefined;
        },
        () => {
          Map.prototype.get = get;
        },
      ),
      'Map.prototype.get',
    );
    const timeout = globalThis.setTimeout;
    assert.equal(
      named(
        () => {
          globalThis.setTimeout = (() => undefined) as unknown as typeof setTimeout;
        },
        () => {
          globalThis.setTimeout = timeout;
        },
      ),
      'setTimeout',
    );
  });
  it("keeps the first file's baseline when a second file loads after a change: the change is still refused", () => {
    const first = builtIns();
    watchBuiltIns(first, '/p/a.mjs');
    const sqrt = Math.sqrt;
    Math.sqrt = (x: number) => x;
    try {
      watchBuiltIns(builtIns(), '/p/b.mjs'); // b found Math.sqrt already changed (by a's callback)
      assert.throws(
        () => refuseBuiltInsChangedSinceLoad(),
        (error: Error) => {
          assert.match(error.message, /changed JavaScript's built-in Math\.sqrt while the command ran/);
          return true;
        },
      );
      refuseBuiltInsChangedSinceLoad(); // said once: the command's error goes out, and nothing more is refused
    } finally {
      Math.sqrt = sqrt;
    }
  });
});

describe("--exact's limits as the docs give them", () => {
  // A cell between the old limit (30,000,000) and this one takes the better part of a minute, so
  // the limits are held to what README and docs/traces.md promise instead.
  const plain = (text: string): string => text.replace(/\s+/g, ' ');
  it('gives every cell 90,000,000 steps and 40,000,000 stored numbers (README, docs/traces.md)', () => {
    const readme = plain(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    assert.equal(/`--exact` gives every cell up to ([\d,]+) steps/.exec(readme)?.[1]?.replaceAll(',', ''), String(EXPLICIT_EXACT_WORK));
    assert.equal(/\(305 MB: ([\d,]+) stored numbers/.exec(readme)?.[1]?.replaceAll(',', ''), String(EXPLICIT_EXACT_WORDS));
    const traces = plain(readFileSync(join(ROOT, 'docs', 'traces.md'), 'utf8'));
    assert.equal(/`--exact` \(([\d,]+) steps a cell/.exec(traces)?.[1]?.replaceAll(',', ''), String(EXPLICIT_EXACT_WORK));
  });
});

describe("plot's axis from the sweep's shape", () => {
  const COLUMNS = ['scenario', 'protocol', 'channel', 'loss', 'trials', 'disagreement', 'disagreement_low', 'disagreement_high'];
  /** Rows of a loss sweep with these disagreement estimates (their intervals ±10% about them). */
  const rows = (values: readonly number[]): Row[] =>
    values.map((d, i) => ({
      scenario: 's',
      protocol: 'messenger',
      channel: 'bernoulli',
      loss: 0.1 * (i + 1),
      trials: 1000,
      disagreement: d,
      disagreement_low: d * 0.9,
      disagreement_high: Math.min(1, d * 1.1),
    }));
  it('is logarithmic where the values span more than two decades (a ratio above 100), linear at 100 or less', () => {
    assert.equal(defaultChart(COLUMNS, rows([0.5, 0.002]), 't')!.logY, true, 'a ratio of 250');
    assert.equal(defaultChart(COLUMNS, rows([0.5, 0.004]), 't')!.logY, true, 'a ratio of 125');
    assert.equal(defaultChart(COLUMNS, rows([0.5, 0.005]), 't')!.logY, false, 'a ratio of 100');
    assert.equal(defaultChart(COLUMNS, rows([0.5, 0.05]), 't')!.logY, false, 'a ratio of 10');
  });
  /** The y encoding of the chart's estimate layer. */
  const yOf = (spec: Record<string, unknown>) => (spec['layer'] as { encoding: { y: Record<string, unknown> } }[]).at(-1)!.encoding.y;
  it('puts a tick at 0 and at every decade from the smallest value drawn to above the largest, where it chose a log axis over a 0', () => {
    const chart = defaultChart(COLUMNS, rows([0.5, 0.002, 0]), 't')!;
    const y = yOf(chartSpec(rows([0.5, 0.002, 0]), chart));
    assert.deepEqual(y['scale'], { type: 'symlog', constant: 0.002 * 0.9 }); // the smallest value drawn: 0.002's low end
    assert.deepEqual((y['axis'] as { values: number[] }).values, [0, 0.001, 0.01, 0.1, 1]); // up to 0.55, 0.5's high end
  });
  it('asked for (--log-y), is a plain logarithmic axis, on which a 0 is not drawn', () => {
    const spec = chartSpec(rows([0.5, 0.02, 0]), { metric: 'disagreement', x: 'loss', series: null, logY: true, logYAsked: true, title: 't' });
    assert.deepEqual(yOf(spec)['scale'], { type: 'log' });
    const data = (spec['data'] as { values: { estimate: number | null; low: number | null }[] }).values;
    assert.deepEqual(
      data.map((d) => d.estimate),
      [0.5, 0.02, null],
    );
    assert.equal(data[2]!.low, null);
  });
});

describe("plot's check of the rows it draws", () => {
  const HEADER = ['scenario', 'protocol', 'channel', 'loss', 'trials', 'success', 'success_low', 'success_high', 'onlyA', 'onlyA_exact'];
  const row = (changes: Record<string, unknown>) => {
    const values: Record<string, unknown> = {
      scenario: 's',
      protocol: 'messenger',
      channel: 'bernoulli',
      loss: 0.1,
      trials: 100,
      success: 0.9,
      success_low: 0.8,
      success_high: 0.95,
      onlyA: 10,
      onlyA_exact: 0.1,
      ...changes,
    };
    return HEADER.map((c) => values[c]);
  };
  const refusal = (values: unknown[], metric: string): string => {
    try {
      checkRows('r.csv', HEADER, [values], metric);
    } catch (error) {
      return (error as Error).message.replace(/^r\.csv: /, '');
    }
    return 'taken';
  };
  it("refuses an outcome's exact value that is no probability, as success's", () => {
    assert.equal(refusal(row({}), 'onlyA'), 'taken');
    assert.equal(refusal(row({ onlyA_exact: 1.5 }), 'onlyA'), 'row 1, column onlyA_exact: 1.5 is not a probability (0 to 1)');
    assert.equal(refusal(row({ onlyA_exact: -0.1 }), 'success'), 'row 1, column onlyA_exact: -0.1 is not a probability (0 to 1)');
  });
  it('refuses an empty cell in the column it draws, and takes one in another', () => {
    assert.equal(refusal(row({ success: '' }), 'success'), 'row 1: the success column is empty');
    assert.equal(refusal(row({ onlyA: '' }), 'onlyA'), 'row 1: the onlyA column is empty');
    assert.equal(refusal(row({ onlyA_exact: '' }), 'onlyA'), 'taken');
  });
});

describe('crash rates in sweeps', () => {
  const cells = (o: Record<string, unknown>) => expandCells(scenarioFrom({ protocol: 'handshake', trials: 100, ...o }));
  it('a sweep of crash replaces a crash rate set for one role: no stale crashA beside it', () => {
    assert.deepEqual(
      cells({ crash: { A: 0.2 }, sweep: { crash: [0.1, 0.3] } }).map((c) => c.params),
      [
        { loss: 0.5, redundancy: 2, rounds: 1, crash: 0.1 },
        { loss: 0.5, redundancy: 2, rounds: 1, crash: 0.3 },
      ],
    );
  });
  it("a sweep of one role's rate under a rate for every role: the other role keeps it, the swept one takes each value (0 too)", () => {
    assert.deepEqual(
      cells({ crash: 0.2, sweep: { crashA: [0, 0.3] } }).map((c) => c.params),
      [
        { loss: 0.5, redundancy: 2, rounds: 1, crashA: 0, crashB: 0.2 },
        { loss: 0.5, redundancy: 2, rounds: 1, crashA: 0.3, crashB: 0.2 },
      ],
    );
  });
  it('a crash rate of 0 swept is the crash-free cell to the key (its streams), another rate is not', () => {
    const [none, some] = cells({ sweep: { crash: [0, 0.3] } });
    const plain = cellKey({ protocol: 'handshake', channel: 'bernoulli' }, { loss: 0.5, redundancy: 2, rounds: 1 });
    assert.equal(none!.key, plain);
    assert.notEqual(some!.key, plain);
    assert.equal(some!.key, 'handshake|bernoulli|crash=0.3,loss=0.5,redundancy=2,rounds=1');
  });
});

describe('plan --vary of a crash rate', () => {
  it('prints the largest rate that meets the target, then the three above it and the one below, no more', async () => {
    // Handshake, no loss, R 1: A crashes before its one send with probability c, so success = 1 − c
    // and the cost 2(1 − c), by hand; success ≥ 0.85 holds up to c = 0.1.
    const r = await cliIn([
      'plan',
      '--set',
      'protocol=handshake',
      '--set',
      'loss=0',
      '--vary',
      'crashA=0:0.9:0.1',
      '--target',
      'success>=0.85',
      '--format',
      'csv',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      'crashA,messengers_mean,success,exact,meets\n0.1,1.8,0.9,true,true\n0.4,1.2,0.6,true,false\n0.3,1.4,0.7,true,false\n0.2,1.6,0.8,true,false\n0,2,1,true,true\n',
    );
  });
});

describe("plan's bounds", () => {
  it('takes the ends of 0..1 as bounds (a lossless link meets success ≥ 1 and disagreement ≤ 0), and refuses past them', async () => {
    const base = ['plan', '--set', 'protocol=messenger', '--set', 'loss=0', '--vary', 'redundancy=1:2', '--format', 'csv'];
    const sure = await cliIn([...base, '--target', 'success>=1']);
    assert.equal(sure.status, 0, sure.stderr);
    assert.equal(sure.stdout, 'redundancy,messengers_mean,success,exact,meets\n1,1,1,true,true\n');
    const never = await cliIn([...base, '--target', 'disagreement<=0']);
    assert.equal(never.status, 0, never.stderr);
    assert.equal(never.stdout, 'redundancy,messengers_mean,disagreement,exact,meets\n1,1,0,true,true\n');
    for (const [target, got] of [
      ['success>=1.01', '1.01'],
      ['disagreement<=-0.1', '-0.1'],
    ]) {
      const r = await cliIn([...base, '--target', target!]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^twogenerals: --target ${target}: \\w+ is a probability: give a bound from 0 to 1 \\(got ${got}\\)\\n$`));
    }
  });
});

describe('a built-in changed while the definition is read', () => {
  it("is refused naming that stage (a getter of the definition's name), not a later one", async () => {
    const file = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  get name() { Math.sqrt = (x) => x; return 'getter'; },
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'not heard'),
});
`;
    const dir = tempFiles({ 'getter.mjs': file, 's.yaml': 'protocol: ./getter.mjs\ntrials: 1000\n' });
    for (const args of [
      ['run', join(dir, 's.yaml')],
      ['check', join(dir, 'getter.mjs')],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: .*\/getter\.mjs: changed JavaScript's built-in Math\.sqrt while reading the definition's members \(getters included\): a protocol file must leave the built-in objects as it found them \(twogenerals computes its numbers with them\)\n$/,
      );
    }
  });
});
