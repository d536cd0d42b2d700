import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { narrowWidth } from '../src/io/string-width.js';
import { ROOT } from './helpers.js';

/** The symbols narrowWidth measures itself, beside printable ASCII (src/io/string-width.ts). */
const SYMBOLS = '§±²·½×–—…→−∞≤≥✓✗';
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

describe('narrowWidth (the bundled CLI measures table text with it)', () => {
  it('measures every character, pair and coloured text as string-width does', () => {
    const chars = [...PRINTABLE, ...SYMBOLS];
    for (const a of chars) {
      assert.equal(narrowWidth(a, stringWidth), stringWidth(a), a);
      for (const b of chars) assert.equal(narrowWidth(a + b, stringWidth), stringWidth(a + b), a + b);
    }
    for (const text of ['\u001b[31m0.5 ±0.1\u001b[39m', '\u001b[1;32m✓\u001b[22m z−0.4', '\u001b[38;5;196mred\u001b[0m', '', '\u001b[31m'])
      assert.equal(narrowWidth(text, stringWidth), stringWidth(text), JSON.stringify(text));
  });

  it('hands emoji, wide, combining and control characters to string-width', () => {
    for (const text of ['✔ done', '#\ufe0f\u20e3', '1\u20e3', '©', '😀 x', '中文', 'e\u0301', 'a\u0007b', '\u001b(B', '\u009b31m', '❤️'])
      assert.equal(narrowWidth(text, stringWidth), stringWidth(text), JSON.stringify(text));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (text) => narrowWidth(text, stringWidth) === stringWidth(text)),
      { seed: 21, numRuns: 1000 },
    );
  });

  it('is what the bundled CLI gives cli-table3 and cli-progress', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'), 'utf8');
    assert.ok(bundle.includes('narrowWidth'), 'scripts/bundle.ts puts it in the bundle');
  });
});
