import { existsSync, readFileSync, statSync } from 'node:fs';
import { otherKindOfFile } from '../scenario/parse.js';
import { INPUT_LIMITS, readTextInput, scenarioPathHint } from '../io/files.js';
import { passedBefore, rememberPassed } from './check-cache.js';
import { protocolDigest } from './digest.js';
import { unseenDependency } from './unseen-dependencies.js';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { inputPath } from '../scenario/shipped.js';
import { isolatedCheck, refuseWhereFilesCannotBeChecked } from './isolate.js';
import { refuseStreamingProtocolFile } from './regular-file.js';
import type { IsolatedResult } from './isolate.js';
import { loadProtocolFile, registerDescribedProtocolFile } from './load.js';
import type { ProtocolFile } from './load.js';

const quickChecked = new Map<string, IsolatedResult>();

/**
 * Loads a protocol file after the cheap part of `check` (a few milliseconds) ran on it in a
 * process of its own (isolate.ts): a broken rule, a stage that never finishes or memory without
 * bound is then one clear line rather than a hang, a crash or a wrong number, and the file this
 * process loads must have the digest of the one checked. Without `runsProtocol` (validate) it is
 * registered from what the isolated process described, and none of its code runs here.
 */
export async function loadCheckedProtocolFile(file: string, place: string, runsProtocol = true): Promise<ProtocolFile> {
  let checked = quickChecked.get(file);
  if (checked === undefined) {
    if (!existsSync(file)) throw new UsageError(`${place}: protocol file ${file}`, `does not exist ${scenarioPathHint(file)}`);
    refuseStreamingProtocolFile(file, `${place}: protocol file ${file}`);
    // Refused where no file could be checked, record or not; then a file that passed before, unchanged, under the same conditions (check-cache.ts): loaded here at once.
    if (runsProtocol) refuseWhereFilesCannotBeChecked(place);
    const digest = runsProtocol ? digestIfReadable(file) : undefined;
    if (digest !== undefined && passedBefore(file, digest)) return loadProtocolFile(file, place, digest);
    checked = await isolatedCheck(file, place, true);
    quickChecked.set(file, checked);
    if (onlyDigestedCode(file, checked.digest)) rememberPassed(file, checked.digest);
  }
  if (!runsProtocol) return registerDescribedProtocolFile(file, checked.digest, checked.description);
  return loadProtocolFile(file, place, checked.digest);
}

/**
 * Whether all the file's verdict depends on is in its digest (unseen-dependencies.ts), as the
 * file now reads with the digest checked: only such a file is remembered.
 */
function onlyDigestedCode(file: string, digest: string): boolean {
  try {
    const text = readTextInput(file, 'protocol');
    return protocolDigest(file, text) === digest && unseenDependency(file, text) === undefined;
  } catch {
    return false;
  }
}

/** The file's digest as results record it, or undefined where it cannot be read as a protocol file (the load says why). */
function digestIfReadable(file: string): string | undefined {
  try {
    return protocolDigest(file, readTextInput(file, 'protocol'));
  } catch {
    return undefined;
  }
}

/**
 * A protocol file named on the command line (`check FILE`, `--protocol FILE`): the file where
 * the user is, else the shipped one it names (`examples/protocols/tcp-handshake.mjs` in an
 * installed package), as a scenario is found; one that is neither is refused here, in the
 * user's terms (no scenario is involved).
 */
/** What a JSON or CSV file the tool writes is (saved results, a shard, a manifest), read only where it is small enough to be one; else null. */
function savedKind(given: string): string | null {
  try {
    // A pipe is not looked into: its bytes are there once, and it waits for its writer.
    const stat = statSync(given);
    if (!stat.isFile() || stat.size > INPUT_LIMITS.shard) return null;
    return otherKindOfFile(given, readFileSync(given, 'utf8'));
  } catch {
    return null;
  }
}

export function commandLineProtocolFile(given: string, place: string): string {
  if (given === '-') throw new UsageError(place.endsWith(' -') ? place : `${place}: -`, 'the protocol file is not read from standard input: name the file');
  // A scenario (by its path or a shipped name) or a data file, given where code belongs.
  const shipped = inputPath(given) !== given && /\.ya?ml$/.test(inputPath(given));
  if (shipped || /\.(ya?ml|json)$/i.test(given)) {
    // Saved results, a shard or a manifest are named as what they are, with what takes them: `run` refuses them too.
    const saved = /\.json$/i.test(given) ? savedKind(given) : null;
    if (saved) throw new UsageError(`${place}: ${given}`, saved.replace('not a scenario', 'not a protocol file (.mjs, .js, .cjs or .ts)'));
    throw new UsageError(`${place}: ${given}`, 'is a scenario, not a protocol file (.mjs, .js, .cjs or .ts): run it with `twogenerals run`');
  }
  if (/\.csv$/i.test(given)) {
    const saved = savedKind(given);
    if (saved) throw new UsageError(`${place}: ${given}`, saved.replace('not a scenario', 'not a protocol file (.mjs, .js, .cjs or .ts)'));
  }
  if (/\.(csv|txt|log)$/i.test(given))
    throw new UsageError(
      `${place}: ${given}`,
      "is not a protocol file (.mjs, .js, .cjs or .ts): a loss trace or ping log goes in a scenario's channel, or to `twogenerals fit`",
    );
  const file = resolve(inputPath(given));
  if (!existsSync(file)) throw new UsageError(`${place}: protocol file ${file}`, 'does not exist');
  refuseStreamingProtocolFile(file, `${place}: protocol file ${file}`);
  return file;
}
