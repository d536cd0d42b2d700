import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';
import { refusal } from './assert-cli.js';

/** A vote of one voter with three outcomes: the table shows `rejected` beside success and disagreement. */
const FILE = `export default ({ SEND, CHOOSE, END, A_TO_B }) => ({
  name: 'titled-vote',
  outcomes: { names: ['quorum', 'rejected', 'deadlock'], success: [0], disagreement: [2], labels: ['passes', 'stalls'], shown: [1] },
  parameters: [{ name: 'voters', description: 'unused', minimum: 1, maximum: 3, default: 1, integer: true }],
  usesRounds: false,
  configure: () => ({ ballot: [0.5, 0.25, 0.25] }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else if (s[0] === 1 && s[1] === 1) { step.kind = CHOOSE; step.choices = c.ballot; step.label = 'ballot'; }
    else { step.kind = END; step.outcome = s[0] === 1 ? 2 : s[1]; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] += 1; },
  describe: (s) => String(s[1]),
});
`;
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.5\nredundancy: 1\ntrials: 1000\n';

/** Titles that would put a figure under another column's name: each refused by check, run and exact. */
const MISTITLED: [string, string, RegExp][] = [
  // The table titled P(quorum) 'rejected' beside the rejected outcome's own column, and P(deadlock) 'quorum'.
  [
    "another outcome's name",
    "labels: ['rejected', 'quorum']",
    /outcomes\.labels titles success 'rejected', the name of outcome 1 \(rejected\), which is not in success/,
  ],
  ['the other set', "labels: ['disagreement', 'stalls']", /outcomes\.labels titles success 'disagreement', the name of the disagreement column/],
  ['one title for both', "labels: ['vote', 'vote']", /outcomes\.labels titles both success and disagreement 'vote'/],
  ["a parameter's column", "labels: ['passes', 'k']", /outcomes\.labels titles disagreement 'k', the title of another column \(k\)/],
  ["the file's own parameter", "labels: ['voters', 'stalls']", /outcomes\.labels titles success 'voters', the title of another column/],
];

describe('outcome titles that would misname a column', () => {
  const runs = MISTITLED.map(([, labels]) => {
    const dir = tempFiles({ 'p.mjs': FILE.replace("labels: ['passes', 'stalls']", labels), 's.yaml': SCENARIO });
    return [
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '--workers', '1'],
      ['exact', join(dir, 's.yaml'), '-f', 'markdown'],
    ];
  });
  let results: CliResult[] | undefined;
  const result = (i: number): CliResult => (results ??= cliSeries(runs.flat()))[i]!;
  for (const [i, [what, labels, message]] of MISTITLED.entries())
    it(`refuses ${what} as a title (${labels}) in check, run and exact`, () => {
      for (let j = 0; j < 3; j++) {
        const r = result(3 * i + j);
        assert.match(refusal(r, runs[i]![j]![0]), message);
      }
    });

  it('takes a title naming the one outcome it stands for, and titles of its own', () => {
    const own = tempFiles({ 'p.mjs': FILE.replace("labels: ['passes', 'stalls']", "labels: ['quorum', 'deadlock']"), 's.yaml': SCENARIO });
    const plain = tempFiles({
      'p.mjs': FILE.replace("name: 'titled-vote'", "name: 'titled-vote-too'").replace("name: 'voters'", "name: 'electors'"),
      's.yaml': SCENARIO,
    });
    const [named, titled] = cliSeries([
      ['exact', join(own, 's.yaml')],
      ['exact', join(plain, 's.yaml')],
    ]) as [CliResult, CliResult];
    assert.equal(named.status, 0, named.stderr);
    assert.match(named.stdout, /│ quorum +│ rejected +│ deadlock +│ messengers │/);
    assert.equal(titled.status, 0, titled.stderr);
    assert.match(titled.stdout, /│ passes +│ rejected +│ stalls +│ messengers │/);
  });
});
