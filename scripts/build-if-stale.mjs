#!/usr/bin/env node
/**
 * `npm test` builds only what changed since the last build: `npm run build` ends by recording a
 * digest of every build input (`--stamp`); without arguments this script rebuilds only when the
 * inputs' digest differs from the recorded one (or none is recorded), so a test right after
 * `npm ci` does not build everything a second time. Plain JavaScript: it must run before
 * anything is compiled. Contents, not modification times, decide: a checkout or a copy that
 * touches every file costs nothing, and an edit is never missed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-inputs');
/** What the build reads: sources, tests, scripts, the schema, and what decides the dependencies and compiler. */
const INPUTS = [
  'src',
  'test',
  'bench',
  'scripts',
  'scenarios/scenario.schema.json',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.types.json',
];

function* files(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* files(join(path, name));
  } else yield path;
}

function inputsDigest() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(join(ROOT, input)))
      hash
        .update(`${relative(ROOT, file)}\0`)
        .update(readFileSync(file))
        .update('\0');
  }
  return hash.digest('hex');
}

if (process.argv.includes('--stamp')) {
  writeFileSync(STAMP, `${inputsDigest()}\n`);
} else {
  const recorded = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (recorded !== inputsDigest()) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    process.exitCode = build.status ?? 1;
  } else {
    process.stdout.write('build: dist/ is up to date with its inputs, not rebuilt\n');
  }
}
