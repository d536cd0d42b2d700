import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { oneSendProtocolFile, tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/** The file with `hostile` at its top is refused in one line naming `name`, by check and by run. */
async function refusedNaming(hostile: string, name: string): Promise<void> {
  const dir = tempFiles({ 'hostile.mjs': `${hostile}\n${oneSendProtocolFile('hostile')}`, 's.yaml': 'protocol: ./hostile.mjs\ntrials: 1000\n' });
  for (const args of [
    ['check', join(dir, 'hostile.mjs')],
    ['run', join(dir, 's.yaml'), '--workers', '1'],
  ]) {
    const r = await cliInProcess(args);
    assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: [^\n]+\n$/, 'one line');
    assert.ok(r.stderr.includes(`hostile.mjs: changed JavaScript's built-in ${name} while evaluating the module`), `${args[0]}: ${r.stderr}`);
  }
}

/**
 * The iterators of maps, sets, strings and matchAll are watched as the arrays' are
 * (protocol-isolation.test tries those of arrays and generators, and Iterator.prototype).
 */
describe('a protocol file that replaces an iterator’s next as it loads', () => {
  const CASES: [string, string][] = [
    ['MapIterator', 'new Map()[Symbol.iterator]()'],
    ['SetIterator', 'new Set()[Symbol.iterator]()'],
    ['StringIterator', "''[Symbol.iterator]()"],
    ['RegExpStringIterator', "/x/[Symbol.matchAll]('')"],
  ];
  for (const [name, instance] of CASES) {
    it(`is refused: ${name}.prototype.next`, () =>
      refusedNaming(
        `const p = Object.getPrototypeOf(${instance});\np.next = ((n) => function () { return n.call(this); })(p.next);`,
        `${name}.prototype.next`,
      ));
  }
});

/** Members of the global functions, namespaces and prototypes the loader watches that no other test tries. */
describe('a protocol file that replaces another watched built-in as it loads', () => {
  const CASES: [string, string][] = [
    ['parseFloat', 'globalThis.parseFloat = () => 0;'],
    ['isNaN', 'globalThis.isNaN = () => false;'],
    ['Number.prototype.toFixed', "Number.prototype.toFixed = function () { return '0'; };"],
    ['String.prototype.trim', "String.prototype.trim = function () { return ''; };"],
    ['Reflect.ownKeys', 'Reflect.ownKeys = () => [];'],
    ['TextDecoder.prototype.decode', "TextDecoder.prototype.decode = function () { return ''; };"],
  ];
  for (const [name, hostile] of CASES) it(`is refused: ${name}`, () => refusedNaming(hostile, name));
});
