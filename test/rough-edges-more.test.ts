import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { ROOT, cli, exponents, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliIn } from './in-process.js';
import { cliSeries } from './cli-series.js';

/** What a terminal would obey: C0 but tab and line feed, DEL, C1, and the bidirectional overrides. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'a\u001b[31m\u202e|`b`_*<x>\nz';

/** A saved run and a scenario gating on it, the baseline in a folder with a hostile name. */
async function hostileBaseline(): Promise<{ dir: string; scenario: string }> {
  const dir = tempFiles({ 'base.yaml': 'name: b\nprotocol: messenger\nredundancy: 2\ntrials: 2000\nsweep: { loss: [0.3, 0.5] }\n' });
  const saved = await cliIn(['run', join(dir, 'base.yaml'), '--out', join(dir, 'saved'), '--format', 'csv']);
  assert.equal(saved.status, 0, saved.stderr);
  const folder = join(dir, HOSTILE);
  mkdirSync(folder);
  writeFileSync(join(folder, 'results.json'), readFileSync(join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!, 'results.json')));
  const scenario = join(dir, 'gate.yaml');
  writeFileSync(
    scenario,
    `name: b\nprotocol: messenger\nredundancy: 1\ntrials: 2000\nsweep: { loss: [0.3, 0.5] }\nexpect:\n  - { metric: disagreement, notWorseThan: ${JSON.stringify(`./${HOSTILE}/results.json`)} }\n`,
  );
  return { dir, scenario };
}

