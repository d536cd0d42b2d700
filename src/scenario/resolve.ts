import { basename, extname } from 'node:path';
import { UsageError } from '../errors.js';
import { DEFAULTS, DEFAULT_SCENARIO, DEFAULT_SCENARIO_SOURCE } from './defaults.js';
import { applyOverrides } from './overrides.js';
import type { Overrides } from './overrides.js';
import { PARAMETERS, parameterSpec } from './parameters.js';
import { DEFAULT_MAX_TRIALS } from './schema.js';
import { parseScenarioText, readScenarioFile } from './parse.js';
import type { ScenarioSource } from './parse.js';
import type { Expectation, Scenario, SweepAxis } from './types.js';
import { validateScenarioData } from './validate.js';

/** Hyperfine's limit for a parameter scan, applied to one axis and to the whole grid. */
export const MAX_CELLS = 100000;

/** Reads, overrides, validates and resolves a scenario file (or the built-in default). */
export function loadScenario(file: string | undefined, overrides: Overrides = {}): Scenario {
  const source = file === undefined ? defaultSource() : readScenarioFile(file);
  return resolveScenario(applyOverrides(source, overrides));
}

function defaultSource(): ScenarioSource {
  const source = parseScenarioText(JSON.stringify(DEFAULT_SCENARIO), DEFAULT_SCENARIO_SOURCE);
  return { ...source, locate: () => DEFAULT_SCENARIO_SOURCE };
}

export function resolveScenario(source: ScenarioSource): Scenario {
  validateScenarioData(source);
  const data = source.data;
  const name = (data['name'] as string | undefined) ?? nameFromFile(source.source);
  const protocol = data['protocol'] as string;
  const channelValue = data['channel'] ?? DEFAULTS.channel;
  const channelObject = typeof channelValue === 'string' ? { model: channelValue } : (channelValue as Record<string, unknown>);
  const channel = channelObject['model'] as string;
  const params: Record<string, number | string> = {
    ...channelParams(source, channel, channelObject),
    redundancy: (data['redundancy'] as number | undefined) ?? DEFAULTS.redundancy,
    rounds: (data['rounds'] as number | undefined) ?? DEFAULTS.rounds,
    ...protocolParams(source, protocol),
  };
  const sweep = Object.entries((data['sweep'] as Record<string, unknown> | undefined) ?? {}).map(([parameter, values]) => {
    checkApplies(source, ['sweep', parameter], parameter, protocol, channel);
    return sweepAxis(source, parameter, values);
  });
  const cellCount = sweep.reduce((n, axis) => n * axis.values.length, 1);
  if (cellCount > MAX_CELLS) {
    throw new UsageError(source.locate(['sweep']), `the sweep has ${cellCount} cells; at most ${MAX_CELLS} are allowed`);
  }
  const resolved = {
    name,
    description: (data['description'] as string | undefined) ?? '',
    protocol,
    channel: channelValue,
    ...(channel === 'bernoulli' ? { loss: data['loss'] ?? DEFAULTS.loss } : {}),
    redundancy: params['redundancy'],
    rounds: params['rounds'],
    ...(protocol === 'two-phase-commit' ? { participants: params['participants'], abortRate: params['abortRate'] } : {}),
    trials: trialsOf(data['trials']),
    seed: String(data['seed'] ?? DEFAULTS.seed),
    ...(sweep.length ? { sweep: Object.fromEntries(sweep.map((a) => [a.parameter, a.values])) } : {}),
    ...(data['expect'] ? { expect: data['expect'] } : {}),
  };
  return {
    name,
    description: resolved.description,
    source: source.source,
    protocol,
    channel,
    params,
    sweep,
    trials: typeof resolved.trials === 'number' ? resolved.trials : resolved.trials.maxTrials,
    ...(typeof resolved.trials === 'number' ? {} : { precision: resolved.trials.precision }),
    seed: resolved.seed,
    expect: (data['expect'] as Expectation[] | undefined) ?? [],
    resolved,
  };
}

