import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { contentDigest } from '../src/results/verify.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';
import { STACK_LINE, cliInProcess } from './in-process.js';
import { temporaryDirectory } from './helpers.js';

/**
 * Property-based tests (fast-check, fixed seeds): generated scenario documents, valid and
 * mutated, never give an exit code other than 0, 1 or 2 nor a stack trace, and valid ones
 * round-trip through `validate`; generated shard sets with one mutation are always refused.
 * Everything runs in this process (cliInProcess), so hundreds of cases take seconds.
 */

const dir = temporaryDirectory('twogenerals-properties-');
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const writeTemp = (text: string | Buffer, extension: string): string => {
  const path = join(dir, `doc-${++fileCount}${extension}`);
  writeFileSync(path, text);
  return path;
};

const PROTOCOLS = ['messenger', 'handshake', 'retransmit', 'randomized', 'two-phase-commit'] as const;
const probability = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

/** Parameters a scenario of this protocol and channel may sweep, with values in range. */
function sweepable(protocol: string, channel: string): [string, fc.Arbitrary<number>][] {
  const params: [string, fc.Arbitrary<number>][] = [
    ['redundancy', fc.integer({ min: 1, max: 40 })],
    ['rounds', fc.integer({ min: 1, max: 40 })],
  ];
  if (channel === 'bernoulli') params.push(['loss', probability], ['lossAtoB', probability], ['lossBtoA', probability]);
  if (channel === 'gilbert-elliott') params.push(['goodToBad', probability], ['badToGood', probability], ['lossBad', probability]);
  if (channel === 'cut') params.push(['after', fc.integer({ min: 0, max: 40 })]);
  if (protocol === 'two-phase-commit') params.push(['participants', fc.integer({ min: 1, max: 6 })], ['abortRate', probability]);
  return params;
}

const channelArb = fc.oneof(
  fc.constant<unknown>(undefined),
  fc.constant<unknown>('bernoulli'),
  fc.constant<unknown>({ model: 'bernoulli' }),
  fc.constant<unknown>('cut'),
  fc.record(
    { model: fc.constant('gilbert-elliott'), goodToBad: probability, badToGood: probability, lossGood: optional(probability), lossBad: optional(probability) },
    { requiredKeys: ['model', 'goodToBad', 'badToGood'] },
  ),
  fc.record(
    { model: fc.constant('cut'), after: optional(fc.integer({ min: 0, max: 20 })), direction: optional(fc.constantFrom('both', 'AtoB', 'BtoA')) },
    { requiredKeys: ['model'] },
  ),
);

const modelOf = (channel: unknown): string =>
  channel === undefined ? 'bernoulli' : typeof channel === 'string' ? channel : String((channel as { model: string }).model);

/** A valid scenario document (as data): every key in range and applicable. */
const validScenario: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ protocol: fc.constantFrom(...PROTOCOLS), channel: channelArb })
  .chain(({ protocol, channel }) => {
    const model = modelOf(channel);
    const params = sweepable(protocol, model);
    const sweep = fc
      .uniqueArray(fc.constantFrom(...params), { minLength: 1, maxLength: 2, selector: ([name]) => name })
      .chain((axes) =>
        fc.tuple(
          ...axes.map(([name, values]) =>
            fc
              .oneof(
                fc.uniqueArray(values, { minLength: 1, maxLength: 4 }),
                name === 'redundancy' || name === 'rounds' || name === 'participants' || name === 'after'
                  ? fc
                      .record({ from: fc.integer({ min: 1, max: 5 }), span: fc.integer({ min: 0, max: 4 }) })
                      .map(({ from, span }) => ({ from, to: from + span }))
                  : fc.constantFrom({ from: 0.1, to: 0.5, step: 0.1 }, { from: 0, to: 1, step: 0.25 }, { from: 0.5, to: 0.5 }),
              )
              .map((v) => [name, v] as const),
          ),
        ),
      )
      // A sweep of loss goes before one of its directions: after them it would replace them (refused).
      .map((entries) => Object.fromEntries([...entries].sort(([a], [b]) => Number(b === 'loss') - Number(a === 'loss'))));
    return fc.record(
      {
        $schema: optional(fc.constant('./scenario.schema.json')),
        name: optional(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/)),
        description: optional(fc.string({ maxLength: 40, unit: 'binary' })),
        protocol: fc.constant(protocol),
        channel: fc.constant(channel),
        loss: model === 'bernoulli' ? optional(fc.oneof(probability, fc.record({ AtoB: probability, BtoA: probability }))) : fc.constant(undefined),
        redundancy: optional(fc.integer({ min: 1, max: 1000 })),
        rounds: optional(fc.integer({ min: 1, max: 64 })),
        participants: protocol === 'two-phase-commit' ? optional(fc.integer({ min: 1, max: 8 })) : fc.constant(undefined),
        abortRate: protocol === 'two-phase-commit' ? optional(probability) : fc.constant(undefined),
        trials: optional(
          fc.oneof(
            fc.integer({ min: 1, max: 1e15 }),
            fc.record(
              { precision: fc.integer({ min: 1, max: 500 }).map((n) => n / 1000), maxTrials: optional(fc.integer({ min: 1, max: 1e9 })) },
              { requiredKeys: ['precision'] },
            ),
          ),
        ),
        // A text seed holds more than spaces (test/blank-seed.test.ts): a blank one is given a letter.
        seed: optional(
          fc.oneof(
            fc.integer(),
            fc.string({ maxLength: 12 }).map((s) => (/\S/.test(s) ? s : `${s}x`)),
          ),
        ),
        sweep: optional(sweep),
        expect: optional(
          fc.array(
            fc
              .record(
                {
                  // The protocol's own outcomes: another protocol's is refused (a gate on it would judge nothing).
                  metric: fc.constantFrom('success', 'disagreement', ...(protocol === 'two-phase-commit' ? ['committed', 'blocked'] : ['both', 'onlyA'])),
                  atLeast: optional(probability),
                  atMost: probability,
                },
                { requiredKeys: ['metric', 'atMost'] },
              )
              // Both bounds: atLeast at most atMost (a gate that can never hold is refused).
              .map((e) => (e.atLeast !== undefined && e.atLeast > e.atMost ? { ...e, atLeast: e.atMost, atMost: e.atLeast } : e)),
            { minLength: 1, maxLength: 2 },
          ),
        ),
      },
      { requiredKeys: ['protocol', 'channel'] },
    );
  })
  .map((doc) => JSON.parse(JSON.stringify(doc)) as Record<string, unknown>); // drop undefined keys

