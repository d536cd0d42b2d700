// `node scripts/mutate-templates.mjs` (after `npx tsc -p tsconfig.json`): hand-planted mutants in
// the trial kernel's source text (src/engine/montecarlo/trial-kernel.ts), which StrykerJS can
// only mutate as string literals. Each mutant replaces one piece of the compiled file's template
// text, the covering tests run, and the file is put back. See docs/mutation.md.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const FILE = 'dist/src/engine/montecarlo/trial-kernel.js';
const TESTS = ['trial-kernel', 'trial-kernel-draws', 'memo-automaton', 'memo-bookkeeping', 'announced-runs'].map((t) => `dist/test/${t}.test.js`);
/** A run that takes longer than this is stopped and counted as detected (an endless loop). */
const TIMEOUT_MS = 180_000;

/** [what the compiled text holds, what the mutant puts there, which occurrence (1-based), what it breaks]. */
const MUTANTS = [
  ['x <= hs[0] ? 0 : 1', 'x < hs[0] ? 0 : 1', 1, 'SAMPLE: a two-way draw equal to the high part taken as the second outcome without the tie rule'],
  ['if (k < last && hs[k] === x)', 'if (false)', 1, 'SAMPLE: ties not decided by the next word'],
  ['k = afterTie(${T}, tied, w >>> 10, k)', 'k = afterTie(${T}, tied, w >>> 9, k)', 1, 'SAMPLE: a tie decided by the wrong bits'],
  ['if (deliveryClass >= 0) deliveries[deliveryClass]++;', 'if (deliveryClass > 0) deliveries[deliveryClass]++;', 1, 'FATE: deliveries of class 0 not counted'],
  ['if (deliveryClass >= 0) deliveries[deliveryClass]++;', 'if (deliveryClass > 0) deliveries[deliveryClass]++;', 2, "a run's slow path: deliveries of class 0 not counted"],
  ['k = (c0 - x) >> 31', 'k = (x - c0) >> 31', 1, "a run's fast path: a chooser's choice reversed"],
  ['k = (h0 - x) >> 31', 'k = (h0 - x + 1) >> 31', 1, "a run's fast path without choosers: a fate one above the high part taken as lost"],
  ['k = (h0 - x) >> 31', 'k = (h0 - x + 1) >> 31', 2, "a run's fast path with choosers: a fate one above the high part taken as lost"],
  ['if (x === c0)', 'if (false)', 1, "a run's fast path: a chooser's tie not decided by the next word"],
  ['if (choosers === 0) {', 'if (false) {', 1, "a run's fast path: runs without choosers through the choosers' loop (speed only)"],
  ['deliveries[class0] += parts - outcome1', 'deliveries[class0] += outcome1', 1, "a run's fast path: the first class counted with the second's number"],
  ['delivered = (peers & -received0) ^ (ones & -flip)', 'delivered = ones', 1, "a run's fast path: the fate's index taken as received"],
  ['flip = received0 ^ fast[f + 3]', 'flip = 1', 1, "a run's fast path: received assumed to differ between the two fates"],
  ['messages += parts;', '', 1, "a run's fast path: its messages not counted"],
  ['fast[f + 1] === channelState', 'true', 1, "a run's fast path taken on a channel state it was not prepared for"],
  ['if (after !== channelState) {', 'if (false) {', 1, "a run's slow path: the channel's state change within a run ignored"],
  ['choices.size <= 2))', 'choices.size <= 3))', 1, 'the live walk: a run of three-way choices resolved through resolveRun (its masks hold two)'],
  ['(peers & 1) === 1 && choosers', 'choosers', 1, 'the live walk: a run without bit 0 not refused'],
  ['lastRound = ${round};', '', 1, "SEND_DRAW: a single send's round not counted"],
  ['if (step.choices !== lastChoices)', 'if (lastChoices === null)', 1, "CHOICES: a step's new choice table not looked up"],
  ['a = tr.received[k];', 'a = k;', 1, "the memo walk: a send's fate index taken as its result"],
  ['records[o + ${FIRST_B}] !== b', 'false', 1, "the memo walk: a node's inline transition taken whatever the run's chosen mask"],
  ['memo.load(id, state); live = true; break;', 'live = true; break;', 1, 'the memo walk: a LIVE node left without its state'],
  ['if (nodeKind === UNREAD)', 'if (false)', 1, "the memo walk: a node's step never read"],
  ['walked += carry[6];', 'walked += 1;', 1, 'the memo kernel: every trial counted as ending on the automaton'],
  ['rounds += carry[5];', '', 1, "the live kernel: a trial's rounds not counted"],
  ['rounds += carry[5];', '', 2, "the memo kernel: a trial's rounds not counted"],
  // speed only (expected equivalent): which walk runs, not what it counts
  ['if (perTrial >= liveTime)', 'if (perTrial < liveTime)', 1, 'chooseWalk: the slower walk kept (speed only)'],
  ['if (!memo.pays())', 'if (false)', 1, 'chooseWalk: the automaton walked where it does not pay (speed only)'],
];

function replaceNth(text, from, to, nth) {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(from, at + 1);
    if (at < 0) return null;
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The covering tests in a process group of their own: on a timeout the whole group is stopped (a test file's process would outlive its runner). */
function runTests() {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=dot', ...TESTS], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TWOGENERALS_MUTATION: '1' },
    });
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      done('timeout');
    }, TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code === 0 ? 'survived' : 'killed');
    });
  });
}

const original = readFileSync(FILE, 'utf8');
const results = [];
try {
  for (const [from, to, nth, what] of MUTANTS) {
    const mutated = replaceNth(original, from, to, nth);
    if (mutated === null) {
      results.push(['missing', what]);
      console.log(`missing   ${what}: the compiled text no longer holds ${JSON.stringify(from)} (occurrence ${nth})`);
      continue;
    }
    writeFileSync(FILE, mutated);
    const status = await runTests();
    results.push([status, what]);
    console.log(`${status.padEnd(9)} ${what}`);
  }
} finally {
  writeFileSync(FILE, original);
}
const count = (s) => results.filter(([status]) => status === s).length;
console.log(`${count('killed')} killed, ${count('timeout')} timeouts, ${count('survived')} survived, ${count('missing')} missing, of ${results.length}`);
