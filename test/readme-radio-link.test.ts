import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { succeeded } from './assert-cli.js';
import { ROOT } from './helpers.js';
import { cliIn } from './in-process.js';

/** The README's walk from a ping log to a setting quotes what `plan` answers, on the fitted model and on the trace. */

const winner = async (scenario: string): Promise<{ redundancy: number; success: number }> => {
  const csv = succeeded(await cliIn(['plan', scenario, '--target', 'success>=0.999', '--vary', 'redundancy=1:40', '--format', 'csv']));
  const first = (parse(csv, { columns: true }) as Record<string, string>[])[0]!;
  return { redundancy: Number(first['redundancy']), success: Number(first['success']) };
};

describe("the README's radio link", () => {
  it('names the copies plan finds for 99.9% on the fitted channel and on the trace itself', async () => {
    const fitted = await winner('examples/radio-link-fitted.yaml');
    const trace = await winner('examples/radio-link-trace.yaml');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const quoted = /here (\d+) copies against (\d+)/.exec(readme);
    assert.ok(quoted, 'the README compares the two answers');
    assert.deepEqual([Number(quoted[1]), Number(quoted[2])], [fitted.redundancy, trace.redundancy]);
    // One copy fewer misses the target over the trace: the setting the README names is the least.
    const fewer = succeeded(
      await cliIn(['exact', 'examples/radio-link-trace.yaml', '--set', 'sweep=null', '--set', `redundancy=${trace.redundancy - 1}`, '--format', 'csv']),
    );
    const success = Number((parse(fewer, { columns: true }) as Record<string, string>[])[0]!['success_exact']);
    assert.ok(success < 0.999, `${trace.redundancy - 1} copies give ${success}`);
    assert.ok(trace.success >= 0.999);
  });
});
