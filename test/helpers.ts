import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { ExactResult } from '../src/engine/exact/index.js';
import { CHOOSE, END, GENERALS_OUTCOMES, SEND, Step } from '../src/contract/protocol.js';
import type { CellModel } from '../src/engine/model.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * No process the suite starts opens a connection (the package's install runs `--offline`), so none
 * needs extra CA certificates: with NODE_EXTRA_CA_CERTS set, every Node start reads and parses the
 * bundle it names, about 50 ms of CPU a process where it was measured, over the hundreds of CLI
 * and checking processes a run of the suite starts. Each inherits this process's environment.
 */
delete process.env['NODE_EXTRA_CA_CERTS'];

/**
 * The variables that change what the tool prints or where it writes: colour, a CI's annotations
 * and step summary, the progress display, and the tool's own switches (debug output, a kernel's
 * source, a watchdog's deadline, an injected failure, a code cache saved). The suite runs in
 * whatever environment CI or a user gives it (`CI=true`, `FORCE_COLOR=1`, `GITHUB_ACTIONS` with
 * its real summary file, a `TWOGENERALS_DEBUG` left set), so each is removed from this process
 * and from every process it starts, whichever way it starts them; a test about one gives it
 * itself. TWOGENERALS_TEST_* are the suite's own parameters, and stay.
 */
export function isToolVariable(name: string): boolean {
  if (/^TWOGENERALS_/.test(name)) return !name.startsWith('TWOGENERALS_TEST_');
  return /^(NO_COLOR|FORCE_COLOR|NODE_DISABLE_COLORS|CI|GITHUB_ACTIONS|GITHUB_STEP_SUMMARY|GITHUB_WORKSPACE)$/.test(name);
}
for (const name of Object.keys(process.env)) if (isToolVariable(name)) delete process.env[name];
// Node's own colour (console.log of a number, util.inspect) follows the terminal otherwise.
process.env['FORCE_COLOR'] = '0';

/**
 * Tests name the package's files by relative paths (`scenarios/…`, `test/fixtures/trace.txt`,
 * kept relative where a cell's stream follows the path's text), as `npm test` runs them from the
 * package's folder; a runner started elsewhere (an editor's, `node --test /path/to/dist/test`)
 * runs them from there too.
 */
process.chdir(ROOT);

