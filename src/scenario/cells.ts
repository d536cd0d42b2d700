import { crashParameterName, parameterSpec } from '../catalog/parameters.js';
import type { Cell, Scenario } from './types.js';

/**
 * Every combination of the sweep's values, the first axis varying slowest. Setting loss
 * replaces per-direction losses and vice versa, so each cell names its losses one way only.
 */
export function expandCells(scenario: Scenario): Cell[] {
  let combos: Record<string, number | string>[] = [{ ...scenario.params }];
  for (const axis of scenario.sweep) {
    combos = combos.flatMap((params) => axis.values.map((value) => withParam(params, axis.parameter, value, scenario.protocolDefinition.roles ?? [])));
  }
  return combos.map((params, index) => ({ scenario, index, params, key: cellKey(scenario, params) }));
}

function withParam(params: Record<string, number | string>, name: string, value: number, roles: readonly string[]): Record<string, number | string> {
  const next = { ...params, [name]: value };
  const spec = parameterSpec(name);
  if (spec?.perDirection) {
    delete next[`${name}AtoB`];
    delete next[`${name}BtoA`];
  } else if (spec?.perRole) {
    for (const key of Object.keys(next)) if (parameterSpec(key)?.roleOf === name) delete next[key];
  } else if (spec?.roleOf && next[spec.roleOf] !== undefined) {
    // One role's crash rate swept under a crash rate for every role: the others keep that rate.
    for (const role of roles) next[crashParameterName(role)] ??= next[spec.roleOf]!;
    delete next[spec.roleOf];
  } else if (spec?.directionOf && next[spec.directionOf] !== undefined) {
    const base = spec.directionOf;
    next[`${base}AtoB`] ??= next[base]!;
    next[`${base}BtoA`] ??= next[base]!;
    delete next[base];
  }
  return next;
}

/**
 * Canonical text naming a cell: protocol, channel and parameters sorted by name. A crash rate of
 * 0 is left out, so a crash-free cell of a crash sweep draws exactly what the cell without crash
 * parameters draws. So is a channel file's path where the cell has the files' digest (which
 * covers each file's parameter and bytes): the same trace draws alike however its path is
 * written (`t.txt`, `./t.txt`, `../data/t.txt` or absolute, from any folder).
 */
export function cellKey(scenario: Pick<Scenario, 'protocol' | 'channel'>, params: Readonly<Record<string, number | string>>): string {
  const parts = Object.keys(params)
    .filter((name) => !(params[name] === 0 && isCrashParameter(name)))
    .filter((name) => !(params['digest'] !== undefined && parameterSpec(name)?.text === 'file'))
    .sort()
    .map((name) => `${name}=${params[name]}`);
  return `${scenario.protocol}|${scenario.channel}|${parts.join(',')}`;
}

function isCrashParameter(name: string): boolean {
  const spec = parameterSpec(name);
  return spec?.perRole === true || spec?.roleOf !== undefined;
}
