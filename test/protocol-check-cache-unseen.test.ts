import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unseenDependency } from '../src/protocol-files/unseen-dependencies.js';
import { ROOT, cli, tempFiles } from './helpers.js';

/**
 * A protocol file is remembered as passed by its digest (check-cache.ts), which covers its own
 * text and the files it imports by relative paths. One that reads anything else — a helper by an
 * absolute path, a data file through `node:fs`, a package, the environment — would keep its
 * record while what it reads changes: a helper changed to loop forever then hung every later
 * command in the tool's own process, with no watchdog. Such a file is checked every time.
 */
const PROTOCOL = `export default ({ SEND, END, A_TO_B }) => ({
  name: 'reads-more' + SUFFIX,
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'heard' : 'dark'),
});
`;
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.3\nredundancy: 1\nrounds: 2\ntrials: 2000\nseed: 3\n';

/** Runs `args` with the record kept in `cache`; whether the command started the checking process (NODE_DEBUG shows each process started). */
function run(args: string[], cache: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string; forked: boolean } {
  const r = cli(args, { TWOGENERALS_CACHE_DIR: cache, NODE_DEBUG: 'child_process', ...env });
  const forked = /CHILD_PROCESS \d+: spawn/.test(r.stderr);
  return { ...r, stderr: r.stderr.replace(/CHILD_PROCESS[\s\S]*?\n(?=twogenerals:|$)/g, ''), forked };
}

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
    assert.ok(r.forked, 'checked again');
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: .*p\.mjs: stopped after 1\.5 s while evaluating the module \(the file's top-level code\): it never finished\n$/);
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
