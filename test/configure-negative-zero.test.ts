import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { changedParameter } from '../src/contract/protocol.js';
import { refusal } from './assert-cli.js';
import { cli, retryProtocolFile, tempFiles } from './helpers.js';

/**
 * A configure that turns a given 0 into −0 changes the parameter (1 / −0 is −Infinity): it is
 * refused like any other change, and the refusal says -0, where it said `from 0 to 0`.
 */
describe('a configure that turns a given 0 into −0', () => {
  it('is a change of the parameter, named as -0', () => {
    assert.equal(changedParameter({ rounds: 2, bad: 0 }, { rounds: 2, bad: -0 }), 'changed the parameter bad from 0 to -0');
    assert.equal(changedParameter({ rounds: 2, bad: 0 }, { rounds: 2, bad: 0, extra: -0 }), null);
  });

  const dir = tempFiles({});
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check refuses it in one line', () => {
    const file = join(dir, 'minus-zero.mjs');
    writeFileSync(file, retryProtocolFile('minus-zero').replace('configure: (p) => ({', 'configure: (p) => (p.bad = -p.bad, {'));
    const says = refusal(cli(['check', file]), 'check');
    assert.match(says, /configure changed the parameter bad from 0 to -0: it must derive its config from the parameters, never change them/);
  });
});
