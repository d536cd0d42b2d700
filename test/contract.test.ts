import { describe, it } from 'node:test';
import { CHANNELS } from '../src/catalog/channels.js';
import { PROTOCOLS } from '../src/catalog/protocols.js';
import { checkContract, generatedCells } from './contract.js';

describe('the contract, for every registered protocol × channel over generated cells', () => {
  for (const protocol of Object.keys(PROTOCOLS)) {
    for (const channel of Object.keys(CHANNELS)) {
      it(`${protocol} over ${channel}`, async () => {
        for (const [i, data] of generatedCells(protocol, channel).entries()) await checkContract(data, String(i));
      });
    }
  }
});
