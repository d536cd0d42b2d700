import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unregister } from '../src/catalog/register.js';
import { CHOOSE, END, SEND, Step } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { UNLIMITED, exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { COMPILE_TRIALS, runBlock, runBlockCompiled, runBlockPair } from '../src/engine/montecarlo/dispatch.js';
import { MAX_TRIAL_STEPS, SentAfterCrash, TrialNeverEnds, UnexpectedRound, choiceTable, runBlockGeneric, runTrial } from '../src/engine/montecarlo/generic.js';
import type { TrialCounters } from '../src/engine/montecarlo/generic.js';
import { trialKernelFor } from '../src/engine/montecarlo/trial-kernel.js';
import { runCells } from '../src/engine/schedule/runner.js';
import { addTally } from '../src/engine/tally.js';
import type { Tally } from '../src/engine/tally.js';
import { StepNotFilled } from '../src/engine/unfilled-step.js';
import { UsageError } from '../src/errors.js';
import { expandCells } from '../src/scenario/cells.js';
import { readScenarioFile } from '../src/scenario/parse.js';
import { loadScenarioSource } from '../src/scenario/resolve.js';
import { blockState } from '../src/rng/streams.js';
import { meanZ, proportionZ } from '../src/stats/zscore.js';
import { cell } from './exact-helpers.js';
import { generatorAt, tempFiles } from './helpers.js';

/**
 * The generic Monte Carlo engine (one trial at a time through the protocol's definition, the
 * reference every kernel is held to) where the kernels' comparisons cannot see it: crashes,
 * which only it runs, against the exact engine; the contract checks it makes itself; what an
 * observer (`trace`) is told; and which engine the dispatch gives a block (docs/mutation.md,
 * ninth round). In-process, small cells, fixed streams.
 */

const TRIALS = 20_000;
const withProtocol = (model: CellModel, protocol: ProtocolDefinition<unknown>): CellModel => ({ ...model, protocol });
const streamOf = (name: string): Int32Array => blockState('montecarlo-generic', name, 0);

/** Monte Carlo against the exact engine: every outcome, the messages' mean and distribution, deliveries and rounds, |z| ≤ 3.5. */
function agrees(model: CellModel, where: string): Tally {
  const tally = runBlockGeneric(model, generatorAt(streamOf(where)), TRIALS);
  const exact = exactCell(model, UNLIMITED, 'generic');
  assert.equal(tally.trials, TRIALS);
  assert.equal(
    tally.outcomes.reduce((a, b) => a + b, 0),
    TRIALS,
  );
  exact.outcomes.forEach((p, i) => {
    const z = proportionZ(tally.outcomes[i]!, TRIALS, p);
    assert.ok(Math.abs(z) <= 3.5, `${where} outcome ${i}: ${tally.outcomes[i]} of ${TRIALS} vs ${p}: z = ${z}`);
  });
  exact.messages!.forEach((p, m) => {
    const z = proportionZ(tally.messages[m] ?? 0, TRIALS, p);
    assert.ok(Math.abs(z) <= 3.5, `${where} P(${m} messages): ${tally.messages[m]} of ${TRIALS} vs ${p}: z = ${z}`);
  });
  assert.ok(tally.messages.length <= exact.messages!.length, `${where}: no trial sends more than the exact engine allows`);
  const messages = tally.messages.reduce((s, n, m) => s + n * m, 0) / TRIALS;
  const sd = Math.sqrt(exact.messages!.reduce((s, p, m) => s + p * (m - exact.messagesMean) ** 2, 0));
  assert.ok(Math.abs(meanZ(messages, TRIALS, exact.messagesMean, sd)) <= 3.5, `${where} messages ${messages} vs ${exact.messagesMean}`);
  // Deliveries and rounds per trial lie within 0..messages·k and 0..rounds: half the range bounds the sd.
  const delivered = tally.deliveries.reduce((s, n, c) => s + n * model.deliveryValues[c]!, 0) / TRIALS;
  const spread = (exact.messages!.length * 4) / 2;
  assert.ok(Math.abs(delivered - exact.deliveredMean) <= (3.5 * spread) / Math.sqrt(TRIALS), `${where} delivered ${delivered} vs ${exact.deliveredMean}`);
  const rounds = tally.rounds / TRIALS;
  assert.ok(Math.abs(rounds - exact.roundsMean) <= (3.5 * spread) / Math.sqrt(TRIALS), `${where} rounds ${rounds} vs ${exact.roundsMean}`);
  return tally;
}

describe('the generic engine with crashes, against the exact engine (20,000 trials, |z| ≤ 3.5)', () => {
  it('handshake R 3, loss 0.3, A crashing at 0.1 and B at 0.2', () => {
    agrees(cell('handshake', 'bernoulli', { rounds: 3, redundancy: 1, loss: 0.3, crashA: 0.1, crashB: 0.2 }), 'handshake');
  });
  it('messenger k 2 without loss, B crashing at 0.4: copies to a crashed B are dispatched, never delivered', () => {
    const tally = agrees(cell('messenger', 'bernoulli', { redundancy: 2, loss: 0, crashB: 0.4 }), 'messenger');
    assert.equal(tally.messages[1], TRIALS, 'the order is always dispatched');
  });
  it('two-phase commit R 2, two cohorts, the coordinator crashing at 0.1 and each cohort at 0.05', () => {
    agrees(
      cell('two-phase-commit', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0.2, participants: 2, abortRate: 0.1, crashCoordinator: 0.1, crashCohort: 0.05 }),
      '2PC',
    );
  });
  it('a node whose rate is 0 draws nothing: crash only B, and A’s stream is the crash-free one where B never crashes', () => {
    // B crashing at rate 0 is no crash at all: the run without crashes, draw for draw.
    const plain = cell('retransmit', 'bernoulli', { rounds: 3, redundancy: 1, loss: 0.3 });
    const crashing = cell('retransmit', 'bernoulli', { rounds: 3, redundancy: 1, loss: 0.3, crashA: 1e-300, crashB: 0 });
    assert.notEqual(crashing.crash, null);
    assert.equal(crashing.crashSampling[1], null, 'B cannot crash: no sampling table');
    const a = runBlockGeneric(plain, generatorAt(streamOf('zero')), 3000);
    const b = runBlockGeneric(crashing, generatorAt(streamOf('zero')), 3000);
    assert.notDeepEqual(a, b, 'A’s crash draw moves the stream');
  });
});

