import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { coreLiteral } from '../src/scenario/misread-literal.js';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// A scenario file that starts `%YAML 1.1` is read by YAML 1.1's rules, where digits may be grouped
// with `_` and 0b… and 010 are whole numbers: `crash: 1_0e-401` (1e-400) ran as crash-free, exit 0,
// where `crash: 1e-400` is refused as read as 0.
describe('numbers of a YAML 1.1 scenario file', () => {
  const yaml11 = (body: string): string => `%YAML 1.1\n---\nprotocol: retransmit\nseed: 1\n${body}`;
  const dir = tempFiles({
    'zero.yaml': yaml11('trials: 10\ncrash: 1_0e-401\n'),
    'subnormal.yaml': yaml11('trials: 10\nloss: 0.000_000_1e-310\n'),
    'infinite.yaml': yaml11('trials: 10\nloss: 1_0e400\n'),
    'grouped.yaml': yaml11('trials: 1_000\nloss: 0.2_5\nrounds: 010\nredundancy: 0b11\n'),
    'plain.yaml': 'protocol: retransmit\nseed: 1\ntrials: 1000\nloss: 0.25\nrounds: 8\nredundancy: 3\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a number read as another where it is written, as it is written', async () => {
    assert.match(
      refusal(await cliIn(['run', join(dir, 'zero.yaml')])),
      /zero\.yaml:6:8: 1_0e-401 is below the smallest positive number a double holds \(about 4\.9e-324\), so it would be read as 0/,
    );
    assert.match(
      refusal(await cliIn(['validate', join(dir, 'subnormal.yaml')])),
      /subnormal\.yaml:6:7: 0\.000_000_1e-310 is below the smallest number a double holds to all its digits/,
    );
    assert.match(refusal(await cliIn(['exact', join(dir, 'infinite.yaml')])), /infinite\.yaml:6:7: 1_0e400 is beyond the largest number a double holds/);
  });

  it('runs its grouped, binary and octal numbers as the numbers they write', async () => {
    const grouped = succeeded(await cliIn(['run', join(dir, 'grouped.yaml'), '-f', 'csv']));
    const plain = succeeded(await cliIn(['run', join(dir, 'plain.yaml'), '-f', 'csv']));
    assert.equal(grouped.replace(/^grouped,/m, 'plain,'), plain);
  });

  it('writes a YAML 1.1 number as the core literal of its value', () => {
    assert.equal(coreLiteral('1_0e-401'), '10e-401');
    assert.equal(coreLiteral('0b1_01'), '5');
    assert.equal(coreLiteral('-010'), '-8');
    assert.equal(coreLiteral('0x1_F'), '0x1F');
    assert.equal(coreLiteral('0'), '0');
    assert.equal(coreLiteral('0.5'), '0.5');
    assert.equal(coreLiteral('0b100000000000000000000000000000000000000000000000000001'), '9007199254740993');
  });
});
