import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContractBroken, checkProtocol, smallCells } from '../src/protocol-files/check.js';
import type { CheckPosition } from '../src/protocol-files/check.js';
import { A_TO_B, B_TO_A, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition, Step } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { good } from './rule-protocol.js';
import { join } from 'node:path';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * The contract checker's rules for protocols that support crashes, for `next` writing fields the
 * step does not have, the quick check and the cells it explores: each rule broken once and the
 * refusal asserted (rules.test.ts has the rest, on a protocol without crash support).
 */

interface Config {
  readonly rounds: number;
  readonly crashes: boolean;
}

/**
 * A small good protocol with crash support: where crashes are drawn it says ROUND 1 first; then A
 * (node 0), if up, sends the order to B (node 1) in round 1 and the trial ends. State: [clock, received,
 * A crashed, B crashed].
 */
function crashGood(name: string): ProtocolDefinition<Config> {
  return {
    name,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: true,
    parameters: [],
    configure: (params) => ({ rounds: params.rounds, crashes: params['crashes'] === 1 }),
    stateSize: () => 4,
    init(state) {
      state.fill(0);
    },
    next(state, config, step) {
      if (config.crashes && state[0] === 0) {
        step.kind = ROUND;
        step.round = 1; // the round its one send is in
      } else if (state[0]! < 2 && state[2] === 0) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = 1;
        step.label = 'order';
      } else {
        step.kind = END;
        step.outcome = generalsOutcome(state[2] === 0, state[1] === 1);
      }
    },
    resolve(state, _config, step, result) {
      if (step.kind === SEND) {
        state[1] = result;
        state[0] = 2;
      } else state[0] = state[0]! + 1;
    },
    describe: (state) => `clock ${state[0]}`,
    roles: ['A', 'B'],
    nodes: () => [0, 1],
    crash(state, _config, node) {
      state[2 + node] = 1;
    },
    crashed: (state, _config, node) => state[2 + node] === 1,
  };
}

/** A literal for a RegExp. */
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let serial = 0;
type Changes<C> = (p: ProtocolDefinition<C>) => Partial<ProtocolDefinition<C>>;

function checkWith<C>(base: (name: string) => ProtocolDefinition<C>, changes: Changes<C>, quick = false, position?: CheckPosition) {
  const name = `rules-crashes-${++serial}`;
  const protocol = base(name);
  // Registered while checked: the checker's exact comparison builds the cell by the protocol's name.
  const changed = { ...protocol, ...changes(protocol) } as ProtocolDefinition<unknown>;
  registerProtocol(changed);
  try {
    return checkProtocol(changed, quick, position);
  } finally {
    unregister(name);
  }
}

