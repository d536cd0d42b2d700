import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHANNELS } from '../src/catalog/channels.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { checkContract, generatedCells } from './contract.js';
import { ROOT } from './helpers.js';

/**
 * The protocols that ship as files meet the whole contract a built-in protocol meets, on every
 * channel: exact against Monte Carlo, fast paths against the generic engine, trace against run.
 */
describe('the example protocol files meet the contract', () => {
  for (const file of ['three-phase-commit.mjs', 'tcp-handshake.mjs']) {
    it(file, async () => {
      const { name } = await loadProtocolFile(join(ROOT, 'examples', 'protocols', file), 'test');
      for (const channel of Object.keys(CHANNELS)) {
        for (const [i, data] of generatedCells(name, channel).entries()) await checkContract(data, `example-${i}`);
      }
    });
  }
});
