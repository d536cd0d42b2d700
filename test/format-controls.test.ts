import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Unicode's format controls and separators in the user's text (a description, a seed) reach no
 * output raw: each exporter writes them as it writes control characters, as escapes that read
 * back (JSON, YAML) or visible ones (the table, Markdown, CSV).
 */
const FORMAT_CONTROLS = [
  '\u202e',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\u{e0001}',
];
const description = `a${FORMAT_CONTROLS.join('x')}b`;
const seed = 's\u202et\u2028u\ufeffv';
const RAW = /[\p{Cf}\p{Zl}\p{Zp}]/u;

function scenario(): string {
  const quoted = (text: string): string => JSON.stringify(text);
  return tempFiles({ 'bidi.yaml': `name: bidi\ndescription: ${quoted(description)}\nprotocol: messenger\ntrials: 1000\nseed: ${quoted(seed)}\n` });
}

describe('format controls of the user text in every output', () => {
  it('the table, Markdown and CSV show them as visible escapes', async () => {
    const dir = scenario();
    for (const format of ['table', 'markdown', 'csv']) {
      const out = succeeded(await cliIn(['run', join(dir, 'bidi.yaml'), '--format', format]), format);
      assert.doesNotMatch(out, RAW, format);
      assert.match(out, /s\\+u202et\\+u2028u\\+ufeffv/, format);
    }
  });

  it('JSON writes them as \\u escapes that read back as the text', async () => {
    const dir = scenario();
    const out = succeeded(await cliIn(['run', join(dir, 'bidi.yaml'), '--format', 'json']));
    assert.doesNotMatch(out, RAW);
    const parsed = JSON.parse(out) as { scenarios: { description: string; seed: string }[] };
    assert.equal(parsed.scenarios[0]!.description, description);
    assert.equal(parsed.scenarios[0]!.seed, seed);
  });

  it("the result folder's scenario.yaml and JSON write them as escapes, and run again to the same bytes", async () => {
    const dir = scenario();
    const out = join(dir, 'out');
    const first = succeeded(await cliIn(['run', join(dir, 'bidi.yaml'), '--out', out, '--format', 'csv']));
    const [folder] = readdirSync(out);
    for (const name of ['scenario.yaml', 'results.json', 'manifest.json']) assert.doesNotMatch(readFileSync(join(out, folder!, name), 'utf8'), RAW, name);
    const yaml = readFileSync(join(out, folder!, 'scenario.yaml'), 'utf8');
    assert.match(yaml, /^seed: "s\\u202et\\u2028u\\ufeffv"$/m);
    assert.deepEqual((parseYaml(yaml) as { description: string }).description, description);
    assert.equal(succeeded(await cliIn(['run', join(out, folder!, 'scenario.yaml'), '--format', 'csv'])), first);
    assert.equal(succeeded(await cliIn(['merge', join(out, folder!, 'results.json'), '--format', 'csv'])), first);
  });

  it('a shard writes them as escapes, and merges', async () => {
    const dir = scenario();
    const shard = succeeded(await cliIn(['run', join(dir, 'bidi.yaml'), '--shard', '1/1']));
    assert.doesNotMatch(shard, RAW);
    const file = join(tempFiles({ 'shard.json': shard }), 'shard.json');
    assert.equal(succeeded(await cliIn(['merge', file, '--format', 'csv'])), succeeded(await cliIn(['run', join(dir, 'bidi.yaml'), '--format', 'csv'])));
  });
});
