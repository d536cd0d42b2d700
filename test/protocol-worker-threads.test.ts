import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BLOCK_SIZE, simulateBlocks, simulateTask } from '../src/engine/schedule/blocks.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';
import type { Tally } from '../src/engine/tally.js';
import { ROOT, cli, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/**
 * Protocol files that compute something else on a worker thread than on the main thread, where
 * the quick check, the state bounds' walk and the exact values run them: the trials a worker ran
 * are sampled and run again on the main thread, and a file whose counts differ there is refused
 * (one line naming the file, exit 2), never counted.
 */
const TCP = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8')
  .replace("name: 'tcp-handshake'", "name: 'thread-minded'")
  .replace('export default (', "import { isMainThread, threadId } from 'node:worker_threads';\nlet trials = 0;\nexport default (");

/** Each a replacement in TCP that makes it behave otherwise on a worker thread. */
const DIVERGENT: [string, [string, string]][] = [
  ['isMainThread in configure', ['configure: (params) => ({ rounds: params.rounds,', 'configure: (params) => ({ rounds: isMainThread ? params.rounds : 1,']],
  ['isMainThread in next', ['if (round > rounds) {', 'if (round > (isMainThread ? rounds : 1)) {']],
  ['threadId in resolve', ['if (received === 1) {', 'if (received === 1 && (threadId === 0 || part !== 2)) {']],
  ['a counter kept only on workers, after the first trial', ['state.fill(0);', 'state.fill(0);\n      if (!isMainThread && trials++ > 0) state[1] = 1;']],
  ['isMainThread in the factory', ['const B_SYN = 3;', 'const B_SYN = isMainThread ? 3 : 4;']],
  [
    'process.env set only on a worker, read in resolve',
    ['if (received === 1) {', "if (!isMainThread) process.env.THREAD_MINDED = '1';\n      if (received === 1 && process.env.THREAD_MINDED !== '1') {"],
  ],
  [
    'isMainThread in one cell of a sweep',
    ['configure: (params) => ({ rounds: params.rounds,', 'configure: (params) => ({ rounds: isMainThread || params.rounds !== 3 ? params.rounds : 1,'],
  ],
];

const SCENARIO = 'protocol: ./p.mjs\nredundancy: 1\nloss: 0.2\ntrials: 300000\nseed: 7\nsweep:\n  rounds: [2, 3]\n';

/** The one line a refused run prints. */
function assertRefused(r: { status: number | null; stdout: string; stderr: string }, file: string, what: string): void {
  assert.equal(r.status, 2, `${what}: ${r.stderr}`);
  assert.equal(r.stdout, '', what);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: ${r.stderr}`);
  assert.ok(r.stderr.startsWith(`twogenerals: ${file}: behaves differently on a worker thread: in the cell `), `${what}: ${r.stderr}`);
  assert.match(r.stderr, /counted \S.* there and \d+ on the main thread/, what);
}

describe('a protocol file that behaves differently on a worker thread', () => {
  const honest = tempFiles({ 'p.mjs': TCP, 's.yaml': SCENARIO });
  // One CLI process for both (cli-series.ts).
  const [expected, two] = cliSeries([
    ['run', join(honest, 's.yaml'), '-f', 'csv', '--workers', '1'],
    ['run', join(honest, 's.yaml'), '-f', 'csv', '--workers', '2'],
  ]) as [CliResult, CliResult];

  it('the same file, honest on every thread, prints the same bytes with one worker or two', () => {
    assert.equal(expected.status, 0, expected.stderr);
    const r = two;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expected.stdout);
  });

  for (const [what, [from, to]] of DIVERGENT) {
    it(`is refused, one line, exit 2: ${what}`, () => {
      const text = TCP.replace(from, to);
      assert.notEqual(text, TCP, 'the change applies');
      const dir = tempFiles({ 'p.mjs': text, 's.yaml': SCENARIO });
      const file = join(dir, 'p.mjs');
      // The three in one CLI process (each run counts its own trials; the check runs in a process of its own).
      const [checked, two, one] = cliSeries([
        ['check', file],
        ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2'],
        ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'],
      ]) as [CliResult, CliResult, CliResult];
      assert.equal(checked.status, 0, 'check runs on the main thread: it sees the file as it is there');
      assertRefused(two, file, what);
      // One worker runs the trials on the main thread: what it prints is what the file computes there.
      assert.equal(one.status, 0, one.stderr);
      assert.equal(one.stdout.replaceAll(dir, honest), expected.stdout);
    });
  }

  it('is refused in a shard and in a run to a precision', () => {
    const [, [from, to]] = DIVERGENT[0]!;
    const dir = tempFiles({
      'p.mjs': TCP.replace(from, to),
      's.yaml': SCENARIO,
      'q.yaml': SCENARIO.replace('trials: 300000', 'trials: { precision: 0.0005 }'),
    });
    const file = join(dir, 'p.mjs');
    const [shard, precision] = cliSeries([
      ['run', join(dir, 's.yaml'), '--shard', '2/3', '--workers', '2'],
      ['run', join(dir, 'q.yaml'), '-f', 'csv', '--workers', '2'],
    ]) as [CliResult, CliResult];
    assertRefused(shard, file, 'shard');
    assertRefused(precision, file, 'precision');
  });

  it('is refused where it diverges only after many trials on a worker: a later sample of the thread meets it', () => {
    // Counted in init, which a cell with crashes calls once a trial (it runs through the definition):
    // about 1,300,000 trials a thread, whose samples come at its first task and after about 4 and
    // 12 blocks (262,144 and 786,432 trials: the gap doubles).
    const text = TCP.replace('state.fill(0);', 'state.fill(0);\n      if (!isMainThread && trials++ > 400000) state[1] = 1;');
    const dir = tempFiles({ 'p.mjs': text, 's.yaml': SCENARIO.replace('sweep:\n  rounds: [2, 3]\n', 'rounds: 3\ncrash: 0.01\n').replace('300000', '2600000') });
    const file = join(dir, 'p.mjs');
    const r = cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2']);
    assertRefused(r, file, 'late');
    assert.doesNotMatch(r.stderr, /block [01] /, 'not the first sample of either thread');
  });
});

describe('a protocol file whose engine-only method behaves differently on a worker thread after many calls', () => {
  it("is refused: the sampled trials are counted as the block's other trials are, not trial by trial", () => {
    // resolveRun, which the compiled engines call and the generic engine never does, loses every
    // copy on a worker once it has been called 100,000 times (past the check of it against resolve).
    const bench = readFileSync(join(ROOT, 'bench', 'two-phase-commit.mjs'), 'utf8');
    const text = bench
      .replace('export default (', "import { isMainThread } from 'node:worker_threads';\nlet calls = 0;\nexport default (")
      .replace(
        'resolveRun(state, config, step, delivered, chosen) {',
        'resolveRun(state, config, step, delivered, chosen) {\n      if (!isMainThread && calls++ > 100000) delivered = 0;',
      );
    assert.notEqual(text, bench);
    const dir = tempFiles({
      'p.mjs': text,
      's.yaml': 'protocol: ./p.mjs\ncohorts: 10\nnoVoteRate: 0.05\nloss: 0.1\nredundancy: 1\nphaseRounds: 4\ntrials: 1300000\nseed: 7\n',
    });
    assertRefused(cli(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2']), join(dir, 'p.mjs'), 'resolveRun');
  });
});

describe("a task's sampled trials", () => {
  it('count with the rest of their block what the block counts whole, on every engine', async () => {
    const checked: string[] = [];
    for (const file of [
      'scenarios/iid-redundancy.yaml',
      'scenarios/bursty-5pct.yaml',
      'examples/commit-crash-3pc.yaml',
      'examples/radio-link-trace.yaml',
      'examples/tcp-handshake.yaml',
    ]) {
      for (const cell of expandCells(await loadScenario(join(ROOT, file))).slice(0, 2)) {
        const trials = Math.min(cell.scenario.trials, 2 * BLOCK_SIZE + 100);
        const task = {
          id: 1,
          spec: cellSpec(cell),
          seed: cell.scenario.seed,
          cellKey: cell.key,
          trials,
          firstBlock: 0,
          blocks: Math.ceil(trials / BLOCK_SIZE),
        };
        const whole = simulateBlocks(task);
        for (const sample of [1, 64, 5000]) {
          let sampled: Tally | undefined;
          let generic: Tally | undefined;
          const split = simulateTask({ ...task, sample }, (counted, trialByTrial) => {
            sampled = counted;
            generic = trialByTrial;
          });
          assert.deepEqual(split, whole, `${file} ${cell.key}, ${sample} sampled`);
          assert.equal(sampled?.trials, Math.min(sample, trials - (task.blocks - 1) * BLOCK_SIZE));
          assert.deepEqual(generic, sampled, 'every engine counts them alike');
        }
        checked.push(cell.key);
      }
    }
    assert.ok(checked.length >= 8);
  });
});
