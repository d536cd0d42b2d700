import { jsonFormatEscaped } from '../io/text.js';

/** A number as a plain decimal, never in exponent form, with every digit of its shortest round trip. */
export function plainNumber(x: number): string {
  if (!Number.isFinite(x)) return '';
  const text = String(x);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = lead! + fraction;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  return sign + digits.padEnd(exponent + 1, '0');
}

/**
 * A value as JSON text whose numbers are plain decimals (plainNumber), as the CSV prints them:
 * JSON.stringify writes 1e-7 and 1.0000000000000005e-7. Strings keep their text, a format control
 * in them (U+202E, U+2028, U+FEFF) written as an escape as the C0 controls are (jsonFormatEscaped).
 */
export function plainJson(value: unknown, indent?: number): string {
  return jsonFormatEscaped(
    (JSON.stringify(value, null, indent) ?? 'null').replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE][+-]?\d+/g, (token) =>
      token.startsWith('"') ? token : plainNumber(Number(token)),
    ),
  );
}

/** For people: a proportion with enough digits to see its interval, small ones in exponent form. */
export function shortNumber(x: number, significant = 4): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-3 && magnitude < 1e6) return Number(x.toPrecision(significant)).toString();
  return x
    .toExponential(significant - 1)
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
}

/** A proportion to a fixed number of decimals when at least 0.001, else in exponent form. */
export function shortProportion(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0 || x === 1) return String(x);
  if (x > 0.99999) return `1−${(1 - x).toExponential(1).replace('e+', 'e')}`;
  if (Math.abs(x) >= 1e-3) return x.toFixed(5);
  return x.toExponential(2).replace('e+', 'e');
}

/** An exact probability for people, to `significant` digits, but never rounded to a sure 1 that is not one (0.999999999 is 1−1.0e-9). */
export function exactProportion(x: number, significant = 6): string {
  const text = shortNumber(x, significant);
  return text === '1' && x !== 1 ? shortProportion(x) : text;
}

export function signed(z: number, decimals = 2): string {
  return (z >= 0 ? '+' : '−') + Math.abs(z).toFixed(decimals);
}

export { thousands } from '../io/text.js';
