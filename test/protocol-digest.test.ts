import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { protocolDigest } from '../src/protocol-files/digest.js';
import { cli, tempFiles } from './helpers.js';
import { cliSeries } from './cli-series.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A protocol whose outcome rule lives in a helper module, which imports a second one. */
const PROTOCOL = `import { outcomeOf } from './rules/outcome.mjs';
export default ({ SEND, END, A_TO_B }) => ({
  name: 'helped',
  outcomes: { names: ['lit', 'dark'], success: [0], disagreement: [1] },
  parameters: [],
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = outcomeOf(s[1]); }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'lit' : 'dark'),
});
`;
const OUTCOME = "import { LIT } from './constants.mjs';\nexport const outcomeOf = (received) => (received === 1 ? LIT : 1);\n";
const CONSTANTS = 'export const LIT = 0;\n';
/** The same protocol, its outcomes swapped by the second helper alone. */
const SWAPPED = 'export const LIT = 1;\n';

function protocolFolder(constants = CONSTANTS): string {
  const dir = tempFiles({ 'helped.mjs': PROTOCOL, 'helped.yaml': 'protocol: ./helped.mjs\nloss: 0.2\ntrials: 2000\nseed: 5\n' });
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'outcome.mjs'), OUTCOME);
  writeFileSync(join(dir, 'rules', 'constants.mjs'), constants);
  return dir;
}

describe('a protocol file’s digest covers the files it imports', () => {
  it('is the sha256 of the text alone for a file that imports nothing (as recorded before), and changes with any file imported, however deep', () => {
    const alone = tempFiles({ 'p.mjs': "export default () => ({});\n// import('./gone.mjs') names no file: no part of it\n" });
    assert.equal(protocolDigest(join(alone, 'p.mjs')), sha256(readFileSync(join(alone, 'p.mjs'), 'utf8')));
    const dir = protocolFolder();
    const file = join(dir, 'helped.mjs');
    const before = protocolDigest(file);
    assert.notEqual(before, sha256(PROTOCOL));
    writeFileSync(join(dir, 'rules', 'constants.mjs'), SWAPPED);
    assert.notEqual(protocolDigest(file), before, 'a helper’s helper changed');
    writeFileSync(join(dir, 'rules', 'constants.mjs'), CONSTANTS);
    assert.equal(protocolDigest(file), before, 'the same files, the same digest');
    // The folder moved whole keeps its digest (merge finds a file by it in other folders).
    const moved = protocolFolder();
    assert.equal(protocolDigest(join(moved, 'helped.mjs')), before);
  });

  it('follows every way of naming a file: export from, import(), require(), a type-only import, a cycle', () => {
    const dir = tempFiles({
      'p.ts': [
        "import type { Api } from './types.ts';",
        "export { helper } from './re.mjs';",
        "const lazy = () => import('./lazy.mjs');",
        "const cjs = require('./c.cjs');",
        'export default (api: Api) => ({});',
      ].join('\n'),
      'types.ts': 'export type Api = unknown;\n',
      're.mjs': "import './p.ts';\nexport const helper = 1;\n",
      'lazy.mjs': 'export {};\n',
      'c.cjs': 'module.exports = 1;\n',
    });
    const file = join(dir, 'p.ts');
    const before = protocolDigest(file);
    for (const name of ['types.ts', 're.mjs', 'lazy.mjs', 'c.cjs']) {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, `${text}// changed\n`);
      assert.notEqual(protocolDigest(file), before, name);
      writeFileSync(path, text);
    }
    assert.equal(protocolDigest(file), before);
  });

  it('keeps merge from mixing shards made with one helper and merged with another: refused in one line, exit 2, found again by --protocol-dir', () => {
    const dir = protocolFolder();
    const shards = [1, 2].map((i) => join(dir, `${i}.json`));
    // The shards and the whole run in one CLI process (cli-series.ts).
    const runs = cliSeries([
      ...shards.map((_, i) => ['run', join(dir, 'helped.yaml'), '--shard', `${i + 1}/2`]),
      ['run', join(dir, 'helped.yaml'), '-f', 'csv'],
    ]);
    for (const [i, shard] of shards.entries()) {
      const r = runs[i]!;
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(shard, r.stdout);
    }
    const whole = runs[2]!;
    assert.equal(whole.status, 0, whole.stderr);
    const merged = cli(['merge', ...shards, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);

    // The second helper swaps the outcomes: the shards' counts are another protocol's.
    writeFileSync(join(dir, 'rules', 'constants.mjs'), SWAPPED);
    const refused = cli(['merge', ...shards, '-f', 'csv']);
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      /^twogenerals: .*the protocol file \.\/helped\.mjs these counts were made with \(sha256 [0-9a-f]{12}…\) was not found; looked at .*helped\.mjs \(another sha256\)/,
    );
    assert.equal(refused.stderr.split('\n').length, 2, refused.stderr);

    // The files as they were, in a folder of their own: found there.
    const kept = protocolFolder();
    const found = cli(['merge', ...shards, '--protocol-dir', kept, '-f', 'csv']);
    assert.equal(found.status, 0, found.stderr);
    assert.equal(found.stdout, whole.stdout);
  });
});

describe('a protocol file’s digest: require() as Node.js resolves it, and a byte-order mark', () => {
  it('covers a file require() finds without its extension, a folder’s index.js, JSON, and a name with % as written', () => {
    const dir = tempFiles({
      'p.cjs': [
        "const h = require('./helper');",
        "const l = require('./lib');",
        "const d = require('./data');",
        "const e = require('./a%20b.cjs');",
        'module.exports = () => ({});',
      ].join('\n'),
      'helper.js': 'module.exports = 1;\n',
      'data.json': '{"a": 1}\n',
      'a%20b.cjs': 'module.exports = 2;\n',
    });
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'index.js'), 'module.exports = 3;\n');
    const file = join(dir, 'p.cjs');
    const before = protocolDigest(file);
    for (const name of ['helper.js', join('lib', 'index.js'), 'data.json', 'a%20b.cjs']) {
      const path = join(dir, name);
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, `${text}\n`);
      assert.notEqual(protocolDigest(file), before, name);
      writeFileSync(path, text);
    }
    assert.equal(protocolDigest(file), before);
  });

  it('merges shards of a protocol file saved with a byte-order mark (the digest its run recorded is found again)', () => {
    const dir = tempFiles({
      'bom.mjs': `\uFEFF${PROTOCOL.replace("import { outcomeOf } from './rules/outcome.mjs';\n", 'const outcomeOf = (r) => (r === 1 ? 0 : 1);\n')}`,
    });
    writeFileSync(join(dir, 'bom.yaml'), 'protocol: ./bom.mjs\nloss: 0.2\ntrials: 2000\nseed: 5\n');
    const shards = [1, 2].map((i) => join(dir, `${i}.json`));
    const runs = cliSeries([...shards.map((_, i) => ['run', join(dir, 'bom.yaml'), '--shard', `${i + 1}/2`]), ['run', join(dir, 'bom.yaml'), '-f', 'csv']]);
    for (const [i, shard] of shards.entries()) {
      const r = runs[i]!;
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(shard, r.stdout);
    }
    const whole = runs[2]!;
    const merged = cli(['merge', ...shards, '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, whole.stdout);
  });
});
