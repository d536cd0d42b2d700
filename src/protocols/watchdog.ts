import vm from 'node:vm';
import { UsageError } from '../errors.js';
import { ContractBroken, checkProtocol } from './check.js';
import type { CheckPosition, CheckReport } from './check.js';
import { loadProtocolFile, thrownWhere } from './file.js';

/** How long a protocol file's check may take before the watchdog stops it. */
export const CHECK_SECONDS = 15;
/** The quick check before `run`, `exact`, `trace` and `plan` explores one tiny cell: a few seconds is ample. */
export const QUICK_CHECK_SECONDS = 5;

/**
 * The watchdog's limit: the given default, or TWOGENERALS_WATCHDOG_SECONDS where set (tests: a
 * short one to see it fire without waiting, a long one where only the check's own rules may decide).
 */
export function watchdogSeconds(byDefault: number, env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env['TWOGENERALS_WATCHDOG_SECONDS']);
  return env['TWOGENERALS_WATCHDOG_SECONDS'] !== undefined && Number.isFinite(set) && set > 0 ? set : byDefault;
}

/**
 * Runs `check`'s exploration of a protocol file under a watchdog: the exploration is synchronous
 * code called from a vm script with a timeout, and V8 stops whatever JavaScript is running when
 * the time is up — also a protocol's own `next` that never returns — without a thread of its own.
 * The message then names the call and the state it was given. Resolves to the report, or throws
 * UsageError with the first broken rule (ContractBroken) or the file's own problem.
 */
export async function checkProtocolFile(
  file: string,
  quick: boolean,
  seconds = watchdogSeconds(quick ? QUICK_CHECK_SECONDS : CHECK_SECONDS),
): Promise<CheckReport> {
  const loaded = await loadProtocolFile(file, 'check');
  const position: CheckPosition = { call: 'loading the file', state: [] };
  const context = vm.createContext({ explore: () => checkProtocol(loaded.name, quick, position, file) });
  try {
    return vm.runInContext('explore()', context, { timeout: seconds * 1000 }) as CheckReport;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new UsageError(
        file,
        `stopped by the watchdog after ${seconds} s: ${position.call} never returned (state [${position.state.join(', ')}]), or a trial never ends`,
      );
    }
    if (error instanceof ContractBroken) throw new UsageError(file, `breaks the protocol contract: ${error.message}`);
    if (error instanceof UsageError) throw error;
    throw new UsageError(file, `the check failed: ${thrownWhere(error, file)}`);
  }
}