describe('the generic engine keeps the contract itself', () => {
  const messenger = (params: Record<string, number>) => cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25, ...params });
  const run = (model: CellModel, trials = 50) => runBlockGeneric(model, generatorAt(streamOf('contract')), trials);

  it('refuses a round start in a cell without crashes', () => {
    const crashing = messenger({ crashA: 0.1 });
    assert.throws(
      () => run({ ...crashing, crash: null }),
      (e: unknown) => e instanceof UnexpectedRound && /^protocol messenger: next said ROUND in a cell without crashes/.test(e.message),
    );
  });

  it('refuses a send from a crashed node, naming it', () => {
    const model = messenger({ crashA: 0.5 });
    const protocol = model.protocol;
    const zombie = {
      ...protocol,
      next(state: Int32Array, config: unknown, step: Step) {
        const hidden = state.slice();
        hidden[2] = 0;
        protocol.next(hidden, config, step);
      },
    } as ProtocolDefinition<unknown>;
    assert.throws(
      () => run(withProtocol(model, zombie)),
      (e: unknown) => e instanceof SentAfterCrash && /^protocol messenger: node 0 dispatched .* in round 1 after it crashed/.test(e.message),
    );
  });

  it('runs a protocol without crash support where no crash is configured', () => {
    const model = messenger({});
    const { crash: _crash, crashed: _crashed, roles: _roles, nodes: _nodes, ...plain } = model.protocol;
    const tally = run(withProtocol(model, plain as ProtocolDefinition<unknown>), 200);
    assert.equal(tally.trials, 200);
    assert.deepEqual(tally.messages, [0, 200]);
  });

  it('a send to a crashed node is not received, and a send from one up is not refused', () => {
    // messenger, B always crashed: A's order is dispatched, reaches no one, and A attacks alone.
    const model = messenger({ crashB: 1, loss: 0 });
    const tally = run(model, 200);
    assert.deepEqual(tally.outcomes, [0, 0, 200, 0]);
    assert.deepEqual(tally.deliveries, [0, 0]);
    assert.deepEqual(tally.messages, [0, 200]);
    assert.equal(tally.rounds, 200);
  });

  it('a replayed trace (more than 20,000 packets) with B always crashed: every copy travels, none reaches B', () => {
    const dir = tempFiles({ 'long.txt': `${'0110'.repeat(5001)}\n` });
    const params = { file: join(dir, 'long.txt'), redundancy: 1, rounds: 1 };
    const crashed = buildCellModel({ protocol: 'messenger', channel: 'trace', params: { ...params, crashB: 1 } });
    assert.ok(crashed.replay && crashed.crash, 'replayed, with crashes: the generic engine');
    const tally = runBlock(crashed, streamOf('replay'), 500);
    assert.deepEqual([tally.outcomes, tally.messages, tally.deliveries], [[0, 0, 500, 0], [0, 500], [0]]);
    const replayed = buildCellModel({ protocol: 'messenger', channel: 'trace', params });
    const up = runBlock(replayed, streamOf('replay'), 500);
    // Received, the messenger's order counts in its start order's class of mean copies (one a message here).
    assert.deepEqual(replayed.deliveryValues, [1, 1]);
    assert.ok(up.deliveries[0] === 0 && up.deliveries[1]! > 150, `B up: ${up.deliveries[1]} of 500 delivered`);
    assert.equal(runBlockPair(replayed, streamOf('a'), COMPILE_TRIALS, streamOf('b'), COMPILE_TRIALS, true), null, 'a replayed trace: no pair');
    // Two-phase commit's cohorts have no automaton the replay follows: the replay hands the block to the generic engine.
    const cohorts = buildCellModel({ protocol: 'two-phase-commit', channel: 'trace', params: { ...params, rounds: 2, participants: 6 } });
    assert.ok(cohorts.replay);
    assert.deepEqual(runBlock(cohorts, streamOf('cohorts'), 500), runBlockGeneric(cohorts, generatorAt(streamOf('cohorts')), 500));
  });

  it('stops a trial that never ends after exactly MAX_TRIAL_STEPS steps, naming the state it reached', () => {
    const endless = protocolOf((state, step) => {
      step.kind = CHOOSE;
      step.choices = ONE;
      void state;
    });
    assert.throws(
      () => run(endless, 1),
      (e: unknown) =>
        e instanceof TrialNeverEnds &&
        e.message === `protocol generic-test: a trial did not end after 10,000,000 steps (state [${MAX_TRIAL_STEPS}, 0, 0, 0]: clock ${MAX_TRIAL_STEPS})`,
    );
  });

  it('names the state a never-ending trial reached: its first 16 words, and an ellipsis past them', () => {
    const words = (n: number) => Int32Array.from({ length: n }, (_, i) => i + 1);
    const named = (n: number) => new TrialNeverEnds('p', words(n), 'seen').message;
    assert.equal(named(16), 'protocol p: a trial did not end after 10,000,000 steps (state [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]: seen)');
    assert.equal(named(17), 'protocol p: a trial did not end after 10,000,000 steps (state [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …]: seen)');
  });

  it('names a message sent after a crash by its label, or as a message', () => {
    const step = Object.assign(new Step(), { round: 2, label: 'ack' });
    assert.equal(
      new SentAfterCrash('p', 1, step, 'seen').message,
      'protocol p: node 1 dispatched ack in round 2 after it crashed (seen); a crashed node takes no further step',
    );
    step.label = '';
    assert.equal(
      new SentAfterCrash('p', 1, step, 'seen').message,
      'protocol p: node 1 dispatched a message in round 2 after it crashed (seen); a crashed node takes no further step',
    );
  });

  it('tells a protocol that said ROUND without crashes what to do instead', () => {
    assert.equal(new UnexpectedRound('p').message, 'protocol p: next said ROUND in a cell without crashes; say ROUND only where configure received crashes: 1');
  });

  it('refuses a step left unfilled, an outcome out of range or not whole (on the trial kernel too), and a run announced on a step that cannot hold one', () => {
    const unset = protocolOf(() => undefined);
    assert.throws(
      () => run(unset, 1),
      (e: unknown) => e instanceof StepNotFilled && /next left step.kind unset/.test(e.message),
    );
    for (const outcome of [-1, 4, 1.5]) {
      const ends = protocolOf((_state, step) => {
        step.kind = END;
        step.outcome = outcome;
      });
      assert.throws(
        () => run(ends, 1),
        (e: unknown) => e instanceof StepNotFilled && /the trial ended/.test(e.message),
        `outcome ${outcome}`,
      );
      assert.throws(
        () => trialKernelFor(ends)(streamOf('kernel'), 1),
        (e: unknown) => e instanceof StepNotFilled && /the trial ended/.test(e.message),
        `outcome ${outcome}, trial kernel`,
      );
    }
    const announces = protocolOf((state, step) => {
      if (state[0] === 0) {
        step.kind = SEND;
        step.round = 1;
        step.peers = 2; // without bit 0
      } else {
        step.kind = END;
        step.outcome = 0;
      }
    });
    assert.throws(
      () => run(announces, 1),
      (e: unknown) => e instanceof StepNotFilled && /step.peers is 2, without bit 0/.test(e.message),
    );
    const choosersAlone = protocolOf((state, step) => {
      if (state[0] === 0) {
        step.kind = CHOOSE;
        step.choices = ONE;
        step.choosers = 1; // without step.peers
      } else {
        step.kind = END;
        step.outcome = 0;
      }
    });
    assert.throws(
      () => run(choosersAlone, 1),
      (e: unknown) => e instanceof StepNotFilled && /step.peers is 0/.test(e.message),
    );
  });
});

