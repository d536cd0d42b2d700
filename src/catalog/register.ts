import { PROTOCOLS } from './protocols.js';
import type { ProtocolDefinition } from '../contract/protocol.js';
import { COMMON_PARAMETERS, PARAMETERS, RESERVED_NAMES, numericParameterProblem, refreshParameters } from './parameters.js';

/**
 * Adds a protocol to the catalog for this process: from then on the JSON Schema, validation,
 * `--set`/`--sweep`, `list`, cells and both engines know it, exactly as they know a built-in one.
 * Throws RegistryClash where its name or one of its parameters' names is taken.
 */
export function registerProtocol(protocol: ProtocolDefinition<any>): void {
  if (Object.hasOwn(PROTOCOLS, protocol.name)) throw new RegistryClash(`a protocol named '${protocol.name}' already exists`);
  checkParameterNames(
    protocol.parameters.map((p) => p.name),
    `protocol ${protocol.name}`,
  );
  const problem = numericParameterProblem(protocol);
  if (problem) throw new RegistryClash(problem);
  PROTOCOLS[protocol.name] = protocol;
  refreshParameters();
}

/** Removes what was registered (tests). */
export function unregister(name: string): void {
  delete PROTOCOLS[name];
  refreshParameters();
}

export class RegistryClash extends Error {
  override name = 'RegistryClash';
}

/**
 * Top-level parameter names must not collide with the scenario's own keys or a channel's, a
 * common or a crash rate's parameter. Another protocol's parameter of the same name is the
 * protocol's own: each reads its own declaration (`parameterSpec(name, protocol)`), and their
 * cells share one column.
 */
function checkParameterNames(names: readonly string[], owner: string): void {
  for (const name of names) {
    if (RESERVED_NAMES.includes(name)) throw new RegistryClash(`${owner}: parameter '${name}' is a scenario key`);
    // A cell's columns, --set and --sweep name parameters by name alone: a channel's or a common one's is everyone's.
    if (COMMON_PARAMETERS.some((p) => p.name === name) || PARAMETERS.some((p) => p.name === name && p.protocol === undefined)) {
      throw new RegistryClash(`${owner}: parameter '${name}' is already defined`);
    }
  }
}
