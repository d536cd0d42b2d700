import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { progressBar, timeLeft } from '../src/cli/progress.js';
import { csvText, inlineText, mermaidText } from '../src/io/text.js';
import { savedContent } from '../src/export/json.js';
import { contentDigest } from '../src/results/verify.js';
import { ROOT, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';
import { fakeTerminal } from './fake-terminal.js';
import { refusal } from './assert-cli.js';

const SMALL = ['--trials', '2000'];
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** TCP's handshake with labels, sides and summary full of what a terminal or Mermaid would obey. */
function hostileProtocol(): string {
  return readFileSync(join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs'), 'utf8')
    .replace("step.label = 'SYN';", "step.label = 'SYN\\n\\u001b[31mred;#x<b>';")
    .replace("summary: 'SYN,", "summary: 'line one\\nline two\\u001b[2J SYN,");
}

describe('text reaching a terminal or a Mermaid diagram is escaped', () => {
  it('escapes control characters and line breaks in pieces of text', async () => {
    assert.equal(inlineText('a\nb\r\u001b[31mc'), 'a\\nb\\r\\x1b[31mc');
    assert.equal(mermaidText('x;y#z\nw<b>'), 'x#59;y#35;z\\nw#60;b#62;');
  });

  it('in the table header (a --seed with an escape sequence and a newline)', async () => {
    const r = await cliIn(['run', ...SMALL, '--seed', 'a\u001b[31m\nb']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, CONTROL);
    assert.match(r.stdout, /seed a\\x1b\[31m\\nb\n/);
  });

  it("in trace text, Mermaid and list --protocol, from a protocol file's labels and summary", async () => {
    const dir = tempFiles({
      'hostile.mjs': hostileProtocol(),
      'hostile.yaml': 'protocol: ./hostile.mjs\nloss: 0.5\nredundancy: 1\nrounds: 2\ntrials: 1000\n',
    });
    const text = await cliIn(['trace', join(dir, 'hostile.yaml'), '--trial', '1']);
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, CONTROL);
    assert.match(text.stdout, /SYN\\n\\x1b\[31mred;#x<b>, 1 copy/);
    const mermaid = await cliIn(['trace', join(dir, 'hostile.yaml'), '--trial', '1', '--format', 'mermaid']);
    assert.equal(mermaid.status, 0, mermaid.stderr);
    assert.doesNotMatch(mermaid.stdout, CONTROL);
    for (const line of mermaid.stdout.trimEnd().split('\n').slice(1)) {
      assert.match(line, /^ {2}(participant |Note over |\w+(->>|-x)\w+: )/, `a line of the diagram: ${line}`);
      assert.doesNotMatch(line.replace(/^[^:]*:/, '').replace(/#\d+;/g, ''), /[;<>#]/, `no Mermaid syntax inside text: ${line}`);
    }
    const list = await cliIn(['list', '--protocol', join(dir, 'hostile.mjs')]);
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stdout, CONTROL);
    assert.match(list.stdout, /line one\\nline two\\x1b\[2J SYN/);
  });

  it('in the "saved" line of --out', async () => {
    const dir = tempFiles({});
    const out = join(dir, 'a\u001b[2Jb');
    const r = await cliIn(['run', ...SMALL, '--format', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, CONTROL);
    assert.match(r.stderr, /^saved .*a\\x1b\[2Jb/m);
  });
});

describe('CSV text cells are neutralised against formula injection', () => {
  it('prefixes a cell that a spreadsheet would run', async () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(csvText(bad), `'${bad}`);
    assert.equal(csvText('handshake-regress'), 'handshake-regress');
  });

  it('in the file column of a trace channel whose file name starts with =', async () => {
    const dir = tempFiles({ '=cmd.txt': '0101100110\n', 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: "=cmd.txt" }\ntrials: 1000\n' });
    const r = await cliIn(['run', join(dir, 's.yaml'), '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [record] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    const cells = Object.values(record!);
    assert.ok(cells.includes("'=cmd.txt"), cells.join(','));
    assert.ok(!cells.some((c) => /^[=+@\t\r]/.test(c)), 'no cell starts a formula');
  });
});

describe('contradictory flags are refused with one line', () => {
  for (const [args, place] of [
    [['run', '--exact', '--no-exact'], /--exact --no-exact: these ask for opposite things/],
    [['run', '--trials', '1000', '--precision', '0.01'], /--trials with --precision: /],
    [['trace', '--trial', '3', '--first', 'disagreement'], /--trial with --first: /],
    [['run', '--color', '--no-color'], /--color --no-color: these ask for opposite things/],
    [['run', '--quiet', '--progress'], /--quiet with --progress: /],
    [['run', '--seed', '1', '--seed', '2'], /--seed 1 --seed 2: --seed is given twice with different values/],
    [['run', '--format', 'csv', '--format=json'], /--format is given twice with different values/],
    [['run', '-f', 'csv', '--format', 'json'], /^twogenerals: -f csv --format json: --format is given twice with different values: give it once\n$/],
    [['plot', 'r.csv', '-o', 'a.svg', '--output', 'b.svg'], /^twogenerals: -o a\.svg --output b\.svg: --output is given twice with different values/],
    [['run', '--set', 'loss=0.3', '--sweep', 'loss=0.1,0.2'], /--set loss=… with --sweep loss=…: loss is either set to one value or swept/],
    [['merge', 'a.json', '--exact', '--no-exact'], /--exact --no-exact: these ask for opposite things/],
  ] as const) {
    it(args.join(' '), async () => {
      const r = await cliIn([...args]);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, place);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    });
  }

  it('still takes a flag given twice alike, and repeatable flags', async () => {
    const r = await cliIn(['run', ...SMALL, '--seed', '7', '--seed', '7', '--set', 'loss=0.3', '--set', 'redundancy=3', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    // One number written two ways is one value (a seed's text, though, is its stream).
    const number = await cliIn(['run', ...SMALL, '--confidence', '0.95', '--confidence', '.95', '--format', 'csv']);
    assert.equal(number.status, 0, number.stderr);
    assert.match(
      refusal(await cliIn(['run', ...SMALL, '--seed', '1e3', '--seed', '1000'])),
      /--seed 1e3 --seed 1000: --seed is given twice with different values/,
    );
    // A short and a long form of one option are that option given twice, not opposite things.
    const both = await cliIn(['run', ...SMALL, '-f', 'csv', '--format', 'csv']);
    assert.equal(both.status, 0, both.stderr);
    assert.match(both.stdout, /^scenario,protocol,channel,/);
  });
});

describe('output places are checked before any work', () => {
  it('fit -o into a missing folder prints nothing and exits 2', async () => {
    const r = await cliIn(['fit', join(ROOT, 'examples', 'traces', 'radio-link-ping.txt'), '-o', '/nonexistent/dir/x.svg']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: -o \/nonexistent\/dir\/x\.svg: cannot write the chart: no such file or directory\n$/);
  });

  it('plot -o onto a directory, before running a scenario', async () => {
    const dir = tempFiles({});
    const r = await cliIn(['plot', 'redundancy-vs-loss', '-o', join(dir, '.svg')]);
    assert.equal(r.status, 2);
    const d = await cliIn(['plot', 'redundancy-vs-loss', '--trials', '1e12', '-o', `${dir}/`]);
    assert.equal(d.status, 2, 'refused at once, not after 10^12 trials');
  });
});

describe('digests are checked wherever a saved result is read', () => {
  it('plot refuses a results.json whose counts or rows were changed', async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', 'redundancy-vs-loss', ...SMALL, '--format', 'csv', '--out', dir]);
    assert.equal(run.status, 0, run.stderr);
    const saved = join(dir, readdirSync(dir)[0]!, 'results.json');
    const ok = await cliIn(['plot', saved]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^<svg/);
    const data = JSON.parse(readFileSync(saved, 'utf8')) as { rows: Record<string, number>[]; tallies: { outcomes: number[] }[] };
    const editedRows = tempFiles({ 'results.json': JSON.stringify({ ...data, rows: data.rows.map((r, i) => (i ? r : { ...r, disagreement: 0.5 })) }) });
    const rows = await cliIn(['plot', join(editedRows, 'results.json')]);
    assert.equal(rows.status, 2);
    assert.match(rows.stderr, /its rows do not match its counts/);
    data.tallies[0]!.outcomes[0]! -= 1;
    data.tallies[0]!.outcomes[1]! += 1;
    const editedCounts = tempFiles({ 'results.json': JSON.stringify(data) });
    const counts = await cliIn(['plot', join(editedCounts, 'results.json')]);
    assert.equal(counts.status, 2);
    assert.match(counts.stderr, /counts do not match its digest/);
  });
});

describe('a saved results.json whose digest was made to match: exact values and a confidence no run gives are refused', () => {
  it('merge refuses them in one line, exit 2; the file as saved re-exports', async () => {
    const dir = tempFiles({});
    const run = await cliIn(['run', 'redundancy-vs-loss', ...SMALL, '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const forged = (change: (data: Record<string, unknown>) => void): string => {
      const data = JSON.parse(run.stdout) as Record<string, unknown>;
      change(data);
      const path = join(dir, `forged-${readdirSync(dir).length}.json`);
      writeFileSync(path, JSON.stringify({ ...data, digest: contentDigest(savedContent(data)) }));
      return path;
    };
    const exact = (data: Record<string, unknown>) => (data['exact'] as Record<string, unknown>[])[0]!;
    assert.equal((await cliIn(['merge', forged(() => undefined), '--format', 'csv'])).status, 0);
    for (const [change, message] of [
      [
        (d: Record<string, unknown>) => void (exact(d)['outcomes'] = [0.5]),
        /cell 1 \([^)]*\): its exact values give 1 outcome probability; its protocol has 4 outcomes$/,
      ],
      [(d: Record<string, unknown>) => void (exact(d)['outcomes'] = [0.9, 0.9, 0, 0]), /its exact outcome probabilities add up to 1\.8, not 1$/],
      [(d: Record<string, unknown>) => void (exact(d)['messagesMean'] = -1), /its exact messagesMean is -1, not a mean of a count$/],
      [
        (d: Record<string, unknown>) => void (d['confidence'] = 0.9999999999999999),
        /its confidence 0\.9999999999999999 is too close to 1 for its intervals to be computed in double precision$/,
      ],
    ] as const) {
      const path = forged(change);
      const r = await cliIn(['merge', path, '--format', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr.trimEnd(), message);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    }
  });
});

describe('bounded workers, quiet, colour, help', () => {
  it('caps --workers with a note, and the same bytes come out', async () => {
    const capped = await cliIn(['run', ...SMALL, '--format', 'csv', '--workers', '1024']);
    assert.equal(capped.status, 0, capped.stderr);
    assert.match(capped.stderr, /^note: --workers 1024 capped at \d+: /);
    const plain = await cliIn(['run', ...SMALL, '--format', 'csv', '--workers', '2']);
    assert.equal(capped.stdout, plain.stdout);
  });

  it('a refused command line with --workers capped is the refusal alone, one line', async () => {
    const dir = tempFiles({ 'bad.yaml': 'protocol: messenger\nloss: 2\n' });
    for (const args of [
      ['run', join(dir, 'nope.yaml'), '--workers', '1024'],
      ['run', join(dir, 'bad.yaml'), '--workers', '1024'],
      ['plan', join(dir, 'bad.yaml'), '--workers', '1024', '--target', 'success>=0.9'],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: /);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
  });

  it('--quiet leaves only results and errors', async () => {
    const dir = tempFiles({});
    const r = await cliIn(['run', ...SMALL, '--format', 'csv', '--out', dir, '--workers', '1024', '--quiet', '--progress'.replace('--progress', '--no-exact')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^scenario,/);
    assert.equal(readdirSync(dir).length, 1, 'still saved');
  });

  it('--color colours a table that is not on a terminal, --no-color never', async () => {
    const colored = await cliIn(['run', ...SMALL, '--color']);
    assert.equal(colored.status, 0, colored.stderr);
    assert.match(colored.stdout, /\u001b\[/);
    const plain = await cliIn(['run', ...SMALL, '--no-color'], { FORCE_COLOR: '1' });
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
  });

  it('run --help shows the default worker count once', async () => {
    const r = await cliIn(['run', '--help']);
    assert.equal(r.status, 0);
    const from = r.stdout.indexOf('--workers');
    const workers = r.stdout.slice(from, r.stdout.indexOf('\n  -', from + 1));
    assert.equal(workers.match(/default/g)?.length, 1, workers);
    assert.match(workers, /\(default: \d+\)/);
    assert.match(r.stdout, /--quiet/, 'the options every command takes are shown too');
  });

  it('shows no time left until a tenth of the run and three seconds have passed', async () => {
    assert.equal(timeLeft(22, 100, 2), '…');
    assert.equal(timeLeft(5, 100, 10), '…');
    assert.equal(timeLeft(25, 100, 3), '9s');
    assert.equal(timeLeft(50, 100, 100), '1m40s');
  });
});

describe('CI hides the progress bar only when it means true', () => {
  /** What a progress bar on a terminal writes for one update, with `CI` set to `ci` (or unset). */
  const drawn = (ci: string | undefined): string => {
    const terminal = fakeTerminal();
    const env = { TWOGENERALS_PROGRESS_DELAY_MS: '0', ...(ci === undefined ? {} : { CI: ci }) };
    const bar = progressBar({ stdout: terminal.output, stderr: terminal.output, env }, false);
    bar.update({ trials: 5, totalTrials: 10, cells: 0, totalCells: 1 });
    bar.stop();
    return terminal.text();
  };
  it('draws it with CI unset, empty, 0, false, no or off; hides it with CI=true, 1 or a CI system’s name', () => {
    for (const ci of [undefined, '', '0', 'false', 'FALSE', 'no', 'off']) assert.match(drawn(ci), /5\/10 trials/, `CI=${ci}`);
    for (const ci of ['true', '1', 'True', 'yes', 'woodpecker']) assert.equal(drawn(ci), '', `CI=${ci}`);
  });
});

describe('messages name what the user did', () => {
  it('an oversized plan --vary names --vary, not a --set the user never gave', async () => {
    const r = await cliIn(['plan', '--target', 'success>=0.9', '--vary', 'redundancy=1:1000,rounds=1:1000']);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /--set|sweep=null/);
    assert.match(r.stderr, /^twogenerals: --vary redundancy=1:1000,rounds=1:1000: the settings to search number 1000000/);
  });

  it('fit names its --column flag, not the scenario key', async () => {
    const dir = tempFiles({ 'trace.csv': 'time,lost\n0,1\n1,0\n' });
    const r = await cliIn(['fit', join(dir, 'trace.csv')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /give --column to name the column/);
    assert.doesNotMatch(r.stderr, /column:/);
  });

  it('plot refuses one parameter as both --x and --series', async () => {
    const r = await cliIn(['plot', 'redundancy-vs-loss', '--trials', '1000', '--x', 'loss', '--series', 'loss']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--x loss --series loss: one parameter cannot be both/);
  });

  it('a file of NUL bytes is binary, not UTF-16', async () => {
    const dir = tempFiles({ 'nul.yaml': '\0'.repeat(64) });
    const r = await cliIn(['validate', join(dir, 'nul.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not a text file: .*nothing but NUL bytes/);
    assert.doesNotMatch(r.stderr, /UTF-16/);
  });

  it('a UTF-32 file is named UTF-32, with its byte order mark or without, not UTF-16 or binary', async () => {
    const dir = tempFiles({});
    const text = 'protocol: messenger\nloss: 0.5\n';
    const le = Buffer.alloc(text.length * 4);
    for (let i = 0; i < text.length; i++) le.writeUInt32LE(text.charCodeAt(i), i * 4);
    const be = Buffer.alloc(text.length * 4);
    for (let i = 0; i < text.length; i++) be.writeUInt32BE(text.charCodeAt(i), i * 4);
    writeFileSync(join(dir, 'le-mark.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), le]));
    writeFileSync(join(dir, 'be-mark.yaml'), Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), be]));
    writeFileSync(join(dir, 'le.yaml'), le);
    writeFileSync(join(dir, 'be.yaml'), be);
    for (const [name, said] of [
      ['le-mark.yaml', 'is'],
      ['be-mark.yaml', 'is'],
      ['le.yaml', 'looks like'],
      ['be.yaml', 'looks like'],
    ]) {
      const r = await cliIn(['validate', join(dir, name!)]);
      assert.equal(r.status, 2, name);
      assert.match(r.stderr, new RegExp(`${name!.replace('.', '\\.')}: the scenario file ${said} UTF-32 text; save it as UTF-8\n$`));
    }
  });

  it('a no-break space where YAML needs a space is named, not left to a message about mappings or keys', async () => {
    const nbsp = '\u00a0';
    const dir = tempFiles({
      'first.yaml': `protocol:${nbsp}messenger\n`,
      'later.yaml': `protocol: messenger\nloss:${nbsp}0.5\n`,
      'value.yaml': `protocol: messenger\nloss: 0.5${nbsp}\n`,
      'flow.yaml': `protocol: messenger\nchannel: {model:${nbsp}cut}\n`,
    });
    const hint = / \(it holds a no-break space, U\+00A0, which YAML does not read as a space: type a plain space there\)\n$/;
    for (const [name, before] of [
      ['first.yaml', /first\.yaml:1:1: a scenario must be a mapping of keys to values/],
      ['later.yaml', /later\.yaml:2:1: malformed YAML: /],
      ['value.yaml', /value\.yaml:2:7: loss must be a number or a mapping/],
      ['flow.yaml', /flow\.yaml:2:10: channel needs the key 'model' \(it holds/],
    ] as const) {
      const r = await cliIn(['validate', join(dir, name)]);
      assert.equal(r.status, 2, name);
      assert.match(r.stderr, before);
      assert.match(r.stderr, hint);
      assert.doesNotMatch(r.stderr, /YAML needs a space after the colon/);
    }
    const set = await cliIn(['run', '--set', `loss=${nbsp}0.3`]);
    assert.equal(set.status, 2);
    assert.match(set.stderr, hint);
  });

  it('JSON with comments is named as such; YAML merge keys merge', async () => {
    const dir = tempFiles({
      'c.json': '{\n  // the protocol\n  "protocol": "messenger"\n}\n',
      'm.yaml': 'base: &b { protocol: messenger, trials: 1000 }\n',
      'merge.yaml': '<<: { protocol: messenger, trials: 1000 }\nloss: 0.3\n',
    });
    const c = await cliIn(['validate', join(dir, 'c.json')]);
    assert.equal(c.status, 2);
    assert.match(c.stderr, /c\.json:2:3: JSON does not allow comments/);
    const m = await cliIn(['validate', join(dir, 'merge.yaml')]);
    assert.equal(m.status, 0, m.stderr);
    assert.ok(!existsSync(join(dir, 'results')));
  });
});
