import { PLAN_SOURCE_COLUMN, PLAN_VERDICT_COLUMN, writtenColumns } from '../export/rows.js';
import { PARAMETERS, crashParameterName } from '../catalog/parameters.js';
import { PROTOCOLS } from '../catalog/protocols.js';
import type { ParameterDeclaration } from '../contract/parameter.js';
import type { OutcomeSet } from '../contract/protocol.js';
import { possessive } from '../io/wording.js';
import { parameterTitle } from '../export/markup.js';

/**
 * What a protocol's names must not do, or null: an outcome or parameter named like another, or
 * like any column the tool writes (its counts would overwrite `trials` or `protocol` in the CSV
 * and JSON), and success and disagreement sets that overlap (a trial would count as both).
 * Other protocols' outcomes and parameters matter too, but for a parameter of the same name as
 * another protocol's parameter: that is each one's own (its range, default and description), read
 * only in its own protocol's scenarios, and their cells share the column (participants of
 * two-phase commit and of a file, lined up in one CSV and one chart).
 */
export function namingProblem(
  protocol: string,
  outcomes: Pick<OutcomeSet, 'names' | 'success' | 'disagreement'> & Partial<Pick<OutcomeSet, 'labels' | 'shown'>>,
  parameters: readonly Pick<ParameterDeclaration, 'name'>[],
  roles: readonly string[] = [],
): string | null {
  const twice = (names: readonly string[]): string | undefined => names.find((n, i) => names.indexOf(n) !== i);
  const outcome = twice(outcomes.names);
  if (outcome) return `outcomes.names lists '${outcome}' twice: each outcome needs a name of its own`;
  const parameter = twice(parameters.map((p) => p.name));
  if (parameter) return `parameters declares '${parameter}' twice`;
  const own = new Set(parameters.map((p) => p.name));
  // The columns besides the outcomes' own (`both`, `both_exact`), and every other parameter's.
  const counted = new Set([...outcomes.names, ...outcomes.names.map((o) => `${o}_exact`)]);
  // plan's own columns too: a target's metric is a column of its CSV and JSON beside them.
  const columns = new Set([...writtenColumns([]), PLAN_SOURCE_COLUMN, PLAN_VERDICT_COLUMN]);
  // An outcome may take no parameter's name; a parameter may take another protocol's parameter's.
  const taken = new Set([...columns, ...PARAMETERS.filter((p) => p.protocol !== protocol).map((p) => p.name)]);
  for (const name of outcomes.names) {
    if (taken.has(name) || taken.has(`${name}_exact`))
      return `outcome '${name}' is named like a column the tool writes (${taken.has(name) ? name : `${name}_exact`}): its count would overwrite it in the CSV and JSON; rename the outcome`;
    if (own.has(name)) return `outcome '${name}' has the name of one of its parameters: rename one`;
    const other = outcomes.names.find((o) => o !== name && `${o}_exact` === name);
    if (other) return `outcome '${name}' is named like outcome ${possessive(other)} exact column: rename one`;
  }
  for (const name of own) {
    const other = PARAMETERS.find((p) => p.protocol === undefined && p.name === name);
    if (other) return `parameter '${name}' is already defined (${definedBy(other)}): rename it`;
    if (columns.has(name) || counted.has(name) || name === 'model')
      return `parameter '${name}' is named like a column the tool writes or a scenario key: rename the parameter`;
    // Another protocol's outcome (a built-in's, or a file's loaded before in this command): in a
    // command running both, the parameter's value and the outcome's count would share one column.
    const shared = outcomeColumnOf(protocol, name);
    if (shared) return `parameter '${name}' is named like ${shared}; rename the parameter`;
  }
  // A role's crash rate is a parameter of its own (crashFollower), and a column where a scenario sets it.
  for (const role of roles) {
    const shared = outcomeColumnOf(protocol, crashParameterName(role));
    if (shared) return `role '${role}' has the crash rate ${crashParameterName(role)}, named like ${shared}; rename the role`;
  }
  const both = outcomes.success.find((i) => outcomes.disagreement.includes(i));
  if (both !== undefined) return `outcome ${outcomes.names[both] ?? both} is in both outcomes.success and outcomes.disagreement: a trial cannot count as both`;
  return titleProblem(outcomes, parameters);
}

/**
 * Another protocol's outcome column (a built-in's, or a file's loaded before in this command) that
 * a parameter named `name` would share in a command running both, in words; or null.
 */
function outcomeColumnOf(protocol: string, name: string): string | null {
  for (const other of Object.values(PROTOCOLS)) {
    const outcome = other.name === protocol ? undefined : other.outcomes.names.find((o) => o === name || `${o}_exact` === name);
    if (outcome !== undefined)
      return `${outcome === name ? `outcome '${outcome}'` : `outcome ${possessive(outcome)} exact column`} of the ${other.name} protocol: in a command that runs both, its value and that outcome's ${outcome === name ? 'count' : 'exact value'} would share one column of the CSV and JSON`;
  }
  return null;
}

/** Where a parameter of the catalog that is no protocol's own comes from, for a name a file's parameter would take again. */
function definedBy(other: (typeof PARAMETERS)[number]): string {
  if (other.channel) return `by the ${other.channel} channel`;
  // A role's crash rate (crashFollower for role follower), the file's own role's or another protocol's.
  if (other.role) return `as the crash rate of role ${other.role}, which crash: { ${other.role}: … } sets`;
  return 'for every protocol';
}

/**
 * What the table's and Markdown's column titles would misname, or null: a title (`outcomes.labels`,
 * an outcome `shown`) that reads as another column, so that a figure stands under a name that is
 * not its own. A label may name an outcome only where its set is that outcome alone, and may not
 * be the other set's title, a parameter's column or `messengers`.
 */
function titleProblem(
  outcomes: Pick<OutcomeSet, 'names' | 'success' | 'disagreement'> & Partial<Pick<OutcomeSet, 'labels' | 'shown'>>,
  parameters: readonly Pick<ParameterDeclaration, 'name'>[],
): string | null {
  const [success, disagreement] = outcomes.labels ?? ['success', 'disagreement'];
  // A parameter's short title (k), and its name, which titles it beside a parameter named as the short one.
  const columns = new Set(['messengers', '#', ...[...PARAMETERS, ...parameters].flatMap((p) => [p.name, parameterTitle(p.name)])]);
  const sets = [
    { key: 'success', label: success, indices: outcomes.success, other: disagreement, otherKey: 'disagreement' },
    { key: 'disagreement', label: disagreement, indices: outcomes.disagreement, other: success, otherKey: 'success' },
  ] as const;
  for (const { key, label, indices, other, otherKey } of sets) {
    if (label === other) return `outcomes.labels titles both success and disagreement '${label}': the two columns need titles of their own`;
    const where = `outcomes.labels titles ${key} '${label}'`;
    if (label === otherKey) return `${where}, the name of the ${otherKey} column: its figure would read as the other's; title it otherwise`;
    const named = outcomes.names.indexOf(label);
    if (named >= 0 && !(indices.length === 1 && indices[0] === named))
      return `${where}, the name of outcome ${named} (${label}), which is ${indices.includes(named) ? `not all of ${key}` : `not in ${key}`}: the column would read as that outcome's; title it otherwise`;
    if (columns.has(label)) return `${where}, the title of another column (${label}): title it otherwise`;
  }
  for (const i of outcomes.shown ?? []) {
    const name = outcomes.names[i];
    if (name !== undefined && columns.has(name))
      return `outcome '${name}' is shown (outcomes.shown) under the title of another column (${name}): rename it or leave it out of shown`;
  }
  return null;
}
