// StrykerJS, one core module at a time: `npm run mutate -- <module>` (see docs/mutation.md).
// The command runner drives `node --test` on the compiled tests that cover the module; the
// sandbox is built once with every mutant switched in, and each run activates one of them.
const MODULES = {
  stats: { mutate: ['src/stats/**/*.ts'], tests: ['stats', 'report-stats'] },
  channels: { mutate: ['src/channels/{bernoulli,cut,gilbert-elliott,trace}.ts'], tests: ['channels', 'oracles'], messages: false },
  exact: { mutate: ['src/engine/exact/**/*.ts', 'src/engine/state-key.ts'], tests: ['exact', 'oracles', 'exact-closed-forms', 'exact-limits', 'exact-generic'] },
  // The structured solvers, and the trace starts, apart from the generic engine: their own fast
  // covering sets (exact-solvers holds each against an engine that shares none of its code).
  solvers: {
    mutate: ['src/engine/exact/{structured,randomized-levels,independent-cohorts}.ts'],
    tests: ['exact', 'exact-limits', 'exact-solvers'],
  },
  // The exact engine's entry (which engine runs a cell) and what the engines share (result.ts), over every engine's tests.
  'exact-entry': {
    mutate: ['src/engine/exact/{index,result}.ts'],
    tests: ['exact-entry', 'exact', 'exact-limits', 'exact-generic', 'exact-solvers', 'exact-trace-starts', 'oracles'],
  },
  'trace-starts': { mutate: ['src/engine/exact/trace-starts.ts'], tests: ['exact-trace-starts'] },
  // Kernel generation: the compiled kernel, the automaton it runs, the bit walk and the one-draw lanes (the trace lanes apart: their own tests).
  kernel: { mutate: ['src/engine/accelerators/!(trace-*).ts'], tests: ['kernel', 'kernel-dispatch', 'bit-walk', 'one-draw', 'oracles-montecarlo', 'automaton', 'wasm-layout', 'bit-walk-guards', 'trace-lanes-present'] },
  'trace-lanes': { mutate: ['src/engine/accelerators/trace-{lanes,layout}.ts'], tests: ['trace-lanes', 'replay-runs', 'wasm-layout', 'trace-lanes-present', 'trace-lanes-memory'] },
  // The trial-by-trial engines: two-phase commit's own kernel and the memo automaton (trial-kernel.ts is source text in strings).
  montecarlo: {
    mutate: ['src/engine/montecarlo/{commit-kernel,memo-automaton}.ts'],
    tests: ['commit-kernel', 'commit-kernel-ties', 'commit-kernel-declines', 'memo-automaton', 'memo-bookkeeping', 'trial-kernel', 'trial-kernel-draws', 'announced-runs'],
  },
  // The Monte Carlo engines' entry: the generic engine (one trial at a time through the definition, the reference every kernel
  // is held to) and the dispatch that picks an engine per block (replay.ts apart: changed by issue 23 while this was measured).
  'montecarlo-entry': {
    mutate: ['src/engine/montecarlo/{generic,dispatch}.ts'],
    tests: ['montecarlo-generic', 'oracles-montecarlo', 'kernel-dispatch', 'replay-runs', 'steps-refused'],
  },
  // The replay of a loss trace (a messenger's or a retransmit's runs keyed by the trace's position) and the messenger's start order
  // over a replayed trace: the replay's own tests and the trace lanes', which hold the lanes to it draw for draw.
  replay: {
    mutate: ['src/engine/montecarlo/{replay,start-order}.ts'],
    tests: ['replay-runs', 'replay-refusals', 'trace-start-order', 'steps-refused', 'trace-lanes'],
  },
  // The start order alone (start-order.ts), on its own tests: replay-runs' long blocks over six protocols take ten seconds a run
  // under instrumentation, and reach the start order only through the messenger, which trace-start-order holds to the same.
  'start-order': { mutate: ['src/engine/montecarlo/start-order.ts'], tests: ['trace-start-order', 'replay-refusals', 'steps-refused'] },
  // The result order (a trial of a protocol that draws nothing of its own, over a replayed trace, drawn by its result) and the
  // protocol's automaton and paths' trie it is built from: result-order-units, which holds it start for start to a walk through
  // the definition on traces of a few thousand packets replayed by hand (trace-result-order's traces of 20,050 packets take five
  // minutes a run under instrumentation), and the replay's refusals (a step the automaton refuses while it unrolls).
  'result-order': {
    mutate: ['src/engine/montecarlo/{result-order,protocol-automaton}.ts'],
    tests: ['result-order-units', 'replay-refusals', 'steps-refused'],
  },
  // The rules a trial is held to as it runs (a trial without end, a send after a crash, ROUND without crashes), and their messages.
  'trial-rules': {
    mutate: ['src/engine/montecarlo/trial-rules.ts'],
    tests: ['montecarlo-generic', 'rules-crashes', 'steps-refused', 'announced-runs'],
  },
  // The run-time step refusals every engine shares (a step left unfilled, a choice that is no distribution, a send outside its
  // rounds) and the rest of the contract (the announced runs' rules, outcomes, the crash functions): the refusals' own tests and the
  // contract checker's, which holds a protocol file to the same rules.
  refusals: {
    mutate: ['src/engine/unfilled-step.ts', 'src/contract/protocol.ts'],
    tests: ['steps-refused', 'replay-refusals', 'rules', 'rules-crashes', 'announced-runs', 'montecarlo-generic', 'exact', 'outcome-sets', 'refusals-units'],
  },
  merge: { mutate: ['src/results/{shard,verify}.ts', 'src/cli/commands/merge.ts'], tests: ['merge-rules', 'merge-units', 'merge-protocol-search', 'merge-precision-cap'], messages: false },
  scenario: { mutate: ['src/scenario/validate.ts', 'src/scenario/resolve.ts'], tests: ['scenario', 'rules-scenario', 'scenario-units', 'scenario-declared-values', 'scenario-ranges', 'scenario-places', 'scenario-resolved'], messages: false },
  check: { mutate: ['src/protocol-files/check.ts'], tests: ['rules', 'rules-crashes', 'contract-canonicalize', 'announced-runs', 'contract-details'], messages: false },
  // table.ts's `new Chalk({ level })` (line 14) is left unmutated: the bundle refuses any other use of chalk (scripts/bundle.ts).
  export: {
    mutate: ['src/export/!(table).ts', 'src/export/table.ts:1-13', 'src/export/table.ts:15-200'],
    tests: ['export', 'report-stats', 'export-formats', 'export-units'],
  },
  fit: { mutate: ['src/fit/**/*.ts'], tests: ['fit', 'fit-units', 'fit-edges', 'fit-forward', 'fit-path'] },
  // The trace readers (the text readers and the file's streaming into them): their own tests, and fit.test's reading tests alone (its fits take
  // seconds a run and never reach a reader's branch the reading tests miss).
  'trace-file': {
    mutate: ['src/fit/trace-file.ts', 'src/io/trace-input.ts'],
    tests: ['trace-readers', 'csv-quoted', 'trace-input', 'trace-count', 'trace-stream'],
    also: { file: 'fit', pattern: '^(parseLossTrace|ping logs read|traceStats and runLengths)' },
  },
};

