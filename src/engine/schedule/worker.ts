import { parentPort } from 'node:worker_threads';
import { protocolNamed } from '../../catalog/protocols.js';
import { adoptTraces } from '../../channels/trace.js';
import { notAnErrorThrown } from '../../protocol-files/thrown.js';
import { simulateBlocks } from './blocks.js';
import type { BlockTask, WorkerReply } from './blocks.js';

/** A pool thread: receives block ranges of cells, replies with their tallies. */
const port = parentPort;
if (!port) throw new Error('worker.js runs only as a worker thread');

// Tasks run one after another even where a protocol file must be loaded first.
let queue: Promise<void> = Promise.resolve();

port.on('message', (task: BlockTask) => {
  if (process.env['TWOGENERALS_TEST_WORKER_FAILURE']) throw new Error('injected worker failure (TWOGENERALS_TEST_WORKER_FAILURE)');
  if (task.traces) adoptTraces(task.traces);
  const file = task.spec.protocolFile;
  if (file && !protocolNamed(task.spec.protocol)) {
    // Loaded only where a run names a protocol file: the threads of every other run start without it.
    queue = queue.then(async () => {
      const { loadProtocolFile } = await import('../../protocol-files/load.js');
      await loadProtocolFile(file, 'worker', task.spec.protocolDigest);
    });
  }
  queue = queue.then(() => {
    let tally: WorkerReply['tally'];
    try {
      tally = simulateBlocks(task);
    } catch (error) {
      throw error instanceof Error || !file ? error : notAnErrorThrown(error, task.spec.protocol, file);
    }
    port.postMessage({ id: task.id, tally } satisfies WorkerReply);
  });
  queue.catch((error: unknown) => {
    throw error;
  });
});
