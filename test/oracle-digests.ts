import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { ROOT } from './helpers.js';

/** The sha256 of a value's JSON, its keys sorted and a typed array named by its type. */
export function digestOf(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) return [v.constructor.name, ...Array.from(v as unknown as ArrayLike<number>)];
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/**
 * What a test file's oracles gave (the generic engine's tallies trial by trial, starts sorted by
 * hand), as a sha256 each in test/oracles/NAME.json: oracles that took most of a file's time, the
 * same each run, computed once. `TWOGENERALS_WRITE_ORACLES=1 node --test dist/test/NAME.test.js`
 * computes them again and writes the file, holding the engine to them as it does (after a change
 * to the streams or tallies that is meant). A digest that differs has its oracle computed again,
 * to say where the two part.
 */
export class OracleDigests {
  readonly file: string;
  private readonly writing = process.env['TWOGENERALS_WRITE_ORACLES'] === '1';
  private readonly digests: Record<string, string>;

  constructor(name: string) {
    this.file = join(ROOT, 'test', 'oracles', `${name}.json`);
    this.digests = this.writing ? {} : (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>);
    if (this.writing) after(() => writeFileSync(this.file, `${JSON.stringify(this.digests, null, 2)}\n`));
  }

  /** Holds `counted` to what the oracle `computed` gives (its digest stored under `key`): equal, or told apart by `compare` on the oracle computed again. */
  held<T>(key: string, counted: T, computed: () => T, compare: (counted: T, oracle: T) => void): void {
    if (this.writing) {
      const oracle = computed();
      compare(counted, oracle);
      this.digests[key] = digestOf(oracle);
      return;
    }
    assert.ok(this.digests[key], `${key}: no oracle in ${this.file}`);
    if (digestOf(counted) !== this.digests[key]) compare(counted, computed());
    assert.equal(digestOf(counted), this.digests[key], `${key}: the oracle's digest (${this.file}; the oracle computed again agrees, so that file is stale)`);
  }
}
