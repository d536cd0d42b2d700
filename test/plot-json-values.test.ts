import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** A results JSON whose value is no number where one belongs is refused saying what the value is. */

const columns = ['scenario', 'protocol', 'channel', 'loss', 'trials', 'disagreement', 'disagreement_low', 'disagreement_high'];
const row = (loss: number, disagreement: string): string =>
  `{"scenario":"s","protocol":"messenger","channel":"bernoulli","loss":${loss},"trials":10,"disagreement":${disagreement},"disagreement_low":0,"disagreement_high":0.5}`;

describe('plot of results JSON with a value that is no number', () => {
  for (const [value, said] of [
    ['1e400', 'Infinity is not a finite number'],
    ['{"a":1}', 'a JSON object is not a number'],
    ['[0.2]', 'a list is not a number'],
    ['true', 'true is not a number'],
    ['"abc"', "'abc' is not a number"],
  ] as const) {
    it(`says what ${value} is, in one line`, async () => {
      const dir = tempFiles({});
      const file = join(dir, 'results.json');
      writeFileSync(file, `{"columns":${JSON.stringify(columns)},"rows":[${row(0.1, '0.1')},${row(0.2, value)}]}`);
      const stderr = refusal(await cliIn(['plot', file, '-o', join(dir, 'chart.svg')]));
      assert.equal(stderr, `twogenerals: ${file}: row 2, column disagreement: ${said}\n`);
    });
  }
});
