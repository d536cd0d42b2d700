import { availableParallelism } from 'node:os';
import { startWorkersEarly } from '../engine/schedule/threads.js';

/**
 * How many pool threads `run` will want, read from argv before the CLI parses it: a thread takes
 * longer to boot than the CLI takes to read its scenario, so `bin/twogenerals.js` starts them
 * first and the two overlap. Reads only the command and `--workers`; the CLI parses and checks
 * everything properly later (a value it will reject starts none).
 */
export function earlyWorkerCount(argv: readonly string[], cores?: number): number {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return 0;
  // A cell of one block runs on this thread: threads booting beside it would only take its core.
  if (flagValue(args, '--trials') <= ONE_BLOCK) return 0;
  const given = flagValue(args, '--workers');
  if (Number.isNaN(given)) return args.some((arg) => arg === '--workers' || arg.startsWith('--workers=')) ? 0 : (cores ?? availableParallelism());
  return Number.isInteger(given) ? Math.min(given, cores ?? availableParallelism()) : 0;
}

/** engine/schedule/blocks.ts's BLOCK_SIZE, not imported so that this module stays small (a test keeps them equal). */
export const ONE_BLOCK = 65536;

/** The number given to `--name` (as `--name N` or `--name=N`), NaN if absent or not a number. */
function flagValue(args: readonly string[], name: string): number {
  const at = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return Number.NaN;
  const text = args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  return text === undefined || text.trim() === '' ? Number.NaN : Number(text);
}

export function startEarly(argv: readonly string[]): void {
  startWorkersEarly(earlyWorkerCount(argv));
}
