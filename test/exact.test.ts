import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STRUCTURED_SOLVERS, exactCell, structuredSolverFor } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { closedForm } from './closed-forms.js';

const OUTCOMES = ['both', 'neither', 'onlyA', 'onlyB'];

function exact(protocol: string, loss: number, k: number, R: number) {
  const model = buildCellModel({ protocol, channel: 'bernoulli', params: { loss, redundancy: k, rounds: R } });
  return { model, result: exactCell(model) };
}

describe('exact engine', () => {
  it('reproduces every closed form to 1e-12 over 300 random parameter points', () => {
    const rng = new Xoshiro128(7, 11, 13, 17);
    const uniform = () => rng.nextUint32() / 2 ** 32;
    for (let i = 0; i < 300; i++) {
      const protocol = ['messenger', 'handshake', 'retransmit'][i % 3]!;
      const loss = i % 10 === 0 ? [0, 1][i % 20 === 0 ? 0 : 1]! : uniform();
      const k = 1 + Math.floor(uniform() * 16);
      const R = 1 + Math.floor(uniform() * 64);
      const { result } = exact(protocol, loss, k, R);
      const expected = closedForm(protocol, loss, k, R);
      const where = `${protocol} loss=${loss} k=${k} R=${R}`;
      OUTCOMES.forEach((name, j) => {
        assert.ok(Math.abs(result.outcomes[j]! - expected.outcomes[name]!) < 1e-12, `${where} ${name}: ${result.outcomes[j]} vs ${expected.outcomes[name]}`);
      });
      assert.ok(Math.abs(result.messagesMean - expected.messages) < 1e-12 * Math.max(1, expected.messages), `${where} messages`);
    }
  });

  it('gives outcome probabilities that sum to 1 within 1e-12', () => {
    for (const protocol of ['messenger', 'handshake', 'retransmit']) {
      for (const loss of [0, 0.05, 0.5, 0.99, 1]) {
        const { result } = exact(protocol, loss, 3, 64);
        const total = result.outcomes.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(total - 1) < 1e-12, `${protocol} loss=${loss}: sum ${total}`);
        assert.ok(Math.abs(result.messages!.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      }
    }
  });

  it('computes the mean copies delivered and rounds used', () => {
    // retransmit, R = 2, k = 1, loss 1/2: rounds used is 1 unless round 1 fails to complete.
    const { result } = exact('retransmit', 0.5, 1, 2);
    const q = 0.5;
    const roundOneCompletes = q * q;
    assert.ok(Math.abs(result.roundsMean - (roundOneCompletes * 1 + (1 - roundOneCompletes) * 2)) < 1e-15);
    // Each dispatched copy arrives with probability 1/2, so delivered = messages / 2 on average.
    assert.ok(Math.abs(result.deliveredMean - result.messagesMean / 2) < 1e-15);
  });

  it('merges branches, so its work grows polynomially in the round limit', () => {
    const small = exact('retransmit', 0.3, 2, 32).result.statesExpanded;
    const large = exact('retransmit', 0.3, 2, 64).result.statesExpanded;
    assert.ok(large <= 2.2 * small, `${small} states at R=32, ${large} at R=64`);
  });
});

describe('the structured solvers: a table in the engine, chosen by canHandle', () => {
  const model = (protocol: string, channel: string, params: Record<string, number>) =>
    buildCellModel({ protocol, channel, params: { redundancy: 1, rounds: 3, ...params } });
  it('two-phase commit over a dispatch-order-free channel goes to independent cohorts, over a channel with memory or with crashes to the generic engine', () => {
    assert.equal(structuredSolverFor(model('two-phase-commit', 'bernoulli', { loss: 0.2, participants: 3 }))?.name, 'independent cohorts');
    assert.equal(exactCell(model('two-phase-commit', 'bernoulli', { loss: 0.2, participants: 3 })).method, 'independent cohorts');
    const bursty = model('two-phase-commit', 'gilbert-elliott', { participants: 2, goodToBad: 0.1, badToGood: 0.4, lossGood: 0.01, lossBad: 0.6 });
    assert.equal(structuredSolverFor(bursty), undefined);
    assert.equal(structuredSolverFor(model('two-phase-commit', 'bernoulli', { loss: 0.2, participants: 2, crash: 0.01 })), undefined);
  });
  it('the randomized protocol goes to the levels solver on every channel without crashes; the others to the generic engine', () => {
    assert.equal(exactCell(model('randomized', 'bernoulli', { loss: 0.3 })).method, 'levels');
    assert.equal(structuredSolverFor(model('randomized', 'bernoulli', { loss: 0.3, crash: 0.01 })), undefined);
    for (const protocol of ['messenger', 'handshake', 'retransmit'])
      assert.equal(structuredSolverFor(model(protocol, 'bernoulli', { loss: 0.3 })), undefined, protocol);
    assert.deepEqual(
      STRUCTURED_SOLVERS.map((s) => s.name),
      ['independent cohorts', 'levels'],
    );
  });
});
