import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { permitted } from '../../io/permissions.js';

/**
 * Starts one pool thread. A small young generation keeps memory flat in the number of trials:
 * every block's garbage is short-lived, and V8 would otherwise grow the space as a long run
 * goes on. 2 MB is the smallest size that costs no speed and keeps the peak flattest (the peak
 * memory at 10^6 and at 10^9 trials is measured in docs/benchmarks.md).
 */
export function spawnWorker(): Worker {
  const file = new URL('./worker.js', import.meta.url);
  const options = { resourceLimits: { maxYoungGenerationSizeMb: 2 } };
  // Node starts no file in a thread of a process given --input-type (a library caller's
  // `node --input-type=module -e …`: "--input-type can only be used with string input"): there
  // the thread evaluates an import of the file, which code of either input type can run.
  if (process.execArgv.some((arg) => arg.startsWith('--input-type'))) return new Worker(`import(${JSON.stringify(file.href)})`, { ...options, eval: true });
  return new Worker(file, options);
}

/**
 * Whether this process may start threads: not under Node's permission model (`--permission`,
 * `--experimental-permission` on Node 20) without --allow-worker, where starting one threw
 * ERR_ACCESS_DENIED out of the run. There a run's blocks all run on this thread, with the
 * same counts (they do not depend on the number of threads).
 */
export function threadsAllowed(): boolean {
  return permitted('worker');
}

/**
 * Threads waiting for a pool to adopt them: started before the CLI loaded, or left by a pool
 * that finished cleanly (a process that runs many experiments, a library user's loop or the
 * test suite, boots its threads once).
 */
const early: Worker[] = [];

/**
 * Starts `count` pool threads before the CLI has loaded (see cli/early.ts, which decides how
 * many), unreferenced: they keep no process alive, so a run that stops at bad input exits at
 * once, and the run's pool adopts them. Fewer than two start none: one worker runs on the main
 * thread.
 */
export function startWorkersEarly(count: number): void {
  if (count < 2 || !threadsAllowed()) return;
  while (early.length < count) {
    const thread = spawnWorker();
    thread.unref();
    thread.on('error', () => undefined); // a failed boot surfaces when the pool spawns its own
    early.push(thread);
  }
}

/** An early thread for the pool, if one is waiting and still alive. */
export function adoptEarlyWorker(): Worker | undefined {
  for (let thread = early.shift(); thread; thread = early.shift()) {
    if (thread.threadId >= 0) {
      thread.removeAllListeners('error');
      thread.ref();
      return thread;
    }
  }
  return undefined;
}

/**
 * Takes back a pool's thread once its run is over and nothing is in flight: kept, unreferenced
 * (so it keeps no process alive), for the next pool, or ended if enough are kept. A thread's
 * tallies depend only on the tasks it is sent, so a kept thread counts as a new one would.
 */
export function releaseWorker(thread: Worker): Promise<void> {
  // Only the pool's own listeners: Worker keeps listeners of its own (they reference its port).
  for (const event of ['message', 'error', 'exit'] as const) thread.removeAllListeners(event);
  // One idle thread per core at most (asked here, not when the module loads: start-up pays for every top-level call).
  if (early.length >= availableParallelism() || thread.threadId < 0) return thread.terminate().then(() => undefined);
  thread.unref();
  thread.on('error', () => undefined);
  early.push(thread);
  return Promise.resolve();
}
