import { readFileSync } from 'node:fs';
import type { Shard } from '../engine/runner.js';
import { addTally, emptyTally } from '../engine/tally.js';
import type { Tally } from '../engine/tally.js';
import { UsageError } from '../errors.js';
import type { Cell, Scenario } from '../scenario/types.js';

/**
 * A shard's counts: what `run --shard i/n` writes and `merge` adds up. Tallies are integers, so
 * merging is exact and the merged output is byte for byte that of the unsharded run.
 */
export interface ShardFile {
  readonly tool: string;
  readonly version: string;
  readonly kind: 'twogenerals-shard';
  readonly shard: Shard;
  readonly blockSize: number;
  readonly scenarios: readonly Readonly<Record<string, unknown>>[];
  readonly cells: readonly { readonly scenario: number; readonly key: string; readonly tally: Tally }[];
}

export function shardFile(
  tool: { name: string; version: string },
  shard: Shard,
  blockSize: number,
  scenarios: readonly Scenario[],
  cells: readonly Cell[],
  tallies: readonly Tally[],
): string {
  const file: ShardFile = {
    tool: tool.name,
    version: tool.version,
    kind: 'twogenerals-shard',
    shard,
    blockSize,
    scenarios: scenarios.map((s) => s.resolved),
    cells: cells.map((cell, i) => ({ scenario: scenarios.indexOf(cell.scenario), key: cell.key, tally: tallies[i]! })),
  };
  return `${JSON.stringify(file, null, 1)}\n`;
}

export function parseShard(value: string, source: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && index >= 1 && index <= count && count <= 100000)) {
    throw new UsageError(source, 'expected i/n with 1 ≤ i ≤ n, such as 2/8');
  }
  return { index, count };
}

export function readShardFile(path: string): ShardFile {
  let data: ShardFile;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as ShardFile;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(path, code ? `cannot read the shard file: ${code === 'ENOENT' ? 'no such file' : code}` : 'not a shard file: it is not valid JSON');
  }
  const saved = data as unknown as { tool?: string; version: string; blockSize: number; scenarios: Record<string, unknown>[]; tallies?: (Tally & { key: string })[] };
  if (saved?.tool === 'twogenerals' && Array.isArray(saved.tallies) && saved.tallies.every((t) => typeof t.trials === 'number')) {
    // A saved results.json: one whole run, shard 1 of 1.
    return {
      tool: saved.tool,
      version: saved.version,
      kind: 'twogenerals-shard',
      shard: { index: 1, count: 1 },
      blockSize: saved.blockSize,
      scenarios: saved.scenarios,
      cells: saved.tallies.map(({ key, ...tally }) => ({ scenario: 0, key, tally })),
    };
  }
  if (data?.kind !== 'twogenerals-shard' || !Array.isArray(data.cells) || !Array.isArray(data.scenarios) || typeof data.shard?.count !== 'number') {
    throw new UsageError(path, 'not a shard file (write one with `twogenerals run --shard i/n`) nor a saved results.json');
  }
  return data;
}

/**
 * Adds shards' tallies cell by cell, refusing shards of different runs: other scenarios, seeds,
 * versions, block sizes or shard counts, a shard given twice, or a shard missing.
 */
export function mergeShards(files: readonly { path: string; shard: ShardFile }[]): { first: ShardFile; tallies: Tally[] } {
  const first = files[0]!.shard;
  const seen = new Map<number, string>();
  for (const { path, shard } of files) {
    const differs = (what: string) => new UsageError(path, `cannot merge: its ${what} differs from ${files[0]!.path}'s`);
    if (shard.version !== first.version) throw differs(`tool version (${shard.version})`);
    if (shard.blockSize !== first.blockSize) throw differs('block size');
    if (shard.shard.count !== first.shard.count) throw differs(`shard count (${shard.shard.count})`);
    if (JSON.stringify(shard.scenarios) !== JSON.stringify(first.scenarios)) throw differs('scenario (or seed)');
    if (JSON.stringify(shard.cells.map((c) => c.key)) !== JSON.stringify(first.cells.map((c) => c.key))) throw differs('cells');
    const other = seen.get(shard.shard.index);
    if (other) throw new UsageError(path, `cannot merge: it is shard ${shard.shard.index}/${shard.shard.count}, like ${other}`);
    seen.set(shard.shard.index, path);
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new UsageError('merge', `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${first.shard.count}`).join(', ')} missing`);
  const tallies = first.cells.map((cell, c) => files.reduce((total, { shard }) => addTally(total, shard.cells[c]!.tally), emptyTally(cell.tally.outcomes.length)));
  return { first, tallies };
}
