/**
 * Bundles the compiled CLI and its threads with esbuild, so that Node reads a few files instead
 * of some two hundred modules, and saves V8's code cache for the CLI, so that it compiles almost
 * none of them either (start-up: docs/benchmarks.md).
 *
 * The CLI is one minified CommonJS script, dist/bundle/cli.cjs (written as the function Node
 * would wrap a module in), which bin/twogenerals.js compiles
 * through `vm.Script` with the cache that this script saves beside it after one run of the
 * default scenario: V8 then deserializes the functions that run needed rather than parsing and
 * compiling them. The pool thread is CommonJS too (worker.cjs), the protocol-isolating process
 * an ES module; the library (the package's "." export) is bundled on its own.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type BuildOptions, type Plugin, build } from 'esbuild';

const root = new URL('../..', import.meta.url);
const { codeCacheFile } = createRequire(import.meta.url)('../../bin/code-cache.js') as { codeCacheFile: (dir: string, source: string) => string };
const at = (path: string): string => new URL(path, root).pathname;

rmSync(at('dist/bundle'), { recursive: true, force: true }); // chunk names change with their content
rmSync(at('dist/lib'), { recursive: true, force: true });

/** What every bundle shares: Node 20, one copy of shared code, the charting stack left outside. */
const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Vega is large and rarely needed; resvg loads a native binary: both stay ordinary imports.
  external: ['vega', 'vega-lite', '@resvg/resvg-js'],
  logLevel: 'warning',
};

/** ES modules: CommonJS dependencies call require(), which an ES module has to be given. */
const esm: BuildOptions = {
  ...common,
  format: 'esm',
  splitting: true,
  banner: { js: "import { createRequire as __twogeneralsRequire } from 'node:module'; const require = __twogeneralsRequire(import.meta.url);" },
};

/**
 * In the CLI script, `import()` is the launcher's (a script compiled by `vm.Script` has no
 * loader of its own), passed in as `__twogeneralsImport`: see src/io/import-module.ts.
 */
const launcherImport: Plugin = {
  name: 'launcher-import',
  setup(build) {
    build.onLoad({ filter: /[\\/]io[\\/]import-module\.js$/ }, () => ({
      contents: 'export const importModule = (specifier) => __twogeneralsImport(specifier);',
      loader: 'js',
    }));
  },
};

/**
 * Node modules that only some commands need (or that a dependency requires for a rare path:
 * commander's child_process, seedrandom's crypto, cli-progress's readline; os only for a run
 * that may start threads, console only for protocol files), loaded on first use
 * rather than as the script starts. An import gets a shim per function the sources import (a
 * new name fails the build, so none is missed); a dependency's require() a proxy.
 */
const LAZY_BUILTINS: Record<string, readonly string[]> = {
  'node:child_process': ['fork', 'spawnSync'],
  'node:crypto': ['createHash'],
  'node:worker_threads': ['Worker'],
  'node:readline': [],
  'node:os': ['availableParallelism', 'homedir'],
  'node:console': ['Console'],
};
const lazyBuiltins: Plugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|crypto|worker_threads|readline|os|console)$/ }, ({ path, kind, namespace }) => {
      const name = path.startsWith('node:') ? path : `node:${path}`;
      if (namespace.startsWith('lazy-')) return { path: name, external: true }; // the shim's own require()
      return { path: name, namespace: kind === 'require-call' ? 'lazy-required' : 'lazy-imported' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-required' }, ({ path }) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => require(${JSON.stringify(path)})[key] });`,
      loader: 'js',
    }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-imported' }, ({ path }) => {
      const load = `require(${JSON.stringify(path)})`;
      // `new` on a function that returns an object gives that object: a class shims like a function.
      const shim = (name: string): string => `export function ${name}(...args) { const f = ${load}.${name}; return new.target ? new f(...args) : f(...args); }`;
      return { contents: LAZY_BUILTINS[path]!.map(shim).join('\n'), loader: 'js' };
    });
  },
};

