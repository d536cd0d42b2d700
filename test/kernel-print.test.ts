import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/**
 * The compiled kernel is code a reader can see (README, "Development"): TWOGENERALS_PRINT_KERNEL=1
 * prints each kernel's source to stderr as it is generated, with line breaks and a
 * `//# sourceURL` naming its protocol and channel, and changes nothing the run prints.
 */
describe('TWOGENERALS_PRINT_KERNEL', () => {
  const dir = tempFiles({ 'k.yaml': 'protocol: handshake\nloss: 0.2\nrounds: 3\ntrials: 20000\n' });
  const args = ['run', `${dir}/k.yaml`, '--workers', '1', '-f', 'csv'];

  it('prints each compiled kernel, line by line, with a sourceURL naming its protocol and channel', () => {
    const printed = cli(args, { TWOGENERALS_PRINT_KERNEL: '1' });
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stderr, /^\/\/ twogenerals kernel handshake-over-bernoulli-(shared|specialized)\n/);
    assert.match(printed.stderr, /\nreturn function kernel\(rs, trials, E, S, DV, sums, HI\) \{\n/);
    assert.match(printed.stderr, /\n\/\/# sourceURL=twogenerals-kernel\/handshake-over-bernoulli-(shared|specialized)\.js\n/);
    assert.ok(printed.stderr.split('\n').length > 20, 'one statement a line, not one line of source');
    const plain = cli(args);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stderr, '', 'nothing printed without it');
    assert.equal(printed.stdout, plain.stdout, 'the same results');
  });
});
