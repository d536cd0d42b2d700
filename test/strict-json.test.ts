import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { jsonSyntaxError, lineAndColumn } from '../src/io/strict-json.js';

/**
 * jsonSyntaxError against JSON.parse, the oracle of RFC 8259: on generated JSON (escapes, unicode,
 * exponents, nesting, whitespace) and on it mutated by a character deleted, added or replaced,
 * a text is refused exactly where JSON.parse throws (a leading byte order mark, which the file
 * reading takes off, is allowed).
 */
const SEED = 20261205;

const parses = (text: string): boolean => {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
};

const space = fc.constantFrom('', ' ', '\t', '\n', '\r\n ', '\u00a0', '\u2028', '\v', '\uFEFF');
const json = fc.oneof(
  fc.json(),
  fc.json({ stringUnit: 'binary' }),
  fc.jsonValue({ stringUnit: 'grapheme' }).map((v) => JSON.stringify(v, null, 2)),
  fc.tuple(space, fc.json(), space).map(([a, j, b]) => a + j + b),
);
const mutated = fc
  .tuple(json, fc.nat(), fc.constantFrom('delete', 'insert', 'replace'), fc.constantFrom(...'{}[],:"\\ -+.eE019tfnu/*\'\u0000\n\uD800x'))
  .map(([text, at, how, c]) => {
    const i = at % (text.length + 1);
    return how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + c + text.slice(how === 'insert' ? i : i + 1);
  });

describe('strict JSON', () => {
  it('refuses a text exactly where JSON.parse does', () => {
    fc.assert(
      fc.property(fc.oneof(json, mutated, mutated), (text) => {
        assert.equal(jsonSyntaxError(text) === null, parses(text), JSON.stringify(text));
      }),
      { seed: SEED, numRuns: 20000 },
    );
  });

  it('names the line and column where a text parts from JSON', () => {
    for (const [text, line, column] of [
      ['{\r\n  "a": 1,\r\n}', 2, 9],
      ['{"a": .5}', 1, 7],
      ['[1,\n 2,\n 01]', 3, 2],
      ['{"a": "x\ny"}', 1, 9],
      ['{"a": 1} x', 1, 10],
    ] as const) {
      const found = jsonSyntaxError(text);
      assert.ok(found, text);
      assert.deepEqual(lineAndColumn(text, found.offset), { line, column }, text);
    }
  });
});
