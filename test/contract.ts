import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CHANNELS } from '../src/catalog/channels.js';
import { UNLIMITED, exactCell, structuredSolverFor } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock, runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { runExperiment } from '../src/experiment.js';
import { PROTOCOLS } from '../src/catalog/protocols.js';
import { PARAMETERS } from '../src/catalog/parameters.js';
import type { ParameterSpec } from '../src/catalog/parameters.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { expandCells } from '../src/scenario/cells.js';
import { proportionZ } from '../src/stats/zscore.js';
import { traceTrial } from '../src/trace/trace.js';
import { assertSameExact, scenarioFrom } from './helpers.js';

/**
 * The contract every registered protocol × channel meets, over cells generated from the
 * parameters they declare (fast-check, fixed seed): the exact engine with symmetric states
 * merged, without merging, and the protocol's structured solver agree to 1e-12; Monte Carlo
 * agrees with them (|z| ≤ 3.5); every fast path (compiled kernels, SIMD lanes) gives the generic
 * engine's tally draw for draw; and `trace` replays the trials `run` counted. A new protocol or
 * channel gets all of it by being registered.
 */
const SEED = 20261129;
const CELLS_PER_PAIR = 3;
const TRIALS = 40_000;
/** Whole-number parameters span only a few values above their minimum, so every cell stays small enough for the per-state engine. */
const INTEGER_SPAN = 2;

// Thousandths, with the ends now and then: fast-check's doubles crowd near 0 and 1, where a
// channel's memory cannot show.
function numberIn(min: number, max: number): fc.Arbitrary<number> {
  // A declaration may leave a bound out (unbounded): the values are then drawn next to the other.
  const lo = Number.isFinite(min) ? min : Number.isFinite(max) ? max - 1 : 0;
  const hi = Number.isFinite(max) ? max : lo + 1;
  const inner = fc.integer({ min: 1, max: 999 }).map((k) => Number((lo + ((hi - lo) * k) / 1000).toPrecision(12)));
  return fc.oneof({ arbitrary: fc.constantFrom(lo, hi), weight: 1 }, { arbitrary: inner, weight: 5 });
}

/** A file parameter gets the fixture of its name if there is one (test/fixtures/trace.txt for a trace), else a short trace. */
const FIXTURE = 'test/fixtures/trace.txt';

function valueOf(spec: ParameterSpec): fc.Arbitrary<number | string | Record<string, number>> {
  if (spec.values) return fc.constantFrom(...spec.values);
  if (spec.text === 'file') return fc.constant(FIXTURE);
  // Free text: its declared default (a channel's text parameter may refuse an empty one).
  if (spec.text) return fc.constant(spec.default ?? '');
  if (spec.integer) {
    // Without a minimum, from its default (else 0): fast-check takes no infinite bound.
    const lo = Number.isFinite(spec.minimum) ? spec.minimum : Math.min(Number(spec.default ?? 0), spec.maximum);
    return fc.integer({ min: lo, max: Math.min(spec.maximum, lo + INTEGER_SPAN) });
  }
  const single = numberIn(spec.minimum, spec.maximum);
  if (!spec.perDirection) return single;
  return fc.oneof(single, fc.record({ AtoB: single, BtoA: single }));
}

/** A scenario document for the pair, every parameter that applies drawn from its declaration. */
export function cellDocument(protocol: string, channel: string): fc.Arbitrary<Record<string, unknown>> {
  // Optional parameters (a per-direction trace, a CSV column) are left out: their own tests try them.
  const optional = (p: ParameterSpec): boolean => CHANNELS[p.channel ?? '']?.parameters.some((d) => d.name === p.name && d.optional) === true;
  // Crash rates are left out: test/crash.test.ts draws them for the protocols that support crashes.
  const applies = PARAMETERS.filter(
    (p) => !p.directionOf && !p.perRole && !p.roleOf && !optional(p) && (!p.protocol || p.protocol === protocol) && (!p.channel || p.channel === channel),
  );
  const record = (specs: ParameterSpec[]) => fc.record(Object.fromEntries(specs.map((p) => [p.name, valueOf(p)])));
  return fc.tuple(record(applies.filter((p) => p.topLevel)), record(applies.filter((p) => !p.topLevel))).map(([top, object]) => ({
    protocol,
    ...(CHANNELS[channel]!.topLevel ? { channel } : { channel: { model: channel, ...object } }),
    ...top,
  }));
}

export function generatedCells(protocol: string, channel: string): Record<string, unknown>[] {
  const names = [...Object.keys(PROTOCOLS), ...Object.keys(CHANNELS)];
  return fc.sample(cellDocument(protocol, channel), { seed: SEED + 31 * names.indexOf(protocol) + names.indexOf(channel), numRuns: CELLS_PER_PAIR });
}

/** Every check of the contract on one generated cell. */
export async function checkContract(data: Record<string, unknown>, tag: string): Promise<void> {
  const where = JSON.stringify(data);
  const scenario = scenarioFrom({ ...data, trials: TRIALS, seed: `contract-${tag}` });
  const [cell] = expandCells(scenario);
  const model = buildCellModel(cellSpec(cell!));

  const report = await runExperiment([scenario], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
  const s = report.summaries[0]!;
  assert.ok(s.result.exact, `${where}: no exact values in the run`);
  // The run's exact values come from the protocol's structured solver where one takes the cell,
  // else from the per-state engine: merged where it may merge, and otherwise the very computation
  // below, which then is not made twice.
  const solver = structuredSolverFor(model);
  const merges = model.dispatchOrderFree && model.protocol.canonicalize !== undefined;
  const same = !solver && !merges && !model.replay;
  if (same) assert.equal(s.result.exact.method, 'generic', `${where}: the run's engine`);
  const plain = same ? s.result.exact : exactCell(model, { ...UNLIMITED, merge: false }, 'generic');
  if (merges && solver) assertSameExact(exactCell(model, UNLIMITED, 'generic'), plain, `${where} merged`);
  if (!same) assertSameExact(s.result.exact, plain, `${where} ${solver ? 'structured' : merges ? 'merged' : 'as run'}`);
  s.outcomes.forEach((o, j) => {
    const z = proportionZ(o.count, s.trials, plain.outcomes[j]!);
    assert.ok(Math.abs(z) <= 3.5, `${where}: ${s.outcomeNames[j]} ${o.count}/${s.trials} vs ${plain.outcomes[j]}, z = ${z}`);
  });
  assert.ok(s.exact && Math.abs(s.exact.messengersZ ?? 0) <= 3.5, `${where}: messengers z ${s.exact?.messengersZ}`);

  const n = 20_000;
  const generic = runBlockGeneric(model, blockStream(scenario.seed, cell!.key, 0), n);
  assert.deepEqual(runBlock(model, blockState(scenario.seed, cell!.key, 0), n), generic, `${where}: shared kernel`);
  assert.deepEqual(runBlock(model, blockState(scenario.seed, cell!.key, 0), n, true), generic, `${where}: specialized kernel`);

  const traced = 150; // trial N replays the N − 1 before it: 150 trials replay 11,000
  const counted = runBlockCompiled(model, blockState(scenario.seed, cell!.key, 0), traced);
  const replayed = model.outcomes.names.map(() => 0);
  for (let trial = 1; trial <= traced; trial++) replayed[model.outcomes.names.indexOf(traceTrial(cell!, trial)!.outcome)]!++;
  assert.deepEqual(replayed, counted.outcomes, `${where}: trace replays run's trials`);
}
