/**
 * Where a text is not JSON as RFC 8259 has it, and why: the offset of the first place it parts
 * from the grammar and the problem in a user's words, else null. YAML reads most such texts (a
 * trailing comma, a comment, a bare key, a single-quoted text, `.5`) without a word, and
 * JSON.parse names no place for some and quotes the whole text for others.
 */
export function jsonSyntaxError(text: string): { offset: number; problem: string } | null {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const open: string[] = []; // the brackets open, innermost last
  const space = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (problem: string, at = i): { offset: number; problem: string } => ({ offset: at, problem });
  const unexpected = (expected: string): { offset: number; problem: string } => {
    if (i >= text.length) return fail(`the text ends where ${expected} belongs${open.length ? ` (${closing(open.at(-1)!)} missing?)` : ''}`);
    const ch = text[i]!;
    if (ch === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))
      return fail('JSON does not allow comments: remove them, or write the scenario as YAML, where # starts a comment');
    if (ch === "'") return fail('a text in single quotes: JSON texts are in double quotes');
    const word = /[A-Za-z_$][\w$]*/y;
    word.lastIndex = i;
    const bare = word.exec(text)?.[0];
    if (bare !== undefined) return fail(`${bare} is not JSON (a text or a key is in double quotes; the words are true, false and null)`);
    return fail(`unexpected ${shown(ch)} where ${expected} belongs`);
  };
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    space();
    if (state === 'value') {
      const ch = text[i];
      if (ch === '{' || ch === '[') {
        i++;
        space();
        if (text[i] === closing(ch)) {
          i++;
          state = 'after';
        } else {
          open.push(ch);
          state = ch === '{' ? 'key' : 'value';
        }
      } else if (ch === '"') {
        const problem = stringEnd();
        if (problem) return problem;
        state = 'after';
      } else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
        const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
        number.lastIndex = i;
        const found = number.exec(text);
        const end = i + (found?.[0].length ?? 0);
        if (!found || /[\w.+-]/.test(text[end] ?? '')) return fail(`a number JSON does not allow (${shown(/^[-\w.+]*/.exec(text.slice(i))![0])})`);
        i = end;
        state = 'after';
      } else {
        const literal = /(?:true|false|null)(?![\w$])/y;
        literal.lastIndex = i;
        if (!literal.test(text)) return unexpected('a value');
        i = literal.lastIndex;
        state = 'after';
      }
    } else if (state === 'key') {
      if (text[i] !== '"') return unexpected('a key in double quotes');
      const problem = stringEnd();
      if (problem) return problem;
      space();
      if (text[i] !== ':') return unexpected('a colon after the key');
      i++;
      state = 'value';
    } else {
      if (open.length === 0) return i < text.length ? fail('more text after the JSON value: a file holds one value') : null;
      const inner = open.at(-1)!;
      if (text[i] === closing(inner)) {
        open.pop();
        i++;
      } else if (text[i] === ',') {
        const comma = i++;
        space();
        if (text[i] === '}' || text[i] === ']')
          return fail(`a comma before ${text[i]}: JSON allows none after the last ${inner === '{' ? 'member' : 'item'}`, comma);
        state = inner === '{' ? 'key' : 'value';
      } else return unexpected(`a comma or ${closing(inner)}`);
    }
  }

  /** Past the text in double quotes at i; its problem, if any. */
  function stringEnd(): { offset: number; problem: string } | null {
    const start = i++;
    for (;;) {
      if (i >= text.length) return fail('a text in double quotes is never closed', start);
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return null;
      }
      if (code < 0x20) return fail('a line break or a control character inside a text: JSON writes them as \\n, \\t or \\u00XX');
      if (code === 0x5c) {
        const escape = text[i + 1] ?? '';
        if (escape === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(escape) || escape === '')
          return fail(`an escape JSON does not have (${shown(text.slice(i, escape === 'u' ? i + 6 : i + 2))})`);
        i += escape === 'u' ? 6 : 2;
      } else i++;
    }
  }
}

function closing(bracket: string): string {
  return bracket === '{' ? '}' : ']';
}

/** A character or a short text as a message shows it: quoted, control characters as escapes. */
function shown(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 19)}…` : text);
}

/** The 1-based line and column of an offset, as the YAML parser counts them (UTF-16 units). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++;
    start = at + 1;
  }
  return { line, column: offset - start + 1 };
}