const name = process.env.MUTATE_MODULE ?? 'stats';
const module = MODULES[name];
if (!module) throw new Error(`unknown module ${name}: one of ${Object.keys(MODULES).join(', ')}`);

/** `node --test` on the module's test files; then, if named, the tests of one more file whose names match a pattern. */
function testCommand({ tests, also }) {
  const files = `node --test --test-reporter=dot ${tests.map((t) => `dist/test/${t}.test.js`).join(' ')}`;
  return also ? `${files} && node --test --test-reporter=dot --test-name-pattern='${also.pattern}' dist/test/${also.file}.test.js` : files;
}

export default {
  testRunner: 'command',
  commandRunner: { command: testCommand(module) },
  buildCommand: 'npm run mutate:build',
  mutate: [...module.mutate, '!**/*.d.ts', '!**/*.generated.*'],
  // Where marked, text is not mutated: the wording of messages and descriptions (the rules
  // tests match the messages that matter; a changed word elsewhere is not the bug we hunt).
  ...(module.messages === false ? { mutator: { excludedMutations: ['StringLiteral'] } } : {}),
  ignorePatterns: ['/results', '/reports', '/docs', '/.stryker-tmp'],
  // `npm run mutate -- --sample=N <module>`: only a systematic sample of the mutants (scripts/mutation-sample.mjs).
  appendPlugins: ['./scripts/mutation-sample.mjs'],
  ignorers: ['sample'],
  coverageAnalysis: 'off',
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${name}.json`,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  concurrency: 2,
  timeoutMS: 10000,
  timeoutFactor: 3,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