/**
 * Packages that only some runs need (YAML for a scenario file, CSV for plot, fit and csv output,
 * cli-progress for a bar), initialized on first use rather than as the script starts: each
 * import of the sources gets a shim per function it imports, as for LAZY_BUILTINS (a new name
 * fails the build), and a default import an object that reads the package's on first use.
 */
const LAZY_PACKAGES: Record<string, readonly string[]> = {
  yaml: ['Document', 'LineCounter', 'isAlias', 'isMap', 'isScalar', 'isSeq', 'parse', 'parseAllDocuments', 'parseDocument', 'stringify', 'visit'],
  'csv-parse/sync': ['parse'],
  'csv-stringify/sync': ['stringify'],
  'cli-progress': ['default'],
};
const lazyPackages: Plugin = {
  name: 'lazy-packages',
  setup(build) {
    build.onResolve({ filter: /^(yaml|csv-parse\/sync|csv-stringify\/sync|cli-progress)$/ }, ({ path, importer, kind, namespace, resolveDir }) =>
      namespace === 'lazy-package' || kind !== 'import-statement' || /[\\/]node_modules[\\/]/.test(importer)
        ? undefined
        : { path, namespace: 'lazy-package', pluginData: resolveDir },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, ({ path, pluginData }) => {
      const load = `require(${JSON.stringify(path)})`;
      const shim = (name: string): string =>
        name === 'default'
          ? `export default new Proxy({}, { get: (_, key) => ${load}[key] });`
          : `export function ${name}(...args) { const f = ${load}.${name}; return new.target ? new f(...args) : f(...args); }`;
      return { contents: LAZY_PACKAGES[path]!.map(shim).join('\n'), loader: 'js', resolveDir: pluginData as string };
    });
  },
};

/** The CLI starts its pool threads from worker.cjs, the pool thread as CommonJS (below). */
const commonJsWorker: Plugin = {
  name: 'commonjs-worker',
  setup(build) {
    build.onLoad({ filter: /[\\/]engine[\\/]schedule[\\/]threads\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes("'./worker.js'")) throw new Error(`${path} no longer names './worker.js': update scripts/bundle.ts`);
      return { contents: source.replace("'./worker.js'", "'./worker.cjs'"), loader: 'js' };
    });
  },
};

/**
 * cli-table3 and cli-progress measure text with string-width, which compiles a 10 kB emoji
 * pattern on first use: the CLI gives them string-width behind src/io/string-width.ts, which
 * measures the reports' plain text without it (the same widths: test/string-width.test.ts).
 */
const narrowStringWidth: Plugin = {
  name: 'narrow-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, ({ importer, resolveDir, namespace }) =>
      namespace === 'narrow-string-width' || !/[\\/]node_modules[\\/](cli-table3|cli-progress)[\\/]/.test(importer)
        ? undefined
        : { path: resolveDir, namespace: 'narrow-string-width' },
    );
    build.onLoad({ filter: /.*/, namespace: 'narrow-string-width' }, ({ path }) => ({
      contents: `const { narrowWidth } = require(${JSON.stringify(at('dist/src/io/string-width.js'))});
        const stringWidth = require('string-width');
        module.exports = (text) => narrowWidth(text, stringWidth);
        module.exports.default = module.exports;`,
      resolveDir: path,
      loader: 'js',
    }));
  },
};

/**
 * chalk asks supports-color about the terminal as it loads, and supports-color loads node:tty,
 * and with it net and stream (start-up: docs/benchmarks.md). The CLI's chalk is only ever
 * `new Chalk({ level })` (src/export/table.ts), which never uses the answer: the CLI's chalk is
 * given a supports-color that answers "no colour" without asking. A source that imports chalk
 * otherwise fails the build.
 */
