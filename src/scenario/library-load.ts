import { forgetHeldInputs } from '../io/held-inputs.js';
import type { Overrides } from './overrides.js';
import { loadScenario as loadScenarioOnce } from './resolve.js';
import type { Scenario } from './types.js';

/** Library calls of loadScenario still reading their inputs. */
let loadsUnderway = 0;

/**
 * The library's loadScenario: each call reads the inputs that stream afresh. Their bytes were held
 * for the whole process, so a second call on a named pipe (or /dev/stdin) took the first call's
 * bytes and loaded the first scenario again, whatever its writer wrote then. Held inputs are
 * forgotten once no call is reading any (calls awaited together share a pipe's bytes).
 */
export async function loadScenario(file: string | undefined, overrides: Overrides = {}, runsProtocol = true): Promise<Scenario> {
  loadsUnderway++;
  try {
    return await loadScenarioOnce(file, overrides, runsProtocol);
  } finally {
    loadsUnderway--;
    if (loadsUnderway === 0) forgetHeldInputs();
  }
}
