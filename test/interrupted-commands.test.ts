import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, closed, tempFiles } from './helpers.js';

/**
 * Every long command ends alike on SIGINT and SIGTERM: one line on stderr, exit 128 + the
 * signal's number, nothing half-written. Each is signalled once it is under way: a preloaded
 * script says so on stderr at the first turn of the event loop the work gives (its first
 * setImmediate), never after a guessed delay. Each is given work no machine finishes: a run of
 * 10^15 trials, or, where the work is finite (an exact solve, a plan, a fit), the same script
 * holds the work's next step until the signal ends the process (HOLD), so no machine can finish
 * it first however fast it is or however slowly the signal comes.
 */
const preload = (hold: boolean): string => `const original = setImmediate;
let told = false;
globalThis.setImmediate = function (...args) {
  if (!told) {
    told = true;
    process.stderr.write('[under way]\\n');
    // The step is dropped: the work waits here for the signal, and a timer that never fires keeps the process up.
    if (${hold}) { setInterval(() => undefined, 2 ** 30); return original(() => undefined); }
  }
  return original.apply(this, args);
};
`;

/** The commands whose work is finite: held at their first turn (see preload). */
const HOLD = new Set(['exact', 'plan', 'fit']);

async function interrupt(
  args: readonly string[],
  signal: 'SIGINT' | 'SIGTERM',
  cwd: string,
  feed?: () => Promise<unknown>,
  abort?: AbortSignal,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = join(cwd, 'under-way.cjs');
  writeFileSync(script, preload(HOLD.has(args[0]!)));
  const child = spawn(process.execPath, ['--require', script, BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  // A test that failed by its timeout leaves no process behind.
  abort?.addEventListener('abort', () => child.kill('SIGKILL'));
  // The child may end before its feed is written (a pipe then refuses the rest): that is no failure.
  void feed?.().catch(() => undefined);
  const exited = closed(child);
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('[under way]\n')) resolve();
    });
    void exited.then((c) => reject(new Error(`${args[0]} ended (exit ${c}) before it was under way: ${stderr}`)));
  });
  child.kill(signal);
  const code = await exited;
  return { code, stdout, stderr: stderr.replace('[under way]\n', '') };
}

/** A fit's trace of more than one block of reading (the first turn comes after the first block): bursts of loss in 4 million packets. */
function longTrace(): string {
  let text = '';
  let x = 2026;
  for (let i = 0; i < 4_000_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    text += x % 100 < (i % 1000 < 60 ? 80 : 2) ? '1' : '0';
  }
  return text;
}

describe('a long command stopped by a signal', () => {
  const dir = tempFiles({
    'exact.yaml':
      'protocol: two-phase-commit\nchannel: { model: gilbert-elliott, goodToBad: 0.3, badToGood: 0.3 }\nparticipants: 64\nsweep:\n  rounds: { from: 40, to: 60 }\n',
    'rare.yaml': 'protocol: messenger\nloss: 0.001\nredundancy: 6\ntrials: 1000000000000000\n',
  });
  const commands: [string, string[]][] = [
    ['run', ['run', '--trials', '1e15', '--workers', '1', '--sweep', 'redundancy=1:3', '--format', 'csv']],
    ['exact', ['exact', 'exact.yaml', '--format', 'csv']],
    ['plan', ['plan', 'exact.yaml', '--target', 'success>=0.9', '--vary', 'rounds=1:60']],
    // An outcome that never happens, in a cell too large for the exact engine to say so at once: the search goes on.
    ['trace', ['trace', 'exact.yaml', '--first', 'inconsistent', '--trials', '1e15']],
    ['plot', ['plot', 'rare.yaml', '--sweep', 'redundancy=1:3', '--workers', '1', '-o', 'chart.svg']],
  ];
  for (const [signal, code, words] of [
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
  ] as const) {
    for (const [name, args] of commands) {
      it(`${name}: ${signal} prints one line and exits ${code}`, async () => {
        const result = await interrupt(args, signal, dir);
        assert.equal(result.code, code, result.stderr);
        assert.equal(result.stderr.split('\n').at(-2), `twogenerals: ${words}`);
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        assert.deepEqual(
          readdirSync(dir).filter((f) => !['exact.yaml', 'rare.yaml', 'under-way.cjs', 'trace.txt'].includes(f)),
          [],
          'no chart, nothing half-written',
        );
      });
    }
  }

  it('fit: SIGINT in the middle of the fit prints one line and exits 130', async () => {
    writeFileSync(join(dir, 'trace.txt'), longTrace());
    const result = await interrupt(['fit', 'trace.txt', '-o', 'fit.svg'], 'SIGINT', dir);
    assert.equal(result.code, 130, result.stderr);
    assert.equal(result.stderr, 'twogenerals: interrupted\n');
    assert.equal(result.stdout, '');
    assert.deepEqual(readdirSync(dir).sort(), ['exact.yaml', 'rare.yaml', 'trace.txt', 'under-way.cjs']);
  });

  // A pipe whose writer stays open (`fit <(ssh host cat log)`): the reading waits for more, and a
  // synchronous read held the signal's handler off until the writer closed — Ctrl-C did nothing.
  // The timeout only turns that hang into a failure; a passing run never waits on it.
  it('fit: SIGINT while a pipe keeps the reading waiting prints one line and exits 130', {
    skip: process.platform === 'win32',
    timeout: 120_000,
  }, async (t) => {
    const pipe = join(dir, 'live.pipe');
    execFileSync('mkfifo', [pipe]);
    let writer: Awaited<ReturnType<typeof open>> | undefined;
    try {
      const result = await interrupt(
        ['fit', 'live.pipe'],
        'SIGINT',
        dir,
        async () => {
          writer = await open(pipe, 'w');
          await writer.write('0001000100'.repeat(200_000)); // 2 MB: more than a block of the reading
        },
        t.signal,
      );
      assert.equal(result.code, 130, result.stderr);
      assert.equal(result.stderr, 'twogenerals: interrupted\n');
      assert.equal(result.stdout, '');
    } finally {
      await writer?.close();
      rmSync(pipe, { force: true });
    }
  });
});
