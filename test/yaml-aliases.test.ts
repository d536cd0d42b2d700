import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// An alias within the value its anchor names (`sweep: &s { loss: [0.1], redundancy: *s }`) made a
// value that contains itself, and every command ended as an internal error ("Maximum call stack
// size exceeded", exit 3), in a file and in a --set value; aliases that expand to too much, or one
// that names no anchor, were refused naming the file but no place in it.
describe('YAML aliases in scenario files', () => {
  const billionLaughs = ['protocol: messenger', 'expect:', '  - &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    billionLaughs.push(
      `  - &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const dir = tempFiles({
    'itself.yaml': 'protocol: messenger\nsweep: &s { loss: [0.1], redundancy: *s }\n',
    'listed.yaml': 'protocol: messenger\ndescription: &d [x, *d]\n',
    'laughs.yaml': `${billionLaughs.join('\n')}\n`,
    'nowhere.yaml': 'protocol: messenger\nloss: *l\nredundancy: &l 2\n',
    'merged-nowhere.yaml': 'protocol: messenger\n<<: [*base]\n',
    'aliased.yaml': 'protocol: retransmit\nseed: 1\ntrials: 1000\nloss: &p 0.25\nsweep: { lossAtoB: &l [0.1, *p], lossBtoA: *l }\n',
    'plain.yaml': 'protocol: retransmit\nseed: 1\ntrials: 1000\nloss: 0.25\nsweep: { lossAtoB: [0.1, 0.25], lossBtoA: [0.1, 0.25] }\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const CONTAINS_ITSELF = 'an alias \\(\\*name\\) within the list or mapping its anchor \\(&name\\) names would make that value contain itself';

  it('refuses an alias within the value its anchor names, where it is written', async () => {
    for (const command of ['run', 'validate', 'exact'])
      assert.match(
        refusal(await cliIn([command, join(dir, 'itself.yaml')]), command),
        new RegExp(`itself\\.yaml:2:38: malformed YAML: ${CONTAINS_ITSELF}\\n$`),
      );
    assert.match(refusal(await cliIn(['run', join(dir, 'listed.yaml')])), /listed\.yaml:2:21: malformed YAML: an alias/);
    const flag = refusal(await cliIn(['run', '--set', 'sweep=&s {loss: [0.1], redundancy: *s}']));
    assert.match(flag, new RegExp(`--set sweep=&s \\{loss: \\[0\\.1\\], redundancy: \\*s\\}: ${CONTAINS_ITSELF}\\n$`));
  });

  it('places aliases that expand to too much, and one that names no anchor', async () => {
    assert.match(refusal(await cliIn(['run', join(dir, 'laughs.yaml')])), /laughs\.yaml:\d+:\d+: malformed YAML: its aliases \(\*name\) expand to too much/);
    assert.match(
      refusal(await cliIn(['run', join(dir, 'nowhere.yaml')])),
      /nowhere\.yaml:2:7: malformed YAML: an alias \(\*name\) refers to no anchor \(&name\) before it/,
    );
    assert.match(
      refusal(await cliIn(['run', join(dir, 'merged-nowhere.yaml')])),
      /merged-nowhere\.yaml:2:6: malformed YAML: an alias \(\*name\) refers to no anchor/,
    );
  });

  it('runs aliased values as the same scenario written plainly', async () => {
    const aliased = succeeded(await cliIn(['run', join(dir, 'aliased.yaml'), '-f', 'csv']));
    const plain = succeeded(await cliIn(['run', join(dir, 'plain.yaml'), '-f', 'csv']));
    assert.equal(aliased.replaceAll(/^aliased,/gm, 'plain,'), plain);
  });
});
