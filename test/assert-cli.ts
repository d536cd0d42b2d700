import assert from 'node:assert/strict';
import type { CliResult } from './helpers.js';

/** The standard output of a command that must succeed: exit 0 is asserted first, so a crashed run cannot pass for its output. */
export function succeeded(result: CliResult, what = ''): string {
  assert.equal(result.status, 0, `${what} exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** The one stderr line of a refused command: exit 2, nothing on stdout. */
export function refusal(result: CliResult, what = ''): string {
  assert.equal(result.status, 2, `${what} exited ${result.status}: ${result.stderr}`);
  assert.equal(result.stdout, '', `${what}: output beside a refusal`);
  assert.match(result.stderr, /^[^\n]+\n$/, `${what}: one line`);
  return result.stderr;
}