const ONE = Float64Array.of(1);

/** A protocol of the generals' four outcomes whose `next` is `next`; resolve moves the clock (state[0]) on. */
function protocolOf(next: (state: Int32Array, step: Step) => void): CellModel {
  const model = cell('messenger', 'bernoulli', { redundancy: 1, loss: 0.25 });
  const protocol = {
    ...model.protocol,
    name: 'generic-test',
    next: (state: Int32Array, _config: unknown, step: Step) => next(state, step),
    resolve(state: Int32Array) {
      state[0] = state[0]! + 1;
    },
    describe: (state: Int32Array) => `clock ${state[0]}`,
  } as ProtocolDefinition<unknown>;
  return withProtocol(model, protocol);
}

describe('what an observer is told (trace)', () => {
  it('each send with its fate, each choice, each crash with its node and round, in order', () => {
    const model = cell('handshake', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0.5, crashB: 0.5 });
    const counters: TrialCounters = { messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) };
    const rng = generatorAt(streamOf('observer'));
    const state = new Int32Array(model.stateSize);
    const seen = new Set<string>();
    for (let trial = 0; trial < 64; trial++) {
      const events: string[] = [];
      const delivered = counters.deliveries.reduce((a, b) => a + b, 0);
      const outcome = runTrial(model, rng, state, new Step(), counters, {
        onSend: (step, received) => events.push(`send ${step.round} ${received ? 'received' : 'lost'}`),
        onChoose: (_step, choice) => events.push(`choose ${choice}`),
        onCrash: (node, round, after) => events.push(`crash ${node} ${round} ${model.protocol.crashed!(after, model.protocolConfig, node)}`),
      });
      const sends = events.filter((e) => e.startsWith('send'));
      assert.equal(sends.length, counters.messages, `trial ${trial}: ${events.join(', ')}`);
      assert.equal(counters.deliveries.reduce((a, b) => a + b, 0) - delivered, sends.filter((e) => e.endsWith('received')).length);
      assert.equal(counters.rounds, sends.length ? Number(sends.at(-1)!.split(' ')[1]) : 0);
      assert.ok(outcome >= 0 && outcome < 4);
      const crashes = events.filter((e) => e.startsWith('crash'));
      assert.ok(crashes.length <= 1, `a crashed node draws no more crashes: ${crashes.join(', ')}`);
      for (const e of crashes) assert.match(e, /^crash 1 [12] true$/);
      seen.add(events.map((e) => e.split(' ').slice(0, 2).join(' ')).join(','));
    }
    assert.ok(
      [...seen].some((s) => s.includes('crash 1')),
      'a crash was seen',
    );
    assert.ok(seen.size >= 4, `${seen.size} different trials`);
  });

  it('a choice with its side', () => {
    const model = cell('randomized', 'bernoulli', { rounds: 3, redundancy: 1, loss: 0 });
    const counters: TrialCounters = { messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) };
    const rng = generatorAt(streamOf('choice'));
    const sides = new Set<number>();
    for (let trial = 0; trial < 64; trial++) {
      runTrial(model, rng, new Int32Array(model.stateSize), new Step(), counters, {
        onSend: () => undefined,
        onChoose: (step, choice) => {
          assert.equal(step.kind, CHOOSE);
          sides.add(choice);
        },
      });
    }
    assert.deepEqual([...sides].sort(), [0, 1, 2]);
  });

  it('an observer without onCrash on a cell with crashes; each send’s fate on a replayed trace', () => {
    const crashing = cell('handshake', 'bernoulli', { rounds: 2, redundancy: 1, loss: 0.5, crashB: 0.5 });
    const sends = { received: 0, lost: 0 };
    const observer = { onSend: (_step: Step, received: boolean) => void sends[received ? 'received' : 'lost']++, onChoose: () => undefined };
    const counters = (model: CellModel): TrialCounters => ({ messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) });
    const rng = generatorAt(streamOf('observer'));
    for (let trial = 0; trial < 32; trial++) runTrial(crashing, rng, new Int32Array(crashing.stateSize), new Step(), counters(crashing), observer);
    const dir = tempFiles({
      'long.txt': `${'0110'.repeat(5001)}
`,
    });
    const replayed = buildCellModel({ protocol: 'retransmit', channel: 'trace', params: { file: join(dir, 'long.txt'), redundancy: 1, rounds: 4 } });
    assert.ok(replayed.replay);
    const tally = counters(replayed);
    sends.received = sends.lost = 0;
    for (let trial = 0; trial < 200; trial++) runTrial(replayed, rng, new Int32Array(replayed.stateSize), new Step(), tally, observer);
    assert.equal(sends.received, tally.deliveries[0], 'every copy received is one delivered');
    assert.ok(sends.lost > 0 && sends.received > 0, JSON.stringify(sends));
  });

  it('a choice’s sampling table is made once per probability array', () => {
    const probabilities = Float64Array.of(0.25, 0.75);
    assert.equal(choiceTable(probabilities), choiceTable(probabilities));
    assert.notEqual(choiceTable(probabilities), choiceTable(Float64Array.of(0.25, 0.75)));
  });
});

