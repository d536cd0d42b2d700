/**
 * Text from files and flags on its way to a terminal or a document: control characters (ESC
 * and the rest of C0, DEL, C1) and the invisible bidirectional controls (Unicode's Bidi_Control:
 * U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) could move the cursor, recolour or
 * rewrite the screen, or reorder what is shown. They are written as visible escapes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string): string => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Neutralizes control characters; newlines and tabs are kept unless `oneLine`. */
export function terminalSafe(text: string, oneLine = false): string {
  const safe = text.replace(CONTROL, visible);
  return oneLine ? safe.replace(/\r?\n|\t/g, (c) => (c === '\t' ? ' ' : ' ')) : safe;
}

/**
 * Text from files, flags or protocols placed inside one line of terminal output: control
 * characters and bidirectional overrides as visible escapes, and line breaks too (`\n`), so a
 * value can neither rewrite the screen nor start a line that looks like the tool's own.
 */
export function inlineText(text: string): string {
  return terminalSafe(text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, ' '));
}

/** Every line of a plain-text output made safe for a terminal, the line breaks kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(inlineText).join('\n');
}

/**
 * Text inside a Mermaid diagram (a participant's name, a message, a note): one line, and the
 * characters Mermaid reads as syntax (`;` ends a statement, `#` starts an entity, `<` `>` are
 * markup, `%%` a comment) written as Mermaid entity codes.
 */
export function mermaidText(text: string): string {
  return inlineText(text).replace(/[#;<>]/g, (c) => `#${c.codePointAt(0)};`);
}

/**
 * A CSV text cell that a spreadsheet will show as text, never run as a formula (OWASP, "CSV
 * Injection"): a cell starting with =, +, -, @, a tab or a carriage return gets a leading '.
 */
export function csvText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Whether text holds anything terminalSafe would change. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/**
 * Free text as Markdown that shows exactly that text: control characters neutralized, HTML
 * special characters as entities, Markdown punctuation backslash-escaped, one paragraph.
 */
export function markdownText(text: string): string {
  return terminalSafe(text, true)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~!#]/g, (c) => `\\${c}`)
    .replace(/^(\d+)([.)])/, '$1\\$2')
    .replace(/^([-+=])/, '\\$1');
}

/** Text longer than `limit` shown by its two ends, `head` and `tail` characters (a flag's value of 40,000 characters in an error line). */
export function byItsEnds(text: string, limit: number, head: number, tail: number): string {
  return text.length > limit ? `${text.slice(0, head)}…${text.slice(-tail)}` : text;
}

/**
 * A line of Markdown the tool writes around text that may be the user's (a seed, a file name, a
 * baseline's path): one line, control characters visible, and the characters that would start
 * markup (code, emphasis, strikethrough, HTML, a table cell) backslash-escaped, and a link's or
 * an image's `](` broken (`[x](https://…)` stays text); the tool's own words unchanged (an
 * interval's brackets), and `_` (GitHub's Markdown reads none inside a word: `my_scenario` stays
 * as written).
 */
export function markdownInline(text: string): string {
  return terminalSafe(text, true)
    .replace(/[\\`*<>|~]/g, (c) => `\\${c}`)
    .replace(/\]\(/g, ']\\(');
}

/**
 * A count with thousands separators (1,234,567), everywhere a count is written for people. Whole
 * numbers are grouped here, as en-US groups them: the first locale call loads ICU's data, which
 * cost a short run a tenth of its start-up.
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${grouped}` : grouped;
}
