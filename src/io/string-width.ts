/**
 * The columns a text takes, as the string-width package counts them, for the text tables and
 * progress bars print: the bundled CLI gives cli-table3 and cli-progress this in its place
 * (scripts/bundle.ts). string-width replaces emoji by a pattern of some 10 kB, which V8 compiles
 * on first use: about a tenth of a default run's start-up went there. Text made of printable
 * ASCII and the few symbols the reports print, with or without colour codes, holds no emoji and
 * is one column a character; anything else is measured by string-width itself.
 */

/** Printable ASCII and the reports' symbols: each one column wide, none part of any emoji. */
const NARROW = /^[\x20-\x7e\u00a7\u00b1\u00b2\u00b7\u00bd\u00d7\u2013\u2014\u2026\u2192\u2212\u221e\u2264\u2265\u2713\u2717]*$/;

/** Select Graphic Rendition codes (colour, bold), all that chalk writes. */
const SGR = /\u001b\[\d{1,3}(?:;\d{1,3})*m/g;

export function narrowWidth(text: unknown, stringWidth: (text: string) => number): number {
  if (typeof text !== 'string') return stringWidth(text as string);
  const plain = text.includes('\u001b') ? text.replace(SGR, '') : text;
  return NARROW.test(plain) ? plain.length : stringWidth(text);
}
