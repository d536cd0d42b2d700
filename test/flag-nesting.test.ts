import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flowNesting } from '../src/scenario/overrides.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { cli } from './helpers.js';
import { cliIn } from './in-process.js';

// A `--set` value is read as YAML, whose reader recurses once a level: thousands of levels deep it
// ran out of stack where the process could not survive it (FATAL ERROR: RegExpCompiler Allocation
// failed, exit 134, a V8 dump on stderr), as where a sweep made the value be read twice.
describe('a --set value nested thousands deep', () => {
  it('ends in no abort: read as text, as where the reader gives up on it (a subprocess: the failure was an abort)', () => {
    const deep = '['.repeat(1000);
    const r = cli(['run', '--trials', '10', '--sweep', 'redundancy=1,2', '--set', `description=${deep}`, '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr.slice(0, 300));
    assert.doesNotMatch(r.stderr, /FATAL|Last few GCs/);
    const refused = cli(['run', '--trials', '10', '--sweep', 'redundancy=1,2', '--set', `sweep.loss=${deep}${']'.repeat(1000)}`, '-f', 'csv']);
    assert.equal(refused.status, 2, refused.stderr.slice(0, 300));
    // 2,000 characters: shown whole, as a path of that length is (errors.ts, PLACE_SHOWN).
    assert.match(refused.stderr, /^twogenerals: --set sweep\.loss=\[{1000}\]{1000}: sweep\.loss must be a list or a mapping \(got '\[+…'\)\n$/);
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

describe('a --set value whose aliases expand to too much', () => {
  it('is refused as such, as in a file, not read as text', async () => {
    const levels = ['&a [1,1,1,1,1,1,1,1,1,1]', ...['a', 'b', 'c', 'd', 'e'].map((x, i) => `&${'bcdef'[i]} [${Array(10).fill(`*${x}`).join(',')}]`)];
    const r = await cliIn(['validate', '--set', `sweep.loss=[${levels.join(', ')}]`, 'scenarios/seed-foot-soldiers.yaml']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^twogenerals: --set sweep\.loss=\[&a .*: its aliases \(\*name\) expand to too much; a value may use at most 100 of them\n$/);
  });
});
