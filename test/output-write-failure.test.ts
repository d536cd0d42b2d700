import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A file a command writes after its work (fit's and plot's -o, --junit) that cannot be written (a
 * full disk: a link to /dev/full) is one line, exit 2, saying what was not written and where the
 * result went, or that nothing was printed.
 */
describe('an output file that cannot be written after the work', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, () => {
  const full = (name: string): string => {
    const path = join(tempFiles({}), name);
    symlinkSync('/dev/full', path);
    return path;
  };

  it('fit -o: says the report went to stdout and no chart was written', async () => {
    const chart = full('fit.svg');
    const { status, stdout, stderr } = await cliIn(['fit', 'examples/traces/radio-link-ping.txt', '-o', chart, '--quiet']);
    assert.equal(status, 2);
    assert.match(stdout, /The chosen channel/);
    assert.equal(stderr, `twogenerals: -o ${chart}: cannot write the chart: no space left on the device (the report went to stdout; no chart was written)\n`);
  });

  it('plot -o: says nothing was printed', async () => {
    const chart = full('chart.svg');
    const { status, stdout, stderr } = await cliIn(['plot', 'scenarios/iid-redundancy.yaml', '--trials', '1000', '-o', chart, '--quiet']);
    assert.equal(status, 2);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      `twogenerals: -o ${chart}: cannot write the chart: no space left on the device (nothing was printed: without -o, plot prints the SVG on stdout)\n`,
    );
  });

  for (const command of [['run', '--trials', '1000'], ['exact']]) {
    it(`${command[0]} --junit: says the results went to stdout`, async () => {
      const report = full('gates.xml');
      const { status, stdout, stderr } = await cliIn([...command, 'scenarios/two-phase-commit.yaml', '--junit', report, '--format', 'csv']);
      assert.equal(status, 2, stderr);
      assert.match(stdout, /^scenario,/);
      assert.equal(stderr, `twogenerals: --junit ${report}: cannot write the JUnit report: no space left on the device (the results went to stdout)\n`);
    });
  }
});
