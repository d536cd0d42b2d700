import { Worker } from 'node:worker_threads';
import { simulateBlocks } from './simulate.js';
import type { BlockTask, WorkerReply } from './simulate.js';
import type { Tally } from './tally.js';

/** Tasks a worker holds at once: while it runs one, the next is already waiting. */
const IN_FLIGHT = 2;

/** A worker thread failed: the run cannot complete. */
export class WorkerFailure extends Error {
  override name = 'WorkerFailure';
}

/**
 * Runs tasks on `workers` threads, handing each idle thread the next task, and returns each
 * task's tally by id. Tallies are integer sums, so the schedule cannot change any result.
 * With one worker the tasks run on the calling thread.
 */
export async function runTasks(tasks: readonly BlockTask[], workers: number): Promise<Tally[]> {
  const results: Tally[] = new Array<Tally>(tasks.length);
  if (workers <= 1 || tasks.length <= 1) {
    for (const task of tasks) {
      results[task.id] = simulateBlocks(task);
      await new Promise((resolve) => setImmediate(resolve)); // let signals (Ctrl-C) through between tasks
    }
    return results;
  }
  // A small young generation keeps memory flat in the number of trials: every block's garbage
  // is short-lived, and V8 would otherwise grow the space as a long run goes on.
  const threads = Array.from(
    { length: Math.min(workers, tasks.length) },
    () => new Worker(new URL('./worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 4 } }),
  );
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (thread: Worker): void => {
        if (next < tasks.length) thread.postMessage(tasks[next++]);
      };
      for (const thread of threads) {
        thread.on('message', (reply: WorkerReply) => {
          results[reply.id] = reply.tally;
          if (++done === tasks.length) resolve();
          else feed(thread);
        });
        thread.on('error', (error) => reject(new WorkerFailure(`a worker thread failed: ${error.message}`)));
        thread.on('exit', (code) => {
          if (done < tasks.length) reject(new WorkerFailure(`a worker thread exited early (code ${code})`));
        });
        for (let i = 0; i < IN_FLIGHT; i++) feed(thread);
      }
    });
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return results;
}
