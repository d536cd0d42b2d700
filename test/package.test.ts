import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, temporaryDirectory } from './helpers.js';
import { cliSeries } from './cli-series.js';

/**
 * The package as a user gets it: the tarball `npm pack` makes (from this build, scripts off so
 * that the build other tests use is left alone), installed into an empty project, and driven
 * the way the README says.
 */
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let project = '';
let installLog = '';

let npmCache = '';

/**
 * npm's settings for the suite's own npm commands: none of the caller's. `npm test` hands its
 * scripts every setting it was given as npm_config_* (`npm test --dry-run` packed nothing, and
 * `--global` would have installed into the machine's prefix), and a user's ~/.npmrc or an
 * unwritable HOME reach npm as well. So the settings from the environment are dropped, the user's
 * and global npmrc are none, and the cache is a folder of the test's own.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name)));
  return {
    ...env,
    npm_config_userconfig: join(npmCache, 'no-user-npmrc'),
    npm_config_globalconfig: join(npmCache, 'no-global-npmrc'),
    npm_config_cache: npmCache,
  };
}

function inProject(command: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, {
    cwd: project,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...npmEnvironment(), NO_COLOR: '', FORCE_COLOR: '0', GITHUB_ACTIONS: '', npm_config_yes: 'true' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether Node would find a package from the project (a node_modules above the temporary folder counts). */
