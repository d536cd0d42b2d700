import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flowNesting } from '../src/scenario/overrides.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { cli } from './helpers.js';

// A `--set` value is read as YAML, whose reader recurses once a level: thousands of levels deep it
// ran out of stack where the process could not survive it (FATAL ERROR: RegExpCompiler Allocation
// failed, exit 134, a V8 dump on stderr), as where a sweep made the value be read twice.
describe('a --set value nested thousands deep', () => {
  it('is refused in one line, exit 2 (a subprocess: the failure was an abort)', () => {
    const deep = '['.repeat(1000);
    const r = cli(['run', '--trials', '10', '--sweep', 'redundancy=1,2', '--set', `description=${deep}`, '-f', 'csv']);
    assert.equal(r.status, 2, r.stderr.slice(0, 300));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr.slice(0, 300));
    assert.match(
      r.stderr,
      /^twogenerals: --set description=\[+…\[*: the value nests more than 64 levels of \[ \] or \{ \} deep; a scenario's values nest a few\n$/,
    );
  });

  it('flowNesting counts [ and { outside quotes', () => {
    assert.equal(flowNesting('0.3'), 0);
    assert.equal(flowNesting('{AtoB: 0.1, BtoA: [0.2]}'), 2);
    assert.equal(flowNesting('"[[[[" and \'{{\' [x]'), 1);
    assert.equal(flowNesting('"a \\" [[" [[y]]'), 2);
    assert.equal(flowNesting('['.repeat(100)), 100);
  });
});

describe('a scenario file nested thousands deep', () => {
  it("is named as such, not in the reader's words (maximum call stack size exceeded)", () => {
    for (const [text, source] of [
      [`protocol: messenger\ndescription: ${'['.repeat(3000)}\n`, 'deep.yaml'],
      [`{"protocol": "messenger", "x": ${'['.repeat(3000)}${']'.repeat(3000)}}`, 'deep.json'],
    ] as const)
      assert.throws(
        () => parseScenarioText(text, source),
        /: malformed (YAML|JSON): its lists or mappings nest too deep to be read \(a scenario nests a few levels\)$/,
      );
  });
});
