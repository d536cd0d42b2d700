import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { TABLE_PACKETS, trace } from '../src/channels/trace.js';
import { BACKGROUND_HASH_BYTES } from '../src/io/background-hash.js';
import { UNLIMITED, exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { uniformBelow, uniformBelowInOrder } from '../src/rng/uniform.js';
import { runExperiment } from '../src/experiment.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { proportionZ } from '../src/stats/zscore.js';
import { CLI_TIMEOUT_MS, ROOT, countingCalls, scenarioFrom, tempFiles } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';
import { succeeded } from './assert-cli.js';
import { OracleDigests } from './oracle-digests.js';

/** Measured loss in: the trace channel replays a trace exactly and reproducibly; `fit` turns one into a channel. */
const TRACE = readFileSync(join(ROOT, 'test', 'fixtures', 'trace.txt'), 'utf8');

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

describe('the trace channel', () => {
  it('agrees with its exact values (the average over every start) on every protocol, one trace or one per direction', async () => {
    // Committed files by one relative path: a cell's stream follows its parameters, the paths
    // included, so a fresh temporary folder each run would make this a different test each run.
    const reversed = TRACE.trim().split('').reverse().join('');
    assert.equal(readFileSync(join(ROOT, 'test', 'fixtures', 'trace-reversed.txt'), 'utf8'), `${reversed}\n`);
    process.chdir(ROOT);
    const [both, back] = ['test/fixtures/trace.txt', 'test/fixtures/trace-reversed.txt'];
    const cases = [
      { protocol: 'messenger', redundancy: 2, channel: { model: 'trace', file: both } },
      { protocol: 'retransmit', rounds: 4, redundancy: 1, channel: { model: 'trace', file: both } },
      { protocol: 'handshake', rounds: 3, redundancy: 1, channel: { model: 'trace', file: both, BtoA: back } },
      { protocol: 'randomized', rounds: 5, redundancy: 1, channel: { model: 'trace', file: both } },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.1, redundancy: 1, channel: { model: 'trace', file: both } },
    ];
    for (const [i, data] of cases.entries()) {
      const report = await runExperiment([scenarioFrom({ ...data, trials: 60_000, seed: `trace-${i}` })], {
        exact: 'on',
        simulate: true,
        confidence: 0.95,
        workers: 1,
      });
      const s = report.summaries[0]!;
      assert.ok(s.exact, `${data.protocol}: exact values`);
      s.outcomes.forEach((o, j) =>
        assert.ok(
          Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 3.5,
          `${data.protocol} ${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`,
        ),
      );
    }
  });

  it('replays a deterministic trace exactly: all-delivered and all-lost traces', async () => {
    const dir = tempFiles({ 'good.txt': '0000000000\n', 'bad.txt': '1111\n' });
    const success = async (file: string) =>
      (
        await runExperiment([scenarioFrom({ protocol: 'messenger', redundancy: 3, channel: { model: 'trace', file: join(dir, file) }, trials: 1000 })], {
          exact: 'on',
          simulate: true,
          confidence: 0.95,
          workers: 1,
        })
      ).summaries[0]!;
    const good = await success('good.txt');
    assert.equal(good.success.count, 1000);
    assert.ok(Math.abs(good.exact!.success - 1) < 1e-12);
    const bad = await success('bad.txt');
    assert.equal(bad.success.count, 0);
    assert.ok(Math.abs(bad.exact!.success) < 1e-12);
  });

  it("digests the files as read: sha256 over each file parameter's name, NUL, its text without a byte-order mark, NUL, in the order the channel lists them", () => {
    const long = `${'0'.repeat(20_000)}1\n`; // past the table limit: replayed
    const dir = tempFiles({ 'a.txt': `\ufeff${long}`, 'b.txt': `# back\n${long}` });
    const [a, b] = [join(dir, 'a.txt'), join(dir, 'b.txt')];
    const digestOf = (...parts: [string, string][]): string => {
      const hash = createHash('sha256');
      for (const [name, text] of parts) hash.update(`${name}\u0000${text}\u0000`);
      return hash.digest('hex');
    };
    const digest = (channel: Record<string, unknown>) => scenarioFrom({ protocol: 'messenger', channel: { model: 'trace', ...channel } }).params['digest'];
    assert.equal(digest({ file: a }), digestOf(['file', long]));
    assert.equal(digest({ file: a, BtoA: b }), digestOf(['file', long], ['BtoA', `# back\n${long}`]));
    // The same file twice is read once and digested twice.
    assert.equal(digest({ file: b, AtoB: b }), digestOf(['file', `# back\n${long}`], ['AtoB', `# back\n${long}`]));
  });

  it('digests long files the same, hashed in a worker thread while they are read', () => {
    // Rows of a megabyte each: 72 MiB in the two files, past BACKGROUND_HASH_BYTES, 72 packets.
    const rows = (n: number, first: number) => Array.from({ length: n }, (_, i) => `${'x'.repeat(2 ** 20)},${(i + first) % 3 === 0 ? 1 : 0}`).join('\n');
    const [long, other] = [`pad,lost\n${rows(40, 0)}\n`, `pad,lost\n${rows(40, 1)}`];
    assert.ok(Buffer.byteLength(long) + Buffer.byteLength(other) >= BACKGROUND_HASH_BYTES);
    const dir = tempFiles({ 'a.csv': `\ufeff${long}`, 'b.csv': other });
    const [a, b] = [join(dir, 'a.csv'), join(dir, 'b.csv')];
    const hash = createHash('sha256');
    for (const [name, text] of [
      ['file', long],
      ['BtoA', other],
    ])
      hash.update(`${name}\u0000${text}\u0000`);
    const scenario = scenarioFrom({ protocol: 'messenger', channel: { model: 'trace', file: a, BtoA: b, column: 'lost' } });
    assert.equal(scenario.params['digest'], hash.digest('hex'));
  });

  it('reads a pipe beside long files once: no worker hashes it meanwhile (it would take its bytes, or wait for ever)', {
    skip: process.platform === 'win32',
  }, async () => {
    // 65 MiB in the file, past BACKGROUND_HASH_BYTES, and the other direction's rows from a pipe.
    const rows = (first: number) => Array.from({ length: 65 }, (_, i) => `${'x'.repeat(2 ** 20)},${(i + first) % 3 === 0 ? 1 : 0}`).join('\n');
    const [long, other] = [`pad,lost\n${rows(0)}\n`, `pad,lost\n${rows(1)}\n`];
    assert.ok(Buffer.byteLength(long) >= BACKGROUND_HASH_BYTES);
    const dir = tempFiles({ 'a.csv': long, 'b.csv': other });
    const [a, b, pipe] = [join(dir, 'a.csv'), join(dir, 'b.csv'), join(dir, 'b.pipe')];
    assert.equal(spawnSync('mkfifo', [pipe]).status, 0);
    const resolver = `
      const { parseScenarioText } = await import(${JSON.stringify(new URL('../src/scenario/parse.js', import.meta.url).href)});
      const { resolveScenario } = await import(${JSON.stringify(new URL('../src/scenario/resolve.js', import.meta.url).href)});
      const channel = { model: 'trace', file: ${JSON.stringify(a)}, BtoA: ${JSON.stringify(pipe)}, column: 'lost' };
      console.log(resolveScenario(parseScenarioText(JSON.stringify({ protocol: 'messenger', channel }), 'test.json')).params.digest);
    `;
    // The pipe's writer, and the scenario resolved in a process of its own (the one that hung).
    const writer = new Promise((done) =>
      spawn(process.execPath, ['-e', 'require("fs").writeFileSync(process.argv[1], require("fs").readFileSync(process.argv[2]))', pipe, b]).on('exit', done),
    );
    const resolved = await new Promise<string>((done, fail) =>
      execFile(process.execPath, ['--input-type=module', '-e', resolver], { timeout: CLI_TIMEOUT_MS, maxBuffer: 2 ** 20 }, (error, stdout) =>
        error ? fail(error) : done(stdout),
      ),
    );
    assert.equal(await writer, 0);
    assert.equal(resolved.trim(), createHash('sha256').update(`file\u0000${long}\u0000BtoA\u0000${other}\u0000`).digest('hex'));
  });

  it('gives the same bytes for any worker count and shard split, records the trace digest, and merge refuses shards of another trace', async () => {
    const dir = tempFiles({
      'losses.txt': TRACE,
      's.yaml': 'protocol: retransmit\nchannel: { model: trace, file: losses.txt }\nrounds: 3\nredundancy: 1\ntrials: 300000\nseed: 4\n',
    });
    const scenario = join(dir, 's.yaml');
    const one = await cliIn(['run', scenario, '-f', 'csv', '--workers', '1']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(succeeded(await cliIn(['run', scenario, '-f', 'csv', '--workers', '2'])), one.stdout);
    const [row] = parseCsv(one.stdout, { columns: true }) as Record<string, string>[];
    assert.match(row!['digest']!, /^[0-9a-f]{64}$/);
    assert.equal(row!['file'], 'losses.txt');
    const shard1 = await cliIn(['run', scenario, '--shard', '1/2', '--workers', '1']);
    assert.equal(shard1.status, 0, shard1.stderr);
    writeFileSync(join(dir, 'shard-1.json'), shard1.stdout);
    writeFileSync(join(dir, 'shard-2.json'), succeeded(await cliIn(['run', scenario, '--shard', '2/2', '--workers', '1'])));
    const merged = await cliIn(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json'), '-f', 'csv']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.stdout, one.stdout, 'merged shards print the bytes of the whole run');
    writeFileSync(join(dir, 'losses.txt'), TRACE.replace('0', '1'));
    writeFileSync(join(dir, 'shard-2.json'), succeeded(await cliIn(['run', scenario, '--shard', '2/2', '--workers', '1'])));
    const refused = await cliIn(['merge', join(dir, 'shard-1.json'), join(dir, 'shard-2.json')]);
    assert.equal(refused.status, 2);
  });

  it('validate and list say what the trace is', async () => {
    const dir = tempFiles({ 'losses.txt': '0001100010\n', 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: losses.txt }\n' });
    const r = await cliIn(['validate', join(dir, 's.yaml')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /trace: 10 packets, loss rate 0\.3, mean loss burst 1\.5/);
    assert.match(succeeded(await cliIn(['list'])), /trace +A measured loss trace replayed/);
  });

  it("fit's first line gives a mean burst or gap of tens of thousands of packets or more in whole packets, as validate does", async () => {
    // One loss, then 123,456 packets delivered; and 40,000 losses in a row then one delivered. Four
    // figures printed the gap as 123500 and the burst as 40000 beside the count, as validate once did.
    const dir = tempFiles({ 'gap.txt': `1\n${'0\n'.repeat(123_456)}`, 'burst.txt': `${'1'.repeat(40_000)}0\n`, 'small.txt': '0001100010\n' });
    assert.match(
      succeeded(await cliIn(['fit', join(dir, 'gap.txt')])),
      /gap\.txt \(digits\): 123,457 packets, 1 lost \(0\.00081%\), mean loss burst 1 packet, mean gap 123,456\n/,
    );
    assert.match(succeeded(await cliIn(['fit', join(dir, 'burst.txt')])), /, mean loss burst 40,000 packets, mean gap 1\n/);
    assert.match(succeeded(await cliIn(['fit', join(dir, 'small.txt')])), /, mean loss burst 1\.5 packets, mean gap 2\.333\n/);
  });

  const bad: [string, string, RegExp][] = [
    ['an empty trace', '', /empty\.txt: the trace is empty/],
    ['a character other than 0 and 1', '0101\n01x1\n', /bad\.txt:2: unexpected character "x"/],
    [
      'a ping log with no replies',
      'PING h (1.2.3.4) 56(84) bytes of data.\n\n--- h ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2002ms\n',
      /no replies/,
    ],
    [
      'a ping log spanning more packets than a trace may hold',
      Array.from({ length: 2400 }, (_, i) => `64 bytes from 1.2.3.4: icmp_seq=${(i * 30_000) % 65536} ttl=64 time=1 ms\n`).join(''),
      /bad\.txt:2238: more than 67,108,864 packets/,
    ],
    ['a file that is not there', '', /no such file/],
  ];
  for (const [what, text, expected] of bad) {
    it(`refuses ${what} with one line naming the file, exit 2`, async () => {
      const name = what.includes('empty') ? 'empty.txt' : what.includes('not there') ? 'missing.txt' : 'bad.txt';
      const files: Record<string, string> = { 's.yaml': `protocol: messenger\nchannel: { model: trace, file: ${name} }\n` };
      if (!what.includes('not there')) files[name] = text;
      const r = await cliInProcess(['run', join(tempFiles(files), 's.yaml')]); // a refusal needs no process of its own
      assert.equal(r.status, 2);
      assert.match(r.stderr, expected);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    });
  }
});

/** The generic engine's tallies below, trial by trial: computed once (test/oracle-digests.ts). */
const ORACLES = new OracleDigests('loss-trace');

describe('the trace channel at real sizes', () => {
  // A pattern repeated to past the table size: the long trace's average over its starts is the
  // pattern's own (each residue is a start the same number of times), which the generic exact
  // engine computes from the pattern's tables. So the start-by-start solver on the long trace is
  // checked against an independent engine, on every protocol.
  const rng = new Xoshiro128(9, 8, 7, 6);
  const pattern = Array.from({ length: 37 }, () => (rng.nextUint32() % 4 === 0 ? '1' : '0')).join('');
  const back = Array.from({ length: 37 }, () => (rng.nextUint32() % 3 === 0 ? '1' : '0')).join('');
  const repeats = Math.ceil(TABLE_PACKETS / 37) + 3;

  it('gives the exact values of the pattern it repeats, on every protocol, one trace or one per direction', async () => {
    const dir = tempFiles({
      'p.txt': `${pattern}\n`,
      'b.txt': `${back}\n`,
      'long.txt': `${pattern.repeat(repeats)}\n`,
      'long-b.txt': `${back.repeat(repeats)}\n`,
    });
    const cases = [
      { protocol: 'messenger', redundancy: 3 },
      { protocol: 'retransmit', rounds: 6, redundancy: 2 },
      { protocol: 'handshake', rounds: 3, redundancy: 1, BtoA: 'b.txt' },
      { protocol: 'randomized', rounds: 5, redundancy: 1 },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.1, redundancy: 1 },
    ];
    for (const { BtoA, ...data } of cases as { BtoA?: string; protocol: string }[]) {
      const model = (file: string, backFile?: string) =>
        buildCellModel({
          protocol: data.protocol,
          channel: 'trace',
          params: { ...(data as Record<string, number | string>), file: join(dir, file), ...(backFile ? { BtoA: join(dir, backFile) } : {}) } as Record<
            string,
            number | string
          >,
        });
      const short = model('p.txt', BtoA);
      const long = model('long.txt', BtoA ? 'long-b.txt' : undefined);
      assert.ok(short.initialStates.length > 0 && short.replay, 'the pattern has tables (its exact value is read from them) and is replayed (for Monte Carlo)');
      assert.ok(long.replay && long.initialStates.length === 0, 'the long trace is replayed alone');
      const expected = exactCell(short, UNLIMITED, 'generic');
      const actual = exactCell(long);
      assert.notEqual(expected.method, 'trace starts, each followed', 'the tables read by the exact engines');
      assert.equal(actual.method, 'trace starts, each followed');
      actual.outcomes.forEach((p, i) => close(p, expected.outcomes[i]!, 1e-12, `${data.protocol} outcome ${i}`));
      close(actual.messagesMean, expected.messagesMean, 1e-11, `${data.protocol} messages`);
      close(actual.deliveredMean, expected.deliveredMean, 1e-11, `${data.protocol} delivered`);
      close(actual.roundsMean, expected.roundsMean, 1e-11, `${data.protocol} rounds`);
    }
  });

  it('gives the exact values of the pattern it repeats with crashes too, branching at each round start as the generic engine does', () => {
    // Crash cells over a long trace had no exact engine (Monte Carlo only): the starts now branch over the crash patterns.
    const dir = tempFiles({ 'p.txt': `${pattern}\n`, 'long.txt': `${pattern.repeat(repeats)}\n` });
    const cases: Record<string, number | string>[] = [
      { protocol: 'messenger', redundancy: 2, crash: 0.2 },
      { protocol: 'retransmit', rounds: 4, redundancy: 1, crashA: 0.1, crashB: 0.25 },
      { protocol: 'handshake', rounds: 3, redundancy: 2, crash: 0.15 },
      { protocol: 'randomized', rounds: 3, redundancy: 1, crashB: 0.3 },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, redundancy: 1, crashCoordinator: 0.1, crashCohort: 0.05 },
    ];
    for (const { protocol, ...params } of cases) {
      const model = (file: string) => buildCellModel({ protocol: protocol as string, channel: 'trace', params: { ...params, file: join(dir, file) } });
      const short = model('p.txt');
      const long = model('long.txt');
      assert.ok(short.crash && long.crash && long.replay && long.initialStates.length === 0, 'crash cells, the long trace replayed alone');
      const expected = exactCell(short, UNLIMITED, 'generic');
      const actual = exactCell(long);
      assert.equal(actual.method, 'trace starts, each followed');
      actual.outcomes.forEach((p, i) => close(p, expected.outcomes[i]!, 1e-12, `${protocol} outcome ${i}`));
      close(actual.messagesMean, expected.messagesMean, 1e-11, `${protocol} messages`);
      close(actual.deliveredMean, expected.deliveredMean, 1e-11, `${protocol} delivered`);
      close(actual.roundsMean, expected.roundsMean, 1e-11, `${protocol} rounds`);
    }
  });

  it('agrees with its exact values in Monte Carlo, and gives the same bytes for any worker count', async () => {
    const dir = tempFiles({
      'long.txt': `${pattern.repeat(repeats)}\n`,
      's.yaml': 'protocol: retransmit\nchannel: { model: trace, file: long.txt }\nrounds: 4\nredundancy: 1\ntrials: 200000\nseed: 23\n',
    });
    const report = await runExperiment(
      [
        scenarioFrom({
          protocol: 'retransmit',
          rounds: 4,
          redundancy: 1,
          channel: { model: 'trace', file: join(dir, 'long.txt') },
          trials: 200_000,
          seed: 'long',
        }),
      ],
      {
        exact: 'on',
        simulate: true,
        confidence: 0.95,
        workers: 1,
      },
    );
    const s = report.summaries[0]!;
    s.outcomes.forEach((o, j) =>
      assert.ok(Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 3.5, `${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`),
    );
    const one = await cliIn(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '1', '--no-exact']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal((await cliIn(['run', join(dir, 's.yaml'), '-f', 'csv', '--workers', '2', '--no-exact'])).stdout, one.stdout);
  });

  it('runs a short trace (tables for the exact engine) through the replay in Monte Carlo, agreeing with its exact values, delivered copies too', () => {
    // Monte Carlo through a short trace's tables, a channel state per position, took 440 ns a trial; replayed, a few.
    const dir = tempFiles({ 'p.txt': `${pattern}\n`, 'b.txt': `${back}\n` });
    const cases: Record<string, number | string>[] = [
      { protocol: 'messenger', redundancy: 3 },
      { protocol: 'messenger', redundancy: 40 }, // more copies than packets: every window wraps round the trace
      { protocol: 'retransmit', rounds: 6, redundancy: 2 },
      { protocol: 'handshake', rounds: 3, redundancy: 1, BtoA: join(dir, 'b.txt') },
      { protocol: 'randomized', rounds: 5, redundancy: 1 },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.1, redundancy: 2 },
    ];
    const trials = 200_000;
    for (const data of cases) {
      const what = `${data['protocol']}, ${data['redundancy']} copies`;
      const model = buildCellModel({ protocol: String(data['protocol']), channel: 'trace', params: { ...data, file: join(dir, 'p.txt') } });
      assert.ok(model.replay && model.initialStates.length === 37, what);
      const exact = exactCell(model);
      const { result: tally, calls } = countingCalls(trace, 'transmissionFor', () => runBlock(model, Int32Array.of(3, 5, 7, 11), trials));
      assert.equal(calls, 0, `${what}: no table read`);
      ORACLES.held(
        `short trace, trial by trial: ${what} ${data['protocol'] === 'handshake' ? '(b.txt back) ' : ''}${JSON.stringify({ ...data, BtoA: undefined })}`,
        tally,
        () => runBlockGeneric(model, new Xoshiro128(3, 5, 7, 11), trials),
        (a, b) => assert.deepEqual(a, b, `${what}: the tallies of trial by trial`),
      );
      tally.outcomes.forEach((n, j) =>
        assert.ok(Math.abs(proportionZ(n, trials, exact.outcomes[j]!)) <= 3.5, `${what}, outcome ${j}: ${n} vs ${exact.outcomes[j]}`),
      );
      // Within 2% (more than 4.5 standard errors here): a delivery class counted at another's value is off by far more.
      const delivered = tally.deliveries.reduce((sum, n, c) => sum + n * model.deliveryValues[c]!, 0) / trials;
      const messages = tally.messages.reduce((sum, n, m) => sum + n * m, 0) / trials;
      assert.ok(
        Math.abs(delivered - exact.deliveredMean) <= 0.02 * Math.max(1, exact.deliveredMean),
        `${what}: delivered ${delivered} vs ${exact.deliveredMean}`,
      );
      // Within 3.5 standard errors of the exact mean (its sd from the exact second moment).
      const messagesSe = Math.sqrt(Math.max(0, exact.messagesSecondMoment - exact.messagesMean * exact.messagesMean) / trials);
      assert.ok(
        Math.abs(messages - exact.messagesMean) <= Math.max(3.5 * messagesSe, 1e-9),
        `${what}: messages ${messages} vs ${exact.messagesMean} (standard error ${messagesSe})`,
      );
    }
    // Crashes over a short trace stay on its tables, which the exact engine reads too.
    const crashed = buildCellModel({
      protocol: 'two-phase-commit',
      channel: 'trace',
      params: { participants: 2, rounds: 2, crash: 0.05, file: join(dir, 'p.txt') },
    });
    assert.equal(crashed.replay, undefined);
    assert.ok(exactCell(crashed).outcomes.length > 0);
  });

  it('runs Monte Carlo through the protocol automaton with the same tallies as trial by trial', async () => {
    const dir = tempFiles({ 'long.txt': `${pattern.repeat(repeats)}\n`, 'long-b.txt': `${back.repeat(repeats)}\n` });
    for (const data of [
      { protocol: 'messenger', redundancy: 3 },
      { protocol: 'retransmit', rounds: 6, redundancy: 2 },
      { protocol: 'handshake', rounds: 3, redundancy: 1, BtoA: join(dir, 'long-b.txt') },
      { protocol: 'randomized', rounds: 5, redundancy: 1 },
    ]) {
      const model = buildCellModel({ protocol: data.protocol, channel: 'trace', params: { ...data, file: join(dir, 'long.txt') } });
      const stream = Int32Array.of(7, 11, 13, 17);
      const viaAutomaton = runBlock(model, stream, 20_000);
      ORACLES.held(
        `long trace, trial by trial: ${data.protocol}`,
        viaAutomaton,
        () => runBlockGeneric(model, new Xoshiro128(7, 11, 13, 17), 20_000),
        (a, b) => assert.deepEqual(a, b, data.protocol),
      );
    }
  });

  it('counts starts through the start table and the result order to the same tallies, block after block, before and after the table is built', () => {
    // A protocol with choices of its own (two-phase commit with an abort rate, the randomized
    // protocol) counts through a start table built once a model's trials reach half the starts
    // (25,000 here): the first block follows the automaton, the second and third read each
    // start's result from the table, rare results followed when drawn, and trials go on from the
    // choice the table stops at. Two-phase commit without an abort rate, more results than a byte
    // holds, draws through its result order.
    // Every block must be trial-by-trial's to the bit.
    const noisy = new Xoshiro128(3, 1, 4, 1);
    const dir = tempFiles({ 'noisy.txt': Array.from({ length: 25_000 }, () => (noisy.nextUint32() % 10 < 3 ? '1' : '0')).join('') });
    for (const data of [
      { protocol: 'messenger', redundancy: 2 },
      { protocol: 'retransmit', rounds: 8, redundancy: 1 },
      { protocol: 'handshake', rounds: 4, redundancy: 2 },
      { protocol: 'two-phase-commit', rounds: 3, participants: 3, abortRate: 0, redundancy: 1 },
      { protocol: 'two-phase-commit', rounds: 2, participants: 2, abortRate: 0.1, redundancy: 1 },
      { protocol: 'randomized', rounds: 5, redundancy: 2 },
    ]) {
      const model = buildCellModel({ protocol: data.protocol, channel: 'trace', params: { ...data, file: join(dir, 'noisy.txt') } });
      for (const [block, trials] of [
        [1, 4096],
        [2, 9000],
        [3, 5000],
      ] as const) {
        const stream = Int32Array.of(block, 11, 13, 17);
        const counted = runBlock(model, stream, trials);
        ORACLES.held(
          `noisy trace, trial by trial: ${JSON.stringify(data)}, block ${block}`,
          counted,
          () => runBlockGeneric(model, new Xoshiro128(block, 11, 13, 17), trials),
          (a, b) => assert.deepEqual(a, b, `${data.protocol}, block ${block}`),
        );
      }
    }
  });

  it('draws starts exactly uniformly: the product of a word and n, split exactly, and rejection', async () => {
    const rng = new Xoshiro128(5, 4, 3, 2);
    const copy = new Xoshiro128(5, 4, 3, 2);
    for (const n of [1, 2, 3, 37, 20_001, 1_000_003, 50_000_000, 2 ** 31]) {
      for (let i = 0; i < 2000; i++) {
        const drawn = uniformBelow(rng, n);
        // The same by BigInt: Lemire's method on the same words.
        let expected: number;
        for (;;) {
          const m = BigInt(copy.nextUint32()) * BigInt(n);
          const low = Number(m & 0xffffffffn);
          if (low < n && low < (2 ** 32 - n) % n) continue;
          expected = Number(m >> 32n);
          break;
        }
        assert.equal(drawn, expected, `n = ${n}`);
      }
    }
  });

  it('draws starts in the order of the words too: the word divided by ⌊2^32 / n⌋, and rejection at or above n times it', () => {
    const rng = new Xoshiro128(9, 8, 7, 6);
    const copy = new Xoshiro128(9, 8, 7, 6);
    let rejected = 0;
    // 1,500,000,001: q = 2 and 2^32 − 3,000,000,002 words rejected (3 in 10); 6,700,417: 1 in 641.
    for (const n of [1, 2, 3, 37, 20_001, 6_700_417, 2 ** 22, 1_500_000_001, 2 ** 31]) {
      const q = (1n << 32n) / BigInt(n);
      for (let i = 0; i < 2000; i++) {
        const drawn = uniformBelowInOrder(rng, n);
        let expected: number;
        for (;;) {
          const x = BigInt(copy.nextUint32());
          if (x < q * BigInt(n)) {
            expected = Number(x / q);
            break;
          }
          rejected++;
        }
        assert.equal(drawn, expected, `n = ${n}`);
      }
    }
    assert.deepEqual(copy.getState(), rng.getState(), 'as many words drawn');
    assert.ok(rejected > 500, `rejections met: ${rejected}`);
  });

  it('computes the messenger over 10^6 packets exactly: the share of starts with a copy delivered', async () => {
    const n = 1_000_000;
    const r = new Xoshiro128(1, 2, 3, 5);
    const lost = new Uint8Array(n);
    let bad = false;
    for (let i = 0; i < n; i++) {
      bad = bad ? r.nextUint32() % 4 !== 0 : r.nextUint32() % 50 === 0;
      lost[i] = bad || r.nextUint32() % 100 === 0 ? 1 : 0;
    }
    const dir = tempFiles({ 'm.txt': Buffer.from(lost.map((x) => 48 + x)).toString('latin1') });
    for (const k of [1, 3]) {
      let delivered = 0;
      let copies = 0;
      for (let s = 0; s < n; s++) {
        let d = 0;
        for (let c = 0; c < k; c++) d += 1 - lost[(s + c) % n]!;
        if (d > 0) delivered++;
        copies += d;
      }
      const exact = exactCell(buildCellModel({ protocol: 'messenger', channel: 'trace', params: { file: join(dir, 'm.txt'), redundancy: k } }));
      assert.equal(exact.outcomes[0], delivered / n, `k = ${k}: success`);
      assert.equal(exact.deliveredMean, copies / n, `k = ${k}: copies delivered`);
    }
  });

  it('refuses a file over the byte limit before reading it', async () => {
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: huge.txt }\n' });
    writeFileSync(join(dir, 'huge.txt'), '');
    truncateSync(join(dir, 'huge.txt'), 2 ** 31 + 1); // sparse: no disk space
    for (const args of [
      ['run', join(dir, 's.yaml')],
      ['validate', join(dir, 's.yaml')],
      ['fit', join(dir, 'huge.txt')],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /huge\.txt: the file has 2,147,483,649 bytes; a trace file may have at most 2,147,483,648 \(2 GiB\)$/m);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('validate and fit say where a ping log starts and warn where its summary disagrees', async () => {
    const lines = ['PING h (192.0.2.1) 56(84) bytes of data.'];
    for (let seq = 1; seq <= 400; seq++) if (seq % 20 !== 0) lines.push(`64 bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=1 ms`);
    lines.push('', '--- h ping statistics ---', '400 packets transmitted, 380 received, 5% packet loss, time 399ms');
    const tail = lines.slice(-201).join('\n');
    const dir = tempFiles({ 'tail.txt': tail, 's.yaml': 'protocol: messenger\nchannel: { model: trace, file: tail.txt }\n' });
    const v = await cliIn(['validate', join(dir, 's.yaml')]);
    assert.equal(v.status, 0, v.stderr);
    // The excerpt's first line is packet 192's reply; 200, 220, … 400 lost: 11 of 209.
    assert.match(v.stdout, /trace: 209 packets, icmp_seq 192–400 counted, loss rate 0\.05263/);
    assert.match(
      v.stdout,
      /warning: the log's summary \(line 201\) says 400 packets transmitted, 380 received, but the log shows 209 packets \(icmp_seq 192–400\), 198 received/,
    );
    const f = await cliIn(['fit', join(dir, 'tail.txt')]);
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /Counted icmp_seq 192–400: a ping log's trace starts at the first sequence number it shows\./);
    assert.match(f.stdout, /The fits rest on 209 packets: 11 loss bursts and 11 gaps between them\./);
    assert.match(f.stderr, /^twogenerals: warning: .*tail\.txt: the log's summary \(line 201\) says 400 packets transmitted/);
  });

  it("prints the messengers' exact sd of a cost that a few starts in thousands change to the last digits, replayed or as tables", async () => {
    // One loss in n packets: the handshake of 2 legs sends one message from the start at the loss
    // and two from every other, so its sd is √(n − 1) / n; retransmission over 2 rounds sends 3
    // from the loss, 4 from the start before it and 2 from the rest, so √(5n − 9) / n. From
    // E[m²] − E[m]² these came out 1e-11 off (the two nearly equal, their digits cancelled).
    for (const n of [30_000, 3_001]) {
      const digits = Array.from({ length: n }, (_, i) => (i === 1_234 ? '1' : '0')).join('');
      const dir = tempFiles({ 't.txt': `${digits}\n` });
      for (const [protocol, sd] of [
        ['handshake', Math.sqrt(n - 1) / n],
        ['retransmit', Math.sqrt(5 * n - 9) / n],
      ] as const) {
        const scenario = join(dir, `${protocol}.yaml`);
        writeFileSync(scenario, `name: one-loss\nprotocol: ${protocol}\nchannel: { model: trace, file: t.txt }\nredundancy: 1\nrounds: 2\n`);
        const r = await cliIn(['exact', scenario, '-f', 'csv']);
        assert.equal(r.status, 0, r.stderr);
        const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
        const printed = Number(row!['messengers_sd_exact']);
        assert.ok(Math.abs(printed - sd) <= 4e-16 * sd, `${protocol} over ${n} packets: sd ${printed} against ${sd}`);
      }
    }
  });
});

describe('fit', () => {
  const sample = join(ROOT, 'examples', 'traces', 'radio-link-ping.txt');

  it('fits the three models to a ping log, chooses one by BIC and prints it as a scenario fragment', async () => {
    const r = await cliIn(['fit', sample]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /3,600 packets, 174 lost/);
    for (const model of ['bernoulli', 'gilbert', 'gilbert-elliott']) assert.match(r.stdout, new RegExp(`${model} +│`));
    assert.match(r.stdout, /chosen \(lowest BIC\)/);
    assert.match(r.stdout, /channel:\n {2}model: gilbert-elliott\n {2}goodToBad: [0-9.]+/);
    const json = JSON.parse(succeeded(await cliIn(['fit', sample, '--format', 'json']))) as { chosen: string; fits: { model: string; bic: number }[] };
    const best = [...json.fits].sort((a, b) => a.bic - b.bic)[0]!;
    assert.equal(json.chosen, best.model);
  });

  it('fits the chosen channel into a scenario that runs, and --model forces one', async () => {
    const r = await cliIn(['fit', sample, '--model', 'bernoulli', '--format', 'yaml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /chosen: bernoulli/);
    assert.match(r.stdout, /scenario:\n {2}loss: 0\.0483/);
    const fragment = succeeded(await cliIn(['fit', sample])).split('to paste into a scenario:\n\n')[1]!;
    const dir = tempFiles({ 's.yaml': `protocol: messenger\ntrials: 1000\n${fragment}` });
    assert.equal((await cliIn(['validate', join(dir, 's.yaml')])).status, 0);
  });

  it('draws the run lengths, measured against each model, like plot', async () => {
    const dir = tempFiles({});
    const r = await cliIn(['fit', sample, '-o', join(dir, 'fit.svg')]);
    assert.equal(r.status, 0, r.stderr);
    const svg = readFileSync(join(dir, 'fit.svg'), 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /loss bursts/);
  });

  it('refuses a trace with no losses and a CSV without the column, exit 2', async () => {
    const dir = tempFiles({ 'clean.txt': '00000000\n', 'm.csv': 'seq,lost\n1,0\n2,1\n' });
    const clean = await cliIn(['fit', join(dir, 'clean.txt')]);
    assert.equal(clean.status, 2);
    assert.match(clean.stderr, /no losses recorded/);
    const csv = await cliIn(['fit', join(dir, 'm.csv'), '--column', 'dropped']);
    assert.equal(csv.status, 2);
    assert.match(csv.stderr, /lost/);
  });
});
