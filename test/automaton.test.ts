import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutomatonTooLarge, buildAutomaton } from '../src/engine/accelerators/automaton.js';
import type { Automaton } from '../src/engine/accelerators/automaton.js';
import { buildCellModel } from '../src/engine/model.js';

/**
 * The automaton the compiled kernel and the bit walk run, held to automata written by hand: its
 * nodes, its joins, its root, the longest trial's messages and the node limit. The kernel tests
 * compare tallies with the generic engine, which cannot see an automaton one node larger than it
 * need be or a limit off by one.
 */

const bernoulli = (protocol: string, params: Record<string, number>) => buildCellModel({ protocol, channel: 'bernoulli', params });

/** Each node in a short form: `send r1 [0.1,0.9] -1,0 -> 1,2`, `choose [..] -> ..`, `end 2`. */
function described(automaton: Automaton): string[] {
  return automaton.nodes.map((n) => {
    if (n.kind === 'end') return `end ${n.outcome}`;
    const p = Array.from(n.probabilities, (x) => Number(x.toPrecision(12))).join(',');
    if (n.kind === 'choose') return `choose [${p}] -> ${n.next.join(',')}`;
    return `send r${n.round} [${p}] ${Array.from(n.deliveryClass).join(',')} -> ${n.next.join(',')}`;
  });
}

// Outcomes in the generals' order: 0 both, 1 neither, 2 onlyA, 3 onlyB.
describe('the automaton a cell unrolls into', () => {
  it('messenger: one send, lost (only A attacks) or delivered (both), one message at most', () => {
    const automaton = buildAutomaton(bernoulli('messenger', { loss: 0.1, redundancy: 1, rounds: 1 }), 3);
    assert.deepEqual(described(automaton), ['send r1 [0.1,0.9] -1,0 -> 1,2', 'end 2', 'end 0']);
    assert.equal(automaton.root, 0);
    assert.equal(automaton.maxMessages, 1);
  });

  it('handshake R 2: the ack is a second send in round 2, of delivery class 1; two messages at most', () => {
    const automaton = buildAutomaton(bernoulli('handshake', { loss: 0.1, redundancy: 1, rounds: 2 }), 5);
    assert.deepEqual(described(automaton), ['send r1 [0.1,0.9] -1,0 -> 1,2', 'end 1', 'send r2 [0.1,0.9] -1,1 -> 3,4', 'end 3', 'end 0']);
    assert.equal(automaton.maxMessages, 2);
  });

  it('retransmit R 3: paths that reach the same state share its node (15 nodes, not a tree), six messages at most', () => {
    const automaton = buildAutomaton(bernoulli('retransmit', { loss: 0.1, redundancy: 1, rounds: 3 }), 15);
    const lines = described(automaton);
    assert.equal(lines.length, 15);
    // Nodes 1 and 3 both lead to node 6 (the same state by two paths), 5 and 7 both to 9 and 10.
    assert.deepEqual(
      [1, 3, 5, 7].map((i) => lines[i]),
      ['send r2 [0.1,0.9] -1,0 -> 13,6', 'send r2 [0.1,0.9] -1,0 -> 5,6', 'send r3 [0.1,0.9] -1,0 -> 9,10', 'send r3 [0.1,0.9] -1,0 -> 9,10'],
    );
    // The longest trial: A's message and B's ack in each of the three rounds (the acks of rounds 1 and 2 lost).
    assert.equal(automaton.maxMessages, 6);
    assert.equal(automaton.nodes.filter((n) => n.kind === 'choose').length, 0, 'one starting channel state: no choice at the root');
  });

  it('builds a cell of exactly `limit` nodes and refuses it at one fewer', () => {
    const model = bernoulli('retransmit', { loss: 0.1, redundancy: 1, rounds: 3 });
    assert.equal(buildAutomaton(model, 15).nodes.length, 15);
    assert.throws(
      () => buildAutomaton(model, 14),
      (error: unknown) => error instanceof AutomatonTooLarge && error.message === 'more than 14 states',
    );
  });

  it('Gilbert–Elliott: the root chooses both directions’ starting states at their stationary probabilities', () => {
    // Stationary P(good) = badToGood / (goodToBad + badToGood) = 0.3 / 0.4 = 0.75, each direction on its own.
    const model = buildCellModel({
      protocol: 'messenger',
      channel: 'gilbert-elliott',
      params: { goodToBad: 0.1, badToGood: 0.3, lossGood: 0.01, lossBad: 0.5, redundancy: 1, rounds: 1 },
    });
    const automaton = buildAutomaton(model, 13);
    assert.equal(automaton.nodes.length, 13);
    assert.equal(automaton.root, 4, 'the four starts first, then the choice among them');
    assert.deepEqual(described(automaton)[4], `choose [${[0.75 * 0.75, 0.75 * 0.25, 0.25 * 0.75, 0.25 * 0.25].join(',')}] -> 0,1,2,3`);
    assert.equal(automaton.maxMessages, 1, 'the choice at the root sends nothing');
  });
});
