/**
 * Text from files and flags on its way to a terminal or a document: control characters (ESC
 * and the rest of C0, DEL, C1) and the invisible format controls (Unicode's Cf: the bidirectional
 * controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, the zero-width characters,
 * U+FEFF) and line and paragraph separators (U+2028, U+2029) could move the cursor, recolour or
 * rewrite the screen, reorder what is shown or break a line unseen. They are written as visible escapes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/** The format controls and separators alone (CONTROL less C0, DEL and C1), which JSON and YAML writers leave as they are. */
const FORMAT_CONTROL = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

const visible = (c: string): string => {
  const code = c.codePointAt(0)!;
  if (code > 0xffff) return `\\u{${code.toString(16)}}`;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * JSON text with every format control and separator (U+202E, U+2028, U+FEFF, …) written as a
 * `\uXXXX` escape, as JSON.stringify writes the C0 controls: they can stand only inside strings,
 * so the escaped text parses to the same values.
 */
export function jsonFormatEscaped(json: string): string {
  return json.replace(FORMAT_CONTROL, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

/** Whether text holds a format control or separator (which YAML writes raw, even in double quotes). */
export function hasFormatControl(text: string): boolean {
  FORMAT_CONTROL.lastIndex = 0;
  return FORMAT_CONTROL.test(text);
}

/**
 * YAML text, whose strings holding a format control were written double-quoted (see
 * src/io/yaml-out.ts), with each written as a YAML escape (`\u202E`, `\U000E0001`).
 */
export function yamlFormatEscaped(yaml: string): string {
  return yaml.replace(FORMAT_CONTROL, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

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
 * Format controls and separators (U+202E, U+2028, U+FEFF) are written as visible escapes, as on
 * a terminal: a spreadsheet would obey them (reorder a cell, break a line) unseen.
 */
export function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return safe.replace(FORMAT_CONTROL, visible);
}

/**
 * CSV cells quoted although no separator asks for it: text that starts or ends with white space
 * (a seed ' 7'), which many readers trim from a cell left bare, so a spreadsheet or a script read
 * another seed than the one the run used.
 */
export const CSV_QUOTED_MATCH = /^\s|\s$/;

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
