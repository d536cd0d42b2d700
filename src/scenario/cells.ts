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
  if (name === 'loss') {
    delete next['lossAtoB'];
    delete next['lossBtoA'];
  } else if ((name === 'lossAtoB' || name === 'lossBtoA') && next['loss'] !== undefined) {
    next['lossAtoB'] ??= next['loss'];
    next['lossBtoA'] ??= next['loss'];
    delete next['loss'];
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
