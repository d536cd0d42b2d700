import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * A handshake whose first leg is lost with probability loss^k below the least normal double holds
 * that path's mass as a subnormal of a few bits, or as 0: the outcomes it feeds were left empty,
 * but the messengers' sd, the square root of that mass times a cost squared, is a normal double
 * and was printed from it: 1.999988867151698e-160 where the truth is 2e-160 (loss 1e-160, k 2, R 2:
 * Var = 4·p(1 − p) with p = 1e-320), 0 where it is 5e-250 (loss 1e-100, k 5). An sd too small to
 * tell from what underflow lost is left empty, and the note says so; one well above it is printed.
 * Expected values are exact fractions of the decimals, rounded once, computed outside the tool.
 */
async function exact(args: readonly string[]): Promise<{ row: Record<string, string>; stderr: string }> {
  const { status, stdout, stderr } = await cliIn(['exact', '--format', 'csv', ...args]);
  assert.equal(status, 0, stderr);
  const [row] = parseCsv(stdout, { columns: true }) as Record<string, string>[];
  return { row: row!, stderr };
}

const handshake = (loss: string, copies: number): string[] =>
  ['protocol=handshake', `loss=${loss}`, `redundancy=${copies}`, 'rounds=2'].flatMap((v) => ['--set', v]);

describe("the messengers' sd where the paths that make it underflow", () => {
  for (const [loss, copies] of [
    ['1e-160', 2],
    ['3e-162', 2],
    ['1e-100', 5],
  ] as const) {
    it(`a handshake at loss ${loss}, k ${copies}: the sd is left empty, not printed from a lost mass`, async () => {
      const { row, stderr } = await exact(handshake(loss, copies));
      assert.equal(row['messengers_sd_exact'], '');
      assert.equal(row['messengers_exact'], String(2 * copies));
      assert.match(stderr, /so is the messengers' sd, too small to tell from the mass its paths lost\n$/);
    });
  }

  it('a handshake losing 1e-160 A to B and 0.5 B to A, k 2, R 3: onlyA underflows, the sd of √0.75 is printed', async () => {
    const { row, stderr } = await exact(['protocol=handshake', 'loss.AtoB=1e-160', 'loss.BtoA=0.5', 'redundancy=2', 'rounds=3'].flatMap((v) => ['--set', v]));
    assert.equal(row['onlyA_exact'], '');
    assert.equal(Number(row['messengers_sd_exact']), 0.8660254037844386);
    assert.match(stderr, /left empty rather than printed wrong\n$/);
  });
});
