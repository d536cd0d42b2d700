import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// `--seed ''` and `--seed ' '` are refused, but a scenario's `seed: ""` ran, exit 0, and printed
// an empty seed field in the CSV, which reads back as no seed at all.
describe('a blank seed', () => {
  const dir = tempFiles({
    'empty.yaml': 'protocol: messenger\ntrials: 10\nseed: ""\n',
    'spaces.json': '{ "protocol": "messenger", "trials": 10, "seed": " \\t" }\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused where it is written, in a file as on the command line', async () => {
    assert.match(refusal(await cliIn(['run', join(dir, 'empty.yaml')])), /empty\.yaml:3:7: seed is empty: give a seed: an integer or a text\n$/);
    assert.match(refusal(await cliIn(['validate', join(dir, 'spaces.json')])), /spaces\.json:1:50: seed is empty: give a seed: an integer or a text\n$/);
    assert.match(refusal(await cliIn(['run', '--set', 'seed=""'])), /--set seed="": seed is empty/);
    assert.match(refusal(await cliIn(['run', '--seed', ' '])), /--seed {2}: give a seed: an integer or a text/);
  });
});
