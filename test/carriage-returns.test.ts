import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseScenarioText } from '../src/scenario/parse.js';
import { ROOT, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// A carriage return alone ends a line in YAML 1.2 (classic Mac OS text) and is whitespace in JSON.
describe('a carriage return alone in a scenario file', () => {
  it('is a line break in YAML: the file reads as with line feeds', () => {
    const s = parseScenarioText('protocol: messenger\rloss: 0.3\rtrials: 1000\r', 'mac.yaml');
    assert.deepEqual([s.data['protocol'], s.data['loss'], s.data['trials']], ['messenger', 0.3, 1000]);
  });

  it('is whitespace in JSON: a stray one after the closing brace is no error', () => {
    for (const text of ['{"protocol": "messenger"}\r', '{\r\n"protocol": "messenger"\r\n}\r', '{"protocol": "messenger"}\r\r\n'])
      assert.equal(parseScenarioText(text, 's.json').data['protocol'], 'messenger', JSON.stringify(text));
  });

  it('leaves every place where it was', () => {
    assert.equal(parseScenarioText('protocol: messenger\rloss: 2\r', 'mac.yaml').locate(['loss']), 'mac.yaml:2:7');
    assert.equal(parseScenarioText('{"protocol": "messenger",\r"loss": 2}\r', 'mac.json').locate(['loss']), 'mac.json:2:9');
  });
});

describe('a ping log whose lines end with a carriage return alone', () => {
  it('is refused as such, not as a log of no packets', async () => {
    const log = readFileSync(join(ROOT, 'examples/traces/radio-link-ping.txt'), 'utf8').split('\n').slice(0, 40).join('\r');
    const dir = tempFiles({});
    writeFileSync(join(dir, 'ping.txt'), log);
    const r = await cliIn(['fit', join(dir, 'ping.txt')]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^twogenerals: .*ping\.txt:1: its lines end with a carriage return alone \(classic Mac OS text\): save it with LF or CRLF line ends\n$/,
    );
  });
});
