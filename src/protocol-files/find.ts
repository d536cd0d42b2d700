import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { recordedPlaces } from '../io/recorded-places.js';
import { protocolDigest } from './digest.js';
import { isProtocolPath, protocolFilePath } from './load.js';

/**
 * Where `merge` and a re-export find the protocol file a recorded scenario names. The scenario's
 * path is recorded relative to the folder `run` ran in (a shipped example's by its place in the
 * package), which merge does not know: so it is tried from this working folder and each shard's
 * folder and the folders above them (a shipped example: wherever the package is). Then beside
 * each shard (as written, then by its name), then in each --protocol-dir. The first file there
 * with the recorded sha256 is the one; none is an error naming the places looked at. Undefined
 * where the scenario names no protocol file.
 */
export function findProtocolFile(
  place: string,
  data: Record<string, unknown>,
  scenarioFile: unknown,
  shards: readonly string[],
  /** The folders --protocol-dir named; null for a command that has no --protocol-dir (plot, a baseline). */
  dirs: readonly string[] | null,
): string | undefined {
  const written = data['protocol'];
  const digest = data['protocolDigest'];
  if (!isProtocolPath(written) || typeof digest !== 'string') return undefined;
  const { scenarioFiles, folders } = recordedPlaces(scenarioFile, shards, dirs ?? []);
  const near = new Set(scenarioFiles.slice(0, 2).map((scenario) => protocolFilePath(written, scenario)));
  const inFolders = folders.flatMap((folder) => [resolve(folder, written), resolve(folder, basename(written))]);
  const candidates = [...scenarioFiles.map((scenario) => protocolFilePath(written, scenario)), ...inFolders];
  const looked: string[] = [];
  for (const candidate of [...new Set(candidates)]) {
    if (!existsSync(candidate) || !statSync(candidate).isFile()) {
      // The folders above are tried quietly: only a file there with another sha256 is worth naming.
      if (near.has(candidate) || inFolders.includes(candidate)) looked.push(`${candidate} (none)`);
      continue;
    }
    if (protocolDigest(candidate) === digest) return candidate;
    looked.push(`${candidate} (another sha256)`);
  }
  throw new UsageError(
    place,
    `the protocol file ${written} these counts were made with (sha256 ${digest.slice(0, 12)}…) was not found; looked at ${lookedList(looked)} (and relative to the folders above): ${dirs === null ? 'put it beside the results' : 'give its folder with --protocol-dir'}`,
  );
}

/** Places shown in the not-found line: a file with another sha256 first, then the first folders; the rest counted (40 shard folders would make a line of kilobytes). */
function lookedList(looked: readonly string[]): string {
  const SHOWN = 4;
  const ordered = [...looked.filter((p) => p.endsWith('(another sha256)')), ...looked.filter((p) => !p.endsWith('(another sha256)'))];
  const rest = ordered.length - SHOWN;
  return rest > 0 ? `${ordered.slice(0, SHOWN).join(', ')} and ${rest} other place${rest === 1 ? '' : 's'}` : ordered.join(', ');
}
