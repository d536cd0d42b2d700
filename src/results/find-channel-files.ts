import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { channelNamed } from '../catalog/channels.js';
import { UsageError } from '../errors.js';
import { recordedPlaces } from '../io/recorded-places.js';
import { channelFilesDigest } from '../scenario/resolve.js';

/**
 * Where `merge` and a re-export (plot, a baseline) find the channel files (a trace) a recorded
 * scenario names, as findProtocolFile finds a protocol file: relative to the scenario file it
 * records (from this working folder, each results file's folder and the folders above them), then
 * in each results file's folder and each --trace-dir, as written and then by name. The first
 * place holding every file with the recorded sha256 is the one; where only one place holds them
 * all, resolving the scenario checks its sha256 (one hash of a long trace, not two). None: an
 * error naming the places looked at. Undefined where the scenario names no channel file.
 */
export function findChannelFiles(
  place: string,
  data: Record<string, unknown>,
  scenarioFile: unknown,
  resultFiles: readonly string[],
  /** The folders --trace-dir named; null for a command that has no --trace-dir (a re-export). */
  dirs: readonly string[] | null,
): Record<string, string> | undefined {
  const channel = data['channel'];
  if (typeof channel !== 'object' || channel === null) return undefined;
  const object = channel as Record<string, unknown>;
  const definition = channelNamed(String(object['model']));
  const digest = object['digest'];
  if (!definition || typeof digest !== 'string') return undefined;
  const names = definition.parameters.filter((p) => p.text === 'file' && typeof object[p.name] === 'string').map((p) => p.name);
  if (names.length === 0) return undefined;
  const written = names.map((name) => object[name] as string);
  const { scenarioFiles, folders } = recordedPlaces(scenarioFile, resultFiles, dirs ?? []);
  const candidates = [
    ...scenarioFiles.map((scenario) => written.map((w) => resolve(dirname(resolve(scenario)), w))),
    ...folders.flatMap((folder) => [written.map((w) => resolve(folder, w)), written.map((w) => resolve(folder, basename(w)))]),
  ];
  const seen = new Set<string>();
  const present = candidates.filter((files) => {
    const key = files.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return files.every((file) => existsSync(file) && statSync(file).isFile());
  });
  const found = present.length === 1 ? present[0] : present.find((files) => channelFilesDigest(names, files) === digest);
  if (found) return Object.fromEntries(written.map((w, i) => [w, found[i]!]));
  const what = written.length === 1 ? `the ${definition.name} file ${written[0]}` : `the ${definition.name} files ${written.join(', ')}`;
  const looked = present.length
    ? `found only files with another sha256 (${present.map((files) => files.join(' + ')).join(', ')})`
    : `looked ${typeof scenarioFile === 'string' ? 'relative to the scenario file' : 'from the working folder (no scenario file is recorded)'}, in the folders above and in ${folders.join(', ')}`;
  throw new UsageError(
    place,
    `${what} these counts were made with (sha256 ${digest.slice(0, 12)}…) ${written.length === 1 ? 'was' : 'were'} not found; ${looked}: put ${written.length === 1 ? 'it' : 'them'} beside the results${dirs === null ? '' : ' or give the folder with --trace-dir'}`,
  );
}
