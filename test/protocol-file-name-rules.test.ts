import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OUTCOME_NAME, PLAIN_NAME, firstMisnamed } from '../src/protocol-files/declared-names.js';
import { refusal, succeeded } from './assert-cli.js';
import { cli, retryProtocolFile, tempFiles } from './helpers.js';

/**
 * The whole rule for a protocol file's names, both ways: an outcome's name is letters, digits and
 * _ (it becomes a CSV column, `only_A`), a parameter's or a role's letters and digits only (they
 * become `--set` keys and `crashA`-style names), each starting with a letter, the whole name held
 * to it, not only its start.
 */
describe("a protocol file's names, held to the whole rule", () => {
  it('takes an outcome name with _ and digits, refuses one with another sign or a space', () => {
    for (const good of ['only_A', 'a1_b2', 'X']) assert.equal(firstMisnamed([good], OUTCOME_NAME), undefined, good);
    assert.equal(firstMisnamed(['ok', 'no-go'], OUTCOME_NAME), "'no-go'");
    assert.equal(firstMisnamed(['both sides'], OUTCOME_NAME), "'both sides'");
    assert.equal(firstMisnamed(['_a'], OUTCOME_NAME), "'_a'");
  });

  it('refuses a parameter or role name with _ or another sign anywhere, the first such named', () => {
    for (const good of ['gap', 'k2', 'B']) assert.equal(firstMisnamed([good], PLAIN_NAME), undefined, good);
    assert.equal(firstMisnamed(['my_gap'], PLAIN_NAME), "'my_gap'");
    assert.equal(firstMisnamed(['gap-2'], PLAIN_NAME), "'gap-2'");
    assert.equal(firstMisnamed(['k2 '], PLAIN_NAME), "'k2 '");
    assert.equal(firstMisnamed(['A', 'B_1', 'C-'], PLAIN_NAME), "'B_1'");
  });

  const dir = tempFiles({});
  after(() => rmSync(dir, { recursive: true, force: true }));
  const base = retryProtocolFile('named');

  it('check takes a file whose outcome names hold _', () => {
    const file = join(dir, 'underscore-outcome.mjs');
    writeFileSync(file, base.replace("names: ['delivered', 'dark']", "names: ['got_it', 'in_the_dark']"));
    succeeded(cli(['check', file]), 'check');
  });

  it("check refuses a parameter named 'my_gap' and one named 'gap-2', quoting it", () => {
    for (const name of ['my_gap', 'gap-2']) {
      const file = join(dir, `${name}.mjs`);
      writeFileSync(file, base.replace("name: 'bad'", `name: '${name}'`));
      const says = refusal(cli(['check', file]), name);
      assert.ok(says.includes(`parameter name '${name}' must be letters and digits, starting with a letter`), says);
    }
  });
});
