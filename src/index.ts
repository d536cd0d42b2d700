/** The library behind the CLI: load scenarios, run them, read the results. */
export { runExperiment } from './experiment.js';
export type { ExperimentOptions } from './experiment.js';
export { loadScenario, resolveScenario } from './scenario/resolve.js';
export { parseScenarioText } from './scenario/parse.js';
export { expandCells } from './scenario/cells.js';
export type { Cell, Scenario } from './scenario/types.js';
export { buildCellModel } from './engine/model.js';
export { exactCell } from './engine/exact/index.js';
export type { ExactResult } from './engine/exact/index.js';
export { runCells } from './engine/schedule/runner.js';
export type { CellResult } from './engine/schedule/runner.js';
export { summarize } from './stats/summary.js';
export type { CellSummary } from './stats/summary.js';
export { judgeExpectations } from './stats/expectations.js';
export { traceTrial } from './trace/trace.js';
export { PROTOCOLS } from './catalog/protocols.js';
export { CHANNELS } from './catalog/channels.js';
export { UsageError } from './errors.js';
