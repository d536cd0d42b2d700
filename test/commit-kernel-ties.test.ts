import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_TO_B, B_TO_A, Step } from '../src/contract/protocol.js';
import type { Direction } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel, CellSpec } from '../src/engine/model.js';
import { commitKernelFor } from '../src/engine/montecarlo/commit-kernel.js';
import { choiceTable, runBlockGeneric, runTrial } from '../src/engine/montecarlo/generic.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { generatorAt, stateWithWordAt } from './helpers.js';

/**
 * Two-phase commit's kernel against the generic engine where a draw ties its threshold's high
 * part (the next word decides, once in 2^31 draws): at every kind of draw the kernel makes — a
 * PREPARE's fate, a vote, a vote's fate, the decision's fate, an ack's fate — on both sides of
 * the tie. The states are made so: word j of the stream ties, and the generic engine, watched
 * draw by draw, says what drew word j.
 */
describe('two-phase commit kernel: ties at every kind of draw', () => {
  const cells: CellSpec[] = [
    // lossy both ways, different thresholds each way, votes drawn
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: { participants: 6, abortRate: 0.2, lossAtoB: 0.3, lossBtoA: 0.4, redundancy: 1, rounds: 2 } },
    // one round a phase: the ACKs are drawn in round 2, the last the tables hold
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: { participants: 3, abortRate: 0.2, lossAtoB: 0.3, lossBtoA: 0.4, redundancy: 1, rounds: 1 } },
    // every vote NO without a draw, 31 cohorts (the widest word)
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: { participants: 31, abortRate: 1, loss: 0.3, redundancy: 2, rounds: 3 } },
  ];
  for (const spec of cells) {
    it(`${JSON.stringify(spec.params)}: the generic engine's tally after a tie, both ways, at each kind of draw`, () => {
      const model = buildCellModel(spec);
      const kernel = commitKernelFor(model);
      assert.ok(kernel, 'the kernel takes the cell');
      const kinds = drawKinds(model);
      for (const [kind, high] of kinds) {
        const sides = new Set<number>();
        for (let seed = 1; seed <= 60 && sides.size < 2; seed++) {
          for (let j = 0; j < 90 && sides.size < 2; j++) {
            const state = stateWithWordAt(high * 2 + (seed & 1), seed, j);
            const tie = tieAt(model, state, j);
            if (tie === null || tie.kind !== kind || sides.has(tie.result)) continue;
            sides.add(tie.result);
            assert.deepEqual(kernel(state, 3), runBlockGeneric(model, generatorAt(state), 3), `${kind} ties at word ${j} (seed ${seed})`);
          }
        }
        assert.equal(sides.size, 2, `a ${kind} draw tied on both sides`);
      }
    });
  }

  it("long trials (hundreds of rounds, thousands of messages): the generic engine's tally, the histogram grown", () => {
    for (const [params, trials] of [
      [{ participants: 31, abortRate: 0.02, loss: 0.7, redundancy: 1, rounds: 8 }, 300],
      [{ participants: 4, abortRate: 0.1, loss: 0.95, redundancy: 1, rounds: 300 }, 150],
    ] as const) {
      const model = buildCellModel({ protocol: 'two-phase-commit', channel: 'bernoulli', params });
      const state = stateWithWordAt(0, 7, 0);
      const tally = commitKernelFor(model)!(state, trials);
      assert.deepEqual(tally, runBlockGeneric(model, generatorAt(state), trials), JSON.stringify(params));
      assert.ok(tally.messages.length > 256, 'some trial sent more messages than the first histogram holds');
    }
  });
});

/** Each kind of draw the cell makes, with its threshold's high part (votes are drawn where abortRate is neither 0 nor 1). */
function drawKinds(model: CellModel): [string, number][] {
  const channelHigh = (direction: Direction): number => {
    const state = model.initialStates[0]!.state;
    return model.transmissions[model.channel.transmissionFor(model.channelConfig, state, direction, 1)]!.sampling.high[0]!;
  };
  const config = model.protocolConfig as { abortRate: number; vote: Float64Array };
  const drawn = config.abortRate > 0 && config.abortRate < 1;
  return [
    ['PREPARE', channelHigh(A_TO_B)],
    ...(drawn ? [['vote', choiceTable(config.vote).high[0]!] as [string, number]] : []),
    ['reply', channelHigh(B_TO_A)],
    ['decision', channelHigh(A_TO_B)],
    ['ACK', channelHigh(B_TO_A)],
  ];
}

/** A generator that counts the words it gave. */
class CountedGenerator extends Xoshiro128 {
  words = 0;
  override nextUint32(): number {
    this.words++;
    return super.nextUint32();
  }
}

/**
 * What drew word `j` in the generic engine's first trial from `state`, and its result, where that
 * draw took two words (a tie); null where word j was not the first of a tied draw.
 */
function tieAt(model: CellModel, state: Int32Array, j: number): { kind: string; result: number } | null {
  const rng = new CountedGenerator(state[0]!, state[1]!, state[2]!, state[3]!);
  let start = 0;
  let found: { kind: string; result: number } | null = null;
  const saw = (kind: string, result: number): void => {
    if (start === j && rng.words === j + 2) found = { kind, result };
    start = rng.words;
  };
  const kindOf = (label: string): string => ({ YES: 'reply', NO: 'reply', COMMIT: 'decision', ABORT: 'decision' })[label] ?? label;
  const counters = { messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) };
  runTrial(model, rng, new Int32Array(model.stateSize), new Step(), counters, {
    onSend: (step, received) => saw(kindOf(step.label), received ? 1 : 0),
    onChoose: (_step, choice) => saw('vote', choice),
  });
  return found;
}
