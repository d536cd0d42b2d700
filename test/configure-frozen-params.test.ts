import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, cli } from './helpers.js';

/**
 * A protocol file's `configure` gets the cell's parameters frozen: one that changed them (`params.rounds
 * = 1`) computed that cell with other values than the row printed for it (rounds 4 in the CSV,
 * 1 in the numbers), exit 0. Now `check` and every command refuse it in one line.
 */
describe("a protocol file's configure that changes its parameters", () => {
  it('is refused in one line by check and run, naming the parameter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twogenerals-configure-'));
    try {
      const example = join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs');
      writeFileSync(
        join(dir, 'p.mjs'),
        `import make from ${JSON.stringify(example)};\nexport default (api) => {\n  const p = make(api);\n  return { ...p, name: 'rounds-changing', configure(params) { params.rounds = 1; return p.configure(params); } };\n};\n`,
      );
      writeFileSync(join(dir, 's.yaml'), 'protocol: ./p.mjs\nloss: 0.1\nredundancy: 1\nrounds: 4\ntrials: 1000\n');
      for (const args of [
        ['check', join(dir, 'p.mjs')],
        ['run', join(dir, 's.yaml'), '--format', 'csv'],
        ['exact', join(dir, 's.yaml')],
      ]) {
        const r = cli(args);
        assert.equal(r.status, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(
          r.stderr,
          /^twogenerals: .*p\.mjs: breaks the protocol contract: cell rounds=\d: configure threw: Cannot assign to read only property 'rounds' .*\(.*p\.mjs:4:\d+\)\n$/,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
