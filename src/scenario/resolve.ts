import { basename, extname } from 'node:path';
import { UsageError } from '../errors.js';
import { DEFAULTS, DEFAULT_SCENARIO, DEFAULT_SCENARIO_SOURCE } from './defaults.js';
import { applyOverrides } from './overrides.js';
import type { Overrides } from './overrides.js';
import { parameterSpec } from './parameters.js';
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
  const channelValue = data['channel'] ?? DEFAULTS.channel;
  const channel = typeof channelValue === 'string' ? channelValue : (channelValue as { model: string }).model;
  const params: Record<string, number> = {
    ...lossParams(data['loss'] ?? DEFAULTS.loss),
    redundancy: (data['redundancy'] as number | undefined) ?? DEFAULTS.redundancy,
    rounds: (data['rounds'] as number | undefined) ?? DEFAULTS.rounds,
  };
  const sweep = Object.entries((data['sweep'] as Record<string, unknown> | undefined) ?? {}).map(([parameter, values]) =>
    sweepAxis(source, parameter, values),
  );
  const cellCount = sweep.reduce((n, axis) => n * axis.values.length, 1);
  if (cellCount > MAX_CELLS) {
    throw new UsageError(source.locate(['sweep']), `the sweep has ${cellCount} cells; at most ${MAX_CELLS} are allowed`);
  }
  const resolved = {
    name,
    description: (data['description'] as string | undefined) ?? '',
    protocol: data['protocol'] as string,
    channel: channelValue,
    loss: data['loss'] ?? DEFAULTS.loss,
    redundancy: params['redundancy'],
    rounds: params['rounds'],
    trials: (data['trials'] as number | undefined) ?? DEFAULTS.trials,
    seed: String(data['seed'] ?? DEFAULTS.seed),
    ...(sweep.length ? { sweep: Object.fromEntries(sweep.map((a) => [a.parameter, a.values])) } : {}),
    ...(data['expect'] ? { expect: data['expect'] } : {}),
  };
  return {
    name,
    description: resolved.description,
    source: source.source,
    protocol: resolved.protocol,
    channel,
    params,
    sweep,
    trials: resolved.trials,
    seed: resolved.seed,
    expect: (data['expect'] as Expectation[] | undefined) ?? [],
    resolved,
  };
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
