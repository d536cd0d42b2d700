import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import type { CheckReport } from './check.js';

/** The calls the exploration makes, by index in shared memory. */
export const CALLS = ['configure', 'stateSize', 'init', 'describe', 'next', 'resolve'];

/** How long a protocol file's check may take before the watchdog stops it. */
export const CHECK_SECONDS = 15;
/** The quick check before `run` and `exact` explores one tiny cell: a few seconds is ample. */
export const QUICK_CHECK_SECONDS = 5;

/**
 * Runs `check`'s exploration of a protocol file in its own thread, and stops it where a call
 * never returns or the exploration runs past `seconds`: the message names the protocol, the
 * call and the state it was given. Resolves to the report, or throws UsageError with the first
 * broken rule (ContractBroken) or the file's own problem.
 */
export function checkProtocolFile(file: string, quick: boolean, seconds = quick ? QUICK_CHECK_SECONDS : CHECK_SECONDS): Promise<CheckReport> {
  const shared = new SharedArrayBuffer(4 * 258);
  const view = new Int32Array(shared);
  view[0] = -1;
  const worker = new Worker(new URL('./check-worker.js', import.meta.url), { workerData: { file, quick, shared } });
  return new Promise<CheckReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      const call = CALLS[view[0]!] ?? 'loading the file';
      const state = Array.from(view.subarray(2, 2 + view[1]!)).join(', ');
      void worker.terminate();
      reject(
        new UsageError(
          file,
          `stopped by the watchdog after ${seconds} s: ${call} never returned${view[0]! >= 0 ? ` (state [${state}])` : ''}, or a trial never ends`,
        ),
      );
    }, seconds * 1000);
    worker.once('message', (reply: { ok: boolean; report?: CheckReport; broken?: boolean; message?: string }) => {
      clearTimeout(timer);
      void worker.terminate();
      if (reply.ok) resolve(reply.report!);
      else reject(new UsageError(reply.broken ? file : '', reply.broken ? `breaks the protocol contract: ${reply.message}` : reply.message!));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(new UsageError(file, `the check failed: ${error.message}`));
    });
  });
}
