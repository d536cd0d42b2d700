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
    assert.match(printed.stderr, /^\/\/ twogenerals kernel handshake-over-bernoulli-(shared|specialized)-[0-9a-f]{8}\n/);
    assert.match(printed.stderr, /\nreturn function kernel\(rs, trials, E, S, DV, sums, HI\) \{\n/);
    assert.match(printed.stderr, /\n\/\/# sourceURL=twogenerals-kernel\/handshake-over-bernoulli-(shared|specialized)-[0-9a-f]{8}\.js\n/);
    assert.ok(printed.stderr.split('\n').length > 20, 'one statement a line, not one line of source');
    const plain = cli(args);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.stderr, '', 'nothing printed without it');
    assert.equal(printed.stdout, plain.stdout, 'the same results');
  });

  it("names each of a sweep's kernels apart, the same name on every run", () => {
    const sweep = [...args, '--sweep', 'rounds=2,3,4'];
    const urls = (stderr: string): string[] => stderr.match(/\/\/# sourceURL=\S+/g) ?? [];
    const first = cli(sweep, { TWOGENERALS_PRINT_KERNEL: '1' });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(urls(first.stderr).length, 3, first.stderr.slice(0, 200));
    assert.equal(new Set(urls(first.stderr)).size, 3, urls(first.stderr).join('\n'));
    assert.deepEqual(urls(cli(sweep, { TWOGENERALS_PRINT_KERNEL: '1' }).stderr), urls(first.stderr));
  });
});
