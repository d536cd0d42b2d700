/** Values a scenario file may leave out besides parameters (whose defaults their declarations give). */
export const DEFAULTS = {
  channel: 'bernoulli',
  trials: 1000000,
  seed: 2026,
} as const;

/** The built-in scenario `run` uses with no file: the seed's foot soldiers. */
export const DEFAULT_SCENARIO_SOURCE = '(default scenario)';

export const DEFAULT_SCENARIO: Readonly<Record<string, unknown>> = {
  name: 'seed-foot-soldiers',
  description: 'One in two messengers is lost; A sends two. How often do the generals attack together?',
  protocol: 'messenger',
  channel: DEFAULTS.channel,
  loss: 0.5,
  redundancy: 2,
  rounds: 1,
  trials: DEFAULTS.trials,
  seed: DEFAULTS.seed,
};
