import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, cli } from './helpers.js';

/** The shipped scenarios, found from the package itself (as an installed package finds them). */
describe('twogenerals scenarios', () => {
  it('lists the shipped scenarios with where they are', () => {
    const r = cli(['scenarios']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Shipped scenarios \(in .*scenarios\):/);
    assert.match(r.stdout, /bursty-5pct +The question an engineer brings/);
    assert.match(r.stdout, /Run one: twogenerals run .*scenarios\/bursty-5pct\.yaml/);
  });

  it('prints one to copy, the same scenario the package ships', () => {
    const r = cli(['scenarios', 'two-phase-commit']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(ROOT, 'scenarios', 'two-phase-commit.yaml'), 'utf8').replace(/^# yaml-language-server: .*\n/, ''));
  });

  it('names the shipped ones when asked for one it does not ship', () => {
    const r = cli(['scenarios', 'bursty-5pc']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no shipped scenario named 'bursty-5pc' \(did you mean 'bursty-5pct'\?\)/);
  });
});
