import type { Expectation, Scenario } from './scenario/types.js';
import type { CellSummary } from './stats/summary.js';

/**
 * A finished run as everything downstream sees it — the exporters, the expectations, plan and
 * the result folders: the summaries of all cells and what produced them. Its own module, so that
 * stats/ and export/ both use it without one importing the other.
 */
export interface Report {
  readonly tool: { readonly name: string; readonly version: string };
  readonly scenarios: readonly Scenario[];
  readonly summaries: readonly CellSummary[];
  readonly blockSize: number;
  readonly confidence: number;
  /** The saved runs that `notWorseThan` expectations compare with, once loaded. */
  readonly baselines?: BaselineLookup;
  /** The digest of the saved results.json this report was read from (a baseline): which run it is. */
  readonly digest?: string;
}

/** The saved report a `notWorseThan` entry names, looked up by the path as written in its scenario. */
export type BaselineLookup = (expectation: Expectation, scenario: Scenario) => Report;
