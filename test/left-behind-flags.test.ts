import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Which flag a left-behind key is laid at: of two flags that change the channel, the last (the
 * one that made the model the scenario runs over); and a role's crash rate (`crashCoordinator`)
 * belongs to the protocol whose role it names, so a flag that gives another protocol is named.
 */
describe('the flag a left-behind key is refused at', () => {
  const dir = tempFiles({ 'coordinator.yaml': 'protocol: two-phase-commit\ncrashCoordinator: 0.1\ntrials: 1000\n' });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names the last of two flags that changed the channel', async () => {
    const says = refusal(await cliIn(['validate', 'scenarios/iid-redundancy.yaml', '--set', 'channel=gilbert-elliott', '--set', 'channel.model=cut']));
    assert.ok(
      says.startsWith(
        "twogenerals: --set channel.model=cut: the file's loss (scenarios/iid-redundancy.yaml:7:1) was written for its bernoulli channel, not cut (remove it with --set loss=null)",
      ),
      says,
    );
  });

  it("names the flag that left a role's crash rate without its protocol", async () => {
    const file = join(dir, 'coordinator.yaml');
    const says = refusal(await cliIn(['validate', file, '--set', 'protocol=messenger']));
    assert.ok(
      says.startsWith(
        `twogenerals: --set protocol=messenger: the file's crashCoordinator (${file}:2:1) was written for its two-phase-commit protocol, not messenger (remove it with --set crashCoordinator=null)`,
      ),
      says,
    );
  });
});
