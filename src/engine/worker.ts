import { parentPort } from 'node:worker_threads';
import { simulateBlocks } from './simulate.js';
import type { BlockTask, WorkerReply } from './simulate.js';

/** A pool thread: receives block ranges of cells, replies with their tallies. */
const port = parentPort;
if (!port) throw new Error('worker.js runs only as a worker thread');

port.on('message', (task: BlockTask) => {
  if (process.env['TWOGENERALS_TEST_WORKER_FAILURE']) throw new Error('injected worker failure (TWOGENERALS_TEST_WORKER_FAILURE)');
  const reply: WorkerReply = { id: task.id, tally: simulateBlocks(task) };
  port.postMessage(reply);
});
