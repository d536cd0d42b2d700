import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';

/**
 * A protocol method's wrong return value is shown as what it is: a BigInt was shown as the number
 * it holds (`stateSize returned 4; it must be a whole number`, of a 4n), and a function as its
 * whole source, over as many lines as it has (folded into one, however long).
 */

/** The messenger as a file, with stateSize as given. */
const messenger = (stateSize: string): string => `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'returns-odd',
  outcomes: GENERALS_OUTCOMES,
  configure: () => ({}),
  stateSize: ${stateSize},
  init() {},
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; return; }
    step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1);
  },
  resolve(s, c, step, r) { s[1] = r; s[0]++; },
  describe: (s) => \`\${s[1]}\`,
});
`;

const refusals = (stateSize: string): CliResult[] => {
  const dir = tempFiles({ 'p.mjs': messenger(stateSize), 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\ntrials: 1000\n' });
  return cliSeries([
    ['check', join(dir, 'p.mjs')],
    ['run', join(dir, 's.yaml')],
  ]);
};

describe("a method's wrong return value is named by its kind", () => {
  it('a BigInt is shown with its n, not as the whole number it holds', () => {
    for (const r of refusals('() => 2n')) {
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, /stateSize returned the BigInt 2n; it must be a whole number from 1/);
    }
  });

  it('a function is named as one, not printed as its source', () => {
    for (const r of refusals('() => function size() {\n    // a comment\n    return 2;\n  }')) {
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, /stateSize returned a function; it must be a whole number from 1/);
      assert.doesNotMatch(r.stderr, /comment/);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
  });
});