function refusedWith<C>(base: (name: string) => ProtocolDefinition<C>, changes: Changes<C>, message: RegExp, quick = false): void {
  assert.throws(
    () => checkWith(base, changes, quick),
    (error: unknown) => {
      assert.ok(error instanceof ContractBroken, `not ContractBroken: ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

const check = (changes: Changes<Config>, quick = false) => checkWith(crashGood, changes, quick);
const refused = (changes: Changes<Config>, message: RegExp) => refusedWith(crashGood, changes, message);

/** next with the send (clock 1, or 0 without crashes) changed by `change`. */
const atSend = (base: ProtocolDefinition<Config>, change: (step: Step, state: Int32Array, config: Config) => void) => ({
  next(state: Int32Array, config: Config, step: Step) {
    base.next(state, config, step);
    if (step.kind === SEND) change(step, state, config);
  },
});

describe('the contract checker with crashes: every rule refused, the good protocol passes', () => {
  it('explores every crash pattern, and nothing reaches a crashed node', () => {
    const report = check(() => ({}));
    assert.equal(report.cells, 3);
    // without crashes: the send, its two results (3 states, 2 ends); with crashes: the round's
    // start, four crash patterns, the send's two results where B is up and one (lost) where B is down
    assert.equal(report.states, 3 * (3 + 8));
    assert.equal(report.trialsEnded, 3 * (2 + 5));
  });
  it('nodes: 2 to 30 role indices into roles', () => {
    for (const nodes of [[0], [0, 2], [0, -1], [0, 1.5], Array.from({ length: 31 }, () => 1)]) {
      refused(
        () => ({ nodes: () => nodes }),
        new RegExp(`^cell rounds=1, with crashes: nodes returned \\[${nodes.join(',')}\\]; it must list 2 to 30 role indices into roles \\(0 to 1\\)$`),
      );
    }
    refused(() => ({ nodes: () => 'AB' as unknown as number[] }), /nodes returned "AB"; it must list 2 to 30/);
    // a third node (a second peer of B's side) that never sends is kept, and crashes too
    const three = check(() => ({ nodes: () => [0, 1, 1], stateSize: () => 5 }));
    assert.equal(three.cells, 3);
    assert.ok(three.states > 3 * (3 + 8));
  });
  it('ROUND only where crashes are drawn, in a round within 1..R', () => {
    refused(
      (base) => ({
        next(state, config, step) {
          base.next(state, { ...config, crashes: true }, step);
        },
      }),
      /^cell rounds=1: next said ROUND in a cell without crashes; say ROUND only where configure received crashes: 1; state \[0, 0, 0, 0\]/,
    );
    for (const round of [0, 2, 1.5]) {
      refused(
        (base) => ({
          next(state, config, step) {
            base.next(state, config, step);
            if (step.kind === ROUND) step.round = round;
          },
        }),
        new RegExp(`^cell rounds=1, with crashes: a round ${round} starts, outside 1\\.\\.1 \\(the round limit\\)`),
      );
    }
    // a round within the limit, but not the next one: round 1 skipped (its crashes never drawn)
    const atRound = (base: ProtocolDefinition<Config>) => ({
      next(state: Int32Array, config: Config, step: Step) {
        base.next(state, config, step);
        if (step.kind === ROUND) step.round = config.rounds;
        if (step.kind === SEND) step.round = config.rounds;
      },
    });
    refused(
      atRound,
      /^cell rounds=2, with crashes: next started round 2 \(step\.kind = ROUND\) after no round: with crashes on, next says ROUND once for every round, in order from 1 up to the round limit \(also where nothing is sent\), as the engines draw a round's crashes where it starts; state \[0, 0, 0, 0\]/,
    );
    // round 1 started twice (its crashes drawn twice)
    refused(
      (base) => ({
        next(state, config, step) {
          if (config.crashes && state[0] === 1) {
            step.kind = ROUND;
            step.round = 1;
          } else base.next(state, config, step);
        },
        resolve(state, config, step, result) {
          if (step.kind === SEND) base.resolve(state, config, step, result);
          else state[0] = state[0]! + 1;
        },
        stateSize: () => 4,
      }),
      /^cell rounds=1, with crashes: next started round 1 \(step\.kind = ROUND\) after round 1: .*results that led there: round 1: (no crash|nodes? [0-9, ]+ crash(es)?)$/,
    );
  });
  it('crashed agrees with the crashes the check made', () => {
    refused(
      () => ({ crashed: () => false }),
      /^cell rounds=1, with crashes: crashed\(node 0\) returned false, but node 0 has crashed; .*results that led there: round 1: node 0 crashes$/,
    );
    refused(() => ({ crashed: () => true }), /crashed\(node 0\) returned true, but node 0 has not crashed; .*results that led there: round 1: no crash$/);
    refused(
      (base) => ({ crashed: (state, config, node) => (state[2] === 1 && state[3] === 1 ? false : base.crashed!(state, config, node)) }),
      /crashed\(node 0\) returned false, but node 0 has crashed; .*results that led there: round 1: nodes 0, 1 crash$/,
    );
    refused(
      (base) => ({ crashed: (state, config, node) => (node === 1 && state[3] === 1 && state[2] === 0 ? false : base.crashed!(state, config, node)) }),
      /crashed\(node 1\) returned false, but node 1 has crashed; .*results that led there: round 1: node 1 crashes$/,
    );
  });
  it('a crashed node dispatches nothing', () => {
    refused(
      (base) => ({
        next(state, config, step) {
          if (config.crashes && state[0] === 0) base.next(state, config, step);
          else if (state[0]! < 2) {
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = 1;
            step.label = 'order';
          } else base.next(state, config, step);
        },
      }),
      /^cell rounds=1, with crashes: node 0 \(A\) dispatches order in round 1 after it crashed; a crashed node takes no further step; state \[1, 0, 1, 1\] \(clock 1\); results that led there: round 1: nodes 0, 1 crash$/,
    );
    refused(
      (base) =>
        atSend(base, (step) => {
          step.direction = B_TO_A;
          step.peer = 1;
        }),
      /^cell rounds=1, with crashes: a send names peer 1, but nodes lists only 2 nodes/,
    );
  });
  it('crash and resolve at a round: the clock advances, the state stays within its size', () => {
    refused(
      (base) => ({
        resolve(state, config, step, result) {
          if (step.kind === ROUND) return;
          base.resolve(state, config, step, result);
        },
      }),
      /^cell rounds=1, with crashes: resolve did not advance the clock \(state\[0\] went from 0 to 0\).*results that led there: round 1: no crash$/,
    );
    refused(
      () => ({
        crash(state, _config, node) {
          state[2 + node] = 1;
          new Int32Array(state.buffer, state.byteOffset)[4] = 7;
        },
      }),
      /crash or resolve wrote beyond the declared state size \(4\)/,
    );
    refused(
      () => ({
        crash() {
          throw new Error('no crash here');
        },
      }),
      /^cell rounds=1, with crashes: crash threw: no crash here$/,
    );
    refused(
      () => ({ nodes: () => [0, 1], crashed: () => undefined as unknown as boolean }),
      /crashed\(node 0\) returned undefined, not true or false: crashed must return a boolean/,
    );
  });
  it('canonicalize keeps the exact values with crashes too (one that forgets a crash merges states whose futures differ)', () => {
    // B's crash flag is 0 in every state without crashes: there, it changes nothing
    const forgets = () => ({ canonicalize: (state: Int32Array) => void (state[3] = 0) });
    for (const quick of [false, true])
      refusedWith(
        crashGood,
        forgets,
        new RegExp(
          `^cell rounds=${quick ? 2 : 1}, loss 0\\.3, crash 0\\.3: canonicalize changes the exact probability of both \\(0\\.343 without merging, 0\\.49 with\\): it merges states whose futures differ$`,
        ),
        quick,
      );
    assert.equal(check(() => ({ canonicalize: () => undefined })).cells, 3);
  });
  it('a protocol without all four crash members is explored without crashes', () => {
    const report = check(() => ({ crashed: undefined }) as unknown as Partial<ProtocolDefinition<Config>>);
    assert.equal(report.states, 3 * 3);
    assert.equal(report.trialsEnded, 3 * 2);
  });
});

describe('the contract checker: next writes only the fields of the step', () => {
  const writes = (field: string) => (base: ProtocolDefinition<{ rounds: number }>) => ({
    next(state: Int32Array, config: { rounds: number }, step: Step) {
      base.next(state, config, step);
      if (state[0] === 2) (step as unknown as Record<string, number>)[field] = END;
    },
  });
  const fields = 'kind, direction, round, label, peer, peers, choosers, choices, outcome';
  for (const [field, hint] of [
    ['type', ' (did you mean step.kind?)'],
    ['Action', ' (did you mean step.kind?)'],
    ['result', ' (did you mean step.outcome?)'],
    ['winner', ' (did you mean step.outcome?)'],
    ['colour', ''],
    ['types', ''],
  ] as const) {
    it(`step.${field}${hint ? ` is refused, named${hint}` : ' is refused'}`, () => {
      const expected = `next wrote step.${field}, which is not part of the step${hint}; the step's fields are ${fields}; state [2, 0, 1] (clock 2); results that led there: coin = 1, order (round 1) lost`;
      refusedWith(good, writes(field), new RegExp(`^${escape(`cell rounds=1: ${expected}`)}$`));
    });
  }
  it('a property defined on the step is refused', () => {
    refusedWith(
      good,
      (base) => ({
        next(state, config, step) {
          base.next(state, config, step);
          if (state[0] === 2) Object.defineProperty(step, 'outcome', { value: 0 });
        },
      }),
      new RegExp(`^cell rounds=1: next defined step\\.outcome; the step's fields are ${fields}`),
    );
  });
  it('next returning a value is refused, saying what it returned', () => {
    for (const [value, what] of [
      [null, 'null'],
      [{}, 'an object'],
      [3, 'a number'],
      ['x', 'a string'],
    ] as const) {
      refusedWith(
        good,
        (base) => ({
          next(state, config, step) {
            base.next(state, config, step);
            return value as unknown as undefined;
          },
        }),
        new RegExp(`^cell rounds=1: next returned ${what}; it must fill the step it is given`),
      );
    }
  });
  it('describe is asked of every state, and a throwing one is named when another rule fails', () => {
    refusedWith(
      good,
      (base) => ({
        describe: (state) => {
          if (state[0] === 2) throw new Error('late');
          return base.describe(state, { rounds: 1 });
        },
      }),
      /^cell rounds=1: describe threw: late$/,
    );
    let calls = 0;
    refusedWith(
      good,
      (base) => ({
        ...atEndOutcome(base, 9),
        describe: (state) => {
          if (state[0] === 2 && calls++ > 0) throw new Error('twice');
          return 'fine';
        },
      }),
      /^cell rounds=1: the trial ended with outcome 9, not an index into outcomes\.names \(0 to 3\); state \[2, 0, 1\] \(\(describe threw\)\); results that led there: coin = 1, order \(round 1\) lost$/,
    );
  });
});

