import { availableParallelism } from 'node:os';
import { startWorkersEarly } from '../engine/schedule/threads.js';

/**
 * How many pool threads `run` will want, read from argv before the CLI loads: a thread takes
 * about as long to boot as the CLI takes to load and read its scenario, so `bin/twogenerals.js`
 * starts them first and the two overlap. Reads only the command and `--workers`; the CLI parses
 * and checks everything properly later (a value it will reject starts none). Kept apart from the
 * rest of cli/ so that what loads first stays small.
 */
export function earlyWorkerCount(argv: readonly string[], cores = availableParallelism()): number {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return 0;
  const at = args.findIndex((arg) => arg === '--workers' || arg.startsWith('--workers='));
  if (at < 0) return cores;
  const given = Number(args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1]);
  return Number.isInteger(given) ? Math.min(given, cores) : 0;
}

export function startEarly(argv: readonly string[]): void {
  startWorkersEarly(earlyWorkerCount(argv));
}
