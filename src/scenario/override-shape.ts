/**
 * What is wrong with overrides a library caller gave `loadScenario`, as [the option, the problem],
 * or null: the CLI's flags are held to their shape as they are parsed, but a caller's object was
 * read key by key, so a key it does not know (`{ loss: '0.2' }`, meant as `set: ['loss=0.2']`)
 * was ignored and the scenario ran with its own values, and a number where text is read
 * (`{ trials: 1000 }`) stopped with `text.trim is not a function`.
 */
export function overridesProblem(overrides: unknown): readonly [string, string] | null {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
    return ['overrides', `${describeValue(overrides)} is not an object of trials, seed, precision, set and sweep`];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (TEXT_KEYS.includes(key)) {
      if (typeof value !== 'string') return [`overrides.${key}`, `${describeValue(value)} is not text: give it as the flag takes it, such as '1000'`];
    } else if (LIST_KEYS.includes(key)) {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        return [`overrides.${key}`, `${describeValue(value)} is not a list of texts, such as ['${key === 'set' ? 'loss=0.2' : 'loss=0.1,0.2'}']`];
    } else return [`overrides.${key}`, `not an override (trials, seed, precision, set or sweep): a scenario's value is given as set: ['${key}=…']`];
  }
  return null;
}

const TEXT_KEYS: readonly string[] = ['trials', 'seed', 'precision'];
const LIST_KEYS: readonly string[] = ['set', 'sweep'];

/** A value as a message names it: text quoted, anything else as JSON would write it, or its type. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 60 ? `${json.slice(0, 57)}…` : json;
  } catch {
    // a cycle or a BigInt: its type says enough
  }
  return `a ${typeof value}`;
}