const atEndOutcome = (base: ProtocolDefinition<{ rounds: number }>, outcome: number) => ({
  next(state: Int32Array, config: { rounds: number }, step: Step) {
    base.next(state, config, step);
    if (state[0] === 2) step.outcome = outcome;
  },
});

describe('the contract checker: the quick check, the position, the cells', () => {
  it('the quick check explores one cell at two rounds, with and without crashes, and compares canonicalize there', () => {
    const report = check(() => ({}), true);
    assert.equal(report.cells, 1);
    assert.equal(report.states, 3 + 8);
    // a canonicalize that changes exact values is refused by the quick check too, in its one cell:
    // else run and exact would print its wrong exact values beside the estimates, with exit 0
    const merging = () => ({
      canonicalize: (state: Int32Array) => {
        if (state[0] === 2) state[1] = 1;
      },
    });
    refusedWith(good, merging, /^cell rounds=2, loss 0\.3: canonicalize changes the exact probability/, true);
    refusedWith(good, merging, /canonicalize changes the exact probability/);
    // one that changes nothing passes it
    assert.equal(checkWith(good, () => ({ canonicalize: () => undefined }), true).cells, 1);
    // a send in round 2 is within the quick cell's limit, round 3 is not
    const sendIn = (round: number) => (base: ProtocolDefinition<{ rounds: number }>) => ({
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (step.kind === SEND) step.round = round;
      },
    });
    assert.equal(checkWith(good, sendIn(2), true).cells, 1);
    refusedWith(good, sendIn(3), /^cell rounds=2: a send in round 3, outside 1\.\.2/, true);
  });
  it('a trial that never ends is stopped at 20,000 steps in the quick check, 100,000 in the full one', () => {
    const endless = (base: ProtocolDefinition<{ rounds: number }>) => ({
      stateSize: () => 1,
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (state[0]! >= 1) {
          step.kind = SEND;
          step.round = 1;
          step.label = 'order';
        }
      },
      resolve(state: Int32Array) {
        state[0] = state[0]! + 1;
      },
    });
    refusedWith(
      good,
      endless,
      /^cell rounds=2: a trial took more than 20000 steps without ending \(the quick check [^)]*\); state \[20001\] \(clock 20001\); results that led there: …, (order \(round 1\) (received|lost), ){19}order \(round 1\) (received|lost)$/,
      true,
    );
  });
  it('the quick check stops quietly after 2,000 states and follows one trial to its end; the full check explores them all', () => {
    // A binary tree of sends 12 deep: 8,191 distinct states, every trial ending.
    const tree = (base: ProtocolDefinition<{ rounds: number }>) => ({
      stateSize: () => 2,
      next(state: Int32Array, config: { rounds: number }, step: Step) {
        base.next(state, config, step);
        if (state[0]! < 12) {
          step.kind = SEND;
          step.round = 1;
          step.label = 'order';
        } else {
          step.kind = END;
          step.outcome = generalsOutcome(true, true);
        }
      },
      resolve(state: Int32Array, _config: { rounds: number }, _step: Step, result: number) {
        state[1] = state[1]! * 2 + result;
        state[0] = state[0]! + 1;
      },
    });
    // Depth first, the 2,000th state is a trial's end (995 ended by then): the exploration stops
    // there, with no pending branch taken up and no state beyond it. The endless trial above is
    // followed past the budget to its 20,000th step.
    const quick = checkWith(good, tree, true);
    assert.deepEqual([quick.states, quick.trialsEnded], [2000, 995]);
    assert.equal(checkWith(good, tree).states, 3 * 8191);
  });
  it('the position names the call and the state being explored', () => {
    const position: CheckPosition = { call: '', state: [] };
    assert.throws(() =>
      checkWith(
        good,
        (base) => ({
          resolve(state, config, step, result) {
            if (state[0] === 1) throw new Error('stop');
            base.resolve(state, config, step, result);
          },
        }),
        false,
        position,
      ),
    );
    assert.equal(position.call, 'resolve');
    assert.deepEqual(Array.from(position.state), [1, 0, 1]);
    assert.equal(checkWith(good, () => ({}), false, position).cells, 3);
  });
  it('next must leave the same state on the same input, not only the same step', () => {
    let calls = 0;
    refusedWith(
      good,
      (base) => ({
        next(state, config, step) {
          base.next(state, config, step);
          if (state[0] === 2) state[2] = calls++ % 2;
        },
      }),
      /^cell rounds=1: next is not deterministic: two calls on the same state gave different steps or states; state \[2, 0, 1\]/,
    );
  });
  it('smallCells: rounds 1 to 3, each parameter at its minimum, default and maximum, at most 64 cells', () => {
    const withParameters = (parameters: ProtocolDefinition<unknown>['parameters']) => ({ ...good('cells'), parameters }) as ProtocolDefinition<unknown>;
    const p = (name: string, extra: Record<string, unknown>) => ({ name, description: name, ...extra }) as ProtocolDefinition<unknown>['parameters'][number];
    assert.deepEqual(smallCells(withParameters([])), [{ rounds: 1 }, { rounds: 2 }, { rounds: 3 }]);
    assert.deepEqual(
      smallCells(withParameters([p('n', { integer: true, minimum: 1, maximum: 9, default: 4 })])).map((c) => c['n']),
      [1, 2, 3, 1, 2, 3, 1, 2, 3],
    );
    assert.deepEqual(smallCells(withParameters([p('n', { integer: true, minimum: 2, maximum: 3 })])).slice(0, 2), [
      { rounds: 1, n: 2 },
      { rounds: 1, n: 3 },
    ]);
    assert.deepEqual(
      smallCells(withParameters([p('x', { minimum: 0.1, maximum: 0.9, default: 0.3 })])).slice(0, 3),
      [0.1, 0.3, 0.9].map((x) => ({ rounds: 1, x })),
    );
    // no maximum: the minimum + 1; no default: the middle; no minimum: 0
    assert.deepEqual(
      smallCells(withParameters([p('x', { minimum: 1 })])).slice(0, 3),
      [1, 1.5, 2].map((x) => ({ rounds: 1, x })),
    );
    assert.deepEqual(
      smallCells(withParameters([p('x', {})])).slice(0, 3),
      [0, 0.5, 1].map((x) => ({ rounds: 1, x })),
    );
    assert.deepEqual(smallCells(withParameters([p('n', { integer: true })])).slice(0, 2), [
      { rounds: 1, n: 0 },
      { rounds: 1, n: 1 },
    ]);
    // equal values are explored once
    assert.equal(smallCells(withParameters([p('n', { integer: true, minimum: 5, maximum: 5 })])).length, 3);
    // 3 · 3^4 = 243 cells are cut to the first 64
    const four = smallCells(withParameters(['a', 'b', 'c', 'd'].map((name) => p(name, { integer: true, minimum: 0, maximum: 9 }))));
    assert.equal(four.length, 64);
    assert.deepEqual(four[63], { rounds: 1, a: 2, b: 1, c: 0, d: 0 });
    // quick: one cell, two rounds, every parameter at its default (else its minimum)
    assert.deepEqual(smallCells(withParameters([p('x', { minimum: 0.1, maximum: 0.9, default: 0.3 }), p('n', { integer: true, minimum: 2 })]), true), [
      { rounds: 2, x: 0.3, n: 2 },
    ]);
  });
});

