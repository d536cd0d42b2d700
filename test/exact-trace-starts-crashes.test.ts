import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { burstyTrace, digits, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Crashes over a trace longer than the channel's tables (20,000 packets), which the exact engine
 * follows start by start: each path's probability was a product of doubles (a crash rate, its
 * complement), the low parts of the decimals dropped, so the printed values drifted an ulp or
 * more: the messenger's neither, A crashed, 0.09999999999999999 for `crash: { A: 0.1 }`'s 0.1,
 * and the randomized protocol's messengers 7.808000000000001 for 7.808. The expected values are
 * closed forms that hold over any trace, or (the handshake's) a brute-force enumeration of every
 * start and crash pattern in exact fractions, outside the tool, rounded once.
 */
describe('exact values with crashes over a trace of 20,001 packets', () => {
  const dir = tempFiles({});
  const trace = join(dir, 'bursty.txt');
  writeFileSync(trace, `${digits(burstyTrace(20_001, 7))}\n`);

  async function exactRow(protocol: string, crashA: string, crashB: string): Promise<Record<string, string>> {
    const scenario = join(dir, `${protocol}.yaml`);
    writeFileSync(
      scenario,
      `name: x\nprotocol: ${protocol}\nchannel: { model: trace, file: ${trace} }\nredundancy: 2\nrounds: 3\ncrash: { A: ${crashA}, B: ${crashB} }\n`,
    );
    const { status, stdout, stderr } = await cliIn(['exact', scenario, '--format', 'csv']);
    assert.equal(status, 0, stderr);
    return (parseCsv(stdout, { columns: true }) as Record<string, string>[])[0]!;
  }

  it('the messenger: neither is A crashing, 0.1', async () => {
    const row = await exactRow('messenger', '0.1', '0.3');
    assert.equal(row['neither_exact'], '0.1');
  });

  it('the randomized protocol: messengers 2·2·(0.8 + 0.8² + 0.8³) and rounds Σ 1 − (1 − 0.8^r)², whatever the trace', async () => {
    const row = await exactRow('randomized', '0.2', '0.2');
    assert.equal(row['messengers_exact'], '7.808');
    assert.equal(row['rounds_mean_exact'], '2.592256');
    assert.equal(Number(row['both_exact']), 0.24495258223755478);
    assert.equal(Number(row['neither_exact']), 0.6060161749245871);
  });

  it('the handshake: every column as the fractions say', async () => {
    const row = await exactRow('handshake', '0.1', '0.3');
    assert.equal(Number(row['both_exact']), 0.22564363296835158);
    assert.equal(Number(row['neither_exact']), 0.6683470976451178);
    assert.equal(Number(row['onlyA_exact']), 0.10600926938653067);
    assert.equal(Number(row['messengers_exact']), 3.3081313634318286);
    assert.equal(Number(row['delivered_mean_exact']), 2.3006467631618417);
  });
});
