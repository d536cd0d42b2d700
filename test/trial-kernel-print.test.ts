import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kernelFor } from '../src/engine/accelerators/kernel.js';
import { buildCellModel } from '../src/engine/model.js';
import { trialKernelFor } from '../src/engine/montecarlo/trial-kernel.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom } from './helpers.js';

/**
 * Generated code a reader can see (README, "Development"): TWOGENERALS_PRINT_KERNEL=1 prints the
 * trial kernel too, the generated code a cell runs on where no compiled kernel takes it (here a
 * handshake of 200 rounds), with its sourceURL; without the variable, nothing.
 */
function printedWhileMade(env: string | undefined): string {
  const model = buildCellModel(cellSpec(expandCells(scenarioFrom({ protocol: 'handshake', loss: 0.1, redundancy: 1, rounds: 200, trials: 1000 }))[0]!));
  assert.equal(kernelFor(model, false), null, 'no compiled kernel takes the cell');
  const saved = process.env['TWOGENERALS_PRINT_KERNEL'];
  const write = process.stderr.write;
  let printed = '';
  if (env === undefined) delete process.env['TWOGENERALS_PRINT_KERNEL'];
  else process.env['TWOGENERALS_PRINT_KERNEL'] = env;
  process.stderr.write = ((text: string) => {
    printed += text;
    return true;
  }) as typeof process.stderr.write;
  try {
    trialKernelFor(model);
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env['TWOGENERALS_PRINT_KERNEL'];
    else process.env['TWOGENERALS_PRINT_KERNEL'] = saved;
  }
  return printed;
}

describe('TWOGENERALS_PRINT_KERNEL and the trial kernel', () => {
  it('prints its source, line by line, named and with its sourceURL', () => {
    const printed = printedWhileMade('1');
    assert.match(printed, /^\/\/ twogenerals trial kernel handshake-over-bernoulli\n/);
    assert.match(printed, /\n\/\/# sourceURL=twogenerals-trial-kernel\/handshake-over-bernoulli\.js\n/);
    assert.ok(printed.split('\n').length > 20, 'one statement a line');
  });

  it('prints nothing without it', () => {
    assert.equal(printedWhileMade(undefined), '');
  });
});
