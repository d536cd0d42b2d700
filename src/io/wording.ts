import { thousands } from './text.js';

/**
 * Words around the numbers and names a message prints: a noun after a count is singular only for
 * exactly one ("1 packet", "1.5 packets", "0 packets"), and a name ending in s takes a bare
 * apostrophe ("rounds' range", "redundancy's range").
 */

/**
 * The noun for `n` of it: `noun` for exactly 1, else `nouns` (the noun with an s, unless given).
 * `n` may be the number as printed ("1" for a mean of 1.00002 shown to four figures).
 */
export function nounFor(n: number | string, noun: string, nouns = `${noun}s`): string {
  return n === 1 || n === '1' ? noun : nouns;
}

/** A count, grouped as `thousands` groups it, and its noun: "1 packet", "1,024 packets". */
export function counted(n: number, noun: string, nouns?: string): string {
  return `${thousands(n)} ${nounFor(n, noun, nouns)}`;
}

/** The possessive of a name: "redundancy's", and "rounds'" for one that ends in s. */
export function possessive(name: string): string {
  return name.endsWith('s') || name.endsWith('S') ? `${name}'` : `${name}'s`;
}

/**
 * What a protocol's method returned, as a refusal shows it: text in quotes ('4', not 4, where a
 * number was wanted), a BigInt with its n (4n, not 4), a list, object or function by its kind
 * (never a function's source, lines long), anything else as JavaScript prints it (−0 as -0, not
 * as String's 0: a configure that made a given 0 into −0 was refused as changing it from 0 to 0).
 */
export function returnedValue(value: unknown): string {
  if (Object.is(value, -0)) return '-0';
  if (typeof value === 'string') return `the text '${value.length > 40 ? `${value.slice(0, 37)}…` : value}'`;
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** Names in a sentence: "a", "a and b", "a, b and c". */
export function joinedWithAnd(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** A confidence level as a percentage: 0.95 as "95%", 0.57 as "57%" (not 56.99999999999999%, the product's double). */
export function percentOf(confidence: number): string {
  return `${+(confidence * 100).toPrecision(12)}%`;
}
