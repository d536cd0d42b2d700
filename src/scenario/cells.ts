import { parameterSpec } from '../registry/parameters.js';
import type { Cell, Scenario } from './types.js';

/**
 * Every combination of the sweep's values, the first axis varying slowest. Setting loss
 * replaces per-direction losses and vice versa, so each cell names its losses one way only.
 */
export function expandCells(scenario: Scenario): Cell[] {
  let combos: Record<string, number | string>[] = [{ ...scenario.params }];
  for (const axis of scenario.sweep) {
    combos = combos.flatMap((params) => axis.values.map((value) => withParam(params, axis.parameter, value)));
  }
  return combos.map((params, index) => ({ scenario, index, params, key: cellKey(scenario, params) }));
}

function withParam(params: Record<string, number | string>, name: string, value: number): Record<string, number | string> {
  const next = { ...params, [name]: value };
  const spec = parameterSpec(name);
  if (spec?.perDirection) {
    delete next[`${name}AtoB`];
    delete next[`${name}BtoA`];
  } else if (spec?.directionOf && next[spec.directionOf] !== undefined) {
    const base = spec.directionOf;
    next[`${base}AtoB`] ??= next[base]!;
    next[`${base}BtoA`] ??= next[base]!;
    delete next[base];
  }
  return next;
}

/** Canonical text naming a cell: protocol, channel and parameters sorted by name. */
export function cellKey(scenario: Pick<Scenario, 'protocol' | 'channel'>, params: Readonly<Record<string, number | string>>): string {
  const parts = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`);
  return `${scenario.protocol}|${scenario.channel}|${parts.join(',')}`;
}
