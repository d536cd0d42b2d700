import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isProtocolPath, protocolFilePath } from './load.js';

/**
 * Where `merge` and a re-export find the protocol file a recorded scenario names: relative to the
 * scenario file the results record, then beside each shard (as written, then by its name), then
 * in each --protocol-dir. The first file there with the recorded sha256 is the one; none is an
 * error that lists every place looked at. Undefined where the scenario names no protocol file.
 */
export function findProtocolFile(
  place: string,
  data: Record<string, unknown>,
  scenarioFile: unknown,
  shards: readonly string[],
  dirs: readonly string[],
): string | undefined {
  const written = data['protocol'];
  const digest = data['protocolDigest'];
  if (!isProtocolPath(written) || typeof digest !== 'string') return undefined;
  const folders = [...new Set([...shards.map((s) => dirname(resolve(s))), ...dirs.map((d) => resolve(d))])];
  const candidates = [
    ...(typeof scenarioFile === 'string' ? [protocolFilePath(written, scenarioFile)] : []),
    ...folders.flatMap((folder) => [resolve(folder, written), resolve(folder, basename(written))]),
  ];
  const looked: string[] = [];
  for (const candidate of [...new Set(candidates)]) {
    if (!existsSync(candidate) || !statSync(candidate).isFile()) {
      looked.push(`${candidate} (none)`);
      continue;
    }
    if (createHash('sha256').update(readFileSync(candidate, 'utf8')).digest('hex') === digest) return candidate;
    looked.push(`${candidate} (another sha256)`);
  }
  throw new UsageError(
    place,
    `the protocol file ${written} these counts were made with (sha256 ${digest.slice(0, 12)}…) was not found; looked at ${looked.join(', ')}: give its folder with --protocol-dir`,
  );
}
