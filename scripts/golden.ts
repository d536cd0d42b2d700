/**
 * The golden CSVs: every shipped scenario and example, run as a user runs it (`twogenerals run
 * FILE --format csv`, and again with `--exact`), must print the bytes committed in test/golden/
 * on every Node version and machine (README, "Reproducibility"). CI runs this on each Node of
 * its matrix. With --update it rewrites the files instead (after a change meant to alter output).
 *
 *   node dist/scripts/golden.js [--update] [name-filter]
 *
 * The CLI is run with the Node that runs this script (process.execPath), so one binary is tested
 * at a time; two workers, so that the thread count is exercised while the bytes must not change.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GOLDEN = join(ROOT, 'test', 'golden');

export interface GoldenCase {
  /** The file name under test/golden/. */
  readonly name: string;
  /** The CLI's arguments. */
  readonly args: readonly string[];
}

/** Every shipped scenario and example, with and without --exact. */
export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const dir of ['scenarios', 'examples']) {
    for (const file of readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      const base = `${dir}-${file.replace(/\.yaml$/, '')}`;
      const args = ['run', `${dir}/${file}`, '--format', 'csv', '--workers', '2'];
      cases.push({ name: `${base}.csv`, args }, { name: `${base}.exact.csv`, args: [...args, '--exact'] });
    }
  }
  return cases;
}

/** The CLI's stdout for one case, or throws with its stderr. */
export function runCase(c: GoldenCase): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'twogenerals.js'), ...c.args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (r.status !== 0) throw new Error(`twogenerals ${c.args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

function main(argv: readonly string[]): number {
  const update = argv.includes('--update');
  const filter = argv.find((a) => !a.startsWith('--')) ?? '';
  mkdirSync(GOLDEN, { recursive: true });
  let different = 0;
  for (const c of goldenCases().filter((g) => g.name.includes(filter))) {
    const actual = runCase(c);
    const path = join(GOLDEN, c.name);
    if (update) {
      writeFileSync(path, actual);
      process.stdout.write(`wrote test/golden/${c.name}\n`);
      continue;
    }
    let expected: string;
    try {
      expected = readFileSync(path, 'utf8');
    } catch {
      expected = '';
    }
    if (actual === expected) {
      process.stdout.write(`same  ${c.name}\n`);
      continue;
    }
    different++;
    const a = actual.split('\n');
    const e = expected.split('\n');
    const line = a.findIndex((text, i) => text !== e[i]);
    process.stdout.write(
      `DIFFERENT ${c.name} (twogenerals ${c.args.join(' ')}), first at line ${line + 1}:\n  golden: ${e[line] ?? '(none)'}\n  now:    ${a[line]}\n`,
    );
  }
  if (different) process.stdout.write(`${different} golden file(s) differ on Node ${process.version}\n`);
  else if (!update) process.stdout.write(`every golden file is byte-identical on Node ${process.version}\n`);
  return different ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
