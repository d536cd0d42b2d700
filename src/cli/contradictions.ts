import type { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { MAX_FLAG_NESTING, flowNesting, sweepKey, sweptName } from '../scenario/overrides.js';

/** Flags that ask for opposite things: each pair is refused when both are given. */
const CONFLICTS: readonly (readonly [string, string, string])[] = [
  ['--trials', '--precision', 'a run stops either after a number of trials or at a precision'],
  ['--trial', '--first', 'say which trial either by its number or as the first with an outcome'],
  ['--quiet', '--progress', '--quiet shows no progress'],
];

/** How the user wrote an option on the command line: `--flag`, `--flag=value` or its short form. */
function writtenAs(token: string, option: Option): boolean {
  const names = [option.long, option.short].filter((n): n is string => n !== undefined);
  return names.some((n) => token === n || (n.startsWith('--') && token.startsWith(`${n}=`)));
}

/** The tokens of `args` that are options (up to a lone `--`), with the value that follows each. */
function givenOptions(command: Command, args: readonly string[]): { token: string; option: Option; value: string | undefined }[] {
  const given: { token: string; option: Option; value: string | undefined }[] = [];
  const options = [...command.options, ...(command.parent?.options ?? [])];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === '--') break;
    const option = options.find((o) => writtenAs(token, o));
    if (!option) continue;
    const takesValue = option.required || option.optional;
    const inline = token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined;
    // A required value is the next word whatever it starts with, as commander reads it (`--seed -5`).
    const next = args[i + 1];
    const value = inline ?? (next !== undefined && (option.required || (takesValue && !next.startsWith('-'))) ? args[++i] : undefined);
    given.push({ token: token.split('=')[0]!, option, value });
  }
  return given;
}

/**
 * A parameter both set to one value and swept (`--set loss=0.3 --sweep loss=0.1,0.2`), or varied
 * by plan (`--vary`), would silently be swept: refused. Keys as swept (`loss.AtoB` is `lossAtoB`).
 */
function refuseSetAndSweep(given: readonly { token: string; value: string | undefined }[]): void {
  const keys = (flag: string): string[] =>
    given.flatMap((g) => (g.token === flag && g.value !== undefined ? assignments(flag, g.value).map(([key]) => key) : []));
  for (const [flag, done] of [
    ['--sweep', 'swept'],
    ['--vary', 'varied'],
  ] as const) {
    const swept = new Set(keys(flag).map(sweepKey));
    const both = keys('--set').find((key) => swept.has(sweptName(key)));
    if (both !== undefined)
      throw new UsageError(`--set ${both}=… with ${flag} ${sweptName(both)}=…`, `${sweptName(both)} is either set to one value or ${done}: give one of them`);
  }
}

/** The key=value pairs of a repeatable flag's value: one for --set and --sweep, one or more for --vary (`a=1:4,b=1,2`). */
function assignments(flag: string, value: string): [string, string][] {
  const parts = flag === '--vary' ? value.split(/,(?=\s*[A-Za-z][\w.]*\s*=)/) : [value];
  return parts.filter((p) => p.includes('=')).map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]);
}

/** One key given two values by a repeatable flag (`--set loss=0.1 --set loss=0.2`) would silently take the last. */
function refuseRepeatedKeys(given: readonly { token: string; value: string | undefined }[]): void {
  for (const flag of ['--set', '--sweep', '--vary']) {
    const seen = new Map<string, string>();
    // A sweep's key as --set writes it is its parameter's name too (channel.after is after).
    const named = new Map<string, string>();
    for (const g of given) {
      if (g.token !== flag || g.value === undefined) continue;
      for (const [key, value] of assignments(flag, g.value)) {
        const same = flag === '--set' ? key : sweepKey(key);
        const before = seen.get(same);
        if (before !== undefined && before !== value)
          throw new UsageError(`${flag} ${named.get(same)}=${before} and ${key}=${value}`, `${same} is given two values: give it once`);
        seen.set(same, value);
        named.set(same, key);
        // `--set loss.AtoB=0.2 --set loss=0.1`: the whole, given after a part, would replace it.
        const part = flag === '--set' ? [...seen.keys()].find((k) => k.startsWith(`${key}.`)) : undefined;
        if (part !== undefined)
          throw new UsageError(`${flag} ${part}=${seen.get(part)} then ${key}=${value}`, `${key} would replace ${part}: give ${key} first, then ${part}`);
      }
    }
  }
}

/** Flags that set a scenario key `--set` can set too, and the key (`--precision h` is trials: { precision: h }). */
const SET_BY_FLAG: readonly (readonly [string, string])[] = [
  ['--trials', 'trials'],
  ['--seed', 'seed'],
  ['--precision', 'trials.precision'],
];