describe('text the user gave is escaped in Markdown and in GitHub annotations', () => {
  it('the Markdown heading shows a seed with an escape sequence and a newline on its one line', async () => {
    const r = await cliIn(['run', '--trials', '1000', '--seed', HOSTILE, '--format', 'markdown']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, CONTROL);
    const [heading, blank] = r.stdout.split('\n');
    assert.match(heading!, /^### seed-foot-soldiers: .*seed a\\\\x1b\[31m\\\\u202e\\\|\\`b\\`_\\\*\\<x\\> z$/);
    assert.equal(blank, '');
  });

  it("a baseline's path in the Markdown summary and in ::error", async () => {
    const { dir, scenario } = await hostileBaseline();
    const summary = join(dir, 'summary.md');
    const r = await cliIn(['run', scenario, '--format', 'markdown'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir });
    assert.equal(r.status, 1, r.stderr);
    for (const [what, text] of [
      ['stdout', r.stdout],
      ['stderr', r.stderr],
      ['summary', readFileSync(summary, 'utf8')],
    ] as const) {
      assert.doesNotMatch(text, CONTROL, what);
    }
    const expectations = r.stdout.slice(r.stdout.indexOf('**Expectations**'));
    for (const line of expectations.trimEnd().split('\n').slice(2)) assert.match(line, /^(- ❌ disagreement not worse than | {2}- b \(loss=)/, line);
    assert.match(expectations, /not worse than \.\/a\\\\x1b\[31m\\\\u202e\\\|\\`b\\`_\\\*\\<x\\> z\/results\.json: 0 of 2 cells pass/);
    const annotations = r.stderr.split('\n').filter((l) => l.startsWith('::error '));
    assert.equal(annotations.length, 2, r.stderr);
    for (const a of annotations)
      assert.match(
        a,
        /^::error file=gate\.yaml,line=7,col=5,title=twogenerals expect disagreement not worse than \.\/a\\x1b\[31m\\u202e\|`b`_\*<x>%0Az\/results\.json::b \(loss=/,
      );
  });
});

describe('file names reaching a terminal stay on their line', () => {
  it("fit's report names a trace file with a newline and an escape in it on one line", async () => {
    const name = 'lo\u001b[2Jss\nz.txt';
    const dir = tempFiles({ [name]: `${'0001000110'.repeat(50)}\n` });
    const r = await cliIn(['fit', join(dir, name)]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, CONTROL);
    assert.match(r.stdout.split('\n')[0]!, /lo\\x1b\[2Jss\\nz\.txt \(digits\): 500 packets/);
  });

  it('a protocol file that throws is named on one line', async () => {
    const name = 'thro\u001b[31mws\nx.mjs';
    const protocol = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8').replace(
      'next(state, { rounds, start }, step) {',
      "next(state, { rounds, start }, step) {\n      if (rounds > 7) throw new Error('boom');",
    );
    const dir = tempFiles({ [name]: protocol, 's.yaml': `protocol: ${JSON.stringify(`./${name}`)}\nrounds: 9\ntrials: 100\n` });
    const r = await cliIn(['run', join(dir, 's.yaml'), '--no-exact']);
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, CONTROL);
    assert.match(r.stderr, /^twogenerals: protocol tcp-handshake \(.*thro\\x1b\[31mws x\.mjs\) threw: boom .*\n$/);
  });
});

describe('a flag and a --set of the same key are refused when they differ', () => {
  for (const [args, place] of [
    [['run', '--trials', '600', '--set', 'trials=500'], /^twogenerals: --trials 600 with --set trials=500: trials is given two values: give one of them\n$/],
    [['run', '--seed', '1', '--set', 'seed=2'], /^twogenerals: --seed 1 with --set seed=2: seed is given two values: give one of them\n$/],
    [
      ['run', '--precision', '0.01', '--set', 'trials=1000'],
      /^twogenerals: --precision 0\.01 with --set trials=1000: a run stops either after a number of trials or at a precision/,
    ],
    [['run', '--trials', '100', '--set', 'trials.precision=0.1'], /^twogenerals: --trials 100 with --set trials\.precision=0\.1: a run stops either/],
    [['trace', '--trials', '5', '--set', 'trials=6', '--trial', '1'], /^twogenerals: --trials 5 with --set trials=6: /],
  ] as const) {
    it(args.join(' '), async () => {
      const r = await cliIn([...args]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, place);
    });
  }

  it('takes them when they agree, and --precision beside trials.maxTrials', async () => {
    for (const args of [
      ['--seed', '7', '--set', 'seed=7', '--trials', '100'],
      ['--precision', '0.2', '--set', 'trials.maxTrials=100000'],
    ]) {
      const r = await cliIn(['run', ...args, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
    }
  });
});

describe('--workers past the cap is capped, however large', () => {
  it('--workers 5000 runs with a note, the bytes of --workers 1', async () => {
    const many = await cliIn(['run', '--trials', '2000', '--format', 'csv', '--workers', '5000']);
    assert.equal(many.status, 0, many.stderr);
    assert.match(many.stderr, /^note: --workers 5000 capped at \d+: /);
    const one = await cliIn(['run', '--trials', '2000', '--format', 'csv', '--workers', '1']);
    assert.equal(many.stdout, one.stdout);
  });
});

describe('shipped protocol files by the path the README gives, wherever the command runs', () => {
  it('check, list --protocol and schema --protocol find examples/protocols/… from another folder', () => {
    const elsewhere = tempFiles({});
    const file = 'examples/protocols/tcp-handshake.mjs';
    // The four in one process that runs there (cli-series.ts).
    const [check, list, schema, missing] = cliSeries(
      [
        ['check', file],
        ['list', '--protocol', file],
        ['schema', '--protocol', file],
        ['check', 'nope.mjs'],
      ],
      {},
      elsewhere,
    ) as [CliResult, CliResult, CliResult, CliResult];
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^examples\/protocols\/tcp-handshake\.mjs: ok — protocol tcp-handshake/);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^ {2}tcp-handshake /m);
    assert.equal(schema.status, 0, schema.stderr);
    assert.ok(JSON.parse(schema.stdout));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^twogenerals: check: protocol file .*nope\.mjs: does not exist\n$/);
  });
});

describe('schema --protocol: crash rates exact for the file, as the scenarios it takes', () => {
  it("its own roles' rates (in any case), not another protocol's; without crash support, a rate of 0 alone", () => {
    const dir = tempFiles({
      'plain.mjs': `export default ({ SEND, END, A_TO_B }) => ({
  name: 'plain-schema',
  outcomes: { names: ['lit', 'dark'], success: [0], disagreement: [1] },
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = 1; },
  describe: (s) => (s[1] ? 'lit' : 'dark'),
});
`,
    });
    const tcp = join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs');
    const plain = join(dir, 'plain.mjs');
    for (const [file, cases] of [
      [
        tcp,
        [
          [{ crash: 0.1 }, true],
          [{ crash: { a: 0.1, B: 0 } }, true],
          [{ sweep: { crashB: [0, 0.1] } }, true],
          [{ crash: { coordinator: 0.1 } }, false],
          [{ sweep: { crashCoordinator: [0] } }, false],
        ],
      ],
      [
        plain,
        [
          [{ crash: 0 }, true],
          [{ sweep: { crashA: [0] } }, true],
          [{ crash: 0.1 }, false],
          [{ crash: { A: 0.1 } }, false],
          [{ sweep: { crash: [0, 0.1] } }, false],
          [{ sweep: { crashCoordinator: { from: 0, to: 0.2, step: 0.1 } } }, false],
        ],
      ],
    ] as const) {
      // The schema and every scenario's validate in one process (cli-series.ts), each scenario a file of its own.
      const scenarios = cases.map(([data], i) => {
        const scenario = { protocol: file, ...data };
        const written = join(dir, `s${i}.json`);
        writeFileSync(written, JSON.stringify(scenario));
        return { scenario, written };
      });
      const [r, ...validated] = cliSeries([['schema', '--protocol', file], ...scenarios.map(({ written }) => ['validate', written])]);
      assert.equal(r!.status, 0, r!.stderr);
      const validate = new Ajv({ allowUnionTypes: true }).compile(JSON.parse(r!.stdout));
      for (const [i, [, valid]] of cases.entries()) {
        const { scenario } = scenarios[i]!;
        assert.equal(validate(scenario), valid, JSON.stringify(scenario));
        assert.equal(validated[i]!.status, valid ? 0 : 2, `validate ${JSON.stringify(scenario)}`);
      }
    }
  });
});

describe('an empty text value is named as empty, not as a bad name or channel model', () => {
  for (const [text, message] of [
    [
      'protocol: messenger\nexpect:\n  - { metric: disagreement, notWorseThan: "" }\n',
      /expect\[0\]\.notWorseThan is empty: give the path of a saved results\.json$/,
    ],
    ['protocol: messenger\nchannel: { model: trace, file: "" }\n', /channel\.file is empty: give the path of a trace file$/],
    ['protocol: messenger\nprotocolDigest: abc\n', /protocolDigest 'abc' is not a sha256/],
  ] as const) {
    it(text.split('\n')[1]!, async () => {
      const dir = tempFiles({ 's.yaml': text });
      const r = await cliIn(['validate', join(dir, 's.yaml')]);
      assert.equal(r.status, 2);
      assert.match(r.stderr.trimEnd(), message);
    });
  }
});

describe('GitHub annotations point only at files that exist', () => {
  it('merge annotates a failed gate at the entry the shard recorded while that file exists, and without a place once it is gone', async () => {
    const dir = tempFiles({ 'g.yaml': 'name: g\nprotocol: messenger\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.99 }\n' });
    const shard = await cliIn(['run', join(dir, 'g.yaml'), '--shard', '1/1']);
    assert.equal(shard.status, 0, shard.stderr);
    writeFileSync(join(dir, 'shard-1.json'), shard.stdout);
    const run = await cliIn(['run', join(dir, 'g.yaml'), '--format', 'csv'], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
    assert.match(run.stderr, /^::error file=g\.yaml,line=5,col=5,title=/m);
    const merged = await cliIn(['merge', join(dir, 'shard-1.json'), '--format', 'csv'], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir });
    assert.equal(merged.status, 1, merged.stderr);
    assert.match(merged.stderr, /^::error file=g\.yaml,line=5,col=5,title=/m);
    rmSync(join(dir, 'g.yaml'));
    const r = await cliIn(['merge', join(dir, 'shard-1.json'), '--format', 'csv'], { GITHUB_ACTIONS: 'true' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^::error title=twogenerals expect success ≥ 0\.99::g \(loss=0\.5, redundancy=2, rounds=1\): success /m);
  });
});

describe('text in a chart is escaped: the SVG stays XML, and holds nothing a terminal obeys', () => {
  it("plot's legend and title from a results CSV, fit's title from a file name", async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', 'redundancy-vs-loss', '--trials', '1000', '--format', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    const hostile = [lines[0], ...lines.slice(1).map((l) => l.replace(/^redundancy-vs-loss,/, '"r\u0001<b>\u001b[31m\uFFFE",'))].join('\n');
    writeFileSync(join(dir, 'r.csv'), `${hostile}\n`);
    const plot = await cliIn(['plot', join(dir, 'r.csv'), '--series', 'scenario']);
    assert.equal(plot.status, 0, plot.stderr);
    const name = 'f\u0001<b>\u001b[31m.txt';
    writeFileSync(join(dir, name), `${'0001000110'.repeat(50)}\n`);
    const fit = await cliIn(['fit', join(dir, name), '-o', join(dir, 'f.svg')]);
    assert.equal(fit.status, 0, fit.stderr);
    for (const svg of [plot.stdout, readFileSync(join(dir, 'f.svg'), 'utf8')]) {
      assert.doesNotMatch(svg, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/);
      assert.match(svg, /\\x01&lt;b&gt;\\x1b\[31m/);
    }
  });
});

describe('a baseline missing some of the cells is refused, not compared with other cells', () => {
  it('a sweep that adds rounds: 2 beside a baseline of rounds 1', async () => {
    const dir = tempFiles({ 'base.yaml': 'name: b\nprotocol: messenger\nredundancy: 2\ntrials: 2000\nsweep: { loss: [0.3, 0.5] }\n' });
    const saved = await cliIn(['run', join(dir, 'base.yaml'), '--out', join(dir, 'saved'), '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!);
    writeFileSync(
      join(dir, 'gate.yaml'),
      `name: b\nprotocol: messenger\nredundancy: 2\ntrials: 2000\nsweep: { loss: [0.3], rounds: [1, 2] }\nexpect:\n  - { metric: disagreement, notWorseThan: ${JSON.stringify(baseline)} }\n`,
    );
    const r = await cliIn(['run', join(dir, 'gate.yaml'), '--format', 'csv']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: .*gate\.yaml:7:5: notWorseThan: .*: none of its cells matches b \(loss=0\.3, redundancy=2, rounds=2\)\n$/);
  });
});

describe('a result folder stands for its results.json in plot and merge, as in notWorseThan', () => {
  it('plot and merge read a folder saved by run --out; a folder without one is named as such', async () => {
    const dir = tempFiles({});
    const saved = await cliIn(['run', 'redundancy-vs-loss', '--trials', '1000', '--out', join(dir, 'saved'), '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const folder = join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!);
    const merged = await cliIn(['merge', folder, '--format', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, saved.stdout);
    const plot = await cliIn(['plot', folder, '-o', join(dir, 'c.svg')]);
    assert.equal(plot.status, 0, plot.stderr);
    for (const command of ['merge', 'plot']) {
      const r = await cliIn([command, dir]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /: is a folder, and no result folder \(it holds no results\.json\)\n$/);
    }
  });
});

describe('a baseline that is no saved run is named as what notWorseThan needs', () => {
  it('invalid JSON and other JSON: a saved results.json, not a shard', async () => {
    const dir = tempFiles({ 'broken.json': '{', 'other.json': '{"name": "x"}' });
    for (const name of ['broken.json', 'other.json']) {
      writeFileSync(join(dir, 's.yaml'), `protocol: messenger\ntrials: 100\nexpect:\n  - { metric: disagreement, notWorseThan: ./${name} }\n`);
      const r = await cliIn(['run', join(dir, 's.yaml')]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /s\.yaml:4:5: notWorseThan: .*: not a saved results\.json \(write one with `twogenerals run --out`\)/);
      assert.doesNotMatch(r.stderr, /shard/);
    }
  });
});

describe('warnings name a cell on one line', () => {
  it('a precision not reached, in a cell over a trace file whose name holds an escape and a newline', async () => {
    const name = 'tr\u001b[31m\nace.txt';
    const dir = tempFiles({
      [name]: `${'0001000110'.repeat(50)}\n`,
      's.yaml': `protocol: messenger\nredundancy: 1\nchannel: { model: trace, file: ${JSON.stringify(name)} }\n`,
    });
    const r = await cliIn(['run', join(dir, 's.yaml'), '--precision', '0.0001', '--set', 'trials.maxTrials=1000', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, CONTROL);
    assert.match(r.stderr, /^warning: s \(file=tr\\x1b\[31m\\nace\.txt, digest=[0-9a-f]{64}, redundancy=1, rounds=1\): precision 0\.0001 not reached/m);
  });
});

describe("Mermaid participants: one identifier per side, never a word of Mermaid's", () => {
  for (const [sides, ids] of [
    [
      ['A-1', 'A1'],
      ['A1', 'A12'],
    ],
    [
      ['!!', '??'],
      ['X', 'X2'],
    ],
    [
      ['end', 'participant'],
      ['end2', 'participant2'],
    ],
  ] as const) {
    it(`sides ${sides.join(' and ')}`, async () => {
      const protocol = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8').replace(
        "name: 'tcp-handshake',",
        `name: 'sides-${ids[1].toLowerCase()}',\n    sides: ${JSON.stringify(sides)},`,
      );
      const dir = tempFiles({ 'p.mjs': protocol, 's.yaml': 'protocol: ./p.mjs\nloss: 0.5\nredundancy: 1\nrounds: 2\ntrials: 100\n' });
      const r = await cliIn(['trace', join(dir, 's.yaml'), '--trial', '1', '--format', 'mermaid']);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.equal(lines[1], `  participant ${ids[0]} as ${sides[0]}`);
      assert.equal(lines[2], `  participant ${ids[1]} as ${sides[1]}`);
      assert.match(lines[3]!, new RegExp(`^ {2}Note over ${ids[0]},${ids[1]}: round 1$`));
    });
  }
});

describe('--quiet: no warnings from fit either', () => {
  it('a ping log whose summary disagrees: the warning without --quiet, none with it', async () => {
    const log = readFileSync(join(ROOT, 'examples', 'traces', 'radio-link-ping.txt'), 'utf8').replace('3426 received', '3000 received');
    const dir = tempFiles({ 'ping.txt': log });
    const loud = await cliIn(['fit', join(dir, 'ping.txt')]);
    assert.equal(loud.status, 0, loud.stderr);
    assert.match(loud.stderr, /^twogenerals: warning: .*ping\.txt: the log's summary/);
    const quiet = await cliIn(['fit', join(dir, 'ping.txt'), '--quiet']);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stderr, '');
    assert.equal(quiet.stdout, loud.stdout);
  });
});

describe('a sweep of loss (crash) after a sweep of one of its parts is refused, not repeated cells', () => {
  for (const [text, message] of [
    [
      'protocol: messenger\ntrials: 100\nsweep:\n  lossAtoB: [0.3, 0.4]\n  loss: [0.1, 0.2]\n',
      /s\.yaml:5:9: sweep\.loss comes after sweep\.lossAtoB, which it would replace in every cell: give loss first, and lossAtoB after it$/,
    ],
    [
      'protocol: two-phase-commit\ntrials: 100\nsweep:\n  crashCoordinator: [0.3, 0.4]\n  crash: [0.1, 0.2]\n',
      /s\.yaml:5:10: sweep\.crash comes after sweep\.crashCoordinator/,
    ],
  ] as const) {
    it(text.split('\n')[3]!.trim(), async () => {
      const dir = tempFiles({ 's.yaml': text });
      const r = await cliIn(['run', join(dir, 's.yaml'), '--format', 'csv']);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), message);
    });
  }

  it('the other order sweeps one part under the whole: four different cells', async () => {
    const r = await cliIn(['run', '--sweep', 'loss=0.1,0.2', '--sweep', 'lossAtoB=0.3,0.4', '--trials', '100', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n').slice(1);
    assert.equal(new Set(rows.map((row) => row.split(',').slice(3, 6).join(','))).size, 4);
  });
});

describe('--set of a whole after --set of its part is refused (the part would be lost)', () => {
  it('--set loss.AtoB=0.2 --set loss=0.1; the other order sets loss, then its A→B part', async () => {
    const r = await cliIn(['run', '--set', 'loss.AtoB=0.2', '--set', 'loss=0.1', '--trials', '100']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: --set loss\.AtoB=0\.2 then loss=0\.1: loss would replace loss\.AtoB: give loss first, then loss\.AtoB\n$/);
    const ok = await cliIn(['run', '--set', 'loss=0.1', '--set', 'loss.AtoB=0.2', '--trials', '100', '--format', 'csv']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout.split('\n')[1]!, /^seed-foot-soldiers,messenger,bernoulli,,0\.2,0\.1,/);
  });
});

describe('--sweep beside a --set of the same sweep is refused; --set sweep…=null beside it is taken', () => {
  it('--sweep loss=0.1,0.2 --set sweep.loss=[0.3]', async () => {
    const r = await cliIn(['run', '--sweep', 'loss=0.1,0.2', '--set', 'sweep.loss=[0.3]', '--trials', '100']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: --sweep loss=0\.1,0\.2 with --set sweep\.loss=\[0\.3\]: the sweep of loss is given twice: give one of them\n$/);
    for (const set of ['sweep=null', 'sweep.loss=null', 'sweep={redundancy: [1, 2]}']) {
      const ok = await cliIn(['run', '--set', set, '--sweep', 'loss=0.1,0.2', '--trials', '100', '--format', 'csv']);
      assert.equal(ok.status, 0, `${set}: ${ok.stderr}`);
    }
  });
});

describe('another kind of file where a scenario belongs is named as what it is', () => {
  it('a protocol file, a ping log, saved results, a result folder, a misspelt shipped name', async () => {
    const dir = tempFiles({});
    const saved = await cliIn(['run', '--trials', '100', '--out', join(dir, 'saved'), '--format', 'csv']);
    assert.equal(saved.status, 0, saved.stderr);
    const folder = join(dir, 'saved', readdirSync(join(dir, 'saved'))[0]!);
    for (const [args, message] of [
      [
        ['run', join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs')],
        /tcp-handshake\.mjs: is a protocol file, not a scenario: .*`twogenerals check FILE`$/,
      ],
      [['validate', join(ROOT, 'examples', 'traces', 'radio-link-ping.txt')], /radio-link-ping\.txt: is a ping log, not a scenario: fit a channel to it/],
      [['run', join(folder, 'results.json')], /results\.json: is saved results, not a scenario: re-export them with `twogenerals merge FILE`/],
      [['exact', join(folder, 'results.csv')], /results\.csv: is results as CSV, not a scenario: chart them with `twogenerals plot FILE`$/],
      [['run', join(folder, 'manifest.json')], /manifest\.json: is a result folder's manifest, not a scenario/],
      [['run', folder], /: is a result folder, not a scenario: its scenario is .*scenario\.yaml$/],
      [
        ['run', 'bursty-5pc'],
        /^twogenerals: bursty-5pc: cannot read the scenario file: no such file or directory, nor is it the name of a shipped scenario or example \(did you mean 'bursty-5pct'\?\)/,
      ],
    ] as const) {
      const r = await cliIn([...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), message);
    }
  });
});

describe('a scenario or data file given to check is named as such', () => {
  it('check bursty-5pct, check a .yaml, check a .txt', async () => {
    for (const [file, message] of [
      ['bursty-5pct', /^twogenerals: check: bursty-5pct: is a scenario, not a protocol file \(\.mjs, \.js, \.cjs or \.ts\): run it with `twogenerals run`\n$/],
      ['scenarios/bursty-5pct.yaml', /: is a scenario, not a protocol file/],
      ['examples/traces/radio-link-ping.txt', /: is not a protocol file .*`twogenerals fit`\n$/],
    ] as const) {
      const r = await cliIn(['check', file]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });

  it('saved results, a shard and results as CSV are named as what they are, not as a scenario to run (run refuses them too)', async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\ntrials: 1000\nsweep: { loss: [0.1, 0.2] }\n' });
    const scenario = join(dir, 's.yaml');
    writeFileSync(join(dir, 'shard.json'), (await cliIn(['run', scenario, '--shard', '1/2'])).stdout);
    writeFileSync(join(dir, 'results.json'), (await cliIn(['run', scenario, '-f', 'json'])).stdout);
    writeFileSync(join(dir, 'results.csv'), (await cliIn(['run', scenario, '-f', 'csv'])).stdout);
    for (const [file, message] of [
      ['shard.json', /: is a shard \(run --shard\), not a protocol file \(\.mjs, \.js, \.cjs or \.ts\): add the shards with `twogenerals merge FILES…`\n$/],
      ['results.json', /: is saved results, not a protocol file \(\.mjs, \.js, \.cjs or \.ts\): re-export them with `twogenerals merge FILE`/],
      ['results.csv', /: is results as CSV, not a protocol file \(\.mjs, \.js, \.cjs or \.ts\): chart them with `twogenerals plot FILE`\n$/],
    ] as const) {
      for (const args of [
        ['check', join(dir, file)],
        ['list', '--protocol', join(dir, file)],
      ]) {
        const r = await cliIn(args);
        assert.equal(r.status, 2, args.join(' '));
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, /run it with/);
      }
    }
  });
});

describe('a very long value in an error line is shown by its ends', () => {
  it('--set loss= of 40,000 characters: one line of a few hundred', async () => {
    const value = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    const r = await cliIn(['run', '--set', `loss=${value}`]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
    assert.ok(r.stderr.length < 600, `${r.stderr.length} characters`);
    assert.match(r.stderr, /^twogenerals: --set loss=\[+…\]+: loss must be a number or a mapping/);
  });
});

describe("commander's own refusals of a very long value stay short", () => {
  it('--trial of 100,000 characters', async () => {
    const r = await cliIn(['trace', '--trial', 'x'.repeat(100000)]);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.length < 1100, `${r.stderr.length} characters`);
    assert.match(r.stderr, /^twogenerals: option '--trial <n>' argument 'x+…x+' is invalid/);
  });
});

describe('a baseline gate on a protocol file judges the file as it is now', () => {
  it('fails (exit 1) when the file was made worse, passes on the same file; other outcomes are refused', () => {
    const original = readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8').replace("name: 'tcp-handshake',", "name: 'regress-proto',");
    const scenario = 'name: tcp\nprotocol: ./p.mjs\nloss: 0.1\nredundancy: 1\ntrials: 20000\nsweep: { rounds: [2, 3] }\n';
    const dir = tempFiles({ 'p.mjs': original, 's.yaml': scenario });
    const saved = cli(['run', 's.yaml', '--out', 'base', '--format', 'csv'], {}, dir);
    assert.equal(saved.status, 0, saved.stderr);
    const baseline = join('base', readdirSync(join(dir, 'base'))[0]!);
    writeFileSync(join(dir, 'g.yaml'), `${scenario}expect:\n  - { metric: disagreement, notWorseThan: ./${baseline} }\n`);
    const same = cli(['run', 'g.yaml', '--format', 'csv'], {}, dir);
    assert.equal(same.status, 0, same.stderr);
    // Worse: the last ACK is sent only every other round.
    writeFileSync(
      join(dir, 'p.mjs'),
      original.replace(
        "step.label = 'ACK';",
        "step.label = 'ACK';\n          if (state[CLOCK] % 2 === 0) {\n            state[CLOCK] = state[CLOCK] + 1;\n            continue;\n          }",
      ),
    );
    const worse = cli(['run', 'g.yaml', '--format', 'csv'], {}, dir);
    assert.equal(worse.status, 1, worse.stderr);
    assert.match(worse.stderr, /^expect failed: tcp \(loss=0\.1, redundancy=1, rounds=2\): disagreement [\d.]+ \(exact\) is higher than the baseline's /m);
    writeFileSync(
      join(dir, 'p.mjs'),
      original
        .replace('outcomes: GENERALS_OUTCOMES,', "outcomes: { names: ['a', 'b', 'c'], success: [0], disagreement: [1] },")
        .replace(/step\.outcome = generalsOutcome\([^;]*\);/, 'step.outcome = 0;'),
    );
    const other = cli(['run', 'g.yaml', '--format', 'csv'], {}, dir);
    assert.equal(other.status, 2, other.stderr);
    assert.match(other.stderr, /notWorseThan: .*results\.json: cell 1 \(.*\): it counts 4 outcomes; its protocol regress-proto has 3 \(a, b, c\)/);
  });
});

describe('every bidirectional control is shown as an escape', () => {
  it('U+061C (the Arabic letter mark) as the others', async () => {
    const { inlineText } = await import('../src/io/text.js');
    assert.equal(inlineText('a\u061cb\u200fc\u2067d'), 'a\\u061cb\\u200fc\\u2067d');
  });
});

describe('--junit onto a file the command reads is refused before it is written over', () => {
  it('run s.yaml --junit s.yaml', async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\ntrials: 100\n' });
    const r = await cliIn(['run', join(dir, 's.yaml'), '--junit', join(dir, 's.yaml')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: --junit .*s\.yaml: cannot write the JUnit report: it is a file this command reads\n$/);
    assert.equal(readFileSync(join(dir, 's.yaml'), 'utf8'), 'protocol: messenger\ntrials: 100\n');
  });
});

describe('an output file is checked before any work through symbolic links too', () => {
  it('--junit, plot -o and fit -o through a symbolic link to a file the command reads are refused, and the file is left as it was', async () => {
    const trace = readFileSync(join(ROOT, 'examples', 'traces', 'radio-link-ping.txt'), 'utf8');
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\ntrials: 100\n', 't.txt': trace });
    symlinkSync('s.yaml', join(dir, 'report.xml'));
    symlinkSync('t.txt', join(dir, 'chart.svg'));
    const run = await cliIn(['run', join(dir, 's.yaml'), '--junit', join(dir, 'report.xml')]);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^twogenerals: --junit .*report\.xml: cannot write the JUnit report: it is a file this command reads\n$/);
    assert.equal(readFileSync(join(dir, 's.yaml'), 'utf8'), 'protocol: messenger\ntrials: 100\n');
    const fit = await cliIn(['fit', join(dir, 't.txt'), '-o', join(dir, 'chart.svg')]);
    assert.equal(fit.status, 2);
    assert.equal(fit.stdout, '');
    assert.match(fit.stderr, /^twogenerals: -o .*chart\.svg: cannot write the chart: it is a file this command reads\n$/);
    assert.equal(readFileSync(join(dir, 't.txt'), 'utf8'), trace);
  });

  it('a link to a missing folder, a loop of links and a name too long are refused before the run or the fit, not after', async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\ntrials: 100\n' });
    symlinkSync(join(dir, 'missing', 'r.xml'), join(dir, 'dangling.xml'));
    symlinkSync('loop-b.svg', join(dir, 'loop-a.svg'));
    symlinkSync('loop-a.svg', join(dir, 'loop-b.svg'));
    const long = join(dir, `${'a'.repeat(300)}.svg`);
    const trace = join(ROOT, 'examples', 'traces', 'radio-link-ping.txt');
    const cases: [string[], RegExp][] = [
      [['run', join(dir, 's.yaml'), '--junit', join(dir, 'dangling.xml')], /cannot write the JUnit report: no such file or directory\n$/],
      [['run', join(dir, 's.yaml'), '--junit', join(dir, 'loop-a.svg')], /cannot write the JUnit report: too many levels of symbolic links\n$/],
      [['fit', trace, '-o', join(dir, 'loop-a.svg')], /cannot write the chart: too many levels of symbolic links\n$/],
      [['fit', trace, '-o', long], /cannot write the chart: the name is too long\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '', `${args.join(' ')}: refused before any output`);
      assert.match(r.stderr, expected);
      assert.doesNotMatch(r.stderr, /results went to stdout/);
      assert.equal(r.stderr.split('\n').length, 2);
    }
  });
});

describe('--set into a list, or removing a key without a default, is refused naming what the user gave', () => {
  it('expect.0.atLeast, sweep.loss.from over a list of values, protocol=null, channel.model=null', async () => {
    const dir = tempFiles({
      'g.yaml': 'protocol: messenger\ntrials: 100\nsweep: { loss: [0.1, 0.5] }\nexpect:\n  - { metric: success, atLeast: 0.9 }\n',
    });
    const scenario = join(dir, 'g.yaml');
    const cases: [string, string][] = [
      ['expect.0.atLeast=0.5', "expect is a list, and --set does not reach into a list (expect.0): give it whole, --set 'expect=[…]'"],
      ['sweep.loss.from=0.2', "sweep.loss is a list, and --set does not reach into a list (sweep.loss.from): give it whole, --set 'sweep.loss=[…]'"],
      ['protocol=null', 'protocol has no default to go back to: give another (--set protocol=messenger), or leave it as it is'],
      ['channel.model=null', 'channel.model has no default to go back to: give another (--set channel=bernoulli), or leave it as it is'],
    ];
    for (const [set, said] of cases) {
      const r = await cliIn(['run', scenario, '--set', set]);
      assert.equal(r.status, 2, set);
      assert.equal(r.stderr, `twogenerals: --set ${set}: ${said}\n`);
    }
  });
});

describe('fit -f json writes numbers as plain decimals, as every JSON of twogenerals does', () => {
  it('a rare loss: tiny expected counts and interval ends without exponents, the same numbers read back', async () => {
    const packets = Array.from({ length: 10_000 }, (_, i) => ([100, 5000, 5001].includes(i) ? '1' : '0')).join('');
    const dir = tempFiles({ 'rare.txt': `${packets}\n` });
    const r = await cliIn(['fit', join(dir, 'rare.txt'), '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(exponents(r.stdout), []);
    const data = JSON.parse(r.stdout) as { trace: { lossRate: number } };
    assert.equal(data.trace.lossRate, 0.0003);
  });
});

describe('a CSV whose lines end with a carriage return alone', () => {
  it('is refused in one line naming the line ends, by fit and by a trace channel, not read as one line of fields', async () => {
    const dir = tempFiles({
      'cr.csv': 'seq,lost\r1,0\r2,1\r3,0\r',
      's.yaml': 'protocol: messenger\nchannel: { model: trace, file: cr.csv, column: lost }\ntrials: 100\n',
    });
    for (const args of [
      ['fit', join(dir, 'cr.csv'), '--column', 'lost'],
      ['run', join(dir, 's.yaml')],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: [^\n]*cr\.csv:1: its lines end with a carriage return alone \(classic Mac OS text\): save it with LF or CRLF line ends\n$/,
      );
    }
    // CRLF is read.
    const crlf = tempFiles({ 'crlf.csv': 'seq,lost\r\n1,0\r\n2,1\r\n3,0\r\n' });
    const ok = await cliIn(['fit', join(crlf, 'crlf.csv'), '--column', 'lost']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /3 packets, 1 lost/);
  });
});