function resolvable(name: string): boolean {
  try {
    createRequire(join(project, 'index.js')).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** `npx twogenerals …` in the project, as the README writes it. */
const npxTwogenerals = (...args: string[]) => inProject('npx', ['--no-install', 'twogenerals', ...args]);
/** The installed command itself, which `npx` starts (npx's own start-up each time adds nothing to test). */
const twogenerals = (...args: string[]) => inProject(process.execPath, [join(project, 'node_modules', '.bin', 'twogenerals'), ...args]);
/** The installed package's own bin file (its bundle sits beside it). */
const installedBin = (): string => join(project, 'node_modules', 'twogenerals', 'bin', 'twogenerals.js');

describe('the packed package, installed into an empty project', () => {
  before(() => {
    project = temporaryDirectory('twogenerals-package-');
    npmCache = temporaryDirectory('twogenerals-npm-cache-');
    const pack = spawnSync(npm, ['pack', '--ignore-scripts', '--pack-destination', project, '--silent'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: npmEnvironment(),
    });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "version": "1.0.0", "private": true }\n');
    // The CLI and the library are bundled: nothing to fetch, so the install works offline.
    const install = inProject(npm, ['install', '--offline', '--no-audit', '--no-fund', `./${tarball}`]);
    installLog = `${install.stdout}\n${install.stderr}`;
    assert.equal(install.status, 0, installLog);
  });
  after(() => {
    if (project) rmSync(project, { recursive: true, force: true });
    if (npmCache) rmSync(npmCache, { recursive: true, force: true });
  });

  it('installs offline, without an install-script warning, with no dependency (so neither ajv nor the charting stack)', () => {
    assert.doesNotMatch(installLog, /install-scripts|prepare/i);
    assert.deepEqual(
      readdirSync(join(project, 'node_modules')).filter((f) => !f.startsWith('.')),
      ['twogenerals'],
    );
    for (const absent of ['ajv', 'vega', 'vega-lite', '@resvg/resvg-js']) {
      assert.ok(!existsSync(join(project, 'node_modules', absent)), `${absent} is not installed`);
    }
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'twogenerals', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['repository', 'homepage', 'bugs', 'keywords']) assert.ok(manifest[key], `package.json has ${key}`);
    assert.ok(!('prepare' in (manifest['scripts'] as object)), 'no install-time script');
    assert.ok(existsSync(join(project, 'node_modules', 'twogenerals', 'docs', 'writing-a-protocol.md')), 'the docs ship');
  });

  it("runs the README's commands: shipped scenarios and examples by name and by the README's paths", () => {
    const fast = ['--trials', '20000'];
    const first = npxTwogenerals('run', ...fast);
    assert.equal(first.status, 0, `npx twogenerals run: ${first.stderr}`);
    assert.match(first.stdout, /^seed-foot-soldiers: /);
    // The scenarios by name and by path in one run (a process each found them no differently), each printed.
    const names = ['handshake-regress', 'scenarios/handshake-regress.yaml', 'bursty-5pct', 'examples/radio-link-trace.yaml', 'tcp-handshake'];
    const several = twogenerals('run', ...names, ...fast);
    assert.equal(several.status, 0, `twogenerals run ${names.join(' ')}: ${several.stderr}`);
    for (const name of ['handshake-regress', 'handshake-regress', 'bursty-5pct', 'radio-link-trace', 'tcp-handshake'])
      assert.ok(several.stdout.includes(`\n${name}: `) || several.stdout.startsWith(`${name}: `), `${name} printed its result`);
    assert.equal(several.stdout.match(/^handshake-regress: /gm)?.length, 2, 'handshake-regress by name and by path');
    // The rest through the installed bundle in one process (cli-series.ts): the installed command's own start is tried above.
    const commands = [
      ['run', 'bursty-redundancy', 'iid-redundancy', ...fast, '--format', 'csv'],
      ['trace', 'handshake-regress', '--cell', '4', '--first', 'disagreement'],
      ['trace', 'two-phase-commit', '--first', 'blocked'],
      ['fit', 'examples/traces/radio-link-ping.txt'],
      ['plan', 'bursty-5pct', '--target', 'success>=0.9999', '--vary', 'redundancy=1:32'],
      ['list'],
      ['scenarios'],
    ];
    for (const [i, r] of cliSeries(commands, {}, project, installedBin()).entries()) {
      const args = commands[i]!;
      assert.equal(r.status, 0, `twogenerals ${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, `twogenerals ${args.join(' ')} printed its result`);
    }
  });

  it('copies a shipped scenario into a complete file whose $schema resolves', () => {
    const r = twogenerals('scenarios', 'bursty-5pct');
    assert.equal(r.status, 0, r.stderr);
    const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(r.stdout);
    assert.ok(schema, r.stdout.slice(0, 200));
    const mine = join(project, 'mine.yaml');
    writeFileSync(mine, r.stdout);
    assert.ok(existsSync(join(dirname(mine), schema[1]!)), `${schema[1]} resolves from mine.yaml`);
    const run = twogenerals('run', 'mine.yaml', '--trials', '20000', '--format', 'csv');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^scenario,/);
  });

  it('refuses a chart in one line that says how to get charts', (t) => {
    if (resolvable('vega')) {
      t.skip('a node_modules above the temporary folder holds vega');
      return;
    }
    const r = twogenerals('plot', 'bursty-5pct', '-o', 'chart.svg');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^twogenerals: -o chart\.svg: drawing a chart needs vega, which is not installed: run `npm install vega vega-lite @resvg\/resvg-js`.*\n$/,
    );
    assert.ok(!existsSync(join(project, 'chart.svg')));
    const fit = twogenerals('fit', 'examples/traces/radio-link-ping.txt', '-o', 'fit.svg');
    assert.equal(fit.status, 2);
    assert.equal(fit.stdout, '', 'refused before the report is printed');
  });

  it('types every export for a strict TypeScript user', () => {
    writeFileSync(
      join(project, 'use.ts'),
      "import { loadScenario, runExperiment } from 'twogenerals';\nimport type { ProtocolDefinition } from 'twogenerals/protocol';\nexport const load: typeof loadScenario = loadScenario;\nexport const run: typeof runExperiment = runExperiment;\nexport type P = ProtocolDefinition;\n",
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        // No DOM library: a Node user's setting, and a third of tsc's time.
        compilerOptions: { strict: true, target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, types: [] },
        files: ['use.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = inProject(process.execPath, [tsc, '-p', 'tsconfig.json']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("types a protocol file's JSDoc import of twogenerals/protocol under TypeScript's default module resolution too", () => {
    // `tsc --checkJs` with no module options (node10 resolution, as an editor's loose JavaScript
    // file may be checked) does not read `exports`: typesVersions maps the subpath for it.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const example = join('node_modules', 'twogenerals', 'examples', 'protocols', 'tcp-handshake.mjs');
    writeFileSync(join(project, 'mine.mjs'), readFileSync(join(project, example), 'utf8'));
    // No DOM library (as above): the default one's DOM is most of tsc's time, and resolution does not depend on it.
    const r = inProject(process.execPath, [tsc, '--allowJs', '--checkJs', '--noEmit', '--strict', '--lib', 'ES2022', 'mine.mjs']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('runs a protocol file through the library, imported (and required, where Node can require an ES module), on its threads', () => {
    // The library had no checking process beside it in the package: every protocol file failed to load.
    const scenario = join(project, 'node_modules', 'twogenerals', 'examples', 'three-phase-commit.yaml');
    const body = `const s = await tg.loadScenario(${JSON.stringify(scenario)}, { trials: '300000' });
      const r = await tg.runExperiment([s], { exact: 'on', simulate: true, confidence: 0.95, workers: 2 });
      process.stdout.write(JSON.stringify({ trials: r.summaries[0].trials, committed: r.summaries[0].outcomes[0].count }));`;
    writeFileSync(join(project, 'use.mjs'), `import * as tg from 'twogenerals';\n${body}\n`);
    writeFileSync(join(project, 'use.cjs'), `const tg = require('twogenerals');\n(async () => { ${body} })();\n`);
    const cli = twogenerals('run', scenario, '--trials', '300000', '--format', 'csv');
    assert.equal(cli.status, 0, cli.stderr);
    const [header, row] = cli.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const expected = { trials: 300000, committed: Number(row![header!.indexOf('committed')]) };
    const imported = inProject(process.execPath, ['use.mjs']);
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), expected);
    if ((process.features as { require_module?: boolean }).require_module) {
      const required = inProject(process.execPath, ['use.cjs']);
      assert.equal(required.status, 0, required.stderr);
      assert.deepEqual(JSON.parse(required.stdout), expected);
    }
  });
});

describe('a checkout before its build', () => {
  it('says in one line to build first (exit 2), not a stack trace', () => {
    const dir = temporaryDirectory('twogenerals-unbuilt-');
    try {
      mkdirSync(join(dir, 'bin'));
      for (const file of readdirSync(join(ROOT, 'bin'))) copyFileSync(join(ROOT, 'bin', file), join(dir, 'bin', file));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'twogenerals.js'), 'run'], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'twogenerals: not built yet: run `npm run build` in the checkout first (README, "Two commands")\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
