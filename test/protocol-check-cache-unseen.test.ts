import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unseenDependency } from '../src/protocol-files/unseen-dependencies.js';
import { assertCheckedAndStoppedLooping, ROOT, cliWithCheckRecord, oneMessageProtocolFile, tempFiles } from './helpers.js';

/**
 * A protocol file is remembered as passed by its digest (check-cache.ts), which covers its own
 * text and the files it imports by relative paths. One that reads anything else — a helper by an
 * absolute path, a data file through `node:fs`, a package, the environment — would keep its
 * record while what it reads changes: a helper changed to loop forever then hung every later
 * command in the tool's own process, with no watchdog. Such a file is checked every time.
 */
const PROTOCOL = oneMessageProtocolFile('', { nameCode: "'reads-more' + SUFFIX" });
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 2\ntrials: 2000\nseed: 3\n';

const run = cliWithCheckRecord;

function records(cache: string): number {
  const folder = join(cache, 'checked');
  return existsSync(folder) ? readdirSync(folder).length : 0;
}

describe('a protocol file that reads more than its digest covers', () => {
  it('is checked in its own process every time: a helper imported by an absolute path, changed to loop, is refused, not run', () => {
    const dir = tempFiles({ 'helper.mjs': "export const SUFFIX = '';\n", 's.yaml': SCENARIO });
    writeFileSync(join(dir, 'p.mjs'), `import { SUFFIX } from ${JSON.stringify(join(dir, 'helper.mjs'))};\n${PROTOCOL}`);
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    const first = run(args, cache);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(first.forked);
    assert.equal(records(cache), 0, 'not remembered');
    writeFileSync(join(dir, 'helper.mjs'), "for (;;) {}\nexport const SUFFIX = '';\n");
    const r = run(args, cache, { TWOGENERALS_WATCHDOG_MS: '1500' });
    assertCheckedAndStoppedLooping(r);
  });

  it('is checked every time where it reads a data file through node:fs, and so is one reading the environment', () => {
    const dir = tempFiles({
      'rounds.txt': '1\n',
      'p.mjs': `import { readFileSync } from 'node:fs';\nconst SUFFIX = readFileSync(new URL('./rounds.txt', import.meta.url), 'utf8').trim();\n${PROTOCOL}`,
      'e.mjs': `const SUFFIX = process.env.SUFFIX ?? '';\n${PROTOCOL}`,
      's.yaml': SCENARIO,
      'e.yaml': SCENARIO.replace('./p.mjs', './e.mjs'),
    });
    const cache = join(dir, 'cache');
    for (const scenario of ['s.yaml', 's.yaml', 'e.yaml', 'e.yaml']) {
      const r = run(['run', join(dir, scenario), '-f', 'csv', '--workers', '1'], cache);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.forked, `${scenario}: checked again`);
    }
    assert.equal(records(cache), 0);
  });

  it('is remembered where it and its relative imports read nothing else (the shipped examples)', () => {
    const dir = tempFiles({ 'helper.mjs': "export const SUFFIX = '';\n", 's.yaml': SCENARIO });
    writeFileSync(join(dir, 'p.mjs'), `import { SUFFIX } from './helper.mjs';\n${PROTOCOL}`);
    const cache = join(dir, 'cache');
    const args = ['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1'];
    assert.ok(run(args, cache).forked);
    assert.ok(!run(args, cache).forked, 'remembered');
    assert.equal(records(cache), 1);
  });
});

describe('unseenDependency', () => {
  const dir = tempFiles({ 'a.mjs': 'export const A = 1;\n', 'b.cjs': 'module.exports = 2;\n', 'bare.mjs': "import x from 'left-pad';\nexport default x;\n" });
  const at = join(dir, 'p.mjs');
  const cases: [string, RegExp | undefined][] = [
    ["import { A } from './a.mjs';\nexport default 1;", undefined],
    ["export { A } from './a.mjs';\nconst b = require('./b.cjs');", undefined],
    ["import type { ProtocolFactory } from 'twogenerals/protocol';\nexport default 1;", undefined],
    ["const m = await import('./a.mjs');\nconst u = import.meta.url;", undefined],
    [`import { A } from ${JSON.stringify(join(dir, 'a.mjs'))};`, /^imports '\/.*a\.mjs' \(in .*p\.mjs\)$/],
    ["import { A } from 'file:///tmp/a.mjs';", /^imports 'file:\/\/\/tmp\/a\.mjs'/],
    ["import fs from 'node:fs';", /^imports 'node:fs'/],
    ["import pad from 'left-pad';", /^imports 'left-pad'/],
    ["import x from './bare.mjs';", /^imports 'left-pad' \(in .*bare\.mjs\)$/],
    ["const name = './a.mjs';\nconst m = await import(name);", /^imports a path computed at run time/],
    ["const b = require('fs');", /^requires 'fs'/],
    ["const name = './b.cjs';\nconst b = require(name);", /^requires a path computed at run time/],
    ['const fs = process.getBuiltinModule("fs");', /^reads getBuiltinModule/],
    ['const n = process.env.N;', /^reads process\.env/],
    ["const n = process['env'].N;", /^reads process\['env'\]/],
    ["import { A } from './missing.mjs';", /^imports '\.\/missing\.mjs', which is no file/],
  ];
  for (const [text, expected] of cases) {
    it(`${expected ? 'finds' : 'finds nothing in'}: ${text.split('\n').join(' ')}`, () => {
      const found = unseenDependency(at, text);
      if (expected === undefined) assert.equal(found, undefined);
      else assert.match(found ?? '', expected);
    });
  }

  it('finds nothing in the shipped protocol files', () => {
    for (const name of ['tcp-handshake.mjs', 'three-phase-commit.mjs']) {
      const file = join(ROOT, 'examples', 'protocols', name);
      assert.equal(unseenDependency(file, readFileSync(file, 'utf8')), undefined, name);
    }
  });
});
