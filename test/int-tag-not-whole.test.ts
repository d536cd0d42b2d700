import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A number tagged !!int that is not whole (`loss: !!int 0.5`) is refused as such, where it is
 * written: left as text, it was refused as `loss must be a number or a mapping (got '0.5')`,
 * naming a number as no number.
 */
describe('a !!int tag on a number that is not whole', () => {
  const dir = tempFiles({ 'loss.yaml': 'name: x\nprotocol: messenger\nloss: !!int 0.5\n', 'plain.yaml': 'name: x\nprotocol: messenger\n' });
  const said = '!!int 0.5: !!int tags a whole number, and 0.5 is not one: write 0.5 without the tag, or a whole number';

  it('in a file, at its place', async () => {
    assert.equal(refusal(await cliIn(['validate', join(dir, 'loss.yaml')])), `twogenerals: ${join(dir, 'loss.yaml')}:3:13: ${said}\n`);
  });

  it('in --set and --sweep, named by the flag', async () => {
    assert.equal(refusal(await cliIn(['run', join(dir, 'plain.yaml'), '--set', 'loss=!!int 0.5'])), `twogenerals: --set loss=!!int 0.5: ${said}\n`);
    assert.equal(refusal(await cliIn(['run', join(dir, 'plain.yaml'), '--sweep', 'loss=!!int 0.5'])), `twogenerals: --sweep loss=!!int 0.5: ${said}\n`);
  });
});