describe('which engine runs a block (dispatch)', () => {
  const plain = cell('retransmit', 'bernoulli', { rounds: 12, redundancy: 1, loss: 0.5 }); // trials of up to 24 messages: the histogram grows
  const crashing = cell('retransmit', 'bernoulli', { rounds: 4, redundancy: 1, loss: 0.3, crashB: 0.1 });
  const generic = (model: CellModel, name: string, trials: number) => runBlockGeneric(model, generatorAt(streamOf(name)), trials);

  it('a cell with crashes runs on the generic engine at any block size, compiled or not', () => {
    for (const trials of [100, COMPILE_TRIALS]) {
      assert.deepEqual(runBlock(crashing, streamOf('crash'), trials), generic(crashing, 'crash', trials), `${trials} trials`);
      assert.deepEqual(runBlockCompiled(crashing, streamOf('crash'), trials), generic(crashing, 'crash', trials), `${trials} trials, compiled`);
    }
    assert.equal(runBlockPair(crashing, streamOf('a'), COMPILE_TRIALS, streamOf('b'), COMPILE_TRIALS, true), null);
  });

  it('leaves the stream it is given untouched, and gives every engine’s block the generic engine’s tally', () => {
    for (const trials of [COMPILE_TRIALS - 1, COMPILE_TRIALS, 3 * COMPILE_TRIALS]) {
      const stream = streamOf('plain');
      const before = Array.from(stream);
      assert.deepEqual(runBlock(plain, stream, trials), generic(plain, 'plain', trials), `${trials} trials`);
      assert.deepEqual(Array.from(stream), before);
    }
  });

  it('a cell with neither a compiled kernel nor two-phase commit’s runs on the trial kernel: the generic engine’s tally', () => {
    const large = cell('handshake', 'bernoulli', { rounds: 200, redundancy: 3, loss: 0.3 });
    assert.deepEqual(runBlock(large, streamOf('large'), COMPILE_TRIALS), generic(large, 'large', COMPILE_TRIALS));
    assert.equal(runBlockPair(large, streamOf('a'), COMPILE_TRIALS, streamOf('b'), COMPILE_TRIALS, true), null, 'no kernel: no pair');
  });

  it('runs two blocks at once only where both are long: their tallies, added', () => {
    const walked = cell('retransmit', 'bernoulli', { rounds: 16, redundancy: 1, loss: 0.3 }); // specialized, the bit walk's: it runs pairs
    const [a, b] = [streamOf('pair a'), streamOf('pair b')];
    assert.equal(runBlockPair(walked, a, COMPILE_TRIALS - 1, b, COMPILE_TRIALS, true), null);
    assert.equal(runBlockPair(walked, a, COMPILE_TRIALS, b, COMPILE_TRIALS - 1, true), null);
    const pair = runBlockPair(walked, a, COMPILE_TRIALS, b, 2 * COMPILE_TRIALS, true);
    assert.notEqual(pair, null, 'the bit walk runs pairs');
    const sum = addTally(generic(walked, 'pair a', COMPILE_TRIALS), generic(walked, 'pair b', 2 * COMPILE_TRIALS));
    assert.deepEqual(pair, sum);
    assert.notEqual(runBlockPair(walked, a, 2 * COMPILE_TRIALS, b, COMPILE_TRIALS, true), null, 'both exactly long enough');
    // Not specialized, a shape under 64 nodes has no bit walk, so no pair (a larger one walks its first cells: kernel.ts).
    const small = cell('retransmit', 'bernoulli', { rounds: 12, redundancy: 1, loss: 0.3 });
    assert.notEqual(runBlockPair(small, a, COMPILE_TRIALS, b, COMPILE_TRIALS, true), null, 'specialized, it walks');
    assert.equal(runBlockPair(small, a, COMPILE_TRIALS, b, COMPILE_TRIALS), null, 'not specialized: no bit walk, no pair');
  });
});

