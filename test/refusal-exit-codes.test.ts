import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// The second planted-bug audit (docs/mutation.md): bad input is exit 2 and one line, never exit 3.

/** A protocol file that keeps the contract in every cell the checker tries (R 1 to 3) and throws from R 4 on. */
const LATE_THROWER = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'late-thrower',
  outcomes: GENERALS_OUTCOMES,
  usesRounds: true,
  parameters: [],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (c.rounds > 3) throw new Error('four rounds are too many');
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'order'; }
    else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'B has the order' : 'B lacks the order'),
});
`;

describe('a protocol file that throws while a run uses it', () => {
  const dir = tempFiles({ 'p.mjs': LATE_THROWER, 's.yaml': 'protocol: ./p.mjs\nloss: 0.3\nrounds: 4\ntrials: 1000\n' });
  for (const command of [['run', '--no-exact', '--workers', '1'], ['exact']]) {
    it(`is the user's error (exit 2, one line naming the file), not an internal one: ${command.join(' ')}`, async () => {
      const r = await cliIn([command[0]!, join(dir, 's.yaml'), '-f', 'csv', ...command.slice(1)]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: protocol late-thrower \(.*p\.mjs\) threw: four rounds are too many \(.*p\.mjs:10:\d+\)\n$/);
    });
  }
});

// A module's stack names its file as a URL: a space, a '#' or an accent in the path came out
// percent-encoded (my%20protocols/p.mjs:10:11), a place no editor opens.
describe('a protocol file in a folder whose name has a space, a # and an accent', () => {
  const dir = tempFiles({
    'my protocols #1 é.mjs': LATE_THROWER.replace("'late-thrower'", "'late-thrower-in-a-folder'"),
    's.yaml': "protocol: './my protocols #1 é.mjs'\nloss: 0.3\nrounds: 4\ntrials: 1000\n",
  });
  it('is named by its path where it throws, with the line and column', async () => {
    const r = await cliIn(['run', join(dir, 's.yaml'), '-f', 'csv', '--no-exact', '--workers', '1']);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`threw: four rounds are too many (${join(dir, 'my protocols #1 é.mjs')}:10:`), r.stderr);
  });
});

describe('--sweep ranges', () => {
  it('refuses a range of four parts (exit 2, one line) and runs one of three', async () => {
    const bad = await cliIn(['run', '--sweep', 'rounds=1:4:1:9', '--trials', '100', '-f', 'csv']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, 'twogenerals: --sweep rounds=1:4:1:9: a range is from:to or from:to:step\n');
    const good = await cliIn(['run', '--sweep', 'rounds=1:4:3', '--trials', '100', '--no-exact', '-f', 'csv']);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout.trim().split('\n').length, 3, good.stdout);
  });
});
