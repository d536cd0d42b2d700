import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/** validate's line for a Gilbert–Elliott channel at its fields' edges: a chain that never turns bad has no bad burst. */
describe('validate: Gilbert–Elliott mean loss and burst at the edges', () => {
  const cases: [string, string][] = [
    ['goodToBad: 0, badToGood: 0', 'mean loss 0.1, mean bad burst none (never in the bad state)'],
    ['goodToBad: 0, badToGood: 1', 'mean loss 0.1, mean bad burst none (never in the bad state)'],
    ['goodToBad: 1, badToGood: 0', 'mean loss 0.7, mean bad burst unbounded'],
    ['goodToBad: 1, badToGood: 1', 'mean loss 0.4, mean bad burst 1 copy'],
    ['goodToBad: 0.05, badToGood: 0.5', 'mean loss 0.1545, mean bad burst 2 copies'],
    // Tens of thousands of copies or more in whole copies: four figures printed 81,000,518 as 81000000.
    ['goodToBad: 0.00000001234567, badToGood: 0.0000000123456', 'mean loss 0.4, mean bad burst 81,000,518 copies'],
    ['goodToBad: 0.5, badToGood: 0.0001', 'mean loss 0.6999, mean bad burst 10,000 copies'],
    ['goodToBad: 0.5, badToGood: 0.00010001', 'mean loss 0.6999, mean bad burst 9999 copies'],
  ];
  const dir = tempFiles(
    Object.fromEntries(
      cases.map(([fields], i) => [`s${i}.yaml`, `name: x\nprotocol: messenger\nchannel: { model: gilbert-elliott, ${fields}, lossGood: 0.1, lossBad: 0.7 }\n`]),
    ),
  );
  cases.forEach(([fields, said], i) => {
    it(fields, () => {
      const r = cli(['validate', join(dir, `s${i}.yaml`)]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.includes(`; ${said})`), r.stdout);
    });
  });
});
