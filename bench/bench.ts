/**
 * `npm run bench`: the three reference workloads of ../shared/bench, run by twogenerals and, in
 * the same session and alternating with it, by the C limit, the NumPy baseline and naive.js.
 * Whole-process wall times, medians of several runs; ratios from the same session, because the
 * machine is shared and noisy. Writes the table to docs/benchmarks.md.
 *
 *   npm run bench [-- --runs 5] [-- --quick] [-- --limits DIR] [-- --trial-by-trial | --against-limit]
 *
 * --quick runs every workload at a tenth of its size, for trying the harness. --limits names a
 * copy of ../shared/bench where `make` has built ./limit and ./limit-commit. --trial-by-trial runs
 * only the trial-by-trial section (W4 and three-phase commit) and prints it, writing no file;
 * --against-limit only start-up and W1–W3 against the C limit, likewise.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { buildCellModel } from '../src/engine/model.js';
import { exactCell } from '../src/engine/exact/index.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { commitKernelFor } from '../src/engine/montecarlo/commit-kernel.js';
import { bareLoopFor } from './bare-loop.js';
import { EXACT_TIMING_CELLS } from './exact-cells.js';
import { trialKernelFor } from '../src/engine/montecarlo/trial-kernel.js';
import type { CellModel, CellSpec } from '../src/engine/model.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import type { Tally } from '../src/engine/tally.js';
import { blockState } from '../src/rng/streams.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { BUILT_IN_PROTOCOLS } from '../src/catalog/protocols.js';
import { unregister } from '../src/catalog/register.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USAGE = 'usage: npm run bench [-- --runs N] [-- --quick] [-- --limits DIR] [-- --trial-by-trial | --against-limit]';
/** Unknown flags are refused: a mistyped one would otherwise start the full bench and rewrite docs/benchmarks.md. */
function readArgs() {
  try {
    return parseArgs({
      options: {
        runs: { type: 'string' },
        quick: { type: 'boolean' },
        limits: { type: 'string' },
        'trial-by-trial': { type: 'boolean' },
        'against-limit': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const args = readArgs();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const RUNS = args.runs === undefined ? 3 : Number(args.runs);
if (!(Number.isInteger(RUNS) && RUNS >= 1)) {
  console.error(`bench: --runs must be a whole number of at least 1, not "${args.runs}"`);
  process.exit(2);
}
/** Where the reference baselines are, and the C limits built (`--limits DIR` for a copy built elsewhere). */
const SHARED = args.limits ?? join(ROOT, '..', 'shared', 'bench');
const QUICK = args.quick === true;
const WORKERS = 2;

interface Workload {
  readonly name: string;
  readonly trials: number;
  /** naive.js runs at trials / naiveScale, and its time is scaled back up. */
  readonly naiveScale: number;
}

const WORKLOADS: Workload[] = [
  { name: 'W1', trials: 1e9, naiveScale: 100 },
  { name: 'W2', trials: 1e8, naiveScale: 10 },
  { name: 'W3', trials: 1e8, naiveScale: 10 },
].map((w) => (QUICK ? { ...w, trials: w.trials / 10 } : w));

interface Program {
  readonly name: string;
  readonly command: (w: Workload) => { file: string; args: string[]; cwd: string; scale: number } | null;
}

const python = findPython();
const PROGRAMS: Program[] = [
  {
    name: 'twogenerals',
    command: (w) => ({
      file: process.execPath,
      args: [
        join(ROOT, 'bin', 'twogenerals.js'),
        'run',
        join(ROOT, 'bench', `${w.name}.yaml`),
        '--format',
        'csv',
        '--workers',
        String(WORKERS),
        '--trials',
        String(w.name === 'W3' ? w.trials / 100 : w.trials),
      ],
      cwd: ROOT,
      scale: 1,
    }),
  },
  {
    name: 'limit',
    command: (w) =>
      existsSync(join(SHARED, 'limit')) ? { file: './limit', args: [w.name, String(w.trials), '-m', fastestLimitEngine(w)], cwd: SHARED, scale: 1 } : null,
  },
  { name: 'numpy', command: (w) => (python ? { file: python, args: ['numpy_baseline.py', w.name, String(w.trials)], cwd: SHARED, scale: 1 } : null) },
  {
    name: 'naive.js',
    command: (w) =>
      existsSync(join(SHARED, 'node_modules', 'seedrandom'))
        ? { file: process.execPath, args: ['naive.js', w.name, String(w.trials / w.naiveScale)], cwd: SHARED, scale: w.naiveScale }
        : null,
  },
];

/** The C limit's engines: twogenerals is held to the fastest of them on each workload. */
const LIMIT_ENGINES = ['simd', 'stream', 'plain'] as const;
const fastestEngines = new Map<string, string>();

/** The limit's fastest engine for the workload on this machine, from one timed run of each. */
function fastestLimitEngine(w: Workload): string {
  let engine = fastestEngines.get(w.name);
  if (!engine) {
    const seconds = LIMIT_ENGINES.map((m) => timeRun({ file: './limit', args: [w.name, String(w.trials), '-m', m], cwd: SHARED, scale: 1 }).seconds);
    engine = LIMIT_ENGINES[seconds.indexOf(Math.min(...seconds))]!;
    fastestEngines.set(w.name, engine);
    console.error(`${w.name}: the limit's fastest engine is ${engine} (${LIMIT_ENGINES.map((m, i) => `${m} ${seconds[i]!.toFixed(3)} s`).join(', ')})`);
  }
  return engine;
}

function findPython(): string | null {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import numpy'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return null;
}

function timeRun(command: { file: string; args: string[]; cwd: string; scale: number }): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(command.file, command.args, { cwd: command.cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${command.file} ${command.args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { seconds: seconds * command.scale, stdout: r.stdout };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Largest |z| of twogenerals' estimates against its exact values, and the exact engine's time per cell. */
function checkAgainstExact(csv: string): { maxZ: number; cells: number } {
  const rows = parseCsv(csv, { columns: true, cast: true }) as Record<string, number>[];
  let maxZ = 0;
  for (const row of rows) {
    for (const column of ['success_z', 'disagreement_z', 'messengers_z']) maxZ = Math.max(maxZ, Math.abs(Number(row[column])));
  }
  return { maxZ, cells: rows.length };
}

const BENCHMARKS = join(ROOT, 'docs', 'benchmarks.md');
const EARLIER = '## Earlier measurements';

/** The report's hand-written part, kept from the file the bench replaces: from its EARLIER heading on. */
function earlierMeasurements(): string {
  const before = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
  const at = before.indexOf(`\n${EARLIER}\n`);
  return at < 0 ? '' : before.slice(at);
}

function exactTiming(): string {
  const lines: string[] = [];
  for (const { protocol, channel, params, label } of EXACT_TIMING_CELLS) {
    const model = buildCellModel({ protocol, channel, params });
    const first = exactCell(model);
    const reps = Math.max(1, Math.min(20, Math.floor(200 / Math.max(1, first.statesExpanded / 1e4))));
    const started = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) exactCell(model);
    const ms = Number(process.hrtime.bigint() - started) / 1e6 / reps;
    lines.push(`| ${protocol} | ${label} | ${first.method} | ${ms.toFixed(2)} ms | ${first.statesExpanded.toLocaleString('en-US')} |`);
  }
  return lines.join('\n');
}

/**
 * W3 with the handshake built in and the same protocol as a file (bench/handshake.mjs), run
 * alternately, RUNS times each: a protocol file must run as fast as a built-in one (within 10%).
 */
function protocolFileTiming(): string {
  const time = (scenario: string): number =>
    timeRun({
      file: process.execPath,
      args: [
        join(ROOT, 'bin', 'twogenerals.js'),
        'run',
        join(ROOT, 'bench', scenario),
        '--format',
        'csv',
        '--workers',
        String(WORKERS),
        '--trials',
        String(1e8 / 100),
      ],
      cwd: ROOT,
      scale: 1,
    }).seconds;
  const ratios: number[] = [];
  const builtIn: number[] = [];
  const file: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    builtIn.push(time('W3.yaml'));
    file.push(time('W3-file.yaml'));
    ratios.push(file[file.length - 1]! / builtIn[builtIn.length - 1]!);
    console.error(`run ${run}/${RUNS} W3 built-in ${builtIn[builtIn.length - 1]!.toFixed(3)} s, as a protocol file ${file[file.length - 1]!.toFixed(3)} s`);
  }
  const ratio = median(ratios);
  return `Protocol files: W3 (10^6 trials per cell, 100 cells) with the handshake built in ${median(builtIn).toFixed(3)} s, written as a protocol file (bench/handshake.mjs) ${median(file).toFixed(3)} s: file / built-in ${ratio.toFixed(3)} ${ratio <= 1.1 ? '✓' : '✗'} (≤ 1.10, median of the run-by-run ratios).`;
}

/** What the start-up goal holds: the default scenario's run of 1,000 trials, whole process, within 100 ms. */
const START_UP_GOAL_MS = 100;

/**
 * Start-up: `run --trials 1000` of the default scenario against `node -e 0` (Node's own start),
 * in alternating pairs, 4 · RUNS + 1 of them (each takes a fraction of a second).
 */
function startUp(): string {
  const pairs = 4 * RUNS + 1;
  const cli: number[] = [];
  const node: number[] = [];
  const bin = join(ROOT, 'bin', 'twogenerals.js');
  for (let run = 0; run < pairs; run++) {
    cli.push(timeRun({ file: process.execPath, args: [bin, 'run', '--trials', '1000'], cwd: ROOT, scale: 1 }).seconds * 1000);
    node.push(timeRun({ file: process.execPath, args: ['-e', '0'], cwd: ROOT, scale: 1 }).seconds * 1000);
  }
  const ms = median(cli);
  return `Start-up: \`twogenerals run --trials 1000\` (the default scenario, whole process) median ${ms.toFixed(0)} ms wall ${ms <= START_UP_GOAL_MS ? '✓' : '✗'} (≤ ${START_UP_GOAL_MS} ms), \`node -e 0\` ${median(node).toFixed(0)} ms (${pairs} alternating pairs).`;
}

/**
 * W1–W3 run by twogenerals as in the main table and by the C limit's fastest engine on one
 * thread, in RUNS alternating pairs: the ratios the ≤ 4 goal is about, without the slower baselines.
 */
function againstLimit(): string {
  const tg = PROGRAMS.find((p) => p.name === 'twogenerals')!;
  const limit = PROGRAMS.find((p) => p.name === 'limit')!;
  const rows = WORKLOADS.map((w) => {
    const limitCommand = limit.command(w);
    if (!limitCommand) return `| ${w.name} | limit is not built in ${SHARED} | | | | |`;
    const ratios: number[] = [];
    const tgSeconds: number[] = [];
    const limitSeconds: number[] = [];
    let maxZ = 0;
    for (let run = 1; run <= RUNS; run++) {
      const a = timeRun(tg.command(w)!);
      const b = timeRun(limitCommand);
      tgSeconds.push(a.seconds);
      limitSeconds.push(b.seconds);
      ratios.push(a.seconds / b.seconds);
      maxZ = Math.max(maxZ, checkAgainstExact(a.stdout).maxZ);
      console.error(`run ${run}/${RUNS} ${w.name}: twogenerals ${a.seconds.toFixed(3)} s, limit -m ${fastestLimitEngine(w)} ${b.seconds.toFixed(3)} s`);
    }
    const ratio = median(ratios);
    return `| ${w.name} | ${w.trials.toExponential(0)} | ${median(tgSeconds).toFixed(3)} s | ${median(limitSeconds).toFixed(3)} s (\`-m ${fastestLimitEngine(w)}\`) | ${ratio.toFixed(2)} ${ratio <= 4 ? '✓' : '✗'} | ${maxZ.toFixed(2)} |`;
  });
  return [
    `Machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown'}, SIMD ${simdLevel()}, Node.js ${process.version}.`,
    '',
    startUp(),
    '',
    `| workload | trials | twogenerals (${WORKERS} workers) | C limit, 1 thread, fastest engine | twogenerals / limit (≤ 4, median of ${RUNS} pairs) | max \\|z\\| vs exact |`,
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

/** The CPU's widest SIMD level, as /proc/cpuinfo lists it (the C limit's vectors follow it). */
function simdLevel(): string {
  try {
    const flags = new Set(readFileSync('/proc/cpuinfo', 'utf8').match(/avx512[a-z]*|avx2/g) ?? []);
    return flags.has('avx512f')
      ? `AVX-512 (${[...flags]
          .filter((f) => f.startsWith('avx512'))
          .sort()
          .join(', ')})`
      : flags.has('avx2')
        ? 'AVX2'
        : 'neither AVX2 nor AVX-512';
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

interface TrialByTrial {
  readonly label: string;
  readonly scenario: string;
  readonly trials: number;
  /** Further `run` arguments (a --set making the example W4's size). */
  readonly extra?: readonly string[];
}

/** A generator that counts its words. */
class CountingXoshiro128 extends Xoshiro128 {
  words = 0;
  override nextUint32(): number {
    this.words++;
    return super.nextUint32();
  }
}

/** Trials over which a row's draws per trial are counted. */
const COUNTED_TRIALS = 20_000;

/** A row's cell, a protocol file loaded as `run` loads it. */
async function rowSpec(r: TrialByTrial): Promise<CellSpec> {
  const set = r.extra?.flatMap((a, i, all) => (all[i - 1] === '--set' ? [a] : []));
  const [cell] = expandCells(await loadScenario(r.scenario, { set }));
  return cellSpec(cell!);
}

/** Protocol files of two rows may name the same parameter: one registered at a time (a file stays loaded for the next row of its scenario). */
function releaseRow(model: CellModel, r: TrialByTrial, next: TrialByTrial | undefined): void {
  if (!BUILT_IN_PROTOCOLS.includes(model.protocol) && next?.scenario !== r.scenario) unregister(model.protocol.name);
}

/**
 * Draws per trial of a row's cell: the generator's words over COUNTED_TRIALS trials of the
 * generic engine (every engine draws the same words).
 */
function drawsPerTrial(model: CellModel): number {
  const rng = new CountingXoshiro128(1, 2, 3, 4);
  runBlockGeneric(model, rng, COUNTED_TRIALS);
  return rng.words / COUNTED_TRIALS;
}

/** The trials of the run whose time is taken as a command's start-up and set-up (the rate a draw is what more trials add). */
const FIXED_TRIALS = 1000;

/** Trials per block of the one-thread runs, as `run` hands them to a worker. */
const ONE_THREAD_BLOCK = 65_536;

/** CPU seconds per trial of `trials` trials through `kernel`, block by block, on this thread. */
function cpuPerTrial(kernel: (stream: Int32Array, trials: number) => Tally, label: string, trials: number): number {
  const start = process.cpuUsage();
  for (let done = 0, block = 0; done < trials; done += ONE_THREAD_BLOCK, block++)
    kernel(blockState('bench', label, block), Math.min(ONE_THREAD_BLOCK, trials - done));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6 / trials;
}

/**
 * The trial-by-trial workloads at the default worker count: W4 (two-phase commit, 10 cohorts)
 * against the C limit limit-commit on two threads, in alternating pairs; the same cell with two-phase
 * commit written as a protocol file, and the three-phase-commit example (a protocol file), as time
 * per draw beside the built-in's.
 */
async function trialByTrial(): Promise<string> {
  const scale = QUICK ? 10 : 1;
  const runs: TrialByTrial[] = [
    { label: 'W4, built-in two-phase commit', scenario: join(ROOT, 'bench', 'W4.yaml'), trials: 1e7 / scale },
    { label: 'W4, two-phase commit as a protocol file (bench/two-phase-commit.mjs)', scenario: join(ROOT, 'bench', 'W4-file.yaml'), trials: 1e7 / scale },
    {
      label: 'examples/three-phase-commit.yaml (a protocol file, 3 cohorts)',
      scenario: join(ROOT, 'examples', 'three-phase-commit.yaml'),
      trials: 2e7 / scale,
    },
    {
      label: 'examples/three-phase-commit.yaml with 10 cohorts (trial by trial, as W4)',
      scenario: join(ROOT, 'examples', 'three-phase-commit.yaml'),
      trials: 1e7 / scale,
      extra: ['--set', 'cohorts=10', '--no-exact'],
    },
  ];
  const specs: CellSpec[] = [];
  const models: CellModel[] = [];
  const draws: number[] = [];
  for (const [i, r] of runs.entries()) {
    specs.push(await rowSpec(r));
    models.push(buildCellModel(specs[i]!));
    draws.push(drawsPerTrial(models[i]!));
    releaseRow(models[i]!, r, runs[i + 1]);
  }
  const limitCommit = existsSync(join(SHARED, 'limit-commit'));
  const seconds: number[][] = runs.map(() => []);
  const rates: number[][] = runs.map(() => []);
  const marginal: number[][] = runs.map(() => []);
  const limitSeconds: number[] = [];
  const ratios: number[] = [];
  let maxZ = 0;
  for (let run = 1; run <= RUNS; run++) {
    runs.forEach((r, i) => {
      const { seconds: s, stdout } = timeRun({
        file: process.execPath,
        args: [join(ROOT, 'bin', 'twogenerals.js'), 'run', r.scenario, '--format', 'csv', '--trials', String(r.trials), ...(r.extra ?? [])],
        cwd: ROOT,
        scale: 1,
      });
      seconds[i]!.push(s);
      rates[i]!.push(s / (r.trials * draws[i]!));
      // The same command at FIXED_TRIALS: its start-up and set-up (a protocol file's isolated check), taken off for the rate a draw.
      const fixed = timeRun({
        file: process.execPath,
        args: [join(ROOT, 'bin', 'twogenerals.js'), 'run', r.scenario, '--format', 'csv', '--trials', String(FIXED_TRIALS), ...(r.extra ?? [])],
        cwd: ROOT,
        scale: 1,
      }).seconds;
      marginal[i]!.push((s - fixed) / ((r.trials - FIXED_TRIALS) * draws[i]!));
      if (i === 0) maxZ = Math.max(maxZ, checkAgainstExact(stdout).maxZ);
      console.error(`run ${run}/${RUNS} ${r.label}: ${s.toFixed(3)} s`);
      if (i === 0 && limitCommit) {
        const c = timeRun({ file: './limit-commit', args: [String(r.trials), '-t', '2'], cwd: SHARED, scale: 1 });
        limitSeconds.push(c.seconds);
        ratios.push(s / c.seconds);
        console.error(`run ${run}/${RUNS} limit-commit -t 2: ${c.seconds.toFixed(3)} s`);
      }
    });
  }
  const ns = (values: number[]): string => `${(median(values) * 1e9).toFixed(1)} ns`;
  const rows = runs.map(
    (r, i) =>
      `| ${r.label} | ${r.trials.toExponential(0)} | ${median(seconds[i]!).toFixed(3)} s | ${draws[i]!.toFixed(1)} | ${ns(rates[i]!)} | ${(median(rates[i]!) / median(rates[0]!)).toFixed(2)} | ${ns(marginal[i]!)} | ${(median(marginal[i]!) / median(marginal[0]!)).toFixed(2)} |`,
  );
  const sorted = [...ratios].sort((a, b) => a - b);
  const vsLimit = ratios.length
    ? `W4 (${runs[0]!.trials.toExponential(0)} trials) at the default worker count against \`limit-commit -t 2\` (median ${median(limitSeconds).toFixed(3)} s): twogenerals / limit-commit min ${sorted[0]!.toFixed(2)}, median ${median(ratios).toFixed(2)} (${RUNS} alternating pairs; target ≤ 3 ${median(ratios) <= 3 ? '✓' : '✗'}); max |z| vs exact ${maxZ.toFixed(2)}.`
    : `W4: limit-commit is not built in ${SHARED} (run make there, or give --limits DIR).`;
  return [
    vsLimit,
    '',
    `| run (default workers) | trials | time | draws / trial | per draw | per draw / W4 built-in | per draw, start-up off (a run of ${FIXED_TRIALS} trials taken off) | that / W4 built-in's |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    await oneThread(runs, specs, models, draws),
  ].join('\n');
}

/**
 * The same cells on one thread in this process, CPU time per trial: the engines `run` takes
 * (runBlockCompiled), and the built-in two-phase commit also through the trial kernel that a
 * protocol file runs on (trialKernelFor, not its own kernel), so that a file is compared with
 * the built-in on the same engine. Rows alternate, RUNS rounds; medians.
 */
async function oneThread(runs: readonly TrialByTrial[], specs: readonly CellSpec[], models: readonly CellModel[], draws: readonly number[]): Promise<string> {
  const builtIn = models[0]!;
  // The files' first versions (a field per cohort, scans; kept for the tests) in the cells of rows 1 and 3.
  const firstVersion = async (row: number, file: string): Promise<CellModel> => {
    const { name } = await loadProtocolFile(join(ROOT, 'test', 'fixtures', 'protocols', file), 'bench');
    const model = buildCellModel({ protocol: name, channel: specs[row]!.channel, params: specs[row]!.params });
    unregister(name);
    return model;
  };
  const firstVersions = [
    { row: 1, model: await firstVersion(1, 'two-phase-commit-scan.mjs') },
    { row: 3, model: await firstVersion(3, 'three-phase-commit-scan.mjs') },
  ];
  const rows = [
    { label: `${runs[0]!.label}, on its own kernel`, draws: draws[0]!, kernel: commitKernelFor(builtIn) ?? trialKernelFor(builtIn) },
    { label: `${runs[0]!.label}, through the trial kernel`, draws: draws[0]!, kernel: trialKernelFor(builtIn) },
    ...runs.slice(1).map((r, i) => ({
      label: r.label,
      draws: draws[i + 1]!,
      kernel: (stream: Int32Array, trials: number) => runBlockCompiled(models[i + 1]!, stream, trials, true),
    })),
    ...[1, 3].flatMap((row) => {
      const kernel = bareLoopFor(models[row]!);
      return kernel
        ? [{ label: `${runs[row]!.label}: the file's own next and resolveRun alone, in a bare loop (bench/bare-loop.ts)`, draws: draws[row]!, kernel }]
        : [];
    }),
    ...firstVersions.map(({ row, model }) => ({
      label: `${runs[row]!.label}, the file's first version (test/fixtures/protocols)`,
      draws: draws[row]!,
      kernel: (stream: Int32Array, trials: number) => runBlockCompiled(model, stream, trials, true),
    })),
  ];
  const trials = 1e6 / (QUICK ? 10 : 1);
  // The first block of each fills its automaton and settles its choice of walk: not timed.
  for (const row of rows) cpuPerTrial(row.kernel, row.label, 4 * ONE_THREAD_BLOCK);
  const perTrial: number[][] = rows.map(() => []);
  for (let run = 0; run < RUNS; run++) rows.forEach((row, i) => perTrial[i]!.push(cpuPerTrial(row.kernel, row.label, trials)));
  const perDraw = rows.map((row, i) => median(perTrial[i]!) / row.draws);
  return [
    `One thread in this process, ${trials.toExponential(0)} trials a row, CPU time (median of ${RUNS}, rows alternating):`,
    '',
    '| cell (one thread) | per trial | draws / trial | per draw | per draw / built-in on its own kernel | per draw / built-in on the trial kernel |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row, i) =>
        `| ${row.label} | ${(median(perTrial[i]!) * 1e9).toFixed(0)} ns | ${row.draws.toFixed(1)} | ${(perDraw[i]! * 1e9).toFixed(1)} ns | ${(perDraw[i]! / perDraw[0]!).toFixed(2)} | ${(perDraw[i]! / perDraw[1]!).toFixed(2)} |`,
    ),
  ].join('\n');
}

/**
 * Peak resident memory of a twogenerals run of W1 at `trials` trials, via GNU time: the median
 * of RUNS runs, since single runs of the same program vary by a megabyte or two.
 */
function peakMemoryMb(trials: number): number {
  const peaks = Array.from({ length: RUNS }, () => {
    const r = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%M',
        process.execPath,
        join(ROOT, 'bin', 'twogenerals.js'),
        'run',
        join(ROOT, 'bench', 'W1.yaml'),
        '--format',
        'csv',
        '--workers',
        String(WORKERS),
        '--trials',
        String(trials),
      ],
      { encoding: 'utf8' },
    );
    const kb = Number(r.stderr.trim().split('\n').pop());
    return r.status === 0 && kb > 0 ? kb / 1024 : NaN;
  });
  return median(peaks);
}

async function main(): Promise<void> {
  if (!existsSync(join(SHARED, 'limit'))) {
    console.error(`building the C limit: make -C ${SHARED}`);
    spawnSync('make', ['-C', SHARED], { stdio: 'inherit' });
  }
  if (!python) console.error("no python3 with NumPy: install Debian's python3-numpy for the NumPy baseline; skipping it");
  const results: Record<string, Record<string, number[]>> = {};
  const pairedLimit: Record<string, number[]> = {};
  const checks: Record<string, { maxZ: number; cells: number }> = {};
  for (let run = 1; run <= RUNS; run++) {
    for (const w of WORKLOADS) {
      const last: Record<string, number> = {};
      for (const program of PROGRAMS) {
        const command = program.command(w);
        if (!command) continue;
        const { seconds, stdout } = timeRun(command);
        ((results[w.name] ??= {})[program.name] ??= []).push(seconds);
        last[program.name] = seconds;
        if (program.name === 'twogenerals') checks[w.name] = checkAgainstExact(stdout);
        console.error(`run ${run}/${RUNS} ${w.name} ${program.name}: ${seconds.toFixed(3)} s`);
      }
      if (last['limit'] && last['twogenerals']) (pairedLimit[w.name] ??= []).push(last['twogenerals'] / last['limit']);
    }
  }

  const targets = { limit: 4, numpy: 3, naive: 20 };
  const rows = WORKLOADS.map((w) => {
    const r = results[w.name]!;
    const tg = median(r['twogenerals']!);
    const limit = r['limit'] ? median(r['limit']) : NaN;
    const numpy = r['numpy'] ? median(r['numpy']) : NaN;
    const naive = r['naive.js'] ? median(r['naive.js']) : NaN;
    const vsLimit = pairedLimit[w.name] ? median(pairedLimit[w.name]!) : NaN;
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    return (
      `| ${w.name} | ${w.trials.toExponential(0)} | ${tg.toFixed(3)} s | ${(w.trials / tg / 1e6).toFixed(0)} M/s | ${limit.toFixed(3)} s | ${numpy.toFixed(2)} s | ${naive.toFixed(2)} s | ` +
      `${vsLimit.toFixed(2)} ${mark(vsLimit <= targets.limit)} | ${(numpy / tg).toFixed(1)} ${mark(numpy / tg >= targets.numpy)} | ${(naive / tg).toFixed(1)} ${mark(naive / tg >= targets.naive)} | ${checks[w.name]!.maxZ.toFixed(2)} |`
    );
  });
  const startUpLine = startUp();
  const protocolFile = protocolFileTiming();
  const trialByTrialTable = await trialByTrial();
  const small = peakMemoryMb(1e6);
  const large = peakMemoryMb(QUICK ? 1e8 : 1e9);
  const memory = Number.isFinite(small)
    ? `Peak memory (whole process, 2 workers, GNU time's maximum resident set, median of ${RUNS} runs): W1 at 10^6 trials ${small.toFixed(1)} MB, at ${QUICK ? '10^8' : '10^9'} ${large.toFixed(1)} MB (${(((large - small) / small) * 100).toFixed(1)}% more).`
    : 'Peak memory: not measured (/usr/bin/time is missing).';
  const cpu = cpus()[0]?.model ?? 'unknown';
  const table = [
    '| workload | trials | twogenerals (2 workers) | trials/s | C limit (1 thread, fastest engine) | NumPy | naive.js | twogenerals / limit (≤ 4) | NumPy / twogenerals (≥ 3) | naive / twogenerals (≥ 20) | max \\|z\\| vs exact |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  const report = `# Benchmarks

Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\`${QUICK ? ' --quick (a tenth of the trials)' : ''}: whole-process wall
time, median of ${RUNS} runs, every program run alternately in the same session (the machine is shared
and noisy, so compare ratios, not absolute times). twogenerals / limit is the median of the
run-by-run ratios. naive.js runs a ${WORKLOADS.map((w) => `${w.name}: 1/${w.naiveScale}`).join(', ')} of the trials; its time is scaled up.

Machine: ${availableParallelism()} cores (\`nproc\`), ${cpu}, SIMD ${simdLevel()}, Node.js ${process.version}.

${table}

max |z|: the largest |z| of twogenerals' success, disagreement and mean-cost estimates against
its exact values over the workload's cells (exact binomial mid-p where events are rare). The C
limit runs its fastest engine on each workload (${WORKLOADS.map((w) => `${w.name}: \`-m ${fastestLimitEngine(w)}\``).join(', ')}), chosen by one timed run of each.

${startUpLine}

${memory}

${protocolFile}

## Trial by trial: many parties, many draws per trial

${trialByTrialTable}

Per draw: whole-process time over trials × draws per trial (the generator's words, counted over
${COUNTED_TRIALS.toLocaleString('en')} trials of the generic engine: messages, votes and the rare tie's second word), so
the rows compare protocols of different sizes draw for draw.

## Exact engine, one cell, against size

| protocol | cell | solver | time per cell | states expanded |
|---|---|---|---:|---:|
${exactTiming()}
`;
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(BENCHMARKS, report + earlierMeasurements());
  console.log(report);
}

if (args['trial-by-trial']) console.log(await trialByTrial());
else if (args['against-limit']) console.log(againstLimit());
else await main();
