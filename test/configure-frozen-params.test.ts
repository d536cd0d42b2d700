import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, ROOT, temporaryDirectory } from './helpers.js';
import { refusal } from './assert-cli.js';

/**
 * A protocol file's `configure` may build its config on the parameters it is given, but not change
 * or remove one: a file whose configure set `params.rounds = 1` computed a cell of rounds 4 with 1
 * while the row, the cell's name and every saved file printed 4, exit 0. Now `check` and every
 * command refuse it in one line; a configure that adds to the object and returns it runs as before.
 */
describe("a protocol file's configure and the parameters it is given", () => {
  const example = join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs');
  const cell = 'loss: 0.1\nredundancy: 1\nrounds: 4\ntrials: 1000\n';
  const withConfigure = (dir: string, body: string): void => {
    const source = `import make from ${JSON.stringify(example)};\nexport default (api) => {\n  const p = make(api);\n  return { ...p, configure(params) { ${body} } };\n};\n`;
    writeFileSync(join(dir, 'p.mjs'), source);
    writeFileSync(join(dir, 's.yaml'), `name: cell\nprotocol: ./p.mjs\n${cell}`);
    writeFileSync(join(dir, 'usual.yaml'), `name: cell\nprotocol: ${JSON.stringify(example)}\n${cell}`);
  };

  it('refuses one that changes or removes a given value, in check and every command', () => {
    const dir = temporaryDirectory('twogenerals-configure-');
    try {
      const cases = [
        ['params.rounds = 1; return p.configure(params);', /configure changed the parameter rounds from \d to 1: /],
        ['delete params.rounds; return p.configure({ ...params, rounds: 2 });', /configure removed the parameter rounds \(\d\): /],
      ] as const;
      for (const [body, what] of cases) {
        withConfigure(dir, body);
        for (const args of [
          ['check', join(dir, 'p.mjs')],
          ['run', join(dir, 's.yaml'), '--format', 'csv'],
          ['exact', join(dir, 's.yaml')],
        ]) {
          const r = cli(args);
          assert.match(refusal(r, args[0]), what);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs one that builds its config on the object it is given, with the numbers of the file it wraps', () => {
    const dir = temporaryDirectory('twogenerals-configure-');
    try {
      withConfigure(dir, 'return Object.assign(params, p.configure(params));');
      const r = cli(['run', join(dir, 's.yaml'), '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const usual = cli(['run', join(dir, 'usual.yaml'), '--format', 'csv']);
      assert.equal(usual.status, 0, usual.stderr);
      assert.equal(r.stdout, usual.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