/** Whether a `--set` mapping (`trials={precision: 0.01, maxTrials: 1e6}`) holds the flag's value at `rest` (precision). */
function sameWithin(value: string, rest: string, flagValue: string): boolean {
  if (rest === '') return false;
  const part = partWithin(value, rest);
  return part !== undefined && Number(part) === Number(flagValue.trim());
}

/** The same text, or the same number written two ways (`1e6` and `1000000`; not for a seed, whose text is its stream). */
function sameValue(a: string, b: string): boolean {
  return a.trim() === b.trim() || (a.trim() !== '' && b.trim() !== '' && Number(a) === Number(b));
}

/** The part of a `--set` value (YAML) at the dotted path `rest`, if it has one. */
function partWithin(value: string, rest: string): unknown {
  let part: unknown;
  // Too deep for the YAML reader's stack: applyOverrides refuses such a value in one line.
  if (flowNesting(value) > MAX_FLAG_NESTING) return undefined;
  try {
    part = parseYaml(value, { logLevel: 'error' });
  } catch {
    return undefined;
  }
  for (const key of rest.split('.')) part = typeof part === 'object' && part !== null ? (part as Record<string, unknown>)[key] : undefined;
  return part;
}

/**
 * `--trials 600 --set trials=500` (or `--seed` beside `--set seed=…`, `--precision` beside `--set
 * trials=…`) would silently take one of the two: refused, unless both say the same. `--precision`
 * beside `--set trials.maxTrials=…` sets two parts of one thing, and is taken.
 */
function refuseSetBesideFlag(given: readonly { token: string; value: string | undefined }[]): void {
  const sets = given.flatMap((g) => (g.token === '--set' && g.value !== undefined ? assignments('--set', g.value) : []));
  for (const [flag, key] of SET_BY_FLAG) {
    const g = given.find((f) => f.token === flag && f.value !== undefined);
    if (!g) continue;
    for (const [k, v] of sets) {
      const overlaps = k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`);
      if (!overlaps || (k === key && (key === 'seed' ? v === g.value!.trim() : sameValue(v, g.value!))) || sameWithin(v, key.slice(k.length + 1), g.value!))
        continue;
      const why = k === key ? `${key} is given two values` : 'a run stops either after a number of trials or at a precision';
      throw new UsageError(`${flag} ${g.value} with --set ${k}=${v}`, `${why}: give one of them`);
    }
  }
  // `--sweep loss=0.1,0.2` beside `--set sweep.loss=[0.3]` (or a --set sweep holding loss); `=null` removes, and is taken.
  for (const [parameter, values] of given.flatMap((g) => (g.token === '--sweep' && g.value !== undefined ? assignments('--sweep', g.value) : []))) {
    const both = sets.find(([k, v]) => v !== 'null' && (k === `sweep.${parameter}` || (k === 'sweep' && partWithin(v, parameter) !== undefined)));
    if (both)
      throw new UsageError(`--sweep ${parameter}=${values} with --set ${both[0]}=${both[1]}`, `the sweep of ${parameter} is given twice: give one of them`);
  }
}

/** One flag's two values the same: the same text, or one number written two ways (`1e3`, `1000`); a seed's text is its stream. */
function sameGiven(key: string, a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  const numeric = (v: string | undefined): v is string => v !== undefined && v.trim() !== '' && Number.isFinite(Number(v));
  return key !== 'seed' && numeric(a) && numeric(b) && Number(a) === Number(b);
}

/**
 * Refuses, in one line, a command line that contradicts itself rather than silently taking one
 * side: an option and its negation (`--exact --no-exact`), one value given twice differently
 * (`--seed 1 --seed 2`), or two flags that ask for opposite things (`--trials` with `--precision`).
 */
export function refuseContradictions(command: Command, args: readonly string[]): void {
  const given = givenOptions(command, args);
  const seen = new Map<string, { token: string; option: Option; value: string | undefined }>();
  for (const { token, option, value } of given) {
    const repeatable = Array.isArray(option.defaultValue) || option.variadic;
    const key = option.attributeName();
    const before = seen.get(key);
    if (before && !repeatable) {
      // Another option of the same attribute is its negation (--exact, --no-exact); the same option
      // written another way (-f and --format) is the one flag given twice.
      if (before.option !== option) throw new UsageError(`${before.token} ${token}`, 'these ask for opposite things: give one of them');
      if (!sameGiven(key, before.value, value)) {
        const name = before.token === token ? token : (option.long ?? token);
        throw new UsageError(`${before.token} ${before.value} ${token} ${value}`, `${name} is given twice with different values: give it once`);
      }
    }
    seen.set(key, { token, option, value });
  }
  refuseSetAndSweep(given);
  refuseRepeatedKeys(given);
  refuseSetBesideFlag(given);
  const tokens = new Set(given.map((g) => g.token));
  for (const [a, b, why] of CONFLICTS) {
    if (tokens.has(a) && tokens.has(b)) throw new UsageError(`${a} with ${b}`, `${why}: give one of them`);
  }
}