describe('a protocol that sends in a round it never started (ROUND), with crashes on', () => {
  // Two rounds of one order each, crash members declared, but round 2 (or every round) never
  // started: no crash could be drawn there, and the numbers would be crash-free.
  const file = (name: string, startsRounds: string) => `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: '${name}',
  summary: 'A sends the order once a round; B attacks once it holds it.',
  outcomes: GENERALS_OUTCOMES,
  parameters: [],
  usesRounds: true,
  configure: (p) => ({ rounds: p.rounds, crashes: p.crashes === 1 }),
  stateSize: () => 6,
  // [clock, B holds the order, rounds done, A crashed, B crashed, this round started]
  init(s) { s.fill(0); },
  next(s, c, step) {
    const round = s[2] + 1;
    if (round > c.rounds || s[3] === 1) { step.kind = END; step.outcome = generalsOutcome(s[3] === 0, s[4] === 0 && s[1] === 1); return; }
    if (c.crashes && s[5] === 0 && (${startsRounds})) { step.kind = ROUND; step.round = round; return; }
    step.kind = SEND; step.direction = A_TO_B; step.round = round; step.label = 'order';
  },
  resolve(s, c, step, r) {
    if (step.kind === ROUND) s[5] = 1;
    else { s[1] |= r; s[2] += 1; s[5] = 0; }
    s[0] += 1;
  },
  roles: ['A', 'B'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[3 + node] = 1; },
  crashed: (s, c, node) => s[3 + node] === 1,
  describe: (s) => 'round ' + (s[2] + 1),
});
`;
  const rule = (round: number, started: string) =>
    `order was sent in round ${round}, but the last round started \\(step\\.kind = ROUND\\) was ${started}: with crashes on, next says ROUND for a round before anything is sent in it \\(the engines draw its crashes there\\)`;
  // The first two break the rule in the quick check's cell (rounds 2), so the check refuses them
  // before any engine runs; the third only from round 3, which the engines themselves refuse.
  for (const [name, what, startsRounds, rounds, round, started, byCheck] of [
    ['never-started', 'never says ROUND', 'false', 2, 1, 'none', true],
    ['first-started', 'says ROUND for round 1 only', 'round === 1', 2, 2, '1', true],
    ['two-started', 'says ROUND for rounds 1 and 2 only, at R 3', 'round <= 2', 3, 3, '2', false],
  ] as const) {
    it(`${what}: run, exact, trace and check refuse it in one line (exit 2), not crash-free numbers`, async () => {
      const dir = tempFiles({
        'p.mjs': file(name, startsRounds),
        's.yaml': `protocol: ./p.mjs\nloss: 0.2\nrounds: ${rounds}\ncrash: 0.3\ntrials: 2000\nseed: 1\n`,
      });
      const contract = (cell: string) =>
        new RegExp(
          `^twogenerals: ${join(dir, 'p.mjs')}: breaks the protocol contract: cell ${cell}, with crashes: ${rule(round, started)}; state \\[[-0-9, ]+\\] \\(round ${round}\\); results that led there: [^\\n]+\\n$`,
        );
      const message = byCheck ? contract('rounds=2') : new RegExp(`^twogenerals: protocol ${name} \\(${join(dir, 'p.mjs')}\\): ${rule(round, started)}\\n$`);
      for (const args of [
        ['run', join(dir, 's.yaml'), '--format', 'csv'],
        ['run', join(dir, 's.yaml'), '--format', 'csv', '--workers', '2', '--trials', '200000', '--no-exact'],
        ['exact', join(dir, 's.yaml')],
        // (the third file's trial 1 ends in round 1, A crashed: no rule broken there; its trial 2 reaches round 3)
        ['trace', join(dir, 's.yaml'), '--trial', '2'],
      ]) {
        const r = await cliIn(args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '', args.join(' '));
        assert.match(r.stderr, message, args.join(' '));
      }
      // check explores cells of every round limit up to 3 (the third file's rounds too)
      const checked = await cliIn(['check', join(dir, 'p.mjs')]);
      assert.equal(checked.status, 2, checked.stderr);
      assert.match(checked.stderr, contract(`rounds=${byCheck ? round : 3}`));
    });
  }

  // A round started out of order has its crashes drawn twice, or never: numbers of another crash
  // rate. Both break the rule only from round 3, beyond the quick check's cell (rounds 2).
  for (const [name, what, change, started] of [
    [
      'started-twice',
      'starts round 3 twice (its crashes drawn twice)',
      (text: string) => text.replace('s[5] === 0', 's[5] < (round === 3 ? 2 : 1)').replace('s[5] = 1', 's[5] += 1'),
      '3',
    ],
    [
      'round-skipped',
      'sends in rounds 1 and 3 only, and never starts round 2 (its crashes never drawn)',
      (text: string) => text.replace('s[2] += 1', 's[2] += 2'),
      '1',
    ],
  ] as const) {
    it(`${what}: run, exact, trace, plan and check refuse it in one line (exit 2), not numbers of another crash rate`, async () => {
      const dir = tempFiles({
        'p.mjs': change(file(name, 'true')),
        's.yaml': 'protocol: ./p.mjs\nloss: 0.2\nrounds: 3\ncrash: 0.3\ntrials: 2000\nseed: 1\n',
      });
      const rule = `next started round 3 \\(step\\.kind = ROUND\\) after round ${started}: with crashes on, next says ROUND once for every round, in order from 1 up to the round limit \\(also where nothing is sent\\), as the engines draw a round's crashes where it starts`;
      for (const args of [
        ['run', join(dir, 's.yaml'), '--format', 'csv'],
        ['run', join(dir, 's.yaml'), '--format', 'csv', '--workers', '2', '--trials', '200000', '--no-exact'],
        ['exact', join(dir, 's.yaml')],
        ['trace', join(dir, 's.yaml'), '--trial', '3'],
        ['plan', join(dir, 's.yaml'), '--vary', 'crash=0.1:0.3:0.1', '--target', 'success>=0.1'],
      ]) {
        const r = await cliIn(args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(r.stdout, '', args.join(' '));
        assert.match(r.stderr, new RegExp(`^twogenerals: protocol ${name} \\(${join(dir, 'p.mjs')}\\): ${rule}\\n$`), args.join(' '));
      }
      const checked = await cliIn(['check', join(dir, 'p.mjs')]);
      assert.equal(checked.status, 2, checked.stderr);
      assert.match(
        checked.stderr,
        new RegExp(`^twogenerals: ${join(dir, 'p.mjs')}: breaks the protocol contract: cell rounds=3, with crashes: ${rule}; state [^\\n]+\\n$`),
      );
    });
  }
});

describe("a crash marked by crash and made to stick by the round's resolve (as check holds it)", () => {
  // crash marks the node pending; the round start's resolve turns the pending marks into crashes:
  // crashed agrees with the crashes once the round's resolve is done, where check asks it.
  const file = (pending: boolean) => `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'pending-crash',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ rounds: p.rounds, crashes: p.crashes === 1 }),
  stateSize: () => 7,
  // [clock, B holds the order, rounds done, A crashed, B crashed, this round started, crashes pending]
  init(s) { s.fill(0); },
  next(s, c, step) {
    const round = s[2] + 1;
    if (round > c.rounds || s[3] === 1) { step.kind = END; step.outcome = generalsOutcome(s[3] === 0, s[4] === 0 && s[1] === 1); return; }
    if (c.crashes && s[5] === 0) { step.kind = ROUND; step.round = round; return; }
    step.kind = SEND; step.direction = A_TO_B; step.round = round; step.label = 'order';
  },
  resolve(s, c, step, r) {
    if (step.kind === ROUND) { s[5] = 1; s[3] |= s[6] & 1; s[4] |= s[6] >> 1; s[6] = 0; }
    else { s[1] |= r; s[2] += 1; s[5] = 0; }
    s[0] += 1;
  },
  roles: ['A', 'B'],
  nodes: () => [0, 1],
  crash(s, c, node) { ${pending ? 's[6] |= 1 << node;' : 's[3 + node] = 1;'} },
  crashed: (s, c, node) => s[3 + node] === 1,
  describe: (s) => 'round ' + (s[2] + 1),
});
`;
  it('check, run, exact and trace take it, with the numbers of a crash that marks the node at once', async () => {
    // (the counts and exact value a crash that marks the node at once gives, to the byte)
    const dir = tempFiles({ 'p.mjs': file(true), 's.yaml': 'protocol: ./p.mjs\nloss: 0.2\nrounds: 3\ncrash: 0.3\ntrials: 2000\nseed: 1\n' });
    const checked = await cliIn(['check', join(dir, 'p.mjs')]);
    assert.equal(checked.status, 0, checked.stderr);
    const run = await cliIn(['run', join(dir, 's.yaml'), '--format', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^s,pending-crash,bernoulli,0\.2,2,3,0\.3,2000,1,249,1012,437,302,.*,0\.117641470464,/m);
    for (const args of [
      ['run', join(dir, 's.yaml'), '--format', 'csv', '--workers', '2', '--trials', '20000', '--no-exact'],
      ['exact', join(dir, 's.yaml'), '--format', 'csv'],
      ['trace', join(dir, 's.yaml'), '--trial', '2'],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
