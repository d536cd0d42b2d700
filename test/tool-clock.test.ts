import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toolNow } from '../src/io/tool-clock.js';
import { watchSources } from '../src/protocol-files/load.js';

/**
 * The tool's own timing (the exact engine's progress, a slice of work, a kernel's speed) reads the
 * clock as it was before a protocol file loaded: the watched performance.now takes a stack trace
 * at every call, which made `exact` of a protocol file a third slower than of the same protocol built in.
 */
describe("the tool's clock", () => {
  it('reads performance.now itself before a protocol file loads, and the original after, never the watched one', () => {
    let calls = 0;
    const before = performance.now;
    performance.now = function counted(this: Performance) {
      calls++;
      return before.call(this);
    };
    const first = toolNow();
    assert.equal(calls, 1, 'before any file: the global clock');
    performance.now = before;
    watchSources(); // as a protocol file's load does
    assert.notEqual(performance.now, before, 'the global clock is now watched');
    const watched = performance.now;
    performance.now = function counted(this: Performance) {
      calls++;
      return watched.call(this);
    };
    const second = toolNow();
    assert.equal(calls, 1, 'after: the original, not the watched one');
    assert.ok(second >= first);
    performance.now = watched;
  });
});
