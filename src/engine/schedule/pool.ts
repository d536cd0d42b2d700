import { UsageError } from '../../errors.js';
import { systemErrorWords } from '../../io/files.js';
import { parsedTraces } from '../../channels/trace.js';
import type { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { BLOCK_SIZE, sampleDifference, simulateBlocks, workerSample } from './blocks.js';
import type { BlockTask, BuiltInsChecked, CheckBuiltIns, WorkerReply } from './blocks.js';
import type { Tally } from '../tally.js';
import { adoptEarlyWorker, releaseWorker, spawnWorker } from './threads.js';

/**
 * Trials of a protocol file's cell a thread runs between the starts of two sampled tasks
 * (WorkerPool.sampleDue): at least this after its first sample of the cell, twice as many after
 * each later one, up to SAMPLE_EVERY_MOST. A sample's trials run trial by trial on both threads,
 * most of their cost the engine starting cold, so samples at a fixed gap cost a long run of a
 * cheap protocol a share of its time, where a gap that grows costs a fixed few samples.
 */
export const SAMPLE_EVERY = 4 * BLOCK_SIZE;
export const SAMPLE_EVERY_MOST = 32 * BLOCK_SIZE;

/**
 * Trials a thread runs at least between the starts of two sampled tasks of different cells: two
 * blocks. A sampled cell costs this thread a model of its own (about a quarter of a millisecond),
 * as much as a block of a cheap protocol's trials takes, so a sweep of many cells of fewer trials
 * samples some of them, not each.
 */
export const SAMPLE_GAP = 2 * BLOCK_SIZE;

/** Tasks a worker holds at once: while it runs one, the next is already waiting. */
const IN_FLIGHT = 2;

/** A worker thread failed: the run cannot complete. */
export class WorkerFailure extends Error {
  override name = 'WorkerFailure';
}

/** Whether a worker thread ended for its heap's limit (Node terminates it: no code of its own could report it). */
function outOfMemory(error: Error): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}

/**
 * What the system refused a worker thread, in words, where that is why it failed: too many open
 * files or no memory, as it started ("Worker initialization failure: EMFILE") or as it opened its
 * code; null for any other failure.
 */
