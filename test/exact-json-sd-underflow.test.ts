import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

interface ExactJson {
  readonly rows: readonly Record<string, unknown>[];
  readonly exact: readonly { readonly figures?: { readonly messengersSd: number | null } }[];
}

const handshake = (loss: string, copies: number): string[] =>
  ['protocol=handshake', `loss=${loss}`, `redundancy=${copies}`, 'rounds=2'].flatMap((v) => ['--set', v]);

async function exactJson(args: readonly string[]): Promise<ExactJson> {
  const { status, stdout, stderr } = await cliIn(['exact', '--format', 'json', ...args]);
  assert.equal(status, 0, stderr);
  return JSON.parse(stdout) as ExactJson;
}

/**
 * JSON says of the messengers' sd what the columns say: where the paths that make it underflow
 * and it is too small to tell from the mass they lost (test/exact-sd-underflow.test.ts), its
 * column is empty (null in the rows), and the raw exact block held it all the same, from the lost
 * mass (`figures.messengersSd` 1.999988867151698e-160 for 2e-160, 0 for 5e-250).
 */
describe("JSON's exact block of a cell whose messengers' sd is left empty", () => {
  for (const [loss, copies] of [
    ['1e-160', 2],
    ['1e-100', 5],
  ] as const) {
    it(`a handshake at loss ${loss}, k ${copies}: figures.messengersSd is null, as the row's messengers_sd_exact`, async () => {
      const json = await exactJson(handshake(loss, copies));
      assert.equal(json.rows[0]!['messengers_sd_exact'], null);
      assert.equal(json.exact[0]!.figures!.messengersSd, null);
    });
  }

  it('an sd well above what underflow lost (onlyA underflows, the sd is √0.75) is kept in both', async () => {
    const json = await exactJson(['protocol=handshake', 'loss.AtoB=1e-160', 'loss.BtoA=0.5', 'redundancy=2', 'rounds=3'].flatMap((v) => ['--set', v]));
    assert.equal(json.rows[0]!['messengers_sd_exact'], 0.8660254037844386);
    assert.equal(json.exact[0]!.figures!.messengersSd, 0.8660254037844386);
  });

  it('a saved run of such a cell re-exports as saved, its sd left empty again', async () => {
    const dir = tempFiles({});
    const saved = await cliIn(['run', '--trials', '1000', ...handshake('1e-160', 2), '--out', 'out', '-f', 'csv'], {}, dir);
    assert.equal(saved.status, 0, saved.stderr);
    const folder = join(dir, 'out', readdirSync(join(dir, 'out'))[0]!);
    const json = readFileSync(join(folder, 'results.json'), 'utf8');
    assert.equal((JSON.parse(json) as ExactJson).exact[0]!.figures!.messengersSd, null);
    const again = await cliIn(['merge', join(folder, 'results.json'), '-f', 'json'], {}, dir);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, json);
    const csv = await cliIn(['merge', join(folder, 'results.json'), '-f', 'csv'], {}, dir);
    assert.equal(csv.stdout, readFileSync(join(folder, 'results.csv'), 'utf8'));
  });
});
