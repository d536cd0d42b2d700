// `npm run mutate -- <module> [<module> …]`: StrykerJS on one core module at a time (default: all, in turn).
import { spawnSync } from 'node:child_process';

const ALL = ['stats', 'channels', 'exact', 'kernel', 'merge', 'scenario', 'check', 'export', 'fit'];
const modules = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
for (const module of modules) {
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { stdio: 'inherit', env: { ...process.env, MUTATE_MODULE: module } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
