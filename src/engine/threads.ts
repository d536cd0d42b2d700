import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Starts one pool thread. A small young generation keeps memory flat in the number of trials:
 * every block's garbage is short-lived, and V8 would otherwise grow the space as a long run
 * goes on. 2 MB is as fast as 4 (measured on W1 and W2) and kept W1's peak at 10^9 trials within
 * 8% of its peak at 10^6, where 4 MB let it grow 14%.
 */
export function spawnWorker(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 2 } });
}

/** Threads started before the CLI loaded, waiting for a pool to adopt them. */
const early: Worker[] = [];

/**
 * A thread takes some 30–40 ms to boot, about as long as the CLI takes to load and read its
 * scenario. `bin/twogenerals.js` calls this first, so that for `run` the two overlap: the
 * threads are started here, unreferenced (they keep no process alive, so a run that stops at
 * bad input exits at once), and the run's pool adopts them. Reads only what it must of argv:
 * the command and `--workers`; the CLI parses and checks everything properly later. (It counts
 * cores itself rather than import runner.ts's DEFAULT_WORKERS: this module must stay small,
 * since it loads before everything else.)
 */
export function startWorkersEarly(argv: readonly string[]): void {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return;
  const at = args.findIndex((arg) => arg === '--workers' || arg.startsWith('--workers='));
  const given = at < 0 ? NaN : Number(args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1]);
  const count = at < 0 ? availableParallelism() : Number.isInteger(given) ? Math.min(given, availableParallelism()) : 0;
  if (count < 2) return; // one worker runs on the main thread
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