function resourceRefused(error: Error): string | null {
  const code =
    (error as NodeJS.ErrnoException).code === 'ERR_WORKER_INIT_FAILED' ? /\b(E[A-Z]+)\s*$/.exec(error.message)?.[1] : (error as NodeJS.ErrnoException).code;
  return code !== undefined && RESOURCE_CODES.has(code) ? systemErrorWords({ code }) : null;
}
const RESOURCE_CODES = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * Worker threads for one run, started on first use (or adopted from those `bin/twogenerals.js`
 * started early, see threads.ts) and kept until `close`: every batch of tasks (all of a run's,
 * or adaptive precision's rounds) goes to the same threads. Each idle thread gets the next task;
 * tallies come back by task id, and since they are integer sums the schedule cannot change any
 * result. With one worker the tasks run on the calling thread.
 */
export class WorkerPool {
  private threads: Worker[] = [];
  private failure: Error | null = null;
  private inFlight = 0;
  private loadedFiles = false;
  private onReply: ((reply: WorkerReply, thread: Worker) => void) | null = null;
  private onChecked: (() => void) | null = null;
  /** Threads asked to compare their built-ins (checkBuiltIns) that have not answered. */
  private checking = 0;
  /** Threads that ran a protocol file's task since they last compared their built-ins. */
  private readonly uncheckedFiles = new WeakSet<Worker>();
  private onFailure: ((failure: Error) => void) | null = null;

  constructor(private readonly workers: number) {}

  /** Runs the tasks; `done` hears each task as it completes (for progress). */
  async run(tasks: readonly BlockTask[], done?: (task: BlockTask, tally: Tally) => void): Promise<Tally[]> {
    const results: Tally[] = new Array<Tally>(tasks.length);
    if (this.workers <= 1 || tasks.length <= 1) {
      for (const [i, task] of tasks.entries()) {
        results[i] = simulateBlocks(task);
        done?.(task, results[i]!);
        await new Promise((resolve) => setImmediate(resolve)); // let signals (Ctrl-C) through between tasks
      }
      return results;
    }
    this.start(Math.min(this.workers, tasks.length));
    const index = new Map(tasks.map((task, i) => [task.id, i]));
    let next = 0;
    let completed = 0;
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const feed = (thread: Worker): void => {
        if (next < tasks.length) this.post(thread, tasks[next++]!);
        else this.checkBuiltIns(thread);
      };
      const settle = (): void => {
        if (completed === tasks.length && this.checking === 0) resolve();
      };
      this.onReply = (reply, thread) => {
        const i = index.get(reply.id)!;
        results[i] = reply.tally;
        done?.(tasks[i]!, reply.tally);
        completed++;
        feed(thread);
        settle();
      };
      this.onChecked = settle;
      this.onFailure = reject;
      for (const thread of this.threads) for (let i = 0; i < IN_FLIGHT; i++) feed(thread);
    });
    return results;
  }

  /**
   * Runs tasks as an iterator makes them, holding only those in flight: memory stays flat
   * however many there are. `done` hears each task with its tally as it completes.
   */
  async stream(tasks: Iterable<BlockTask>, done: (task: BlockTask, tally: Tally) => void): Promise<void> {
    const iterator = tasks[Symbol.iterator]();
    if (this.workers <= 1) {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        done(next.value, simulateBlocks(next.value));
        await new Promise((resolve) => setImmediate(resolve)); // let signals (Ctrl-C) through between tasks
      }
      return;
    }
    const first = iterator.next();
    if (first.done) return;
    const second = iterator.next();
    if (second.done) {
      // One task: on this thread, as `run` does, without starting threads for it.
      done(first.value, simulateBlocks(first.value));
      return;
    }
    const pending = [first.value, second.value];
    const take = (): BlockTask | undefined => {
      if (pending.length) return pending.shift();
      const next = iterator.next();
      return next.done ? undefined : next.value;
    };
    this.start(this.workers);
    const inFlight = new Map<number, BlockTask>();
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const feed = (thread: Worker): void => {
        const task = take();
        if (!task) {
          this.checkBuiltIns(thread);
          return;
        }
        inFlight.set(task.id, task);
        this.post(thread, task);
      };
      const settle = (): void => {
        if (inFlight.size === 0 && this.checking === 0) resolve();
      };
      this.onReply = (reply, thread) => {
        const task = inFlight.get(reply.id)!;
        inFlight.delete(reply.id);
        done(task, reply.tally);
        feed(thread);
        settle();
      };
      this.onChecked = settle;
      this.onFailure = reject;
      for (const thread of this.threads) for (let i = 0; i < IN_FLIGHT; i++) feed(thread);
    });
  }

  /**
   * Ends the pool. Its threads are kept for the next pool where the run ended cleanly; a thread
   * with a task in flight, after a failure, or that loaded a protocol file (registered in that
   * thread for good) is ended.
   */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    this.onFailure = null;
    this.onReply = null;
    this.onChecked = null;
    const reusable = this.failure === null && this.inFlight === 0 && !this.loadedFiles;
    await Promise.all(threads.map((thread) => (reusable ? releaseWorker(thread) : thread.terminate())));
  }

  /** Sends a task to a thread, counting it in flight until its reply; with it, the trace files read here that the thread was not yet given. */
  private post(thread: Worker, task: BlockTask): void {
    this.inFlight++;
    if (task.spec.protocolFile) {
      this.loadedFiles = true;
      this.uncheckedFiles.add(thread);
      this.filesRun(thread).add(task.spec.protocolFile);
    }
    let running = this.running.get(thread);
    if (!running) this.running.set(thread, (running = new Map()));
    running.set(task.id, task.spec.protocolFile);
    let given = this.tracesGiven.get(thread);
    if (!given) this.tracesGiven.set(thread, (given = new Set()));
    const traces = parsedTraces().filter(([key]) => !given.has(key));
    for (const [key] of traces) given.add(key);
    // A protocol file's task: some of its trials come back apart, to be run again here (verifySample).
    const sample = task.spec.protocolFile && this.sampleDue(thread, task) ? workerSample(task) : undefined;
    if (sample !== undefined) {
      let sampled = this.sampled.get(thread);
      if (!sampled) this.sampled.set(thread, (sampled = new Map()));
      sampled.set(task.id, { ...task, sample });
    }
    thread.postMessage(
      traces.length > 0 || sample !== undefined ? { ...task, ...(traces.length > 0 ? { traces } : {}), ...(sample !== undefined ? { sample } : {}) } : task,
    );
  }

  /**
   * Asks a thread that ran a protocol file's tasks, once it has none of the run left, to compare
   * the built-ins with those the file found: its answer (or its failure, naming the member
   * changed) comes after its last task, before the run's results are written.
   */
  private checkBuiltIns(thread: Worker): void {
    if (!this.uncheckedFiles.has(thread)) return;
    this.uncheckedFiles.delete(thread);
    this.inFlight++;
    this.checking++;
    thread.postMessage({ checkBuiltIns: true } satisfies CheckBuiltIns);
  }

  /**
   * Per thread: the cell of its last sampled task, the trials it was sent since that task's start,
   * and the trials of that cell to pass before the next sample of it.
   */
  private readonly lastSample = new WeakMap<Worker, { cell: string; since: number; every: number }>();

  /**
   * Whether a protocol file's task is sampled: a thread's first; then, of the same cell, one once
   * SAMPLE_EVERY trials have passed, the gap doubling at each sample up to SAMPLE_EVERY_MOST; and
   * the first of another cell it runs once SAMPLE_GAP trials have passed since its last sample.
   * Each thread samples each cell it runs (a file may compute otherwise on one thread only: it
   * may read threadId), so a sweep's samples cost about one per cell and thread.
   */
  private sampleDue(thread: Worker, task: BlockTask): boolean {
    const trials = Math.min(task.blocks * BLOCK_SIZE, task.trials);
    const last = this.lastSample.get(thread);
    const sameCell = last?.cell === task.cellKey;
    if (last && last.since < (sameCell ? last.every : SAMPLE_GAP)) {
      last.since += trials;
      return false;
    }
    const every = last && sameCell ? Math.min(2 * last.every, SAMPLE_EVERY_MOST) : SAMPLE_EVERY;
    this.lastSample.set(thread, { cell: task.cellKey, since: trials, every });
    return true;
  }

  /** Per thread: its protocol files' tasks in flight whose sampled trials are to be run again here. */
  private readonly sampled = new WeakMap<Worker, Map<number, BlockTask>>();

  /**
   * A protocol file's task a worker thread ran: its sampled trials run again on this thread, where
   * the quick check, the state bounds' walk and the exact values ran them, must count the same
   * (the counts of a block depend on the scenario, seed and block alone, not on the thread). The
   * refusal where they do not, or null.
   */
  private verifySample(thread: Worker, reply: WorkerReply): Error | null {
    const task = this.sampled.get(thread)?.get(reply.id);
    if (!task) return null;
    this.sampled.get(thread)!.delete(reply.id);
    const file = task.spec.protocolFile!;
    if (!reply.sample || !reply.sampleGeneric)
      return new UsageError(file, 'behaves differently on a worker thread: its sampled trials came back without their counts');
    try {
      const difference = sampleDifference(task, reply.sample, reply.sampleGeneric);
      return difference === null
        ? null
        : new UsageError(
            file,
            `behaves differently on a worker thread: ${difference} (a protocol must compute the same on every thread: does it read isMainThread, threadId, workerData or anything set only on a worker?)`,
          );
    } catch (error) {
      return error instanceof Error ? error : new UsageError(file, 'behaves differently on a worker thread: its sampled trials threw on the main thread');
    }
  }

  /** Per thread: the protocol files whose code it has run. */
  private readonly protocolFiles = new WeakMap<Worker, Set<string>>();

  /** Per thread: its tasks in flight, in the order it runs them (the first is the one running), with each one's protocol file. */
  private readonly running = new WeakMap<Worker, Map<number, string | undefined>>();

  /** Whether an error's stack passes through a protocol file the thread ran. */
  private thrownByFile(thread: Worker, error: Error): boolean {
    const stack = typeof error.stack === 'string' ? error.stack : '';
    for (const file of this.filesRun(thread)) if (stack.includes(pathToFileURL(file).href) || stack.includes(file)) return true;
    return false;
  }

  private filesRun(thread: Worker): Set<string> {
    let files = this.protocolFiles.get(thread);
    if (!files) this.protocolFiles.set(thread, (files = new Set()));
    return files;
  }

  /**
   * The protocol files to blame for a thread's full heap: the file of the task it was running,
   * else those it ran before (a module may keep what a method allocated); none for built-in code.
   */
  private heapFillers(thread: Worker): string[] {
    const current = this.running.get(thread)?.values().next().value;
    return current !== undefined ? [current] : [...this.filesRun(thread)];
  }

  /** Per thread: the trace files it was given (by parsedTraces' key). */
  private readonly tracesGiven = new WeakMap<Worker, Set<string>>();

  private start(count: number): void {
    while (this.threads.length < count) {
      const thread = adoptEarlyWorker() ?? spawnWorker();
      const fail = (failure: Error): void => {
        this.failure ??= failure;
        this.onFailure?.(failure);
      };
      thread.on('message', (reply: WorkerReply | BuiltInsChecked) => {
        this.inFlight--;
        if ('builtInsChecked' in reply) {
          this.checking--;
          this.onChecked?.();
          return;
        }
        this.running.get(thread)?.delete(reply.id);
        const differs = this.verifySample(thread, reply);
        if (differs) fail(differs);
        else {
          try {
            this.onReply?.(reply, thread);
          } catch (error) {
            fail(error as Error); // the tally refused (a count past 2^53): the run's failure, not an uncaught one
          }
        }
      });
      thread.on('error', (error) => {
        const fillers = outOfMemory(error) ? this.heapFillers(thread) : [];
        const refused = resourceRefused(error);
        fail(
          // a worker's UsageError (a protocol file's trial that never ends, step left unfilled, a crashed node that sends, ROUND without crashes or a send in a round not started,
          // file changed) arrives as a plain Error: it stays the user's to fix
          ['TrialNeverEnds', 'StepNotFilled', 'SentAfterCrash', 'UnexpectedRound', 'UnannouncedRound', 'UsageError'].includes(error.name)
            ? new UsageError('', error.message)
            : fillers.length > 0
              ? new UsageError(
                  fillers.join(', '),
                  'its code ran out of memory in a worker thread (the JavaScript heap filled up): a method that keeps what it allocates, in a cell the quick check did not visit?',
                )
              : refused !== null
                ? new UsageError(
                    '',
                    `a worker thread could not start (${refused}): run with --workers 1 (the same counts, on the main thread) or raise the limit`,
                  )
                : this.thrownByFile(thread, error)
                  ? error // a protocol file's method threw: the file's error, reported as where this thread runs it (its stack names the file)
                  : new WorkerFailure(`a worker thread failed: ${error.message}`),
        );
      });
      thread.on('exit', (code) => {
        if (this.threads.includes(thread)) fail(new WorkerFailure(`a worker thread exited early (code ${code})`));
      });
      this.threads.push(thread);
    }
  }
}
