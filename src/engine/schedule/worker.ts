import { parentPort } from 'node:worker_threads';
import { protocolNamed } from '../../catalog/protocols.js';
import { adoptTraces } from '../../channels/trace.js';
import { UsageError } from '../../errors.js';
import { isPlainError, notAnErrorThrown, refusalNamingFile } from '../../protocol-files/thrown.js';
import { simulateTask } from './blocks.js';
import type { BlockTask, BuiltInsChecked, CheckBuiltIns, WorkerReply } from './blocks.js';

/** A pool thread: receives block ranges of cells, replies with their tallies. */
const port = parentPort;
if (!port) throw new Error('worker.js runs only as a worker thread');

// Tasks run one after another even where a protocol file must be loaded first.
let queue: Promise<void> = Promise.resolve();

// The protocol file of the last task that named one: a callback it scheduled may throw after its task.
let lastFile: { protocol: string; file: string } | undefined;

// A protocol file's code may change a built-in (Math.imul) in a cell the quick check never ran,
// here where the main thread's check before its output cannot see it: the pool asks each thread
// that ran a file to compare the built-ins once it has no task of the run left (CheckBuiltIns).
let refuseChangedBuiltIns: (() => void) | undefined;

// A value a protocol file's callback throws that is not a plain Error cannot reach the main thread
// as it is (a proxy cannot be copied; 42 arrives with no stack to name the file): sent in words.
// So is the reason of a promise it rejected that nothing handled (Node wraps one that is no Error in words of its own, naming no file).
const passOn = (error: unknown): never => {
  throw isPlainError(error) || !lastFile ? error : notAnErrorThrown(error, lastFile.protocol, lastFile.file);
};
process.on('uncaughtException', passOn);
process.on('unhandledRejection', passOn);

/** Loads a protocol file in this thread (once), after the tasks before it: from then on it compares the built-ins it found when asked. */
function loadFile(file: string, digest: string | undefined): void {
  queue = queue.then(async () => {
    const { loadProtocolFile } = await import('../../protocol-files/load.js');
    await loadProtocolFile(file, 'worker', digest);
    refuseChangedBuiltIns ??= (await import('../../protocol-files/built-ins.js')).refuseBuiltInsChangedSinceLoad;
  });
}

port.on('message', (message: BlockTask | CheckBuiltIns) => {
  if ('checkBuiltIns' in message) {
    queue = queue.then(() => {
      refuseChangedBuiltIns?.();
      port.postMessage({ builtInsChecked: true } satisfies BuiltInsChecked);
    });
    queue.catch((error: unknown) => {
      throw error;
    });
    return;
  }
  const task = message;
  if (process.env['TWOGENERALS_TEST_WORKER_FAILURE']) throw new Error('injected worker failure (TWOGENERALS_TEST_WORKER_FAILURE)');
  if (task.traces) adoptTraces(task.traces);
  const file = task.spec.protocolFile;
  if (file) lastFile = { protocol: task.spec.protocol, file };
  // Loaded only where a run names a protocol file: the threads of every other run start without it.
  if (file && !protocolNamed(task.spec.protocol)) loadFile(file, task.spec.protocolDigest);
  queue = queue.then(() => {
    let tally: WorkerReply['tally'];
    let sample: WorkerReply['sample'];
    let sampleGeneric: WorkerReply['sampleGeneric'];
    try {
      tally = simulateTask(task, (counted, generic) => {
        sample = counted;
        sampleGeneric = generic;
      });
    } catch (error) {
      // Passed to the main thread as it is where it can be (an Error whose message and stack read as text), else in words;
      // an engine's refusal of what the file did, with the file named (it arrives as its message only).
      if (file && isPlainError(error) && error instanceof UsageError) throw refusalNamingFile(error, task.spec.protocol, file);
      throw isPlainError(error) || !file ? error : notAnErrorThrown(error, task.spec.protocol, file);
    }
    port.postMessage((sample ? { id: task.id, tally, sample, ...(sampleGeneric ? { sampleGeneric } : {}) } : { id: task.id, tally }) satisfies WorkerReply);
  });
  queue.catch((error: unknown) => {
    throw error;
  });
});
