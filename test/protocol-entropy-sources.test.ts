import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/** One message, delivered or dark, whose end reads `SOURCE`: a clock or the system's entropy. */
const ONE_SEND = `IMPORT
export default ({ SEND, END, A_TO_B }) => ({
  name: 'timed',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = SOURCE ? 1 : s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;

/**
 * The clock and entropy sources the loader watches that protocol-module-state.test leaves
 * untried: each is refused by check and before a run, naming the call and the file's line.
 */
describe('a protocol file that reads the clock or draws from the system, by the other calls', () => {
  const SOURCES: [string, string, string][] = [
    ['Date()', '', 'Date().length < 0'],
    ['crypto.randomFill', "import { randomFill } from 'node:crypto';", '(randomFill(new Uint8Array(1), () => undefined), false)'],
    ['crypto.randomFillSync', "import { randomFillSync } from 'node:crypto';", 'randomFillSync(new Uint8Array(1))[0] > 255'],
    ['crypto.randomUUID', "import { randomUUID } from 'node:crypto';", 'randomUUID() === ""'],
  ];
  for (const [name, imports, source] of SOURCES) {
    it(`is refused: ${name}`, async () => {
      const dir = tempFiles({
        't.mjs': ONE_SEND.replace('IMPORT', imports).replace('SOURCE', source),
        's.yaml': 'protocol: ./t.mjs\nloss: 0.5\ntrials: 2000\n',
      });
      for (const args of [
        ['check', join(dir, 't.mjs')],
        ['run', join(dir, 's.yaml')],
      ]) {
        const r = await cliInProcess(args);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.startsWith(`twogenerals: ${join(dir, 't.mjs')}: called ${name} while checked: a protocol never `), r.stderr);
        assert.match(r.stderr, /\(\/.*\/t\.mjs:10:\d+\)\n$/);
      }
    });
  }
});