const serialize = (doc: Record<string, unknown>, json: boolean): string => (json ? JSON.stringify(doc, null, 2) : toYaml(doc));

/** One mutation of a document's text: what a careless edit, a bad tool or a hostile user would do. */
const mutation: fc.Arbitrary<(text: string) => string | Buffer> = fc.oneof(
  fc.record({ at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }).map(
    ({ at, length }) =>
      (t: string) =>
        t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + length),
  ),
  fc.record({ at: fc.nat(), text: fc.string({ maxLength: 8, unit: 'binary' }) }).map(
    ({ at, text }) =>
      (t: string) =>
        t.slice(0, at % (t.length + 1)) + text + t.slice(at % (t.length + 1)),
  ),
  fc
    .record({
      at: fc.nat(),
      text: fc.constantFrom(
        ':',
        '- ',
        '[',
        '{',
        '&a ',
        '*a',
        '!!binary ',
        '"',
        "'",
        '\t',
        '\u001b[31m',
        '\u0000',
        '---\n',
        '%YAML 1.1\n',
        '? ',
        '|',
        '>',
        '#',
        '~',
        'null',
        '1e999',
        '-0',
        '0x10',
        '.nan',
        '9007199254740993',
        '  ',
        '\n',
      ),
    })
    .map(
      ({ at, text }) =>
        (t: string) =>
          t.slice(0, at % (t.length + 1)) + text + t.slice(at % (t.length + 1)),
    ),
  fc.record({ line: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }).map(({ line, value }) => (t: string) => {
    const lines = t.split('\n');
    const i = line % lines.length;
    const key = /^(\s*[\w$]+):/.exec(lines[i]!)?.[1];
    lines[i] = key ? `${key}: ${JSON.stringify(value)}` : JSON.stringify(value);
    return lines.join('\n');
  }),
  fc
    .record({
      key: fc.constantFrom(
        'protocol',
        'channel',
        'loss',
        'redundancy',
        'rounds',
        'trials',
        'seed',
        'sweep',
        'expect',
        'participants',
        'name',
        'description',
        'bogus',
      ),
      value: fc.jsonValue({ maxDepth: 2 }),
    })
    .map(
      ({ key, value }) =>
        (t: string) =>
          `${t}\n${key}: ${JSON.stringify(value)}\n`,
    ),
  fc.constant((t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])),
  fc.constant((t: string) => `${t}\n---\n${t}`),
  fc.constant((t: string) => `a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n${t}`),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => (t: string) => Buffer.concat([Buffer.from(t), Buffer.from(bytes)])),
);

