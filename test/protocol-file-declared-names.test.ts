import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, retryProtocolFile, tempFiles } from './helpers.js';
import { STACK_LINE } from './in-process.js';
import { refusal } from './assert-cli.js';

/**
 * A protocol file's outcome, parameter and role names must start with a letter. A name such as
 * '1st' (letters and digits, as the refusal said they may be) was refused with the rule's first
 * half only and no word of which name broke it; the refusal now quotes the name and the whole rule.
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));
const base = retryProtocolFile('named');
const cases = [
  {
    what: 'an outcome',
    text: base.replace("names: ['delivered', 'dark']", "names: ['delivered', '2nd']"),
    says: "outcome name '2nd' must be letters, digits and _, starting with a letter",
  },
  {
    what: 'an outcome that is no text',
    text: base.replace("names: ['delivered', 'dark']", "names: ['delivered', 7]"),
    says: 'outcome name 7 (not a text) must be letters, digits and _, starting with a letter',
  },
  {
    what: 'a parameter',
    text: base.replace("name: 'bad'", "name: '9lives'"),
    says: "parameter name '9lives' must be letters and digits, starting with a letter",
  },
  {
    what: 'a role',
    text: base.replace('configure:', "roles: ['A', '1B'], nodes: () => [0, 1], crash: () => undefined, crashed: () => undefined, configure:"),
    says: "role '1B' must be letters and digits, starting with a letter",
  },
];

describe('a protocol file name that does not start with a letter', () => {
  for (const { what, text, says } of cases) {
    it(`${what}: exit 2, one line quoting the name and the whole rule`, () => {
      const file = join(dir, `${what.length}.mjs`);
      writeFileSync(file, text);
      const r = cli(['check', file]);
      assert.ok(refusal(r).includes(says), r.stderr);
      assert.doesNotMatch(r.stderr, STACK_LINE);
    });
  }
});
