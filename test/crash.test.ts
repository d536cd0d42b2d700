import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { BLOCK_SIZE } from '../src/engine/schedule/blocks.js';
import { COMPILE_TRIALS } from '../src/engine/montecarlo/dispatch.js';
import { runExperiment } from '../src/experiment.js';
import { BUILT_IN_PROTOCOLS } from '../src/catalog/protocols.js';
import { supportsCrashes } from '../src/contract/protocol.js';
import { checkProtocol } from '../src/protocol-files/check.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { expandCells } from '../src/scenario/cells.js';
import { proportionZ } from '../src/stats/zscore.js';
import { ROOT, scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Crash-stop faults (issue 24): closed forms derived by hand, the exact engine against Monte
 * Carlo on random cells of every protocol with crashes, crash 0 byte for byte the crash-free
 * run, reproducibility across workers and shards, `check` catching a file whose crashed node
 * keeps sending, and the two- and three-phase commit comparison the README quotes.
 */
const GENERALS = ['both', 'neither', 'onlyA', 'onlyB'];
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

function exactOf(data: Record<string, unknown>): readonly number[] {
  const [cell] = expandCells(scenarioFrom({ trials: 1, ...data }));
  return exactCell(buildCellModel(cellSpec(cell!))).outcomes;
}

let threePhase = '';
let tcp = '';
before(async () => {
  threePhase = (await loadProtocolFile(join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'), 'test')).name;
  tcp = (await loadProtocolFile(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'test')).name;
});

describe('crashes: closed forms', () => {
  it('the messenger with one round: the four outcomes from the crash rate c and the loss q = loss^k', async () => {
    // Round 1 starts with the crash draws. A crashed A sends nothing and does not attack, and B,
    // with no order, does not either: neither, c. A up and B crashed: A attacks alone. Both up:
    // both iff some copy arrives (1 − q), else A alone. B never attacks without A's order.
    const rng = new Xoshiro128(24, 1, 2, 3);
    const uniform = () => Math.round((rng.nextUint32() / 2 ** 32) * 1000) / 1000;
    for (let i = 0; i < 40; i++) {
      const c = uniform();
      const loss = uniform();
      const k = 1 + (i % 4);
      let q = 1;
      for (let j = 0; j < k; j++) q *= loss;
      const [both, neither, onlyA, onlyB] = exactOf({ protocol: 'messenger', loss, redundancy: k, crash: c });
      const where = `c=${c} loss=${loss} k=${k}`;
      close(both!, (1 - c) * (1 - c) * (1 - q), `${where} both`);
      close(neither!, c, `${where} neither`);
      close(onlyA!, (1 - c) * (c + (1 - c) * q), `${where} onlyA`);
      close(onlyB!, 0, `${where} onlyB`);
    }
  });

  it('the messenger with only B crashing (crash: { B: b }): A always attacks', async () => {
    const [both, neither, onlyA] = exactOf({ protocol: 'messenger', loss: 0.3, redundancy: 2, crash: { B: 0.2 } });
    close(both!, 0.8 * (1 - 0.09), 'both');
    close(neither!, 0, 'neither');
    close(onlyA!, 0.2 + 0.8 * 0.09, 'onlyA');
  });

  it('the handshake with two legs: a crash before leg 2 is a lost ack', async () => {
    // R = 2, no loss, each general crashes with c at the start of rounds 1 and 2. The order
    // (leg 1) goes iff A is up in round 1 and arrives iff B is up; the ack (leg 2) goes iff B is
    // still up in round 2 and arrives iff A still is. A general attacks iff it is up at the end and
    // received every leg addressed to it.
    const c = 0.1;
    const u = 1 - c;
    const [both, neither, onlyA, onlyB] = exactOf({ protocol: 'handshake', loss: 0, redundancy: 1, rounds: 2, crash: c });
    close(both!, u ** 4, 'both');
    close(onlyB!, u * u * u * c, 'onlyB: A crashes in round 2'); // B got the order; the ack goes nowhere
    close(onlyA!, 0, 'onlyA');
    close(neither!, 1 - u ** 4 - u * u * u * c, 'neither');
  });

  it('two-phase commit on a reliable link: a coordinator crash in round 2 blocks, c(1 − c)', async () => {
    // Votes all arrive in round 1 and the decision in round 2. A crash at the start of round 1:
    // nobody was prepared, every cohort aborts. At the start of round 2: every cohort voted YES
    // and nobody will tell it the decision: blocked.
    for (const c of [0.001, 0.01, 0.05, 0.3]) {
      const [committed, aborted, blocked, inconsistent] = exactOf({
        protocol: 'two-phase-commit',
        loss: 0,
        redundancy: 1,
        rounds: 3,
        crash: { coordinator: c },
      });
      close(committed!, (1 - c) * (1 - c), `c=${c} committed`);
      close(aborted!, c, `c=${c} aborted`);
      close(blocked!, c * (1 - c), `c=${c} blocked`);
      close(inconsistent!, 0, `c=${c} inconsistent`);
    }
  });

  it('three-phase commit on the same link never blocks: the cohorts time out to the same decision', async () => {
    // A crash at the start of round 1 or 2: waiting cohorts abort (the coordinator decided
    // nothing). At round 3 the coordinator has committed and the prepared cohorts commit.
    for (const c of [0.001, 0.01, 0.05, 0.3]) {
      const [committed, aborted, blocked, inconsistent] = exactOf({ protocol: threePhase, loss: 0, redundancy: 1, cohorts: 3, crash: { coordinator: c } });
      close(committed!, (1 - c) * (1 - c), `c=${c} committed`);
      close(aborted!, 1 - (1 - c) * (1 - c), `c=${c} aborted`);
      close(blocked!, 0, `c=${c} blocked`);
      close(inconsistent!, 0, `c=${c} inconsistent`);
    }
  });

  it('a cohort that crashed in doubt is not blocked, and its earlier decision counts', async () => {
    // Two-phase commit, one cohort, reliable link, only the cohort crashes (rate b): in round 1
    // it never votes and the coordinator aborts (no decision of the cohort: aborted); in round 2
    // it is in doubt but down (aborted by the coordinator's decision only? no: the coordinator
    // decided COMMIT; the crashed cohort decided nothing): committed; otherwise committed.
    const b = 0.2;
    const [committed, aborted, blocked, inconsistent] = exactOf({
      protocol: 'two-phase-commit',
      loss: 0,
      redundancy: 1,
      rounds: 3,
      participants: 1,
      crash: { cohort: b },
    });
    close(committed!, 1 - b, 'committed');
    close(aborted!, b, 'aborted');
    close(blocked!, 0, 'blocked');
    close(inconsistent!, 0, 'inconsistent');
  });

  it('commit where every node crashes before round 1 (crash: 1): no decision is made, and the trial counts as aborted', async () => {
    // docs/writing-a-protocol.md: committed needs some decision, all COMMIT; none at all is aborted.
    for (const [protocol, size] of [
      ['two-phase-commit', { participants: 2 }],
      [threePhase, { cohorts: 2 }],
    ] as const) {
      const [committed, aborted, blocked, inconsistent] = exactOf({ protocol, loss: 0, redundancy: 1, ...size, crash: 1 });
      assert.deepEqual([committed, aborted, blocked, inconsistent], [0, 1, 0, 0], protocol);
    }
  });
});

describe('crashes: Monte Carlo agrees with the exact engine on random cells of every protocol', () => {
  const rng = new Xoshiro128(2024, 24, 7, 9);
  const pick = <T>(values: readonly T[]): T => values[Math.floor((rng.nextUint32() / 2 ** 32) * values.length)]!;
  const rate = (): number => pick([0.01, 0.05, 0.1, 0.2, 0.4]);
  const cells = (): Record<string, unknown>[] => [
    { protocol: 'messenger', loss: pick([0, 0.3, 0.7]), redundancy: pick([1, 2]), crash: rate() },
    { protocol: 'handshake', loss: pick([0.05, 0.3]), redundancy: 1, rounds: pick([2, 3, 5]), crash: { A: rate(), B: rate() } },
    { protocol: 'retransmit', loss: pick([0.1, 0.5]), redundancy: 1, rounds: pick([2, 4]), crash: rate() },
    { protocol: 'randomized', loss: pick([0.1, 0.4]), redundancy: 1, rounds: pick([2, 3, 4]), crash: rate() },
    {
      protocol: 'two-phase-commit',
      loss: pick([0, 0.2]),
      redundancy: 1,
      rounds: pick([1, 2, 3]),
      participants: pick([1, 2, 3]),
      abortRate: pick([0, 0.1]),
      crash: { coordinator: rate(), cohort: rate() },
    },
    {
      protocol: 'two-phase-commit',
      channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.4 },
      redundancy: 1,
      rounds: 2,
      participants: 2,
      crash: rate(),
    },
    { protocol: 'retransmit', channel: { model: 'cut', after: 2, direction: 'AtoB' }, redundancy: 1, rounds: 4, crash: { B: rate() } },
    {
      protocol: () => threePhase,
      loss: pick([0, 0.1]),
      redundancy: 1,
      cohorts: pick([1, 2, 3]),
      noVoteRate: pick([0, 0.1]),
      crash: { coordinator: rate(), cohort: rate() },
    },
    { protocol: () => tcp, loss: pick([0.1, 0.3]), redundancy: 1, rounds: pick([2, 3]), crash: rate() },
  ];
  for (const [round, table] of [cells(), cells()].entries()) {
    for (const [i, data] of table.entries()) {
      it(`cell ${round + 1}.${i + 1}: every |z| ≤ 3.5`, async () => {
        const resolved = { ...data, protocol: typeof data['protocol'] === 'function' ? (data['protocol'] as () => string)() : data['protocol'] };
        const scenario = scenarioFrom({ ...resolved, trials: 60_000, seed: `crash-${round}-${i}` });
        const report = await runExperiment([scenario], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
        for (const s of report.summaries) {
          const where = JSON.stringify(resolved);
          const e = s.exact;
          assert.ok(e, `${where}: exact values missing`);
          const total = e.outcomes.reduce((a, b) => a + b, 0);
          close(total, 1, `${where}: exact outcomes sum`);
          s.outcomes.forEach((o, j) => {
            const z = proportionZ(o.count, s.trials, e.outcomes[j]!);
            assert.ok(Math.abs(z) <= 3.5, `${where}: ${s.outcomeNames[j]} ${o.count} vs ${e.outcomes[j]}, z = ${z}`);
          });
          assert.ok(e.messengersZ !== null && Math.abs(e.messengersZ) <= 3.5, `${where}: messengers z = ${e.messengersZ}`);
        }
      });
    }
  }
});

describe('crashes: crash 0 is the crash-free run, byte for byte', () => {
  const scenarios = [
    'scenarios/seed-foot-soldiers.yaml',
    'scenarios/handshake-regress.yaml',
    'scenarios/two-phase-commit.yaml',
    'examples/three-phase-commit.yaml',
  ];
  for (const file of scenarios) {
    it(`${file}: --set crash=0 prints the same CSV and JSON`, async () => {
      for (const format of ['csv', 'json']) {
        const plain = await cliIn(['run', file, '--trials', '20000', '--format', format, '--exact']);
        const zero = await cliIn(['run', file, '--trials', '20000', '--format', format, '--exact', '--set', 'crash=0']);
        assert.equal(plain.status, 0, plain.stderr);
        assert.equal(zero.stdout, plain.stdout);
      }
    });
  }

  it('the crash-0 cell of a crash sweep counts what the crash-free run counts', async () => {
    const plain = await cliIn(['run', 'scenarios/seed-foot-soldiers.yaml', '--trials', '30000', '--format', 'json']);
    const swept = await cliIn(['run', 'scenarios/seed-foot-soldiers.yaml', '--trials', '30000', '--format', 'json', '--sweep', 'crash=0,0.1']);
    assert.equal(swept.status, 0, swept.stderr);
    const counts = (text: string, i: number) => {
      const row = JSON.parse(text).rows[i] as Record<string, unknown>;
      return GENERALS.map((name) => row[name]);
    };
    assert.deepEqual(counts(swept.stdout, 0), counts(plain.stdout, 0));
    assert.notDeepEqual(counts(swept.stdout, 1), counts(plain.stdout, 0));
  });
});

describe('crashes: more nodes than a word has bits', () => {
  it('two-phase commit with 40 cohorts runs with crashes (41 nodes, each held to its own crashes)', async () => {
    const r = await cliIn([
      'run',
      'scenarios/two-phase-commit.yaml',
      '--set',
      'participants=40',
      '--set',
      'crash=0.01',
      '--set',
      'sweep=null',
      '--trials',
      '5000',
      '--no-exact',
      '-f',
      'csv',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^two-phase-commit,two-phase-commit,bernoulli,0\.2,1,5,40,0\.05,0\.01,5000,/m);
  });
});

describe('crashes: reproducibility', () => {
  const scenario = 'examples/commit-crash-2pc.yaml';
  it('the same bytes with 1 or 3 workers, and from merged shards', async () => {
    // --exact: the automatic exact attempt is bounded by the run's time, the forced one is not.
    // Two blocks a cell, one for each shard: a whole block and one of COMPILE_TRIALS, the fewest a cell without crashes compiles its kernel for.
    const trials = String(BLOCK_SIZE + COMPILE_TRIALS);
    const run = async (extra: string[]) => await cliIn(['run', scenario, '--trials', trials, ...extra]);
    const one = await run(['--format', 'csv', '--workers', '1', '--exact']);
    const three = await run(['--format', 'csv', '--workers', '3', '--exact']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(three.stdout, one.stdout);
    const dir = tempFiles({});
    const shards: string[] = [];
    for (const i of [1, 2]) {
      const r = await run(['--shard', `${i}/2`]);
      assert.equal(r.status, 0, r.stderr);
      const path = join(dir, `shard-${i}.json`);
      writeFileSync(path, r.stdout);
      shards.push(path);
    }
    assert.equal((await cliIn(['merge', ...shards, '--format', 'csv', '--exact'])).stdout, one.stdout);
  });

  it('trace replays a trial with its crashes, in the story and in the Mermaid diagram', async () => {
    const text = await cliIn(['trace', scenario, '--cell', '3', '--first', 'blocked']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /round 2\s+Coordinator crashes/);
    assert.match(text.stdout, /outcome: some cohort is in doubt/);
    const mermaid = await cliIn(['trace', scenario, '--cell', '3', '--first', 'blocked', '--format', 'mermaid']);
    assert.match(mermaid.stdout, /Note over Coordinator: crashes/);
  });

  it('trace tells a message to a crashed node as not received, not as copies lost (a channel that loses none)', async () => {
    // Loss 0, and a trace of no loss (a replayed one, past the tables' 20,000 packets): every copy
    // the channel carries is delivered, so a message misses only where its receiver has crashed.
    const dir = tempFiles({
      'clean.txt': '0\n'.repeat(20_001),
      'bernoulli.yaml': 'protocol: handshake\nloss: 0\nrounds: 3\ncrash: { B: 0.3 }\ntrials: 1000\n',
      'trace.yaml': 'protocol: handshake\nchannel: { model: trace, file: clean.txt }\nrounds: 3\ncrash: { B: 0.3 }\ntrials: 1000\n',
    });
    for (const file of ['bernoulli.yaml', 'trace.yaml']) {
      const text = await cliIn(['trace', join(dir, file), '--first', 'onlyA']);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /B crashes\n.*A → B: ack 2, 2 copies: not received, B has crashed\n/, file);
      assert.doesNotMatch(text.stdout, /lost/, file);
      const mermaid = await cliIn(['trace', join(dir, file), '--first', 'onlyA', '--format', 'mermaid']);
      assert.match(mermaid.stdout, /A-xB: ack 2 \(2 copies, B has crashed\)/, file);
      assert.doesNotMatch(mermaid.stdout, /lost/, file);
    }
  });
});

describe('crashes: bad input and broken protocol files', () => {
  const tcpSource = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8');

  it('check catches a file whose crashed node keeps sending', async () => {
    const broken = tcpSource.replace('state[A_ESTABLISHED] === 0 && aUp', 'state[A_ESTABLISHED] === 0');
    assert.notEqual(broken, tcpSource);
    const dir = tempFiles({ 'keeps-sending.mjs': broken });
    const r = await cliIn(['check', join(dir, 'keeps-sending.mjs')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /with crashes: node 0 \(A\) dispatches SYN in round 1 after it crashed/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('check and every engine catch a crashed node that still makes its choice (a vote), as they catch one that sends', async () => {
    // One coordinator and one cohort; the cohort's vote is a choice with step.peer 0 (node 1). In
    // "voting", it votes in round 1 whether or not it crashed at that round's start; in "late", it
    // votes in the last round, only from 5 rounds on (past the cells check explores).
    const file = (name: string, when: string) => `export default ({ CHOOSE, END, ROUND, COMMIT_OUTCOMES }) => {
  const VOTE = Float64Array.of(0.5, 0.5);
  return {
    name: '${name}', summary: 'a cohort that votes', outcomes: COMMIT_OUTCOMES,
    configure: (p) => ({ crashes: p.crashes === 1, rounds: p.rounds }),
    stateSize: () => 5,
    init(s) { s.fill(0); },
    next(s, c, step) {
      if (c.crashes && s[4] < c.rounds) { step.kind = ROUND; step.round = s[4] + 1; return; }
      if (${when} && s[1] === 0) { step.kind = CHOOSE; step.peer = 0; step.choices = VOTE; step.label = 'vote'; step.round = c.rounds; return; }
      step.kind = END;
      step.outcome = s[1] === 2 ? 1 : 0;
    },
    resolve(s, c, step, r) { if (step.kind === ROUND) s[4] = step.round; else s[1] = r + 1; s[0]++; },
    roles: ['coordinator', 'cohort'],
    nodes: () => [0, 1],
    crash(s, c, n) { s[2 + n] = 1; },
    crashed: (s, c, n) => s[2 + n] === 1,
    describe: (s) => \`vote \${s[1]}\${s[3] ? ' (cohort crashed)' : ''}\`,
  };
};
`;
    const dir = tempFiles({
      'voting.mjs': file('voting', 'true'),
      'late.mjs': file('late', 'c.rounds >= 5'),
      'late.yaml': 'protocol: ./late.mjs\nrounds: 5\ncrash: { cohort: 0.3 }\ntrials: 1000\n',
      'late-trace.yaml': 'protocol: ./late.mjs\nrounds: 5\ncrash: { cohort: 0.3 }\ntrials: 1000\nchannel: { model: trace, file: clean.txt }\n',
      'clean.txt': '0\n'.repeat(20_001),
    });
    const checked = await cliIn(['check', join(dir, 'voting.mjs')]);
    assert.equal(checked.status, 2);
    assert.match(checked.stderr, /with crashes: node 1 \(cohort\) makes the choice vote in round 1 after it crashed; a crashed node takes no further step/);
    assert.equal(checked.stderr.trim().split('\n').length, 1);
    assert.equal((await cliIn(['check', join(dir, 'late.mjs')])).status, 0);
    const refusal =
      /^twogenerals: protocol late \(.*late\.mjs\): node 1 made the choice vote in round 5 after it crashed \(vote 0 \(cohort crashed\)\); a crashed node takes no further step\n$/;
    for (const args of [
      ['run', join(dir, 'late.yaml'), '--no-exact'],
      ['exact', join(dir, 'late.yaml')],
      ['exact', join(dir, 'late-trace.yaml')],
      ['trace', join(dir, 'late.yaml'), '--first', 'aborted'],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, refusal, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });

  it('check catches a file whose crash does not stick', async () => {
    const broken = tcpSource.replace('state[CRASHED + node] = 1;', 'state[CRASHED + node] = 0;');
    const dir = tempFiles({ 'forgets.mjs': broken });
    const r = await cliIn(['check', join(dir, 'forgets.mjs')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /crashed\(node \d\) returned false, but node \d has crashed/);
  });

  it('refuses crash for a protocol without crash support, in one line', async () => {
    const plain = tcpSource
      .replace(/ {4}roles: \['A', 'B'\],\n[\s\S]*?crashed: \(state, _config, node\) => state\[CRASHED \+ node\] === 1,\n/, '')
      .replace("name: 'tcp-handshake'", "name: 'tcp-no-crash'");
    assert.doesNotMatch(plain, /roles:/);
    const dir = tempFiles({ 'plain.mjs': plain, 'crashing.yaml': 'protocol: ./plain.mjs\nrounds: 2\ncrash: 0.1\n' });
    const r = await cliIn(['run', join(dir, 'crashing.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /crashing\.yaml:3:1: crash is 0\.1, but the tcp-no-crash protocol does not support crashes/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('a crash rate of 0 for a protocol without crash support: set or swept (any crash parameter, a flag or the file, plan too), taken alike; above 0, refused alike', async () => {
    const plain = tcpSource
      .replace(/ {4}roles: \['A', 'B'\],\n[\s\S]*?crashed: \(state, _config, node\) => state\[CRASHED \+ node\] === 1,\n/, '')
      .replace("name: 'tcp-handshake'", "name: 'tcp-no-crash-zero'");
    const base = 'protocol: ./plain.mjs\nloss: 0.1\nredundancy: 1\nrounds: 2\ntrials: 2000\n';
    const dir = tempFiles({
      'plain.mjs': plain,
      'base.yaml': base,
      'swept.yaml': `${base}sweep: { crashCohort: [0] }\n`,
      'swept-bad.yaml': `${base}sweep: { crashA: [0, 0.1] }\n`,
    });
    const file = join(dir, 'base.yaml');
    // The counts and exact values, without the scenario's name and the crash column a sweep adds.
    const numbers = async (args: string[]): Promise<string> => {
      const r = await cliIn(['run', ...args, '--format', 'json']);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      const { rows } = JSON.parse(r.stdout) as { rows: Record<string, unknown>[] };
      return JSON.stringify(rows.map(({ scenario: _s, crash: _a, crashA: _b, crashB: _c, crashCohort: _d, ...row }) => row));
    };
    const plainRun = await numbers([file]);
    for (const args of [
      ['--set', 'crash=0'],
      ['--set', 'crash.A=0'],
      ['--sweep', 'crash=0'],
      ['--sweep', 'crashA=0:0'],
      ['--sweep', 'crashB=0'],
    ])
      assert.equal(await numbers([file, ...args]), plainRun, args.join(' '));
    assert.equal(await numbers([join(dir, 'swept.yaml')]), plainRun, 'sweep: { crashCohort: [0] }');
    const planned = await cliIn(['plan', file, '--vary', 'crash=0', '--target', 'success>=0.5', '--format', 'csv']);
    assert.equal(planned.status, 0, planned.stderr);
    const unsupported = 'but the tcp-no-crash-zero protocol does not support crashes';
    for (const [args, line] of [
      [[file, '--set', 'crash=0.1'], `--set crash=0.1: crash is 0.1, ${unsupported}`],
      [[file, '--sweep', 'crash=0,0.1'], `--sweep crash=0,0.1: sweep.crash has 0.1, ${unsupported}`],
      [[join(dir, 'swept-bad.yaml')], `swept-bad.yaml:6:10: sweep.crashA has 0.1, ${unsupported}`],
    ] as const) {
      const r = await cliIn(['run', ...args]);
      assert.equal(r.status, 2, args.join(' '));
      assert.ok(r.stderr.includes(line), `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const plannedBad = await cliIn(['plan', file, '--vary', 'crash=0:0.1:0.05', '--target', 'success>=0.5']);
    assert.equal(plannedBad.status, 2);
    assert.ok(plannedBad.stderr.includes(`--vary crash=0:0.1:0.05: crash has 0.05, ${unsupported}`), plannedBad.stderr);
  });

  it("a protocol file's own roles' crash rates are swept and planned like the built-ins' (crashFollower; crashB of a role b)", async () => {
    const roles = (name: string, list: string): string =>
      tcpSource.replace("roles: ['A', 'B'],", `roles: [${list}],`).replace("name: 'tcp-handshake'", `name: '${name}'`);
    const dir = tempFiles({
      'own.mjs': roles('tcp-own-roles', "'leader', 'follower'"),
      'lower.mjs': roles('tcp-lower-role', "'A', 'b'"),
      'own-sweep.yaml': 'protocol: ./own.mjs\nloss: 0.1\nredundancy: 1\nrounds: 2\nsweep: { crashFollower: [0.1, 0.3] }\n',
      'own-set.yaml': 'protocol: ./own.mjs\nloss: 0.1\nredundancy: 1\nrounds: 2\ncrash: { follower: 0.3 }\n',
      'lower-sweep.yaml': 'protocol: ./lower.mjs\nloss: 0.1\nredundancy: 1\nrounds: 2\nsweep: { crashB: [0.1, 0.3] }\n',
      'own-bad.yaml': 'protocol: ./own.mjs\nsweep: { crashLeader: [0.1, 1.5] }\n',
    });
    const rows = async (...args: string[]): Promise<Record<string, number>[]> => {
      const r = await cliIn(['exact', ...args, '--format', 'json']);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).rows;
    };
    const set = (await rows(join(dir, 'own-set.yaml')))[0]!;
    for (const [file, key] of [
      ['own-sweep.yaml', 'crashFollower'],
      ['lower-sweep.yaml', 'crashB'],
    ] as const) {
      const swept = await rows(join(dir, file));
      assert.deepEqual(
        swept.map((row) => row[key]),
        [0.1, 0.3],
        file,
      );
      assert.equal(swept[1]!['both_exact'], set['both_exact'], file);
      assert.equal(swept[1]!['onlyA_exact'], set['onlyA_exact'], file);
    }
    const plan = await cliIn(['plan', join(dir, 'own-set.yaml'), '--vary', 'crashFollower=0:0.5:0.1', '--target', 'success>=0.3']);
    assert.equal(plan.status, 0, plan.stderr);
    const bad = await cliIn(['run', join(dir, 'own-bad.yaml')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /own-bad\.yaml:2:\d+: sweep\.crashLeader\[1\] must be at most 1 \(got 1\.5\)/);
  });

  it('refuses a role the protocol does not declare, and a rate outside [0, 1]', async () => {
    const cases: [string, RegExp][] = [
      ['protocol: messenger\ncrash: { coordinator: 0.1 }\n', /the messenger protocol has no role 'coordinator'; its roles are A, B/],
      ['protocol: two-phase-commit\ncrash: { coordinater: 0.1 }\n', /did you mean 'coordinator'\?/],
      ['protocol: messenger\ncrash: 1.5\n', /crash must be at most 1 \(got 1\.5\)/],
      ['protocol: messenger\nsweep: { crashCohort: [0.1] }\n', /crashCohort is the crash rate of role cohort; the messenger protocol's roles are A, B/],
    ];
    for (const [text, expected] of cases) {
      const dir = tempFiles({ 'bad.yaml': text });
      const r = await cliIn(['run', join(dir, 'bad.yaml')]);
      assert.equal(r.status, 2, text);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});

describe('crashes: the commit comparison the README quotes', () => {
  it('coordinator crashes on a reliable link block 2PC, never 3PC; partitions make 3PC inconsistent, never 2PC', async () => {
    const exact = async (file: string) => {
      const r = await cliIn(['exact', file, '--format', 'json']);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).rows as Record<string, number>[];
    };
    const two = await exact('examples/commit-crash-2pc.yaml');
    const three = await exact('examples/commit-crash-3pc.yaml');
    assert.equal(two.length, 6);
    for (const [i, row] of two.entries()) {
      const [goodToBad, c] = [row['goodToBad']!, row['crashCoordinator']!];
      assert.equal(three[i]!['goodToBad'], goodToBad);
      assert.equal(three[i]!['crashCoordinator'], c);
      const where = `goodToBad=${goodToBad} crashCoordinator=${c}`;
      close(row['inconsistent_exact']!, 0, `2PC ${where}: inconsistent`);
      close(three[i]!['blocked_exact']!, 0, `3PC ${where}: blocked`);
      if (goodToBad === 0) {
        close(row['blocked_exact']!, c * (1 - c), `2PC ${where}: blocked`);
        close(three[i]!['inconsistent_exact']!, 0, `3PC ${where}: inconsistent`);
      } else {
        assert.ok(row['blocked_exact']! > 0.07, `2PC ${where}: blocked ${row['blocked_exact']}`);
        assert.ok(three[i]!['inconsistent_exact']! > 0.02, `3PC ${where}: inconsistent ${three[i]!['inconsistent_exact']}`);
      }
    }
  });
});

describe('crashes: plan', () => {
  it('finds the largest coordinator crash rate at which two-phase commit blocks at most 1e-4 of the time', async () => {
    // Reliable link: blocked = c(1 − c), at most 1e-4 for c up to about 1.0001e-4.
    const args = ['plan', 'examples/commit-crash-2pc.yaml', '--set', 'channel.goodToBad=0', '--vary', 'crashCoordinator=0.00001:0.0002:0.00001'];
    const r = await cliIn([...args, '--target', 'blocked<=1e-4', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const { winner, exact } = JSON.parse(r.stdout);
    assert.equal(exact, true);
    assert.equal(winner.crashCoordinator, 0.0001);
    close(winner.blocked, 0.0001 * (1 - 0.0001), 'blocked at the winner');
    assert.match((await cliIn([...args, '--target', 'blocked<=1e-4'])).stdout, /^Largest crashCoordinator meeting blocked ≤ 0\.0001 \(exact values\)/);
  });
});

describe('crashes: check explores the built-in protocols with crashes', () => {
  for (const protocol of BUILT_IN_PROTOCOLS) {
    it(`${protocol.name} passes check, keeping the contract under every crash pattern`, () => {
      assert.ok(supportsCrashes(protocol), `${protocol.name} supports crashes`);
      const report = checkProtocol(protocol);
      assert.ok(report.trialsEnded > 0);
    });
  }

  for (const file of ['tcp-handshake.mjs', 'three-phase-commit.mjs']) {
    it(`check passes the example ${file}, crashes explored`, async () => {
      const r = await cliIn(['check', join('examples', 'protocols', file)]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /all within the contract/);
    });
  }

  it('role names in crash: { … } are matched without regard to case', async () => {
    close(exactOf({ protocol: 'messenger', loss: 0, redundancy: 1, crash: { a: 0.25 } })[1]!, 0.25, 'neither');
  });
});
