// `npm run mutate -- [--retest-survivors] [--sample=N[:K]] <module> … [-- <StrykerJS options>]`: StrykerJS on one core module at a time
// (default: all, in turn). See docs/mutation.md.
//
// Runs are incremental (reports/stryker-incremental-<module>.json): a mutant whose code did not
// change keeps its last result. The command runner cannot tell StrykerJS which tests changed, so
// after new tests `--retest-survivors` drops the surviving (and uncovered) mutants from the
// incremental file first: those are tested again, and the killed ones keep their result (adding
// tests cannot let a killed mutant survive). Ignored mutants (outside a sample) are always decided again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseSample } from './mutation-sample.mjs';

const ALL = ['stats', 'channels', 'exact', 'exact-entry', 'solvers', 'trace-starts', 'kernel', 'trace-lanes', 'montecarlo', 'montecarlo-entry', 'replay', 'start-order', 'result-order', 'trial-rules', 'refusals', 'merge', 'scenario', 'check', 'export', 'fit', 'trace-file'];
const dashes = process.argv.indexOf('--', 2);
const args = process.argv.slice(2, dashes < 0 ? undefined : dashes);
// After a second `--`: passed to StrykerJS as they are (`-- --mutate src/engine/exact/generic.ts`).
const passed = dashes < 0 ? [] : process.argv.slice(dashes + 1);
const retest = args.includes('--retest-survivors');
const named = args.filter((a) => !a.startsWith('--'));
const sample = args.find((a) => a.startsWith('--sample='))?.slice('--sample='.length);
const modules = named.length > 0 ? named : ALL;
if (sample !== undefined) {
  try {
    parseSample(sample);
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
}

/**
 * Drops from the incremental file the mutants whose result must be decided again: always the
 * Ignored ones (outside a sample: a run with another --sample, or with the lines moved, would
 * otherwise reuse "Ignored" for mutants now in its sample), and with --retest-survivors the
 * surviving ones.
 */
function dropForRetest(module) {
  const file = `reports/stryker-incremental-${module}.json`;
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const dropped = { Ignored: 0, Survived: 0 };
  for (const entry of Object.values(report.files)) {
    const kept = entry.mutants.filter((m) => {
      const again = m.status === 'Ignored' || (retest && (m.status === 'Survived' || m.status === 'NoCoverage'));
      if (again) dropped[m.status === 'Ignored' ? 'Ignored' : 'Survived']++;
      return !again;
    });
    entry.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  if (retest) console.log(`${module}: ${dropped.Survived} surviving mutants will be tested again`);
}

for (const module of modules) {
  dropForRetest(module);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...passed], { stdio: 'inherit', env: { ...process.env, MUTATE_MODULE: module, TWOGENERALS_MUTATION: '1', ...(sample ? { MUTATE_SAMPLE: sample } : {}) } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
