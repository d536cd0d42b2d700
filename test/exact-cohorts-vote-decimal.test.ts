import { describe, it } from 'node:test';
import { exactCell } from '../src/engine/exact/index.js';
import { assertCohortFigures, cell } from './exact-helpers.js';
import type { CohortFigures } from './exact-helpers.js';

/**
 * Two-phase commit's independent cohorts weigh a cohort's vote by abortRate's decimal: abortRate
 * 0.9 is 9/10, and YES 1/10 exactly, not 1 − the double 0.9 (0.09999999999999997780, 2.2e-16 of
 * itself short), which every cohort's YES multiplied: at 64 cohorts committed, (1/10)^64 times the
 * chance that every vote is held and heard, printed 9.994318011308036e-65, 84 units in the last
 * place below the decimals' 9.9943180113081784e-65. At abortRate 0.3 (YES 7/10, whose double is
 * 4.4e-17 below it) committed was 1.2190674211060893e-10, 5 units above the decimals' value.
 *
 * The expected values were computed outside the tool from SPEC's model and the protocol's code,
 * not from the solver (the oracle of test/exact-cohorts-last-digit.test.ts: each cohort's chain
 * given when phase 1 ends, in mpmath until two precisions agree to 30 digits), every input the
 * exact rational of its decimal.
 */
interface Case extends CohortFigures {
  readonly abortRate: number;
}

const CASES: readonly Case[] = [
  {
    abortRate: 0.9,
    committed: '9.9943180113081783816846e-65',
    aborted: '0.9999936640197587755735235',
    blocked: '0.000006335980241224426476502107',
    messengers: '514.6097996672',
    sd: '3.96205568747196160221678',
    delivered: '463.14881970048',
    rounds: '2.748779387219980846668647',
  },
  {
    abortRate: 0.3,
    committed: '0.0000000001219067421106087936005417',
    aborted: '0.9999556488462612429993199',
    blocked: '0.00004435103183201489007129197',
    messengers: '514.6097996687259336661049',
    sd: '3.962055689042594476999863',
    delivered: '463.1488197018533402994944',
    rounds: '2.748779387400718543369883',
  },
];

describe("two-phase commit's cohorts vote by abortRate's decimal: 64 cohorts, R 3, loss 0.1, 2 copies", () => {
  for (const c of CASES) {
    it(`abortRate ${c.abortRate}: every column within a unit in its last place`, () => {
      const r = exactCell(cell('two-phase-commit', 'bernoulli', { participants: 64, rounds: 3, redundancy: 2, loss: 0.1, abortRate: c.abortRate }));
      assertCohortFigures(r, c, 1, `abortRate ${c.abortRate}`);
    });
  }
});
