import vm from 'node:vm';
import { UsageError } from '../errors.js';
import { ContractBroken, checkProtocol } from './check.js';
import type { CheckPosition, CheckReport } from './check.js';
import { freshDefinition, loadProtocolFile, thrownWhere } from './load.js';

/** How long a protocol file's check may take before the watchdog stops it. */
export const CHECK_SECONDS = 15;
/** The quick check before `run`, `exact`, `trace` and `plan` explores one tiny cell: a few seconds is ample. */
export const QUICK_CHECK_SECONDS = 5;
/** How long each stage of loading a protocol file (its module, its default export, its definition) may take. */
export const LOAD_SECONDS = 10;

/** The longest limit TWOGENERALS_WATCHDOG_MS gives. */
export const MAX_WATCHDOG_MS = 2 ** 30 - 1;

/**
 * The watchdog's limit in milliseconds for a kind of work. TWOGENERALS_WATCHDOG_MS, where set to a
 * positive number (whole milliseconds, rounded up), replaces every one of them (tests shorten them; a slow machine may lengthen them).
 */
export function watchdogMs(kind: 'load' | 'quick' | 'check'): number {
  const given = Number(process.env['TWOGENERALS_WATCHDOG_MS']);
  // Node's timers hold at most 2^31 - 1 ms and fire at once beyond it (the file then blamed for a
  // stage it had no time for): a longer limit, Infinity (or 1e400) too, is 2^30 - 1 ms (12 days);
  // the isolating process's backstop, which adds limits together, is capped at 2^31 - 1 ms.
  if (given > 0) return Math.min(Math.ceil(given), MAX_WATCHDOG_MS);
  return 1000 * (kind === 'load' ? LOAD_SECONDS : kind === 'quick' ? QUICK_CHECK_SECONDS : CHECK_SECONDS);
}

/**
 * Runs `check`'s exploration of a protocol file under a watchdog: the exploration is synchronous
 * code called from a vm script with a timeout, and V8 stops whatever JavaScript is running when
 * the time is up — also a protocol's own `next` that never returns — without a thread of its own.
 * The message then names the call and the state it was given. Resolves to the report, or throws
 * UsageError with the first broken rule (ContractBroken) or the file's own problem.
 */
export async function checkProtocolFile(file: string, quick: boolean, seconds = watchdogMs(quick ? 'quick' : 'check') / 1000): Promise<CheckReport> {
  const loaded = await loadProtocolFile(file, 'check');
  // A second copy of the file, for cells explored in another order (what one cell leaves in the module must not reach another).
  const copy = await freshDefinition(file);
  const position: CheckPosition = { call: 'loading the file', state: [] };
  const context = vm.createContext({ explore: () => checkProtocol(loaded.definition, quick, position, file, copy) });
  try {
    return vm.runInContext('explore()', context, { timeout: Math.round(seconds * 1000) }) as CheckReport;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new UsageError(
        file,
        `stopped by the watchdog after ${seconds} s: ${position.call} never returned (state [${Array.from(position.state).join(', ')}]), or a trial never ends`,
      );
    }
    if (error instanceof ContractBroken) throw new UsageError(file, `breaks the protocol contract: ${error.message}`);
    if (error instanceof UsageError) throw error;
    throw new UsageError(file, `the check failed: ${thrownWhere(error, file)}`);
  }
}