export const BIN = join(ROOT, 'bin', 'twogenerals.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How long a CLI process may run before a test calls it hung: ten minutes, far beyond any run a
 * test makes even on a loaded machine (a parameter: TWOGENERALS_TEST_CLI_TIMEOUT_MS).
 */
export const CLI_TIMEOUT_MS = Number(process.env['TWOGENERALS_TEST_CLI_TIMEOUT_MS'] ?? 600_000);

/**
 * Runs the CLI as a user does: a separate node process, no terminal, in `cwd` (the package's
 * folder unless given). A process that hangs (say,
 * kept alive by a worker thread) is killed after CLI_TIMEOUT_MS, and its status is then null.
 */
export function cli(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `cli` without blocking this process: for commands that mostly wait (a watchdog's deadline), so
 * that several can wait at once.
 */
export function cliAsync(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: CLI_TIMEOUT_MS,
        maxBuffer: 1 << 28,
        env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', ...env },
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        resolve({ status: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

const temporary: string[] = [];
const removeTemporary = (): void => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', removeTemporary);
// A test process stopped by a signal runs no 'exit' handlers: clean up there too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeTemporary();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

let directoriesMade = 0;

/**
 * A new empty directory in the system's temporary folder, named by `prefix` and then digits only.
 * mkdtemp's six random letters and digits end up in the paths the CLI prints, and now and then
 * spell what a test looks for there (`1E9` read as an exponent, `NaN`, an error code): digits
 * cannot. The caller removes it.
 */
export function temporaryDirectory(prefix: string): string {
  for (;;) {
    const dir = join(tmpdir(), `${prefix}${process.pid}-${++directoriesMade}-${randomInt(1_000_000_000)}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * A JSON text with every string emptied: what its numbers and keywords say, without the paths it
 * quotes (a temporary folder under a TMPDIR such as `/tmp/a dir 1e5 NaN` spells words and
 * exponents a test looks for).
 */
export function outsideStrings(json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/** The numbers of a JSON text, outside its strings, that are written with an exponent. */
export function exponents(json: string): string[] {
  return outsideStrings(json).match(/-?\d+(?:\.\d+)?[eE][+-]?\d+/g) ?? [];
}

/** A word for `sh -c`: the text as it is, whatever it holds (a TMPDIR such as `/tmp/o'brien`). */
export function shellWord(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * Where the processes a test file starts keep their record of protocol files that passed the
 * quick check (src/protocol-files/check-cache.ts): a folder of this test process's own, removed
 * as it exits, so that the suite leaves nothing in the user's cache folder.
 */
const checkCache = temporaryDirectory('twogenerals-test-cache-');
temporary.push(checkCache);
process.env['TWOGENERALS_CACHE_DIR'] = checkCache;

/** A fresh temporary directory holding the given files, removed when the test process exits. */
export function tempFiles(files: Record<string, string>): string {
  const dir = temporaryDirectory('twogenerals-test-');
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export interface PlayedSend {
  readonly direction: 'AtoB' | 'BtoA';
  readonly round: number;
  readonly received: boolean;
}

/**
 * The scripted channel: plays one trial of a protocol where message i is received iff
 * script[i] is true (running out of script is a test error). Choices take script values as
 * indices via `choices`.
 */
export function playTrial<C>(
  protocol: ProtocolDefinition<C>,
  config: C,
  script: readonly boolean[],
  choices: readonly number[] = [],
): { outcome: string; sends: PlayedSend[] } {
  const state = new Int32Array(protocol.stateSize(config));
  const step = new Step();
  const sends: PlayedSend[] = [];
  let s = 0;
  let c = 0;
  protocol.init(state, config);
  for (let guard = 0; guard < 100000; guard++) {
    protocol.next(state, config, step);
    if (step.kind === END) return { outcome: protocol.outcomes.names[step.outcome]!, sends };
    if (step.kind === CHOOSE) {
      protocol.resolve(state, config, step, choices[c++]!);
      continue;
    }
    if (s >= script.length) throw new Error(`script ran out at message ${s + 1}`);
    const received = script[s++]!;
    sends.push({ direction: step.direction === 0 ? 'AtoB' : 'BtoA', round: step.round, received });
    protocol.resolve(state, config, step, received ? 1 : 0);
  }
  throw new Error('trial did not end');
}

import { parseScenarioText } from '../src/scenario/parse.js';
import { resolveScenario } from '../src/scenario/resolve.js';
import type { Scenario } from '../src/scenario/types.js';

/** A scenario from in-memory data, resolved exactly as a file would be. */
export function scenarioFrom(data: Record<string, unknown>): Scenario {
  return resolveScenario(parseScenarioText(JSON.stringify(data), 'test.json'));
}

/** A xoshiro128** state whose first output is `output`: invert rotl(s1 · 5, 7) · 9 for s1. */
export function stateWithFirstOutput(output: number, seed: number): Int32Array {
  const unscaled = Math.imul(output, 0x38e38e39) >>> 0; // 9⁻¹ mod 2^32
  const rotated = ((unscaled >>> 7) | (unscaled << 25)) >>> 0;
  const s1 = Math.imul(rotated, 0xcccccccd); // 5⁻¹ mod 2^32
  return Int32Array.of(Math.imul(seed, 0x9e3779b9) | 1, s1, Math.imul(seed, 0x85ebca6b), seed);
}

/** A stream whose word `j` is `output`: a state with that first output, taken back j steps. */
export function stateWithWordAt(output: number, seed: number, j: number): Int32Array {
  let state = stateWithFirstOutput(output, seed);
  for (let i = 0; i < j; i++) state = stepBack(state);
  return state;
}

/** xoshiro128**'s step undone: the state before `s`. */
export function stepBack(s: Int32Array): Int32Array {
  const [a0, a1, a2, a3] = s as unknown as [number, number, number, number];
  const c = a1 ^ a2; // s1 ^ (s1 << 9)
  const s1 = c ^ (c << 9) ^ (c << 18) ^ (c << 27);
  const u3 = (a3 >>> 11) | (a3 << 21); // s3 ^ s1
  const s0 = a0 ^ u3;
  return Int32Array.of(s0, s1, a2 ^ (s1 << 9) ^ s0, u3 ^ s1);
}

/** A generator at the xoshiro128** state `s` (four int32 words). */
export function generatorAt(s: Int32Array): Xoshiro128 {
  return new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!);
}

/** A generator's state as four int32 words, to compare with a state array. */
export function stateOf(rng: Xoshiro128): number[] {
  return rng.getState().map((w) => w | 0);
}

/** Two exact results agree to 1e-12 (relative, for the moments). */
export function assertSameExact(a: ExactResult, b: ExactResult, where: string): void {
  a.outcomes.forEach((p, i) => assert.ok(Math.abs(p - b.outcomes[i]!) < 1e-12, `${where}: outcome ${i} ${p} vs ${b.outcomes[i]}`));
  for (const key of ['messagesMean', 'messagesSecondMoment', 'deliveredMean', 'roundsMean'] as const) {
    assert.ok(Math.abs(a[key] - b[key]) < 1e-12 * Math.max(1, Math.abs(b[key])), `${where}: ${key} ${a[key]} vs ${b[key]}`);
  }
}

/** A protocol of `stateSize` int32 with no parameters, its steps given by `body` (`next`, `resolve`, `resolveRun`). */
export function protocolOf(name: string, stateSize: number, body: Pick<ProtocolDefinition<null>, 'next' | 'resolve' | 'resolveRun'>): ProtocolDefinition<null> {
  return {
    name,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: false,
    parameters: [],
    configure: () => null,
    stateSize: () => stateSize,
    init: (state) => state.fill(0),
    describe: () => '',
    ...body,
  };
}

/**
 * A protocol file's text: A sends one messenger in round 1, and the generals coordinate iff it
 * arrives (outcome 0, else 2); no parameters. Tests write it where they need a file on disk.
 */
export function oneSendProtocolFile(name: string): string {
  return oneSendSource(name, {
    head: 'SEND, END, A_TO_B, GENERALS_OUTCOMES',
    members: "summary: 'test',\n  exactNote: 'test',\n  outcomes: GENERALS_OUTCOMES,\n  usesRounds: false,\n  parameters: [],",
    lost: 2,
    describe: "(s[1] ? 'heard' : 'dark')",
  });
}

/**
 * The same one-send protocol with outcomes of its own: `outcomes` (a list as the file's source
 * writes it, two names) is its first where the messenger arrives, its second where it is lost;
 * `parameters` as the source writes them. Described as lit or dark.
 */
export function ownOutcomesProtocolFile(name: string, outcomes: string, parameters = '[]'): string {
  return oneSendSource(name, {
    head: 'SEND, END, A_TO_B',
    members: `outcomes: { names: ${outcomes}, success: [0], disagreement: [1] },\n  parameters: ${parameters},`,
    lost: 1,
    describe: "(s[1] ? 'lit' : 'dark')",
  });
}

function oneSendSource(name: string, parts: { head: string; members: string; lost: number; describe: string }): string {
  return `export default ({ ${parts.head} }) => ({
  name: '${name}',
  ${parts.members}
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : ${parts.lost}; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => ${parts.describe},
});
`;
}

/**
 * Runs the CLI with the record of checked protocol files kept in `cache`, and says whether the
 * command started the checking process (NODE_DEBUG shows each process started, and its lines
 * are taken out of stderr; the record's key does not hold that variable).
 */
export function cliWithCheckRecord(args: readonly string[], cache: string, env: Record<string, string> = {}): CliResult & { forked: boolean } {
  const r = cli(args, { TWOGENERALS_CACHE_DIR: cache, NODE_DEBUG: 'child_process', ...env });
  const forked = /CHILD_PROCESS \d+: spawn/.test(r.stderr);
  return { ...r, stderr: r.stderr.replace(/CHILD_PROCESS[\s\S]*?\n(?=twogenerals:|$)/g, ''), forked };
}

/** A run of cliWithCheckRecord that checked a protocol file p.mjs anew and stopped it looping in its module (a 1.5 s watchdog): one line, exit 2, nothing printed. */
export function assertCheckedAndStoppedLooping(r: CliResult & { forked: boolean }): void {
  assert.ok(r.forked, 'checked again');
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^twogenerals: .*p\.mjs: stopped after 1\.5 s while evaluating the module \(the file's top-level code\): it never finished\n$/);
}

/**
 * A protocol file's text: A sends one message in round 1, and the trial ends `delivered` where B
 * heard it, else `dark`. `imports` goes before the export; `inResolve` runs first in resolve
 * (where a test makes the file misbehave); `nameCode`, where given, is the name as code (`'p' + SUFFIX`).
 */
export function oneMessageProtocolFile(name: string, { imports = '', inResolve = '', nameCode = `'${name}'` } = {}): string {
  return `${imports}
export default ({ SEND, END, A_TO_B }) => ({
  name: ${nameCode},
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) {
    ${inResolve}
    s[1] = r; s[0] = 1;
  },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;
}

/**
 * A protocol file's text: each round A tries (a choice, 3/4 yes) and, where it does, sends; B
 * hears it or not. Its parameter `bad` (0..10, default 0) marks the cell at 7 that `check` and the
 * quick check never explore (tests make the file misbehave there); at the trial's END, where
 * `atEnd` (a condition in the file's code) holds, `step.outcome` is turned into a getter.
 */
export function retryProtocolFile(name: string, atEnd = 'false'): string {
  return `export default ({ SEND, CHOOSE, END, A_TO_B }) => ({
  name: '${name}',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [] },
  parameters: [{ name: 'bad', description: 'misbehave at 7', minimum: 0, maximum: 10, default: 0, integer: true }],
  configure: (p) => ({ rounds: p.rounds, bad: p.bad === 7, choices: [0.75, 0.25] }),
  stateSize: () => 3,
  init(s) { s.fill(0); },
  next(s, c, step) {
    for (;;) {
      const round = (s[0] >> 1) + 1, part = s[0] & 1;
      if (s[1] === 1 || round > c.rounds) {
        step.kind = END;
        step.outcome = s[1] ? 0 : 1;
        if (${atEnd}) { let n = 0; const o = step.outcome; Object.defineProperty(step, 'outcome', { get() { return n++ % 2 ? 1 : o; }, set() {}, configurable: true }); }
        return;
      }
      step.round = round;
      if (part === 0) { step.kind = CHOOSE; step.label = 'try'; step.choices = c.choices; return; }
      if (s[2] === 1) { step.kind = SEND; step.direction = A_TO_B; step.label = 'MSG'; return; }
      s[0]++;
    }
  },
  resolve(s, c, step, r) {
    if ((s[0] & 1) === 0) s[2] = r === 0 ? 1 : 0; else { if (r === 1) s[1] = 1; s[2] = 0; }
    s[0]++;
  },
  describe: (s) => 'A ' + s[2] + '; B ' + s[1],
});
`;
}

/** A bursty trace (Gilbert–Elliott: bursts of about 3 losses, 8% lost), 1 lost, from the generator (seed, stream, 5, 7). */
export function burstyTrace(packets: number, seed: number, stream = 23): Uint8Array {
  const rng = new Xoshiro128(seed, stream, 5, 7);
  const lost = new Uint8Array(packets);
  let bad = false;
  for (let i = 0; i < packets; i++) {
    bad = bad ? rng.nextUint32() % 10 >= 3 : rng.nextUint32() % 100 < 3;
    lost[i] = (bad ? rng.nextUint32() % 10 < 8 : rng.nextUint32() % 100 === 0) ? 1 : 0;
  }
  return lost;
}

/** A trace as a file's 0/1 digits. */
export const digits = (lost: Uint8Array): string => Buffer.from(lost.map((x) => 48 + x)).toString('latin1');

/**
 * A trial over a replayed trace (`lost`: per direction, 1 a lost packet) from `start`, through the
 * protocol's own definition step by step (no automaton, no trie): its outcome, messages, last
 * round and deliveries by copies delivered, as a key — what a tally tells of it.
 */
export function resultFromStart(m: CellModel, lost: readonly [Uint8Array, Uint8Array], start: number): string {
  const { protocol, protocolConfig: config, copies } = m;
  const n = lost[0].length;
  const state = new Int32Array(m.stateSize);
  protocol.init(state, config);
  const step = new Step();
  const deliveries = new Array<number>(copies).fill(0);
  let position = start;
  let messages = 0;
  let lastRound = 0;
  for (;;) {
    protocol.next(state, config, step);
    if (step.kind !== SEND) return `${step.outcome} ${messages} ${lastRound} ${deliveries.join(' ')}`;
    let delivered = 0;
    for (let c = 0; c < copies; c++) delivered += 1 - lost[step.direction]![(position + c) % n]!;
    position = (position + copies) % n;
    messages++;
    lastRound = step.round;
    if (delivered > 0) deliveries[delivered - 1]!++;
    protocol.resolve(state, config, step, delivered > 0 ? 1 : 0);
  }
}

/** Runs `run` with `prototype[method]` counting its calls (the method still does its work); returns run's result and the calls. */
export function countingCalls<P extends object, K extends keyof P, R>(prototype: P, method: K, run: () => R): { result: R; calls: number } {
  const counting = countCalls(prototype, method);
  try {
    return { result: run(), calls: counting.calls() };
  } finally {
    counting.restore();
  }
}

/** countingCalls for a run that ends later (a promise): the method counted until it settles. */
export async function countingCallsAsync<P extends object, K extends keyof P, R>(
  prototype: P,
  method: K,
  run: () => Promise<R>,
): Promise<{ result: R; calls: number }> {
  const counting = countCalls(prototype, method);
  try {
    return { result: await run(), calls: counting.calls() };
  } finally {
    counting.restore();
  }
}

/** Replaces `prototype[method]` with one that counts its calls and does the original's work. */
function countCalls<P extends object, K extends keyof P>(prototype: P, method: K): { calls: () => number; restore: () => void } {
  const original = prototype[method] as (...args: unknown[]) => unknown;
  let calls = 0;
  prototype[method] = function (this: unknown, ...args: unknown[]) {
    calls++;
    return original.apply(this, args);
  } as P[K];
  return { calls: () => calls, restore: () => void (prototype[method] = original as P[K]) };
}

/**
 * A child process's exit code once its output has all been read. 'exit' may come before the last
 * bytes of its stdout and stderr are delivered (Node.js's child_process docs), so a test that read
 * stderr on 'exit' could miss the line the child wrote just before it ended: on Node.js 24 under
 * load, `interrupted` was missing once where the code was 130. 'close' comes after both.
 */
export function closed(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

/**
 * The CLI in `dir` while `text` is written whole through the named pipe `pipe` (a path in `dir`),
 * then closed: what it prints and its exit code. The writer opens once the command opens the pipe
 * to read it; a command that hangs is ended with the test that timed out on it.
 */
export async function cliThroughPipe(
  dir: string,
  pipe: string,
  text: string,
  args: readonly string[],
  abort: AbortSignal,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
  abort.addEventListener('abort', () => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = closed(child);
  const writer = await open(join(dir, pipe), 'w');
  await writer.write(text);
  await writer.close();
  return { status: await exited, stdout, stderr };
}
