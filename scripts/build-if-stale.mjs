#!/usr/bin/env node
/**
 * `npm test` builds only what changed since the last build: `npm run build` ends by recording a
 * digest of every build input (`--stamp`); without arguments this script rebuilds only when the
 * inputs' digest differs from the recorded one (or none is recorded), so a test right after
 * `npm ci` does not build everything a second time. Plain JavaScript: it must run before
 * anything is compiled. Contents, not modification times, decide: a checkout or a copy that
 * touches every file costs nothing, and an edit is never missed. A change of Node.js (its V8)
 * rebuilds too, so that the CLI's code cache is always the running Node's.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
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
  // The V8 that runs the build is an input too: the CLI's code cache is V8's own and refused by another.
  hash.update(`v8 ${process.versions.v8}\0`);
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
    // The build runs on this Node (first on the PATH), whichever Node the PATH would pick.
    const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32', env: { ...process.env, PATH: path } });
    process.exitCode = build.status ?? 1;
  } else {
    process.stdout.write('build: dist/ is up to date with its inputs, not rebuilt\n');
  }
}
