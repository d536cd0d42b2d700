/**
 * Bundles the compiled CLI and its pool thread with esbuild: Node then reads a few files instead
 * of some two hundred modules, which halves the CLI's start-up (docs/benchmarks.md).
 * Splitting keeps one copy of the code the entry points share (the engine; `early.js` holds
 * the early-started threads that `bin/twogenerals.js` hands to the pool), and leaves the
 * exporters and the chart renderer in chunks loaded only when used.
 */
import { rmSync } from 'node:fs';
import { type BuildOptions, build } from 'esbuild';

const root = new URL('../..', import.meta.url);
const at = (path: string): string => new URL(path, root).pathname;

rmSync(at('dist/bundle'), { recursive: true, force: true }); // chunk names change with their content
rmSync(at('dist/lib'), { recursive: true, force: true });

/** What both bundles share: ES modules for Node 20, one copy of shared code, the charting stack left outside. */
const common: BuildOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Vega is large and rarely needed; resvg loads a native binary: both stay ordinary imports.
  external: ['vega', 'vega-lite', '@resvg/resvg-js'],
  // CommonJS dependencies call require(), which an ES module has to be given.
  banner: { js: "import { createRequire as __twogeneralsRequire } from 'node:module'; const require = __twogeneralsRequire(import.meta.url);" },
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: {
    cli: at('dist/src/cli/main.js'),
    worker: at('dist/src/engine/schedule/worker.js'),
    'isolate-worker': at('dist/src/protocols/isolate-worker.js'),
    early: at('dist/src/cli/early.js'),
  },
  outdir: at('dist/bundle'),
});

// The library (the package's "." export) on its own, with its pool thread beside it: the CLI's
// chunks stay as they are, and an installed package needs no runtime dependency at all.
await build({
  ...common,
  entryPoints: { index: at('dist/src/index.js'), worker: at('dist/src/engine/schedule/worker.js') },
  outdir: at('dist/lib'),
});
