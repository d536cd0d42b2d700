import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { NeumaierSum, integerPower, neumaierSum } from '../src/stats/sum.js';
import { exactMeets, exactVerdict } from '../src/stats/exact-verdict.js';
import { tempFiles } from './helpers.js';
import { cliIn, cliInProcess } from './in-process.js';

/** The CSV rows as text, every value exactly as printed. */
const rowsOf = (csv: string): Record<string, string>[] => parseCsv(csv, { columns: true }) as Record<string, string>[];

/** A double as an exact fraction (numerator, denominator), from its bits. */
function fraction(x: number): [bigint, bigint] {
  if (x === 0) return [0n, 1n];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (exponent ? 1n << 52n : 0n);
  const shift = (exponent || 1) - 1075;
  const sign = bits >> 63n ? -1n : 1n;
  return shift >= 0 ? [sign * (mantissa << BigInt(shift)), 1n] : [sign * mantissa, 1n << BigInt(-shift)];
}

/**
 * a/b + sign·c/d, exactly. Where one denominator divides the other (always, for the powers of two
 * that doubles and their products have), over the larger one: the plain b·d made the oracles'
 * fractions grow to millions of bits (half a minute of the sd oracle below), for the same value.
 */
function sum([a, b]: [bigint, bigint], [c, d]: [bigint, bigint], sign: bigint): [bigint, bigint] {
  if (b === d) return [a + sign * c, b];
  if (b > d && b % d === 0n) return [a + sign * c * (b / d), b];
  if (d > b && d % b === 0n) return [a * (d / b) + sign * c, d];
  return [a * d + sign * c * b, b * d];
}

/** Exact rational arithmetic on [numerator, denominator] pairs, for closed forms without rounding. */
const Q = {
  of: (x: number): [bigint, bigint] => fraction(x),
  add: (x: [bigint, bigint], y: [bigint, bigint]): [bigint, bigint] => sum(x, y, 1n),
  sub: (x: [bigint, bigint], y: [bigint, bigint]): [bigint, bigint] => sum(x, y, -1n),
  mul: ([a, b]: [bigint, bigint], [c, d]: [bigint, bigint]): [bigint, bigint] => [a * c, b * d],
  pow: (x: [bigint, bigint], n: number): [bigint, bigint] => [x[0] ** BigInt(n), x[1] ** BigInt(n)],
  /** To a double, correctly rounded enough for a 1e-15 comparison (60 significant bits kept). */
  value: ([a, b]: [bigint, bigint]): number => {
    if (a === 0n) return 0;
    const scale = BigInt(Math.max(0, b.toString(2).length - a.toString(2).length + 64));
    return Number((a << scale) / b) / 2 ** Number(scale);
  },
};

const relativelyClose = (actual: number, expected: number, tolerance: number): boolean =>
  Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), Number.MIN_VALUE);

/** A bursty loss trace of `length` packets from a fixed seed: 1 lost, 0 delivered. */
function burstyTrace(length: number, seed: number, maxBurst: number): Uint8Array {
  const rng = new Xoshiro128(seed, 7, 11, 13);
  const lost = new Uint8Array(length);
  for (let i = 1; i < length; i++) {
    // after a delivered packet (as the first is), now and then a burst of up to maxBurst losses
    if (rng.nextUint32() % 50 !== 0) continue;
    for (let b = 1 + (rng.nextUint32() % maxBurst); b > 0 && i < length - 1; b--) lost[i++] = 1;
  }
  return lost;
}

/**
 * Retransmit over a trace, replayed start by start as the README defines the trace channel:
 * each round A sends the order and B, if it arrived, the ack; the first round where both arrive
 * ends the trial (both attack); after R rounds without, B attacks alone if any order arrived
 * (onlyB), else neither does. Each message's k copies take the next k positions (wrapping), and
 * a message arrives when any of its copies does. Messenger is the first half of one round.
 * Success is both attacking; disagreement one alone. Counts are whole numbers: the averages are
 * one division each.
 */