function assertNoCrash(r: { status: number | null; stdout: string; stderr: string }, allowed: readonly number[], context: string): void {
  assert.ok(r.status !== null && allowed.includes(r.status), `${context}: exit ${r.status}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/, context);
  assert.doesNotMatch(r.stderr, STACK_LINE, `${context}: a stack trace`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, `${context}: control characters on stderr`);
  if (r.status === 2) for (const line of r.stderr.trimEnd().split('\n')) assert.match(line, /^twogenerals: /, context);
}

describe('generated scenario documents', () => {
  it('valid ones pass validate and round-trip through it unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(validScenario, fc.boolean(), async (doc, json) => {
        const file = writeTemp(serialize(doc, json), json ? '.json' : '.yaml');
        const r = await cliInProcess(['validate', file]);
        assertNoCrash(r, [0], file);
        assert.match(r.stdout, /: ok \(/);
        // The resolved scenario, written back as a file, validates and resolves to itself.
        const first = await loadScenario(file);
        const again = writeTemp(toYaml(first.resolved), '.yaml');
        assert.equal((await cliInProcess(['validate', again])).status, 0);
        assert.deepEqual((await loadScenario(again)).resolved, { ...first.resolved, name: first.name });
        assert.deepEqual(
          expandCells(await loadScenario(again)).map((c) => c.key),
          expandCells(first).map((c) => c.key),
        );
      }),
      { seed: 15, numRuns: 200 },
    );
  });

  it('mutated ones give exit 0 or 2 from validate, never a crash, a stack trace or a control character', async () => {
    await fc.assert(
      fc.asyncProperty(validScenario, fc.boolean(), mutation, async (doc, json, mutate) => {
        const file = writeTemp(mutate(serialize(doc, json)), json ? '.json' : '.yaml');
        assertNoCrash(await cliInProcess(['validate', file]), [0, 2], file);
      }),
      { seed: 16, numRuns: 800 },
    );
  });

  it('mutated ones that still validate run with exit 0, 1 or 2', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(validScenario, mutation, async (doc, mutate) => {
        const file = writeTemp(mutate(serialize(doc, false)), '.yaml');
        const small = ['--trials', '2000', '--workers', '1', '--no-exact', '--format', 'csv'];
        let cells: number;
        try {
          const scenario = await loadScenario(file, { trials: '2000' });
          const all = expandCells(scenario);
          if (all.some((c) => Number(c.params['rounds']) > 64 || Number(c.params['participants'] ?? 1) > 8 || Number(c.params['redundancy']) > 100)) return;
          cells = all.length;
        } catch {
          cells = 0; // run must refuse it too
        }
        if (cells > 24) return;
        ran++;
        assertNoCrash(await cliInProcess(['run', file, ...small]), [0, 1, 2], file);
      }),
      { seed: 17, numRuns: 60 },
    );
    assert.ok(ran >= 10, `only ${ran} documents ran`);
  });
});

describe('generated shard sets with one mutation', () => {
  interface ShardSet {
    readonly texts: string[];
  }
  const configs: string[][] = [
    ['--sweep', 'redundancy=1:2', '--trials', '200000'],
    ['scenarios/two-phase-commit.yaml', '--set', 'sweep=null', '--trials', '70000'],
    ['scenarios/handshake-regress.yaml', '--set', 'sweep=null', '--trials', '131077'],
  ];
  const counts = [3, 2, 4];
  const sets: ShardSet[] = [];

  it('are made by run --shard and merge as they are', async () => {
    for (const [c, args] of configs.entries()) {
      const texts: string[] = [];
      for (let i = 1; i <= counts[c]!; i++) {
        const r = await cliInProcess(['run', ...args, '--workers', '1', '--shard', `${i}/${counts[c]}`]);
        assert.equal(r.status, 0, r.stderr);
        texts.push(r.stdout);
      }
      sets.push({ texts });
      const files = texts.map((t) => writeTemp(t, '.json'));
      const merged = await cliInProcess(['merge', ...files, '--format', 'csv']);
      assert.equal(merged.status, 0, merged.stderr);
    }
  });

  type Shard = { shard: { index: number; count: number }; cells: { tally: Record<string, unknown> }[]; digest?: string; [key: string]: unknown };
  const COUNT_FIELDS = ['trials', 'outcomes', 'messages', 'rounds'] as const;
  /** A change to one shard's data; `keepsSums` mutations are caught by the digest only. */
  const change = fc.record({
    cell: fc.nat(),
    field: fc.constantFrom(...COUNT_FIELDS, 'deliveries' as const),
    slot: fc.nat(),
    value: fc.constantFrom<unknown>(-1, 0.5, '7', null, 1e300, true, [], {}, 'x'),
    delta: fc.integer({ min: 1, max: 1000 }).chain((d) => fc.constantFrom(d, -d)),
  });
  const mutationArb = fc.oneof(
    change.map((m) => ({ kind: 'set count', ...m })),
    change.map((m) => ({ kind: 'add to count', ...m })),
    change.map((m) => ({ kind: 'move count', ...m })),
    change.map((m) => ({ kind: 'delete field', ...m })),
    fc.constant({ kind: 'null tally' }),
    fc.constant({ kind: 'zero shard' }),
    fc.constant({ kind: 'relabel' }),
    fc.constant({ kind: 'duplicate' }),
    fc.constant({ kind: 'drop' }),
    fc.constant({ kind: 'seed' }),
    fc.constant({ kind: 'version' }),
    fc.constant({ kind: 'block size' }),
    fc.constant({ kind: 'no digest' }),
    fc.constant({ kind: 'drop cell' }),
  );

  it('are always refused with exit 2, naming the file, digest or not', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(sets.length - 1), fc.nat(), mutationArb, fc.boolean(), async (s, target, m, redigest) => {
        const shards = sets[s]!.texts.map((t) => JSON.parse(t) as Shard);
        const victim = shards[target % shards.length]!;
        const mm = m as { kind: string; cell?: number; field?: (typeof COUNT_FIELDS)[number] | 'deliveries'; slot?: number; value?: unknown; delta?: number };
        const tally = victim.cells[(mm.cell ?? 0) % victim.cells.length]!.tally;
        const countsOf = (field: string): unknown[] | null => (Array.isArray(tally[field]) ? (tally[field] as unknown[]) : null);
        switch (mm.kind) {
          case 'set count': {
            const list = countsOf(mm.field!);
            if (list) list[mm.slot! % Math.max(1, list.length)] = mm.value;
            else tally[mm.field!] = mm.value;
            break;
          }
          case 'add to count': {
            // Delivery and round totals have no sum to check: with a fresh digest such an edit
            // is indistinguishable from a real run, so only the digest can catch it.
            if ((mm.field === 'deliveries' || mm.field === 'rounds') && redigest) return;
            const list = countsOf(mm.field!);
            if (list && !list.length) return;
            if (list) {
              const i = mm.slot! % list.length;
              list[i] = (list[i] as number) + mm.delta!;
            } else tally[mm.field!] = (tally[mm.field!] as number) + mm.delta!;
            break;
          }
          case 'move count': {
            const list = countsOf(mm.field === 'messages' ? 'messages' : 'outcomes')!;
            if (list.length < 2) return;
            const from = list.findIndex((v) => (v as number) > 0);
            if (from < 0) return;
            const to = (from + 1 + (mm.slot! % (list.length - 1))) % list.length;
            list[from] = (list[from] as number) - 1;
            list[to] = (list[to] as number) + 1;
            if (redigest) return; // a consistent edit with a fresh digest: only the digest could tell
            break;
          }
          case 'delete field':
            delete tally[mm.field!];
            break;
          case 'null tally':
            (victim.cells[0] as unknown as Record<string, unknown>)['tally'] = null;
            break;
          case 'zero shard':
            if (victim.cells.every((cell) => cell.tally['trials'] === 0)) return;
            for (const cell of victim.cells) {
              const t = cell.tally as { trials: number; outcomes: number[]; messages: number[]; deliveries: number[]; rounds: number };
              t.trials = 0;
              t.outcomes = t.outcomes.map(() => 0);
              t.messages = [];
              t.deliveries = t.deliveries.map(() => 0);
              t.rounds = 0;
            }
            break;
          case 'relabel':
            victim.shard = { ...victim.shard, index: (victim.shard.index % victim.shard.count) + 1 };
            break;
          case 'duplicate':
            shards[(target + 1) % shards.length] = structuredClone(victim);
            break;
          case 'drop':
            shards.splice(target % shards.length, 1);
            break;
          case 'seed':
            (victim['scenarios'] as Record<string, unknown>[])[0]!['seed'] = 'another';
            break;
          case 'version':
            victim['version'] = '0.0.1';
            break;
          case 'block size':
            victim['blockSize'] = 1024;
            break;
          case 'no digest':
            delete victim.digest;
            redigest = false;
            break;
          case 'drop cell':
            victim.cells.pop();
            if (!victim.cells.length) victim.cells = [];
            break;
        }
        if (redigest) victim.digest = contentDigest(victim);
        const files = shards.map((shard) => writeTemp(JSON.stringify(shard), '.json'));
        const r = await cliInProcess(['merge', ...files, '--format', 'csv']);
        const context = `${mm.kind}${mm.field ? ` ${mm.field}` : ''}${redigest ? ' (digest recomputed)' : ''}`;
        assert.equal(r.status, 2, `${context}: exit ${r.status}\n${r.stdout.slice(0, 300)}\n${r.stderr}`);
        assert.equal(r.stdout, '', context);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${context}: ${r.stderr}`);
        assert.match(r.stderr, /^twogenerals: (.*\.json|merge): /, context);
        assert.doesNotMatch(r.stderr, STACK_LINE, context);
      }),
      { seed: 18, numRuns: 400 },
    );
  });
});
