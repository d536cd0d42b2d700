import { fork } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { STAGES } from './load.js';
import type { LoadStage } from './load.js';
import type { CheckReport } from './check.js';
import type { ProtocolDefinition } from '../contract/protocol.js';
import { watchdogMs } from './watchdog.js';
import { permitted } from '../io/permissions.js';
import { systemErrorWords } from '../io/files.js';

/**
 * A protocol file is loaded, read and checked first in a process of its own (isolate-worker.ts),
 * with a heap limit and a deadline per stage, before any of it runs beside the tool's own work:
 * a file that loops in its top-level code, its default export, a getter or a method, or that
 * allocates without bound, ends the command with one line naming the file and the stage (exit 2)
 * instead of hanging it or crashing Node. (A process, not a worker thread: V8 ends the whole
 * process when a thread's large allocation fails.) Its stdout goes nowhere, and a process.exit
 * there ends only that process. What this does not promise is in docs/writing-a-protocol.md
 * ("What isolation covers").
 */
export interface IsolatedTask {
  readonly file: string;
  readonly place: string;
  readonly quick: boolean;
  readonly checkMs: number;
}

/** What a protocol file declares, as data: enough to validate scenarios without running its code in the tool. */
export type ProtocolDescription = Pick<
  ProtocolDefinition<unknown>,
  'name' | 'outcomes' | 'parameters' | 'summary' | 'usesRounds' | 'exactNote' | 'sides' | 'roles'
>;

export interface IsolatedResult {
  readonly digest: string;
  readonly report: CheckReport;
  readonly description: ProtocolDescription;
}

export type IsolatedReply = { stage: LoadStage } | { done: IsolatedResult } | { failed: string };

/** The heap a protocol file may use while it is loaded and checked. */
export const ISOLATED_HEAP_MB = 512;

/** ISOLATED_HEAP_MB, or TWOGENERALS_ISOLATED_HEAP_MB where set to a whole number of at least 32 (tests fill a smaller heap sooner). */
export function isolatedHeapMb(): number {
  const given = Number(process.env['TWOGENERALS_ISOLATED_HEAP_MB']);
  return Number.isInteger(given) && given >= 32 ? given : ISOLATED_HEAP_MB;
}

/**
 * How long the isolating process may take to start, before the file's first stage: Node's own
 * start-up, no code of the file's. Its own limit, so that a loaded machine's slow start is never
 * charged to the file's first stage (whose deadline a test may shorten to a second or two).
 */
export const ISOLATED_BOOT_MS = 60_000;
/** The longest delay a Node timer holds (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const BOOTING = 'starting the process it is loaded in';

/**
 * The isolating process's environment: this one's, without NODE_EXTRA_CA_CERTS. A protocol file
 * opens no connection, and where that is set Node reads and parses the certificates it names as
 * it starts (about 50 ms of CPU for a system bundle), on every command that loads a protocol file.
 */
export function isolatedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env;
  return rest;
}

/**
 * The Node.js options the isolating process starts with: this process's own (a loader, or the
 * --experimental-strip-types a .ts protocol file needs), with the heap limit set, and without
 * those that would make it run something other than the check or wait for someone: code to
 * evaluate (-e, -p) and its --input-type, a REPL, a syntax check, the test runner, watch mode, a
 * debugger. The library's caller may have started Node with any of them: under `node -e`, the
 * process ran the caller's code instead of loading the file, and every protocol file failed to
 * load after the 60 s deadline.
 */
export function isolatedExecArgv(execArgv: readonly string[], heapMb: number): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split('=')[0]!;
    if (!DROPPED_OPTIONS.test(name)) kept.push(arg);
    else if (!arg.includes('=') && (OPTIONS_WITH_VALUES.has(name) || /^-[ic]*[ep]/.test(name))) i++; // its value is the next argument
  }
  return [...kept, `--max-old-space-size=${heapMb}`];
}

/** Options of Node.js the isolating process does not take over (see isolatedExecArgv), and the heap limit it sets itself. */
const DROPPED_OPTIONS = /^(-[epic]+|--(eval|print|input-type|interactive|check|run|test.*|experimental-test.*|watch.*|inspect.*|debug.*|max-old-space-size))$/;
/** Those of them whose value may follow as the next argument (and -e, -p, -pe: the code). */
const OPTIONS_WITH_VALUES = new Set([
  '--eval',
  '--print',
  '--input-type',
  '--run',
  '--watch-path',
  '--inspect-port',
  '--debug-port',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--test-coverage-include',
  '--test-coverage-exclude',
  '--test-coverage-branches',
  '--test-coverage-functions',
  '--test-coverage-lines',
]);

/**
 * Where the isolating process starts: this one's directory, or, where that no longer exists (a
 * shell left in a directory since deleted), the file's own: a process started in a deleted
 * directory dies before its first line (`ENOENT … uv_cwd`), and every protocol file with it.
 */
function isolatedCwd(file: string): string | undefined {
  try {
    process.cwd();
    return undefined;
  } catch {
    return dirname(file);
  }
}

