import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// A number tagged !!float or !!int whose text the YAML reader's pattern for that tag does not take
// (`!!float 3`: no point; `!!int 1e0`: an exponent) was left as the text '3', and refused as
// "rounds must be a whole number (got '3')", naming as no number what the file writes as one.
describe('numbers tagged !!float or !!int', () => {
  const base = 'protocol: retransmit\nseed: 1\ntrials: 1000\n';
  const dir = tempFiles({
    'tagged.yaml': `${base}loss: { AtoB: !!float 0, BtoA: 0.5 }\nrounds: !!float 3\nredundancy: !!int 2.0\nsweep: { rounds: [!!int 1e0, !!float 0x3] }\n`,
    'plain.yaml': `${base}loss: { AtoB: 0, BtoA: 0.5 }\nrounds: 3\nredundancy: 2\nsweep: { rounds: [1, 3] }\n`,
    'half.yaml': `${base}rounds: !!int 2.5\n`,
    'huge.yaml': `${base}loss: !!float 1e400\n`,
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads them as the numbers they write', async () => {
    const tagged = succeeded(await cliIn(['run', join(dir, 'tagged.yaml'), '-f', 'csv']));
    const plain = succeeded(await cliIn(['run', join(dir, 'plain.yaml'), '-f', 'csv']));
    assert.equal(tagged.replaceAll(/^tagged,/gm, 'plain,'), plain);
    const set = (value: string) => cliIn(['run', join(dir, 'plain.yaml'), '--set', `rounds=${value}`, '-f', 'csv']);
    assert.equal(succeeded(await set('!!float 3')), succeeded(await set('3')));
  });

  it('refuses a !!int that is not whole, and a number a double does not hold, where written', async () => {
    assert.match(refusal(await cliIn(['run', join(dir, 'half.yaml')])), /half\.yaml:4:15: !!int 2\.5: !!int tags a whole number, and 2\.5 is not one/);
    assert.match(refusal(await cliIn(['run', join(dir, 'huge.yaml')])), /huge\.yaml:4:15: 1e400 is beyond the largest number a double holds/);
  });
});
