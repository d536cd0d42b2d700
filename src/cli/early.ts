import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { startWorkersEarly } from '../engine/schedule/threads.js';

/**
 * How many pool threads `run` will want, read from argv before the CLI parses it: a thread takes
 * longer to boot than the CLI takes to read its scenario, so `bin/twogenerals.js` starts them
 * first and the two overlap. Reads only the command and `--workers`; the CLI parses and checks
 * everything properly later (a value it will reject starts none).
 */
export function earlyWorkerCount(argv: readonly string[], cores?: number, readScenario = readSmallFile): number {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return 0;
  // A cell of one block runs on this thread: threads booting beside it would only take its core.
  if (flagValue(args, '--trials') <= ONE_BLOCK) return 0;
  if (!args.some((arg) => arg.startsWith('--trials')) && oneSmallCell(args, readScenario)) return 0;
  const given = flagValue(args, '--workers');
  if (Number.isNaN(given)) return args.some((arg) => arg === '--workers' || arg.startsWith('--workers=')) ? 0 : (cores ?? availableParallelism());
  return Number.isInteger(given) ? Math.min(given, cores ?? availableParallelism()) : 0;
}

/** engine/schedule/blocks.ts's BLOCK_SIZE, not imported so that this module stays small (a test keeps them equal). */
export const ONE_BLOCK = 65536;

/**
 * Whether the run is sure to hold no more than one block's trials in all, read from its one
 * scenario file without parsing it: a top-level `trials:` line (YAML) or the only `"trials":`
 * (JSON) giving a number, a sweep (if any) of flow lists only, and no precision or option that
 * could make more cells or trials. Anything else counts as large. A wrong guess costs only time
 * (the run adopts the threads, or starts its own), never a different result.
 */
function oneSmallCell(args: readonly string[], readScenario: (file: string) => string | undefined): boolean {
  if (args.some((arg) => /^--(set|sweep|shard|precision)/.test(arg))) return false;
  const files = args.filter((arg) => /\.(ya?ml|json)$/i.test(arg));
  if (files.length !== 1) return false;
  const text = readScenario(files[0]!);
  if (text === undefined || /precision|^---/m.test(text)) return false;
  const given = [...text.matchAll(/^trials:[ \t]*([0-9][0-9.eE+]*)[ \t]*(?:#.*)?$|"trials"\s*:\s*([0-9][0-9.eE+]*)/gm)];
  if (given.length !== 1 || /^\s*trials\s*:/m.test(text.replace(/^trials:.*$/m, ''))) return false;
  const trials = Number(given[0]![1] ?? given[0]![2]);
  const cells = sweepCells(text);
  return cells !== undefined && trials >= 1 && trials * cells <= ONE_BLOCK;
}

/**
 * The cells a scenario's sweep makes, counted from flow lists (`loss: [0.1, 0.3]`, in YAML or
 * JSON); undefined where the sweep is written any other way (a range, a block list).
 */
export function sweepCells(text: string): number | undefined {
  const start = text.search(/^sweep[ \t]*:|"sweep"\s*:/m);
  if (start < 0) return 1;
  const rest = text.slice(start).replace(/^[^:]*:/, '');
  // Its own text: in JSON up to its closing brace, in YAML up to the next top-level key.
  const body = text[start] === '"' ? rest.slice(0, rest.indexOf('}') + 1) : rest.split(/\n(?=[^\s#])/)[0]!;
  if (/\b(from|to|step)\b\s*:|\{[^}]*\{|^\s*-/m.test(body)) return undefined;
  const lists = [...body.matchAll(/\[([^\]]*)\]/g)].map((list) => (list[1]!.trim() === '' ? 0 : list[1]!.split(',').length));
  const keys = [...body.matchAll(/"?[A-Za-z]\w*"?\s*:/g)].length;
  if (lists.length === 0 || lists.length !== keys) return undefined;
  return lists.reduce((cells, values) => cells * values, 1);
}

/**
 * A scenario file's text, if it is a small regular file (a peek, not a read: the CLI reads and
 * checks it properly). A named pipe is no such file: reading it here took its bytes from the CLI,
 * and waited, before Ctrl-C had a handler, for its writer to close.
 */
function readSmallFile(file: string): string | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size <= 65536 ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

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