/** A protocol file whose A, crashed, still sends in round 3 (only where R ≥ 3: check's quick look at R 1 and 2 passes it). */
const ZOMBIE = `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES }) => ({
  name: 'generic-zombie', summary: 'test', exactNote: 'test', outcomes: GENERALS_OUTCOMES, usesRounds: true, parameters: [],
  roles: ['A', 'B'], nodes: () => [0, 1],
  configure: (p) => ({ rounds: p.rounds, crashes: p.crashes ?? 0 }),
  stateSize: () => 5,
  init(s) { s.fill(0); },
  next(s, c, step) {
    const per = c.crashes ? 2 : 1;
    const round = Math.floor(s[0] / per) + 1;
    const roundStart = c.crashes && s[0] % 2 === 0;
    if (round > c.rounds || (s[2] === 1 && !roundStart && !(c.rounds >= 3 && round === 3))) { step.kind = END; step.outcome = s[4] ? 0 : 2; return; }
    if (roundStart) { step.kind = ROUND; step.round = round; return; }
    step.kind = SEND; step.direction = A_TO_B; step.round = round;
  },
  resolve(s, c, step, r) { if (step.kind === SEND && r) s[4] = 1; s[0]++; },
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => s[2 + node] === 1,
  describe: (s) => 'step ' + s[0],
});
`;