function replayOverTrace(lost: Uint8Array, protocol: 'messenger' | 'retransmit', k: number, R: number) {
  const L = lost.length;
  let position = 0;
  const send = (): boolean => {
    let received = false;
    for (let c = 0; c < k; c++) if (lost[(position + c) % L] === 0) received = true;
    position += k;
    return received;
  };
  let successCount = 0;
  let disagreementCount = 0;
  let messageCount = 0;
  for (let start = 0; start < L; start++) {
    position = start;
    if (protocol === 'messenger') {
      messageCount++;
      if (send()) successCount++;
      else disagreementCount++; // A attacks, B never hears
      continue;
    }
    let orderArrived = false;
    let done = false;
    for (let round = 1; round <= R && !done; round++) {
      messageCount++;
      if (!send()) continue;
      orderArrived = true;
      messageCount++;
      done = send();
    }
    if (done) successCount++;
    else if (orderArrived) disagreementCount++;
  }
  return { success: successCount / L, disagreement: disagreementCount / L, messengers: (k * messageCount) / L, messageCount };
}

describe('exact values over a trace, against a replay of every start', () => {
  const lost = burstyTrace(3600, 2026, 8);
  const dir = tempFiles({ 'trace.txt': `${Array.from(lost).join('')}\n` });
  const scenario = (protocol: string, k: number, R: number): string =>
    JSON.stringify({ protocol, channel: { model: 'trace', file: join(dir, 'trace.txt') }, redundancy: k, rounds: R, trials: 1000 });

  for (const [protocol, k, R] of [
    ['messenger', 1, 1],
    ['messenger', 4, 1],
    ['retransmit', 1, 2],
    ['retransmit', 2, 5],
    ['retransmit', 3, 8],
  ] as const) {
    it(`${protocol}, k = ${k}, R = ${R}: success and disagreement to 1e-15, the cost exactly`, async () => {
      const file = join(tempFiles({ 's.json': scenario(protocol, k, R) }), 's.json');
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = rowsOf(r.stdout);
      const expected = replayOverTrace(lost, protocol, k, R);
      const where = `${protocol} k=${k} R=${R}`;
      assert.ok(relativelyClose(Number(row!['success_exact']), expected.success, 1e-15), `${where}: success ${row!['success_exact']} vs ${expected.success}`);
      if (expected.disagreement > 0) assert.ok(relativelyClose(Number(row!['disagreement_exact']), expected.disagreement, 1e-15), `${where}: disagreement`);
      else assert.equal(row!['disagreement_exact'], '0');
      // The cost is a whole number of messengers over the trace's length: printed as that quotient, exactly.
      assert.equal(Number(row!['messengers_exact']), expected.messengers, `${where}: messengers ${row!['messengers_exact']}`);
      if (expected.messageCount % lost.length === 0) assert.match(row!['messengers_exact']!, /^\d+$/);
    });
  }

  it('prints an integer cost as an integer and a sure success as 1, in run and exact alike', async () => {
    // No burst longer than 8 packets: 9 copies always get through.
    const file = join(tempFiles({ 's.json': scenario('messenger', 9, 1) }), 's.json');
    for (const args of [
      ['exact', file, '--format', 'csv'],
      ['run', file, '--format', 'csv', '--workers', '1'],
    ]) {
      const [row] = rowsOf((await cliInProcess(args)).stdout);
      assert.equal(row!['success_exact'], '1', args[0]);
      assert.equal(row!['disagreement_exact'], '0', args[0]);
      assert.equal(row!['messengers_exact'], '9', args[0]);
    }
    for (const k of [1, 2, 4, 8]) {
      const [row] = rowsOf((await cliInProcess(['exact', join(tempFiles({ 's.json': scenario('messenger', k, 1) }), 's.json'), '--format', 'csv'])).stdout);
      assert.equal(row!['messengers_exact'], String(k));
    }
  });

  it('shows the exact success of a sure thing as 1 in the table too, not 1−1e-16', async () => {
    const file = join(tempFiles({ 's.json': scenario('retransmit', 9, 3) }), 's.json');
    const r = await cliInProcess(['exact', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /1−\d/);
  });
});

describe('two-phase commit, exactly (independent cohorts), against its closed form for R = 1', () => {
  /**
   * One round per phase, n cohorts, a copy lost with probability q (k copies: p = 1 − q^k), a NO
   * vote with probability a: COMMIT iff every PREPARE and every YES vote arrived, (p²(1 − a))^n;
   * committed iff also every decision arrived; aborted iff the decision is ABORT and every cohort
   * that voted YES hears it, a cohort being fine with probability q' + pa + p²(1 − a) + … as
   * below; blocked otherwise. Messages: n PREPAREs, a vote per PREPARE received, n decisions and
   * an ack per decision received: 2n(1 + p).
   */
  function closedForm(n: number, loss: number, k: number, abortRate: number) {
    const one: [bigint, bigint] = [1n, 1n];
    const p = Q.sub(one, Q.pow(Q.of(loss), k));
    const q = Q.sub(one, p);
    const a = Q.of(abortRate);
    const yes = Q.sub(one, a);
    const committed = Q.pow(Q.mul(Q.pow(p, 3), yes), n);
    const fine = Q.add(Q.add(q, Q.mul(p, a)), Q.mul(Q.mul(p, p), yes));
    const aborted = Q.sub(Q.pow(fine, n), committed);
    const blocked = Q.sub(Q.sub(one, committed), aborted);
    const messages = Q.mul([BigInt(2 * n * k), 1n], Q.add(one, p));
    return { committed: Q.value(committed), aborted: Q.value(aborted), blocked: Q.value(blocked), messengers: Q.value(messages) };
  }

  for (const [n, loss, k, abortRate] of [
    [1, 0.2, 1, 0.05],
    [3, 0.2, 1, 0.05],
    [10, 0.1, 2, 0.3],
    [64, 0.01, 1, 0.001],
    [64, 0.3, 3, 0.02],
  ] as const) {
    it(`n = ${n}, loss ${loss}, k = ${k}, abortRate ${abortRate}: every outcome to 1e-13 relative, the cost to 1e-14`, async () => {
      const file = join(
        tempFiles({ 's.json': JSON.stringify({ protocol: 'two-phase-commit', participants: n, loss, redundancy: k, rounds: 1, abortRate, trials: 1000 }) }),
        's.json',
      );
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = rowsOf(r.stdout);
      const expected = closedForm(n, loss, k, abortRate);
      for (const outcome of ['committed', 'aborted', 'blocked'] as const) {
        const actual = Number(row![`${outcome}_exact`]);
        assert.ok(relativelyClose(actual, expected[outcome], 1e-13), `${outcome}: ${actual} vs ${expected[outcome]}`);
      }
      assert.equal(row!['inconsistent_exact'], '0');
      assert.ok(
        relativelyClose(Number(row!['messengers_exact']), expected.messengers, 1e-14),
        `messengers ${row!['messengers_exact']} vs ${expected.messengers}`,
      );
    });
  }
});

describe('two-phase commit over a lossless link: sure outcomes print as 1, whole costs as whole numbers', () => {
  it('every cohort count up to 64, every vote sure', async () => {
    for (const abortRate of [0, 1]) {
      const file = join(
        tempFiles({
          's.json': JSON.stringify({
            protocol: 'two-phase-commit',
            loss: 0,
            redundancy: 2,
            rounds: 5,
            abortRate,
            trials: 1000,
            sweep: { participants: [1, 3, 10, 64] },
          }),
        }),
        's.json',
      );
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      for (const row of rowsOf(r.stdout)) {
        const n = Number(row['participants']);
        // PREPARE, vote, decision and ack per cohort, two copies each, in the first rounds of the two phases.
        assert.equal(row['messengers_exact'], String(8 * n));
        assert.equal(row[abortRate === 0 ? 'committed_exact' : 'aborted_exact'], '1', `n=${n}`);
        assert.equal(row['blocked_exact'], '0');
        assert.equal(row['rounds_mean_exact'], '2');
      }
    }
  });
});

describe('over a bursty (Gilbert–Elliott) channel: whole costs print as whole numbers, sure outcomes as 1', () => {
  // The paths' probabilities are products of the chain's rounded start and transition
  // probabilities: they sum to one only up to a few ulps (the messenger's k printed as 2.0000000000000004).
  const bursty = { model: 'gilbert-elliott', goodToBad: 0.0263157894736842, badToGood: 0.5 };

  it('the messenger pays k messengers in one round, whatever the bursts: exactly k and 1, in run and exact alike', async () => {
    const file = join(
      tempFiles({ 's.json': JSON.stringify({ protocol: 'messenger', channel: bursty, trials: 1000, sweep: { redundancy: { from: 1, to: 14 } } }) }),
      's.json',
    );
    for (const args of [
      ['exact', file, '--format', 'csv'],
      ['run', file, '--format', 'csv', '--workers', '1'],
    ]) {
      const r = await cliInProcess(args);
      assert.equal(r.status, 0, r.stderr);
      for (const row of rowsOf(r.stdout)) {
        assert.equal(row['messengers_exact'], row['redundancy'], `${args[0]} k=${row['redundancy']}`);
        if (args[0] !== 'exact') continue; // run prints no exact sd or rounds
        assert.equal(row['rounds_mean_exact'], '1', `k=${row['redundancy']}`);
        assert.equal(row['messengers_sd_exact'], '0', `k=${row['redundancy']}`);
      }
    }
  });

  it('a chain that loses: what every trial pays is still exact (one message, one round; two-phase commit ends in round 2)', async () => {
    // The sum by messages and the sum by outcomes parted by an ulp where trials end in several
    // outcomes: the messenger's k printed as 2.9999999999999996, its sd as 3.3e-16, its rounds as 0.9999999999999999.
    for (const channel of [
      { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 },
      { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.7, lossGood: 0, lossBad: 0.5 },
      { model: 'gilbert-elliott', goodToBad: 0.2, badToGood: 1, lossGood: 0, lossBad: 1 },
    ]) {
      const file = join(
        tempFiles({ 's.json': JSON.stringify({ protocol: 'messenger', channel, trials: 1000, sweep: { rounds: [1, 3], redundancy: { from: 1, to: 7 } } }) }),
        's.json',
      );
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      for (const row of rowsOf(r.stdout)) {
        const where = `messenger k=${row['redundancy']} R=${row['rounds']} over ${JSON.stringify(channel)}`;
        assert.equal(row['messengers_exact'], row['redundancy'], where);
        assert.equal(row['messengers_sd_exact'], '0', where);
        assert.equal(row['rounds_mean_exact'], '1', where);
      }
      const commit = join(
        tempFiles({ 's.json': JSON.stringify({ protocol: 'two-phase-commit', channel, rounds: 1, trials: 1000, sweep: { redundancy: [1, 2, 3] } }) }),
        's.json',
      );
      const c = await cliInProcess(['exact', commit, '--format', 'csv']);
      assert.equal(c.status, 0, c.stderr);
      for (const row of rowsOf(c.stdout))
        assert.equal(row['rounds_mean_exact'], '2', `two-phase-commit k=${row['redundancy']} over ${JSON.stringify(channel)}`);
    }
  });

  it('a chain that moves but never loses: success 1, every cost and mean a whole number, no spread', async () => {
    // Two chains: the copies delivered, summed as masses (expectations times products of rounded
    // probabilities), gave 24.000000000000007 over the first (two-phase commit), and the table's
    // copies given an outcome k·(1 + 2e-16) at k 3; the levels' success 0.9999999999999999.
    for (const chain of [
      [0.1, 0.3],
      [0.3, 0.5],
      [0.3, 0.7],
    ] as const) {
      const lossless = { model: 'gilbert-elliott', goodToBad: chain[0], badToGood: chain[1], lossGood: 0, lossBad: 0 };
      const exactRows = async (data: Record<string, unknown>): Promise<Record<string, string>[]> => {
        const file = join(tempFiles({ 's.json': JSON.stringify({ channel: lossless, trials: 1000, ...data }) }), 's.json');
        const r = await cliInProcess(['exact', file, '--format', 'csv']);
        assert.equal(r.status, 0, r.stderr);
        return rowsOf(r.stdout);
      };
      // protocol: messages a trial sends at R, and the last round it sends in
      for (const [protocol, messages, last] of [
        ['messenger', (_R: number) => 1, (_R: number) => 1],
        ['handshake', (R: number) => R, (R: number) => R],
        ['retransmit', (_R: number) => 2, (_R: number) => 1],
      ] as const) {
        for (const row of await exactRows({ protocol, sweep: { rounds: [1, 2, 3, 7, 12], redundancy: [1, 2, 3, 7] } })) {
          const [k, R] = [Number(row['redundancy']), Number(row['rounds'])];
          const where = `${protocol} k=${k} R=${R} over ${chain}`;
          assert.equal(row['both_exact'], '1', where);
          assert.equal(row['success_exact'], '1', where);
          assert.equal(row['messengers_exact'], String(k * messages(R)), where);
          assert.equal(row['messengers_sd_exact'], '0', where);
          assert.equal(row['delivered_mean_exact'], String(k * messages(R)), where);
          assert.equal(row['rounds_mean_exact'], String(last(R)), where);
        }
      }
      // The randomized protocol's levels: both attack (every key is at most both levels), 2Rk
      // messengers and as many copies delivered; its outcomes are relative to the paths' mass
      // (the chain's start summed to 1 − ulp).
      for (const row of await exactRows({ protocol: 'randomized', sweep: { rounds: [1, 2, 3, 5, 7, 12, 40], redundancy: [1, 2, 3] } })) {
        const [k, R] = [Number(row['redundancy']), Number(row['rounds'])];
        const where = `randomized k=${k} R=${R} over ${chain}`;
        assert.equal(row['both_exact'], '1', where);
        assert.equal(row['success_exact'], '1', where);
        assert.equal(row['messengers_exact'], String(2 * k * R), where);
        assert.equal(row['delivered_mean_exact'], String(2 * k * R), where);
        assert.equal(row['rounds_mean_exact'], String(R), where);
      }
      for (const row of await exactRows({ protocol: 'two-phase-commit', sweep: { participants: [1, 2, 3], redundancy: [1, 2, 3], rounds: [1, 2] } })) {
        const [n, k] = [Number(row['participants']), Number(row['redundancy'])];
        const where = `two-phase-commit n=${n} k=${k} R=${row['rounds']} over ${chain}`;
        assert.equal(row['committed_exact'], '1', where);
        assert.equal(row['messengers_exact'], String(4 * k * n), where);
        assert.equal(row['delivered_mean_exact'], String(4 * k * n), where);
        assert.equal(row['rounds_mean_exact'], '2', where);
      }
    }
  });
});

describe('the numeric helpers behind printed exact values', () => {
  it('integerPower is binary powering: exact where the power is representable, within n ulps elsewhere', () => {
    assert.equal(integerPower(2, 60), 2 ** 60);
    assert.equal(integerPower(0.5, 1074), Number.MIN_VALUE);
    assert.equal(integerPower(3, 33), 5559060566555523);
    assert.equal(integerPower(0.7, 0), 1);
    assert.equal(integerPower(0, 5), 0);
    const rng = new Xoshiro128(1, 2, 3, 4);
    for (let i = 0; i < 200; i++) {
      const x = rng.nextUint32() / 2 ** 32;
      const n = 1 + (rng.nextUint32() % 64);
      const exact = Q.value(Q.pow(Q.of(x), n));
      assert.ok(relativelyClose(integerPower(x, n), exact, 2 * n * 2 ** -53), `${x}^${n}`);
    }
    assert.throws(() => integerPower(2, 0.5), RangeError);
  });

  it('Neumaier sums are within an ulp of the exact sum where a plain sum drifts', () => {
    assert.equal(neumaierSum([1, 1e100, 1, -1e100]), 2);
    const third = new NeumaierSum();
    for (let i = 0; i < 3600; i++) third.add(1 / 3600);
    assert.ok(Math.abs(third.value() - 1) <= 2 ** -52);
    const rng = new Xoshiro128(5, 6, 7, 8);
    const values = Array.from({ length: 10_000 }, () => (rng.nextUint32() / 2 ** 32) * 10 ** ((rng.nextUint32() % 7) - 3));
    // The exact sum in fixed point: every double is a whole multiple of 2^-1074.
    const unit = 1n << 1074n;
    let exact = 0n;
    for (const v of values) {
      const [n, d] = Q.of(v);
      exact += n * (unit / d);
    }
    const truth = Q.value([exact, unit]);
    assert.ok(relativelyClose(neumaierSum(values), truth, 2 ** -52), `${neumaierSum(values)} vs ${truth}`);
  });

  it('a verdict on an exact value within the engine’s rounding of its bound is undecided, not met', () => {
    assert.equal(exactVerdict(0.999 - 1e-15, '>=', 0.999), 'undecided');
    assert.equal(exactVerdict(0.999 + 1e-15, '>=', 0.999), 'undecided');
    assert.ok(!exactMeets(0.999 - 1e-15, '>=', 0.999));
    assert.ok(exactMeets(0.999, '>=', 0.999), 'the value as printed on its bound meets it');
    assert.equal(exactVerdict(0.9989999, '>=', 0.999), 'missed');
    assert.equal(exactVerdict(0.9990001, '>=', 0.999), 'met');
    assert.equal(exactVerdict(1.00000000000001e-6, '<=', 1e-6), 'undecided');
    assert.equal(exactVerdict(1.000001e-6, '<=', 1e-6), 'missed');
    assert.equal(exactVerdict(1e-15, '<=', 1e-16), 'missed', 'the allowance is relative: a tiny bound is not swamped');
  });

  it('judges a probability near 1 by its complement: 1 − 2^-40 is not the sure thing success >= 1 asks for', () => {
    const success = 1 - 2 ** -40;
    assert.ok(!exactMeets(success, '>=', 1));
    assert.ok(!exactMeets(1 - 2 ** -40, '>=', 1 - 2 ** -41));
    // A value and its complement get the same verdict.
    for (const [value, bound] of [
      [1 - 2 ** -40, 1],
      [1 - 9e-13, 1 - 5e-13],
      [0.999 - 1e-15, 0.999],
      [0.5 - 1e-14, 0.5],
    ] as const) {
      assert.equal(exactMeets(value, '>=', bound), exactMeets(1 - value, '<=', 1 - bound), `${value} >= ${bound}`);
    }
    // A sure thing that a sum ended a few units in the last place short of 1 still meets it.
    assert.ok(exactMeets(1 - 2 * Number.EPSILON, '>=', 1));
  });
});

describe('a gate or plan target of success >= 1 on a success of 1 − 2^-40', () => {
  it('fails as disagreement <= 0 does, where it passed (exit 0) and was named the plan’s winner', async () => {
    // The messenger at loss 0.5 and 40 copies: success 1 − 2^-40 exactly, never 1.
    const yaml = 'name: sure\nprotocol: messenger\nloss: 0.5\nredundancy: 40\nexpect:\n  - { metric: success, atLeast: 1 }\n';
    const file = join(tempFiles({ 's.yaml': yaml }), 's.yaml');
    const exact = await cliInProcess(['exact', file, '--format', 'csv']);
    assert.equal(exact.status, 1, exact.stderr);
    assert.match(exact.stderr, /success 0\.9999999999990905 is not at least 1/);
    const planned = await cliIn(['plan', file, '--target', 'success>=1', '--vary', 'redundancy=38:42', '--format', 'csv']);
    assert.equal(planned.status, 1, planned.stdout);
    assert.match(planned.stderr, /no setting in range meets success ≥ 1/);
  });
});

describe('plan and expect judge exact values with the rounding allowance', () => {
  it('an exact success of 0.999 meets success >= 0.999 (plan ✓, expect passes)', async () => {
    // A trace where 999 of 1,000 starts deliver the one copy: success is exactly 0.999.
    const yaml =
      'protocol: messenger\nchannel: { model: trace, file: trace.txt }\nredundancy: 1\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.999 }\n';
    const file = join(tempFiles({ 'trace.txt': `${'0'.repeat(999)}1\n`, 's.yaml': yaml }), 's.yaml');
    const planned = await cliIn(['plan', file, '--target', 'success>=0.999', '--vary', 'redundancy=1:2']);
    assert.equal(planned.status, 0, planned.stderr);
    assert.match(planned.stdout, /0\.999 ✓/);
    assert.doesNotMatch(planned.stdout, /0\.999 ✗/);
    const exact = await cliInProcess(['exact', file, '--format', 'csv']);
    assert.equal(exact.status, 0, exact.stderr);
    assert.equal(rowsOf(exact.stdout)[0]!['success_exact'], '0.999');
  });
});

describe('the exact messengers sd where another cost is rare, against its rational value', () => {
  it('is the sd of the distribution to 1e-12, not second − mean² (1% off for the handshake at loss 1e-7 and 2 copies)', async () => {
    const one: [bigint, bigint] = [1n, 1n];
    const whole = (n: number): [bigint, bigint] => [BigInt(n), 1n];
    // P(M = j) for the messages M of one trial, as exact fractions of the loss as a double
    const handshake = (lost: [bigint, bigint], R: number): [bigint, bigint][] => {
      const q = Q.sub(one, lost);
      const dist: [bigint, bigint][] = [[0n, 1n]];
      for (let j = 1; j < R; j++) dist.push(Q.mul(Q.pow(q, j - 1), lost));
      dist.push(Q.pow(q, R - 1));
      return dist;
    };
    // retransmit over R rounds: the order lost (m + 1), received with its ack lost (m + 2, B holds it), or both through (m + 2, done)
    const retransmit = (lost: [bigint, bigint], R: number): [bigint, bigint][] => {
      const q = Q.sub(one, lost);
      const dist: [bigint, bigint][] = Array.from({ length: 2 * R + 1 }, () => [0n, 1n] as [bigint, bigint]);
      let going = new Map<number, [bigint, bigint]>([[0, one]]);
      for (let r = 0; r < R; r++) {
        const next = new Map<number, [bigint, bigint]>();
        const put = (m: number, p: [bigint, bigint]) => next.set(m, Q.add(next.get(m) ?? [0n, 1n], p));
        for (const [m, p] of going) {
          put(m + 1, Q.mul(p, lost));
          put(m + 2, Q.mul(p, Q.mul(q, lost)));
          dist[m + 2] = Q.add(dist[m + 2]!, Q.mul(p, Q.mul(q, q)));
        }
        going = next;
      }
      for (const [m, p] of going) dist[m] = Q.add(dist[m]!, p);
      return dist;
    };
    const sdOf = (dist: [bigint, bigint][]): number => {
      let mean: [bigint, bigint] = [0n, 1n];
      dist.forEach((p, m) => (mean = Q.add(mean, Q.mul(p, whole(m)))));
      let variance: [bigint, bigint] = [0n, 1n];
      dist.forEach((p, m) => {
        const d = Q.sub(whole(m), mean);
        variance = Q.add(variance, Q.mul(p, Q.mul(d, d)));
      });
      return Math.sqrt(Q.value(variance));
    };
    const dir = tempFiles({
      'h.json': JSON.stringify({ protocol: 'handshake', loss: 1e-7, sweep: { redundancy: [1, 2], rounds: [2, 64] } }),
      'r.json': JSON.stringify({ protocol: 'retransmit', loss: 1e-7, sweep: { redundancy: [1, 2], rounds: [2, 5] } }),
    });
    for (const file of ['h.json', 'r.json']) {
      const r = await cliInProcess(['exact', join(dir, file), '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      for (const row of rowsOf(r.stdout)) {
        const k = Number(row['redundancy']);
        const lost = Q.pow(Q.of(1e-7), k);
        const dist = (file === 'h.json' ? handshake : retransmit)(lost, Number(row['rounds']));
        const expected = k * sdOf(dist);
        const actual = Number(row['messengers_sd_exact']);
        assert.ok(relativelyClose(actual, expected, 1e-12), `${file} k=${k} R=${row['rounds']}: ${actual} vs ${expected}`);
      }
    }
  });
});

describe('two-phase commit (independent cohorts): the exact messengers sd where a loss is rare', () => {
  it('is k·√(2nℓ(1 − ℓ)) at R = 1, ℓ = p^k (each cohort’s PREPARE and decision lost or not, apart), to 1e-12', async () => {
    // At R = 1 a cohort's messages are 4, less one for a lost PREPARE and one for a lost decision:
    // Var = 2n·ℓ(1 − ℓ). Taken as E[M²] − E[M]², the sd was 0.26% off at loss 1e-7, 2 copies.
    const file = join(
      tempFiles({ 'c.json': JSON.stringify({ protocol: 'two-phase-commit', loss: 1e-7, rounds: 1, sweep: { participants: [1, 2, 3], redundancy: [1, 2] } }) }),
      'c.json',
    );
    const r = await cliInProcess(['exact', file, '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    for (const row of rowsOf(r.stdout)) {
      const [n, k] = [Number(row['participants']), Number(row['redundancy'])];
      const lost = integerPower(1e-7, k);
      const expected = k * Math.sqrt(2 * n * lost * (1 - lost));
      assert.ok(relativelyClose(Number(row['messengers_sd_exact']), expected, 1e-12), `n=${n} k=${k}: ${row['messengers_sd_exact']} vs ${expected}`);
    }
  });
});

describe('success and disagreement are the same numbers as the outcome columns they sum', () => {
  it('prints both_exact as success_exact, and committed_exact as success_exact, to the last digit', async () => {
    // Success is 1 − the other outcomes where it is above ½: the outcome's own column printed
    // 0.9874999999999999 beside success 0.9875 for bursty-5pct.
    for (const [scenario, outcome] of [
      ['scenarios/bursty-5pct.yaml', 'both_exact'],
      ['examples/two-phase-commit.yaml', 'committed_exact'],
    ] as const) {
      const r = await cliInProcess(['exact', scenario, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const rows = rowsOf(r.stdout);
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.equal(row[outcome], row['success_exact'], `${scenario}: ${JSON.stringify(row)}`);
        if (outcome === 'committed_exact') assert.equal(row['inconsistent_exact'], row['disagreement_exact']);
      }
    }
  });
});
