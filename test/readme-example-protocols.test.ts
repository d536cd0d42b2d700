import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { succeeded } from './assert-cli.js';
import { ROOT } from './helpers.js';
import { cliIn } from './in-process.js';

/** The README's paragraphs on the two example protocols quote percentages: each is the exact value, rounded as written. */

const exactRows = async (scenarios: string[]): Promise<Record<string, string>[]> =>
  parse(succeeded(await cliIn(['exact', ...scenarios, '--format', 'csv'])), { columns: true, relax_column_count: true }) as Record<string, string>[];

/** A percentage as the README writes it: the exact probability to the decimals written ("13.6" of 0.135838 is one). */
const asWritten = (percent: string, probability: number): boolean => {
  const decimals = percent.split('.')[1]?.length ?? 0;
  return (probability * 100).toFixed(decimals) === percent;
};

const readme = (): string => readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');

describe("the README's example protocols", () => {
  it("quote three-phase commit's inconsistency and two-phase commit's blocking at 5% loss as the exact engine gives them", async () => {
    const quoted = /shows 3PC inconsistent ([\d.]+)% of the time at 5% loss where 2PC is never inconsistent — it blocks instead \(([\d.]+)%\)/.exec(readme());
    assert.ok(quoted, 'the README compares the two commit protocols');
    const [three, two] = await exactRows(['examples/three-phase-commit.yaml', 'examples/two-phase-commit.yaml']);
    assert.equal(Number(two!['inconsistent_exact']), 0);
    const inconsistent = Number(three!['inconsistent_exact']);
    const blocked = Number(two!['blocked_exact']);
    assert.ok(asWritten(quoted[1]!, inconsistent), `3PC inconsistent ${quoted[1]}% quoted, exact ${inconsistent}`);
    assert.ok(asWritten(quoted[2]!, blocked), `2PC blocked ${quoted[2]}% quoted, exact ${blocked}`);
  });

  it("quotes the TCP handshake's half-open rate at R = 1 and R = 6 as the exact engine gives it", async () => {
    const quoted = /rarer with every round \(([\d.]+)% at R = 1, ([\d.]+)% at R = 6 under 10% loss\)/.exec(readme());
    assert.ok(quoted, 'the README quotes the handshake at two round limits');
    const rows = await exactRows(['examples/tcp-handshake.yaml']);
    const at = (rounds: number): number => Number(rows.find((row) => row['rounds'] === String(rounds))!['onlyA_exact']);
    assert.ok(asWritten(quoted[1]!, at(1)), `R = 1: ${quoted[1]}% quoted, exact ${at(1)}`);
    assert.ok(asWritten(quoted[2]!, at(6)), `R = 6: ${quoted[2]}% quoted, exact ${at(6)}`);
  });
});