/** The channel's parameters, flat: loss for bernoulli, the channel object's keys otherwise. */
function channelParams(source: ScenarioSource, channel: string, object: Record<string, unknown>): Record<string, number | string> {
  if (channel === 'bernoulli') return lossParams(source.data['loss'] ?? DEFAULTS.loss);
  if (source.data['loss'] !== undefined) {
    const takes = PARAMETERS.filter((p) => p.channel === channel).map((p) => p.name);
    throw new UsageError(source.locate(['loss'], true), `loss applies only to the bernoulli channel; the ${channel} channel takes ${[...takes, ...(channel === 'cut' ? ['direction'] : [])].join(', ')} in its channel object`);
  }
  const params: Record<string, number | string> = {};
  for (const spec of PARAMETERS.filter((p) => p.channel === channel)) {
    const value = (object[spec.name] as number | undefined) ?? spec.default;
    if (value !== undefined) params[spec.name] = value;
  }
  if (channel === 'cut') params['direction'] = (object['direction'] as string | undefined) ?? 'both';
  return params;
}

/** participants and abortRate, for two-phase commit; elsewhere they are mistakes. */
function protocolParams(source: ScenarioSource, protocol: string): Record<string, number> {
  const params: Record<string, number> = {};
  for (const spec of PARAMETERS.filter((p) => p.protocol)) {
    const value = source.data[spec.name] as number | undefined;
    if (spec.protocol !== protocol) {
      if (value !== undefined) checkApplies(source, [spec.name], spec.name, protocol, '');
      continue;
    }
    params[spec.name] = value ?? spec.default!;
  }
  return params;
}

function checkApplies(source: ScenarioSource, path: (string | number)[], parameter: string, protocol: string, channel: string): void {
  const spec = parameterSpec(parameter)!;
  if (spec.protocol && spec.protocol !== protocol) {
    throw new UsageError(source.locate(path, true), `${parameter} applies only to the ${spec.protocol} protocol, not to ${protocol}`);
  }
  if (spec.channel && channel && spec.channel !== channel) {
    throw new UsageError(source.locate(path, true), `${parameter} applies only to the ${spec.channel} channel, not to ${channel}`);
  }
}

function trialsOf(value: unknown): number | { precision: number; maxTrials: number } {
  if (value === undefined) return DEFAULTS.trials;
  if (typeof value === 'number') return value;
  const { precision, maxTrials = DEFAULT_MAX_TRIALS } = value as { precision: number; maxTrials?: number };
  return { precision, maxTrials };
}

function nameFromFile(source: string): string {
  if (source === DEFAULT_SCENARIO_SOURCE) return String(DEFAULT_SCENARIO['name']);
  const stem = basename(source, extname(source)).replace(/[^A-Za-z0-9._-]/g, '-');
  return /^[A-Za-z0-9]/.test(stem) ? stem : `scenario-${stem}`;
}

function lossParams(loss: unknown): Record<string, number> {
  if (typeof loss === 'number') return { loss };
  const { AtoB, BtoA } = loss as { AtoB: number; BtoA: number };
  return { lossAtoB: AtoB, lossBtoA: BtoA };
}

/** A sweep axis's values: a list as given, or a range expanded from `from` by `step` to `to`. */
function sweepAxis(source: ScenarioSource, parameter: string, spec: unknown): SweepAxis {
  const path = ['sweep', parameter];
  const values = Array.isArray(spec) ? (spec as number[]) : expandRange(source, path, spec as RangeSpec);
  const seen = new Set<number>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) throw new UsageError(source.locate([...path, i]), `sweep.${parameter} lists ${v} twice`);
    seen.add(v);
  }
  return { parameter, values };
}

interface RangeSpec {
  from: number;
  to: number;
  step?: number;
}

function expandRange(source: ScenarioSource, path: string[], { from, to, step = 1 }: RangeSpec): number[] {
  const name = path.join('.');
  if (to < from) throw new UsageError(source.locate(path), `${name} is empty: from ${from} is above to ${to}`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_CELLS) throw new UsageError(source.locate(path), `${name} has ${count} values; at most ${MAX_CELLS} are allowed`);
  const spec = parameterSpec(path[1]!)!;
  const values: number[] = [];
  // Multiplying rather than accumulating, and rounding to 12 digits, keeps 0.1:0.5:0.1 at 0.3, not 0.30000000000000004.
  for (let i = 0; i < count; i++) values.push(Number((from + i * step).toPrecision(12)));
  if (values.some((v) => v > spec.maximum)) {
    throw new UsageError(source.locate(path), `${name} reaches above ${spec.maximum}`);
  }
  return values;
}