/**
 * Refuses, before any protocol file is checked or loaded, where this process cannot do either as
 * it must: Node's permission model forbids the checking process, or built-ins the load watches
 * (Math.random, the clocks) are frozen (--frozen-intrinsics, or a library caller's
 * Object.freeze). A file remembered as checked (check-cache.ts) is refused here too, as it was
 * the first time: the record spares the process, not these conditions.
 */
export function refuseWhereFilesCannotBeChecked(place: string): void {
  if (!permitted('child'))
    throw new UsageError(
      place,
      "loading a protocol file needs a process of its own to check it in, which Node's permission model forbids here: add --allow-child-process",
    );
  // The checking process watches Math.random and the clocks (load.ts), which frozen built-ins do not let it replace.
  if (watchedBuiltInsFrozen())
    throw new UsageError(
      place,
      'loading a protocol file needs to watch Math.random and the clocks (a protocol that draws or reads the time is refused), which --frozen-intrinsics forbids here: run it without that option',
    );
}

/** Whether a built-in the load replaces by a watched one (load.ts, watchSources) cannot be replaced. */
function watchedBuiltInsFrozen(): boolean {
  const hrtime = (process as { hrtime?: object }).hrtime;
  return (
    Object.isFrozen(Math) || Object.isFrozen(Date) || !Object.isExtensible(globalThis.performance ?? {}) || (hrtime !== undefined && Object.isFrozen(hrtime))
  );
}

/** Loads and checks `file` in its own thread; resolves to its digest and the check's report, or throws the file's one-line UsageError. */
export function isolatedCheck(file: string, place: string, quick: boolean): Promise<IsolatedResult> {
  try {
    refuseWhereFilesCannotBeChecked(place);
  } catch (error) {
    return Promise.reject(error);
  }
  const stageMs = watchdogMs('load');
  const checkMs = watchdogMs(quick ? 'quick' : 'check');
  const task: IsolatedTask = { file, place, quick, checkMs };
  const heapMb = isolatedHeapMb();
  const child = fork(fileURLToPath(new URL('./isolate-worker.js', import.meta.url)), [JSON.stringify(task)], {
    execArgv: isolatedExecArgv(process.execArgv, heapMb),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: isolatedEnv(process.env),
    cwd: isolatedCwd(file),
  });
  // A process Node could not start (too many open files, no memory) has no pipes; its 'error' event comes on the next tick.
  let errorText = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (errorText.length < 100_000) errorText += chunk;
  });
  return new Promise((resolve, reject) => {
    let stage: LoadStage | 'boot' = 'boot';
    const stageText = (): string => (stage === 'boot' ? BOOTING : STAGES[stage]);
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      outcome();
    };
    const fail = (problem: string): void => finish(() => reject(new UsageError(file, problem)));
    // The check has its own watchdog that names the call; this one is its backstop. The check first
    // loads the file again (up to a stage's limit), then explores (up to its own): the backstop leaves
    // the check's watchdog a whole limit more to report, so that a loaded machine, slow to load the
    // file, still gets the watchdog's message naming the call, not this one.
    const arm = (): void => {
      clearTimeout(timer);
      const ms = stage === 'boot' ? ISOLATED_BOOT_MS : stage === 'check' ? Math.min(stageMs + 2 * checkMs, MAX_TIMER_MS) : stageMs;
      timer = setTimeout(() => fail(`stopped after ${ms / 1000} s while ${stageText()}: it never finished`), ms);
    };
    arm();
    child.on('message', (reply: IsolatedReply) => {
      if ('stage' in reply) {
        stage = reply.stage;
        arm();
      } else if ('done' in reply) finish(() => resolve(reply.done));
      else finish(() => reject(new UsageError('', reply.failed)));
    });
    const failToStart = (error: Error): void => fail(`could not be loaded: the process it is checked in did not start (${systemErrorWords(error)})`);
    child.on('error', failToStart);
    child.on('exit', (code, signal) => {
      // Messages sent before the exit are delivered first; give them that chance.
      setImmediate(() => {
        if (/heap out of memory|Allocation failed|Invalid array length|Array buffer allocation failed/i.test(errorText) || signal === 'SIGABRT' || code === 134)
          fail(`used more than ${heapMb} MB of memory while ${stageText()}: it was stopped`);
        else if (stage === 'boot')
          fail(`could not be loaded: the process it is loaded in ended before it started (exit code ${code ?? signal})${whatItSaid(errorText)}`);
        // Node ends a process with 13 when its awaited promise can never settle (nothing left to
        // run); process.exit in these stages is reported by the isolating process itself.
        else if (code === 13 && stage !== 'check') fail(`never finished while ${stageText()}: it waits for a promise that never settles`);
        else fail(`ended the process (exit code ${code ?? signal}) while ${stageText()}: a protocol file must not call process.exit`);
      });
    });
  });
}

/**
 * What the isolating process said as it ended, as "; it said: …", or nothing: the error's own
 * line where Node printed an uncaught one (after the place it was thrown, the source line and a
 * caret, which the first line alone named), else its first line; Node's warnings left out.
 */
export function whatItSaid(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^\(node:\d+\) |^\(Use `node --trace-/.test(line));
  const line = lines.find((l) => /^(?:[A-Z]\w*)?(?:Error|Exception)\b[^:]*: /.test(l)) ?? lines[0];
  return line ? `; it said: ${line.slice(0, 200)}` : '';
}
