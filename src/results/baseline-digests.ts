import { UsageError } from '../errors.js';
import type { Report } from '../report.js';

/**
 * Which saved run each `notWorseThan` gate was judged against: per scenario, per `expect` entry,
 * the baseline results.json's digest (null for an entry without a baseline). A saved
 * results.json records them, so that a re-export judges its gates against the same runs, or is
 * refused where a baseline has been replaced since: its verdicts (JSON, JUnit, the exit code)
 * are those of the saved run, never a new judgement under the old run's name.
 */
export type BaselineDigests = readonly (readonly (string | null)[])[];

/** The digests of the baselines the report's gates are judged against; undefined where no gate has one. */
export function baselineDigests(report: Report): BaselineDigests | undefined {
  const lookup = report.baselines;
  if (lookup === undefined || !report.scenarios.some((s) => s.expect.some((e) => e.notWorseThan !== undefined))) return undefined;
  return report.scenarios.map((s) => s.expect.map((e) => (e.notWorseThan === undefined ? null : (lookup(e, s).digest ?? null))));
}

/** Whether a value read from a file is digests as baselineDigests gives them, for `scenarioCount` scenarios. */
export function isBaselineDigests(value: unknown, scenarioCount: number): value is BaselineDigests {
  return (
    Array.isArray(value) &&
    value.length === scenarioCount &&
    value.every((entries) => Array.isArray(entries) && entries.every((d) => d === null || typeof d === 'string'))
  );
}

/**
 * Refuses a re-export whose gates would be judged against a baseline other than the one the
 * saved run was judged against (a baseline saved again, or another run put in its place).
 * `recorded` is what the saved results.json holds; a file without the record is not checked.
 */
export function checkSameBaselines(report: Report, recorded: BaselineDigests | undefined, savedPath: string): void {
  if (recorded === undefined) return;
  const now = baselineDigests(report);
  for (const [i, scenario] of report.scenarios.entries()) {
    for (const [j, e] of scenario.expect.entries()) {
      const then = recorded[i]?.[j] ?? null;
      if (e.notWorseThan === undefined || then === null || now?.[i]?.[j] === then) continue;
      throw new UsageError(
        e.place ?? savedPath,
        `notWorseThan ${e.notWorseThan}: not the baseline that ${savedPath} was judged against (its digest differs from the one recorded there): re-run the scenario to judge it against the baseline as it is now`,
      );
    }
  }
}