const chalkWithoutDetection: Plugin = {
  name: 'chalk-without-detection',
  setup(build) {
    build.onResolve({ filter: /^chalk$/ }, async ({ importer }) => {
      if (/[\\/]node_modules[\\/]/.test(importer)) return undefined;
      const source = await readFile(importer, 'utf8');
      const imports = source.match(/import[^;]*from 'chalk'/g) ?? [];
      const unleveled = source.match(/new Chalk\((?!\{\s*level: )/g); // \s*: the mutation runs' instrumented copy breaks the line there
      if (imports.some((line) => !/^import \{ Chalk \} from 'chalk'$/.test(line)) || unleveled)
        throw new Error(`${importer} uses chalk other than as new Chalk({ level }): update scripts/bundle.ts`);
      return undefined;
    });
    build.onResolve({ filter: /^#supports-color$/ }, () => ({ path: 'supports-color', namespace: 'no-color-detection' }));
    build.onLoad({ filter: /.*/, namespace: 'no-color-detection' }, () => ({ contents: 'export default { stdout: false, stderr: false };', loader: 'js' }));
  },
};

/** Where a CommonJS script finds its neighbours (the shipped scenarios, package.json): from its own place. */
const ownPlace: BuildOptions = {
  define: { 'import.meta.url': '__twogeneralsUrl' },
  banner: { js: 'var __twogeneralsUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/**
 * The CLI as bin/twogenerals.js compiles it: inside the function it is called as (so that the
 * launcher hands V8 the file's text as it is, not a copy joined to a wrapper), and all ASCII,
 * which the launcher reads as Latin-1 without decoding. One character beyond ASCII would make V8
 * keep the whole source at two bytes a character: twice the memory, and at start-up one more
 * young-generation collection. esbuild writes strings and names in ASCII already and leaves
 * regular expressions as they are; there a \u escape means the same character.
 */
function asLauncherScript(script: string): string {
  const ascii = script.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `(function (exports, require, module, __filename, __dirname, __twogeneralsImport) {${ascii}\n})`;
}

const cli = await build({
  ...common,
  entryPoints: [at('dist/src/cli/main.js')],
  format: 'cjs',
  minify: true,
  write: false,
  outfile: at('dist/bundle/cli.cjs'),
  ...ownPlace,
  plugins: [launcherImport, lazyBuiltins, lazyPackages, commonJsWorker, narrowStringWidth, chalkWithoutDetection],
});
const script = asLauncherScript(cli.outputFiles![0]!.text);
// The first line names the build: V8 checks a cache against its script's length only, so the
// launcher takes the cache only by this name, and a script rebuilt without it runs uncached.
const buildId = createHash('sha256').update(script).digest('hex').slice(0, 16);
mkdirSync(at('dist/bundle'), { recursive: true });
writeFileSync(at('dist/bundle/cli.cjs'), `//${buildId}\n${script}`);

// The CLI's pool thread: CommonJS, so that a thread boots without Node's ES module loader (a
// protocol file's import() is Node's own in a CommonJS module).
await build({
  ...common,
  entryPoints: [at('dist/src/engine/schedule/worker.js')],
  format: 'cjs',
  minify: true,
  outfile: at('dist/bundle/worker.cjs'),
  ...ownPlace,
});

// The process a protocol file is first loaded and checked in (it awaits at its top level).
await build({ ...esm, minify: true, entryPoints: { 'isolate-worker': at('dist/src/protocol-files/isolate-worker.js') }, outdir: at('dist/bundle') });

// The library (the package's "." export) on its own, with its pool thread and the process it
// loads a protocol file in beside it: an installed package needs no runtime dependency at all.
await build({
  ...esm,
  entryPoints: {
    index: at('dist/src/index.js'),
    worker: at('dist/src/engine/schedule/worker.js'),
    'isolate-worker': at('dist/src/protocol-files/isolate-worker.js'),
  },
  outdir: at('dist/lib'),
});

// One run of the default scenario, as a user starts it, saves the cache of what it compiled.
const saved = spawnSync(process.execPath, [at('bin/twogenerals.js'), 'run', '--trials', '1000'], {
  cwd: at('.'),
  env: { ...process.env, TWOGENERALS_SAVE_CODE_CACHE: '1' },
  encoding: 'utf8',
});
if (saved.status !== 0) throw new Error(`saving the code cache: the CLI exited ${saved.status}: ${saved.stderr}`);
readFileSync(codeCacheFile(at('dist/bundle'), readFileSync(at('dist/bundle/cli.cjs'), 'latin1'))); // it must be there, named for this Node.js