describe('a protocol file’s fault met in a worker thread', () => {
  it('is the user’s to fix (a UsageError, exit 2), not a worker failure: a crashed node that sends', async () => {
    const dir = tempFiles({
      'zombie.mjs': ZOMBIE,
      's.yaml': 'protocol: ./zombie.mjs\nloss: 0.1\nredundancy: 1\nrounds: 3\ncrash: { A: 0.3 }\ntrials: 200000\n',
    });
    try {
      const scenario = await loadScenarioSource(readScenarioFile(join(dir, 's.yaml')));
      await assert.rejects(
        runCells(expandCells(scenario), { exact: 'off', simulate: true, workers: 2 }),
        (e: unknown) => e instanceof UsageError && /node 0 dispatched a message in round 3 after it crashed/.test(e.message),
      );
    } finally {
      unregister('generic-zombie');
    }
  });

  it('each refusal the engines throw carries its class’s name, by which the pool knows it', () => {
    const refusals = [new TrialNeverEnds('p', new Int32Array(1), 'd'), new SentAfterCrash('p', 0, new Step(), 'd'), new UnexpectedRound('p')];
    assert.deepEqual(
      refusals.map((e) => e.name),
      ['TrialNeverEnds', 'SentAfterCrash', 'UnexpectedRound'],
    );
  });
});
