import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scenarioPathHint } from '../src/io/files.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { loadScenarioSource } from '../src/scenario/resolve.js';

// `cat s.yaml | twogenerals run /dev/stdin`: the scenario's folder is /dev, so `protocol: ./p.mjs`
// was looked for as /dev/p.mjs, and "relative to the scenario file" did not say why.
describe('a path named by a scenario read through a pipe', () => {
  it('the message says such a scenario has no folder of its own', () => {
    assert.match(
      scenarioPathHint('/dev/p.mjs'),
      /read through a pipe, such as \/dev\/stdin, has no folder of its own: its paths are relative to \/dev; write the full path/,
    );
    assert.match(scenarioPathHint('/dev/fd/p.mjs'), /relative to \/dev\/fd;/);
    assert.equal(scenarioPathHint('/home/a/p.mjs'), '(a path in a scenario is relative to the scenario file)');
  });

  it('for a protocol file and a trace file the scenario names', async () => {
    for (const text of ['protocol: ./no-such-protocol.mjs\n', 'protocol: messenger\nchannel: { model: trace, file: no-such-trace.txt }\n']) {
      await assert.rejects(loadScenarioSource(parseScenarioText(text, '/dev/stdin')), /has no folder of its own: its paths are relative to \/dev;/);
    }
  });
});
