import { parentPort, workerData } from 'node:worker_threads';
import { ContractBroken, checkProtocol } from './check.js';
import type { CheckPosition } from './check.js';
import { loadProtocolFile, thrownWhere } from './file.js';
import { CALLS } from './watchdog.js';

/**
 * The thread `check` runs a protocol file's exploration in, so that a call that never returns
 * can be stopped (watchdog.ts). Before each call it writes which call and on what state into
 * shared memory, where the watchdog reads it if it has to stop the thread.
 */
const { file, quick, shared } = workerData as { file: string; quick: boolean; shared: SharedArrayBuffer };
const view = new Int32Array(shared);
let current: readonly number[] = [];
const position: CheckPosition = {
  set call(name: string) {
    view[0] = CALLS.indexOf(name);
  },
  get call() {
    return CALLS[view[0]!] ?? '';
  },
  set state(state: readonly number[]) {
    current = state;
    const n = Math.min(state.length, view.length - 2);
    view[1] = n;
    for (let i = 0; i < n; i++) view[2 + i] = state[i]!;
  },
  get state() {
    return current;
  },
};

try {
  const loaded = await loadProtocolFile(file, 'check');
  parentPort!.postMessage({ ok: true, report: checkProtocol(loaded.name, quick, position, file) });
} catch (error) {
  const message =
    error instanceof ContractBroken ? error.message : error instanceof Error && error.name === 'UsageError' ? error.message : thrownWhere(error, file);
  parentPort!.postMessage({ ok: false, broken: error instanceof ContractBroken, usage: error instanceof Error && error.name === 'UsageError', message });
}
