import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A channel's own parameter written inside `channel:` where the scenario also gives it at the top
 * level is told to be removed from channel: the refusal said to write it beside channel, where it
 * already is, which would give the key twice.
 */
describe('a channel parameter inside channel and beside it', () => {
  const dir = tempFiles({
    'both.yaml': 'name: x\nprotocol: messenger\nchannel: { model: bernoulli, loss: 0.1 }\nloss: 0.2\n',
    'inside.yaml': 'name: x\nprotocol: messenger\nchannel: { model: bernoulli, loss: 0.1 }\n',
  });

  it('given at the top level too: remove it from channel', async () => {
    assert.equal(
      refusal(await cliIn(['validate', join(dir, 'both.yaml')])),
      `twogenerals: ${join(dir, 'both.yaml')}:3:30: channel 'bernoulli' takes loss at the top level, not inside channel, and this scenario gives it there too (loss: 0.2): remove it from channel\n`,
    );
  });

  it('only inside channel: write it beside channel, as before', async () => {
    assert.equal(
      refusal(await cliIn(['validate', join(dir, 'inside.yaml')])),
      `twogenerals: ${join(dir, 'inside.yaml')}:3:30: channel 'bernoulli' takes loss at the top level, not inside channel: write loss: 0.1 beside channel\n`,
    );
  });
});
