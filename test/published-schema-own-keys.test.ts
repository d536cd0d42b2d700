import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { ROOT, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/**
 * Scenarios the tool refuses for naming what only another protocol takes, which the shipped
 * schema (what editors check a file against) must flag too, and their fixes, which it must not.
 */
const REFUSED: [string, Record<string, unknown>, RegExp][] = [
  [
    "two-phase commit's parameter set for the messenger",
    { protocol: 'messenger', participants: 3 },
    /participants applies only to the two-phase-commit protocol/,
  ],
  ["two-phase commit's parameter swept for the handshake", { protocol: 'handshake', sweep: { abortRate: [0, 0.1] } }, /abortRate applies only to/],
  [
    "two-phase commit's outcome gated for the retransmit protocol",
    { protocol: 'retransmit', expect: [{ metric: 'committed', atLeast: 0.5 }] },
    /unknown expect\[0\]\.metric 'committed'/,
  ],
  [
    "two-phase commit's role's crash rate set for the messenger",
    { protocol: 'messenger', crash: { cohort: 0.1 } },
    /the messenger protocol has no role 'cohort'/,
  ],
  [
    "the generals' role's crash rate swept for two-phase commit",
    { protocol: 'two-phase-commit', sweep: { crashA: [0, 0.1] } },
    /crashA is the crash rate of role A/,
  ],
  [
    "the generals' outcome gated for two-phase commit",
    { protocol: 'two-phase-commit', expect: [{ metric: 'onlyA', atMost: 0.5 }] },
    /unknown expect\[0\]\.metric 'onlyA'/,
  ],
];

const ACCEPTED: Record<string, unknown>[] = [
  { protocol: 'two-phase-commit', participants: 3, sweep: { abortRate: [0, 0.1] }, expect: [{ metric: 'committed', atLeast: 0.001 }] },
  { protocol: 'two-phase-commit', crash: { Cohort: 0.1 }, sweep: { crashCoordinator: [0, 0.1] } },
  { protocol: 'messenger', crash: { a: 0.1 }, sweep: { crashB: [0, 0.1] } },
  {
    protocol: 'messenger',
    expect: [
      { metric: 'onlyA', atMost: 0.9 },
      { metric: 'success', atLeast: 0.1 },
    ],
  },
  // A protocol file may declare participants and abortRate of its own, and has outcomes of its own.
  { protocol: './mine.mjs', participants: 100, sweep: { abortRate: [0, 2], crashCohort: [0, 0.1] }, expect: [{ metric: 'committed', atLeast: 0.5 }] },
];

describe("the shipped schema and another protocol's parameters and outcomes", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'scenarios', 'scenario.schema.json'), 'utf8'));
  const check = new Ajv({ allowUnionTypes: true }).compile(schema);

  it('flags, as the tool refuses, what only another built-in protocol takes', () => {
    const dir = tempFiles(Object.fromEntries(REFUSED.map(([, data], i) => [`s${i}.json`, JSON.stringify(data)])));
    const validated = cliSeries(REFUSED.map((_, i) => ['validate', join(dir, `s${i}.json`)])) as CliResult[];
    for (const [i, [what, data, refusal]] of REFUSED.entries()) {
      assert.equal(validated[i]!.status, 2, `${what}: ${validated[i]!.stdout}`);
      assert.match(validated[i]!.stderr, refusal, what);
      assert.equal(check(data), false, `${what}: the schema accepts ${JSON.stringify(data)}`);
    }
  });

  it("accepts a protocol's own, and leaves a protocol file's open", () => {
    for (const data of ACCEPTED) assert.ok(check(data), `${JSON.stringify(data)}: ${JSON.stringify(check.errors)}`);
  });
});
