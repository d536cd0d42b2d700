import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A flag that gives a scenario another channel model or protocol leaves the keys its file wrote
 * for the one it had: refused at the flag, naming the file's key, its place and how to remove it.
 */
describe('a key the file wrote for the channel or protocol a flag replaced', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a gilbert-elliott key under --set channel.model=cut',
      ['scenarios/bursty-5pct.yaml', '--set', 'channel.model=cut'],
      /^twogenerals: --set channel\.model=cut: the file's channel\.goodToBad \(scenarios\/bursty-5pct\.yaml:9:36\) was written for its gilbert-elliott channel, not cut \(remove it with --set channel\.goodToBad=null\): channel 'cut' has no parameter 'goodToBad'/,
    ],
    [
      "bernoulli's top-level loss under --set channel=cut",
      ['scenarios/iid-redundancy.yaml', '--set', 'channel=cut'],
      /^twogenerals: --set channel=cut: the file's loss \(scenarios\/iid-redundancy\.yaml:7:1\) was written for its bernoulli channel, not cut \(remove it with --set loss=null\)/,
    ],
    [
      "a cut channel's direction under --set channel.model=bernoulli",
      ['scenarios/randomized-cut.yaml', '--set', 'channel.model=bernoulli'],
      /^twogenerals: --set channel\.model=bernoulli: the file's channel\.direction \(scenarios\/randomized-cut\.yaml:\d+:\d+\) was written for its cut channel, not bernoulli \(remove it with --set channel\.direction=null\)/,
    ],
    [
      "two-phase commit's parameter under --set protocol=messenger",
      ['examples/commit-crash-2pc.yaml', '--set', 'protocol=messenger'],
      /^twogenerals: --set protocol=messenger: the file's participants \(examples\/commit-crash-2pc\.yaml:\d+:\d+\) was written for its two-phase-commit protocol, not messenger \(remove it with --set participants=null\)/,
    ],
    [
      "a gate on two-phase commit's outcome under --set protocol=retransmit",
      ['scenarios/two-phase-commit.yaml', '--set', 'protocol=retransmit'],
      /^twogenerals: --set protocol=retransmit: the file's expect\[0\]\.metric \(scenarios\/two-phase-commit\.yaml:18:15\) was written for its two-phase-commit protocol, not retransmit \(remove it with --set expect=null\)/,
    ],
  ];
  for (const [what, args, expected] of cases) {
    it(`is refused at the flag: ${what}`, async () => {
      const { status, stdout, stderr } = await cliIn(['validate', ...args]);
      assert.equal(status, 2);
      assert.equal(stdout, '');
      assert.match(stderr, expected);
      assert.equal(stderr.split('\n').length, 2, stderr);
    });
  }

  it('is taken once the flag the message names removes it', async () => {
    const { status, stderr } = await cliIn([
      'validate',
      'scenarios/bursty-5pct.yaml',
      '--set',
      'channel.model=cut',
      '--set',
      'channel.goodToBad=null',
      '--set',
      'channel.badToGood=null',
      '--set',
      'channel.lossGood=null',
      '--set',
      'channel.lossBad=null',
    ]);
    assert.equal(status, 0, stderr);
  });

  it('is located in the file where no flag changed the kind', async () => {
    const { status, stderr } = await cliIn(['validate', 'scenarios/bursty-5pct.yaml', '--set', 'channel.model=gilbert-elliott', '--set', 'channel.after=1']);
    assert.equal(status, 2);
    assert.doesNotMatch(stderr, /was written for its/);
  });
});

describe('a gate of a file whose protocol a flag replaced', () => {
  it('keeps its place in the file where its metric is the new protocol’s too', async () => {
    const dir = tempFiles({
      'gated.yaml': 'protocol: messenger\nloss: 0.1\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.99 }\n',
    });
    const { status, stdout } = await cliIn(['run', join(dir, 'gated.yaml'), '--set', 'protocol=retransmit', '--format', 'json']);
    assert.equal(status, 1);
    const { places } = JSON.parse(stdout) as { places: string[][] };
    assert.match(places[0]![0]!, /^.*\/gated\.yaml:5:5$/);
  });
});
