import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceLanes } from '../src/engine/accelerators/trace-lanes.js';
import { laneKernels } from '../src/engine/accelerators/lanes.js';

/**
 * The SIMD modules are there wherever WebAssembly SIMD is (every Node this project supports, unless
 * run with --jitless). The lanes' own tests skip themselves where a module is missing, and the
 * engines then fall back to the same tallies, so a module that failed to load would go unseen:
 * this fails instead.
 */
describe('the WebAssembly modules load where WebAssembly SIMD is available', () => {
  const jitless = process.execArgv.includes('--jitless');

  it('the trace lanes: one instance a thread, made once', { skip: jitless }, () => {
    const lanes = traceLanes();
    assert.ok(lanes, 'the trace lanes module loads');
    assert.equal(traceLanes(), lanes, 'the same instance on the next call');
  });

  it('the one-draw lanes and the bit walk’s module: one instance, made once', { skip: jitless }, () => {
    const kernels = laneKernels();
    assert.ok(kernels, 'the lanes module loads');
    assert.equal(laneKernels(), kernels, 'the same instance on the next call');
  });
});
