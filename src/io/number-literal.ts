/**
 * Numbers the user writes that a double would hold as another number: a literal that is not zero
 * read as 0 (1e-400), one below the normal range read with fewer digits than written (4e-324 is
 * 4.9e-324), one beyond the largest double read as infinity (1e400), and one past 2^53 read as a
 * neighbouring whole number (9007199254740993 is 9007199254740992). Such a number would run as
 * the other one and be printed as it, so every place a number comes in (scenario files, `--set`,
 * every flag) refuses it with these words. A number in range that is merely not exact in binary
 * (0.1) reads as the nearest double, as everywhere: that is no misreading, since the shortest
 * decimal that reads back as that double is the one written, and the exact engines take that
 * decimal's rational (1/10). One written with more digits than a double keeps
 * (0.1234567890123456789, whose double's shortest decimal is 0.12345678901234568) is refused:
 * it would run, and be printed, as that other decimal.
 */

/** The decimal and (YAML 1.2 core schema) hexadecimal and octal ways of writing a number. */
const DECIMAL = /^([-+]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([-+]?\d+))?$/;
const HEX_OR_OCTAL = /^([-+]?)0(?:(x)([0-9a-fA-F]+)|(o)([0-7]+))$/;

/** The least positive normal double: below it a double holds fewer digits (subnormal numbers). */
const LEAST_NORMAL = 2 ** -1022;
const TWO_TO_53 = 2 ** 53;

/** A literal's exact value as integer · 10^exponent (a decimal's without trailing zeros), or null where `text` writes no number. */
function exactValue(text: string): { integer: bigint; exponent: number } | null {
  const hex = HEX_OR_OCTAL.exec(text);
  if (hex) {
    const magnitude = BigInt(hex[2] ? `0x${hex[3]}` : `0o${hex[5]}`);
    return { integer: hex[1] === '-' ? -magnitude : magnitude, exponent: 0 };
  }
  const decimal = DECIMAL.exec(text);
  if (!decimal) return null;
  const fraction = decimal[3] ?? decimal[4] ?? '';
  const digits = `${decimal[2] ?? ''}${fraction}`.replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant === '') return { integer: 0n, exponent: 0 };
  const magnitude = BigInt(significant);
  // An exponent of millions of digits is no probability, count or seed: clamped, its size alone is what is wrong.
  const exponent = Math.max(-1e6, Math.min(1e6, Number(decimal[5] ?? '0'))) - fraction.length + (digits.length - significant.length);
  return { integer: decimal[1] === '-' ? -magnitude : magnitude, exponent };
}

/** integer · 10^exponent with the integer's trailing zeros moved into the exponent: one form per number. */
function normalized(exact: { integer: bigint; exponent: number }): { integer: bigint; exponent: number } {
  let { integer, exponent } = exact;
  if (integer === 0n) return { integer, exponent: 0 };
  while (integer % 10n === 0n) {
    integer /= 10n;
    exponent++;
  }
  return { integer, exponent };
}

/**
 * Whether the number written is `value` (a double past 2^53): the whole number the double holds
 * exactly (2^60 written to its last digit, 1152921504606846976, whose shortest text is
 * 1152921504606847000), or the one its shortest text writes (1e23, 1e308, written to the digits
 * a double keeps). Past 2^53 a double keeps only some of a whole number's digits:
 * 9007199254740993 is neither, and reads back as 9007199254740992.
 */
function readsBackAsWritten(exact: { integer: bigint; exponent: number }, value: number): boolean {
  // Every double from 2^53 on is a whole number, so BigInt holds it to its last digit.
  return sameNumber(exact, { integer: BigInt(value), exponent: 0 }) || sameNumber(exact, exactValue(shortestText(value)));
}

/** The shortest decimal that reads back as `value`, as the tool prints it and the exact engines take it (decimal-ratio.ts). */
function shortestText(value: number): string {
  return String(value).replace('e+', 'e');
}

/** Whether two literals' exact values are the same number (0.10 and 1e-1 are). */
function sameNumber(a: { integer: bigint; exponent: number }, b: { integer: bigint; exponent: number } | null): boolean {
  if (b === null) return false;
  const [x, y] = [normalized(a), normalized(b)];
  return x.integer === y.integer && x.exponent === y.exponent;
}

/** A double for the words below: a subnormal one to all 17 digits (4.9406564584124654e-324, where its shortest text is 5e-324), any other as it reads back. */
function shown(value: number): string {
  return Math.abs(value) < LEAST_NORMAL ? value.toPrecision(17).replace(/\.?0+e/, 'e') : String(value);
}

/**
 * Why the number written as `text` would be read as another number than `value` (what Number or
 * the YAML reader made of it), in words for a refusal; null where it is read as written, or where
 * `text` is not written as a number (`.inf`, a word).
 */
export function misreadNumber(text: string, value: number): string | null {
  const written = text.trim();
  const exact = exactValue(written);
  if (exact === null || Number.isNaN(value)) return null;
  if (value === 0 || Object.is(value, -0)) {
    if (exact.integer === 0n) return null;
    return `${written} is below the smallest positive number a double holds (about 4.9e-324), so it would be read as 0: write 0 if you mean 0`;
  }
  if (!Number.isFinite(value)) return `${written} is beyond the largest number a double holds (about 1.8e308), so it would be read as infinity`;
  if (Math.abs(value) < LEAST_NORMAL)
    return `${written} is below the smallest number a double holds to all its digits (about 2.2e-308): it would be read as ${shown(value)}; write 0 if you mean 0`;
  if (Math.abs(value) >= TWO_TO_53 && !readsBackAsWritten(exact, value))
    return `${written} is past 2^53 (9007199254740992), beyond which a double does not hold every whole number, so it would be read as ${shown(value)}`;
  if (Math.abs(value) < TWO_TO_53 && !sameNumber(exact, exactValue(shortestText(value))))
    return `${written} has more digits than a double holds (about 17), so it would be read as ${shortestText(value)}: write ${shortestText(value)}`;
  return null;
}

/**
 * The number `text` writes the way a scenario file's numbers are written (decimal, or YAML's
 * 0x and 0o; spaces around it allowed), or NaN for any other text Number() would still read
 * (0b11, Infinity, an empty string as 0): a flag takes a number as `--set` and files take it.
 */
export function literalNumber(text: string): number {
  const written = text.trim();
  return exactValue(written) === null ? Number.NaN : Number(written);
}

/** Like misreadNumber, for text read with Number(): why it would be read as another number, or null. */
export function misreadText(text: string): string | null {
  return misreadNumber(text, Number(text.trim()));
}
