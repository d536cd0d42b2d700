import { createHash } from 'node:crypto';
import type { Shard } from '../engine/schedule/runner.js';
import { nounFor } from '../io/wording.js';

/**
 * Checks on counts read back from files (shards, saved results): every count a non-negative
 * integer, the outcomes and the histogram of messages each adding up to the trials, and a
 * digest that names accidental corruption. A count that cannot be right is never summarized.
 */

/** JSON with every object's keys sorted: the same text for the same content, however it was laid out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** "sha256:…" of a shard's canonical content: everything in it but the digest itself. */
export function contentDigest(content: Readonly<Record<string, unknown>>): string {
  const { digest: _ignored, ...rest } = content;
  void _ignored;
  return `sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return `the text '${v.length > 20 ? `${v.slice(0, 17)}…` : v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : String(v);
}

/**
 * What is wrong with a tally read from a file, in words, or null if it can be right:
 * `outcomeCount` outcome counts (when known), every count a non-negative integer, outcomes and
 * the message histogram summing to the trials.
 */
export function tallyProblem(tally: unknown, outcomeCount?: number): string | null {
  if (tally === null || tally === undefined) return 'it has no counts';
  if (typeof tally !== 'object' || Array.isArray(tally)) return 'its counts are not a set of counts';
  const t = tally as Record<string, unknown>;
  if (!isCount(t['trials'])) return `its trial count is ${describe(t['trials'])}, not a non-negative whole number`;
  const trials = t['trials'];
  for (const field of ['outcomes', 'messages', 'deliveries'] as const) {
    const list = t[field];
    if (!Array.isArray(list)) return `its ${field} counts are ${describe(list)}, not a list`;
    const bad = list.findIndex((v) => !isCount(v));
    if (bad >= 0) return `its ${field} count ${bad + 1} is ${describe(list[bad])}, not a non-negative whole number`;
  }
  if (!isCount(t['rounds'])) return `its rounds count is ${describe(t['rounds'])}, not a non-negative whole number`;
  const outcomes = t['outcomes'] as number[];
  if (outcomeCount !== undefined && outcomes.length !== outcomeCount)
    return `it has ${outcomes.length} ${nounFor(outcomes.length, 'outcome count')}; its protocol has ${outcomeCount} ${nounFor(outcomeCount, 'outcome')}`;
  const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);
  if (sum(outcomes) !== trials) return `its outcome counts add up to ${sum(outcomes)}, not its ${trials} ${nounFor(trials, 'trial')}`;
  const messages = t['messages'] as number[];
  if (sum(messages) !== trials) return `its histogram of messages per trial adds up to ${sum(messages)}, not its ${trials} ${nounFor(trials, 'trial')}`;
  return null;
}

/** Trials a shard holds of a cell of `trials` trials: those of its blocks b ≡ index (mod count). */
export function shardTrials(trials: number, blockSize: number, shard: Shard): number {
  const blocks = Math.ceil(trials / blockSize);
  const residue = shard.index % shard.count;
  if (blocks <= residue) return 0;
  const mine = Math.floor((blocks - 1 - residue) / shard.count) + 1;
  const last = blocks - 1;
  const lastShort = blockSize * blocks - trials; // trials missing from the last block
  return mine * blockSize - (last % shard.count === residue ? lastShort : 0);
}

/**
 * What is wrong with exact values read back from a file, in words, or null if they can be right:
 * a probability for each of the protocol's `outcomeCount` outcomes, each in [0, 1] and together 1
 * (up to rounding), a distribution of messages (where recorded) of probabilities, and means that
 * are finite and not negative. Values no engine can produce are never printed as exact.
 */
export function exactProblem(exact: unknown, outcomeCount: number): string | null {
  if (exact === null || typeof exact !== 'object') return null;
  const e = exact as Record<string, unknown>;
  const probability = (v: unknown): boolean => typeof v === 'number' && v >= -1e-9 && v <= 1 + 1e-9;
  const outcomes = e['outcomes'] as unknown[];
  if (!Array.isArray(outcomes) || outcomes.length !== outcomeCount)
    return `its exact values give ${Array.isArray(outcomes) ? outcomes.length : 'no'} ${nounFor(Array.isArray(outcomes) ? outcomes.length : 0, 'outcome probability', 'outcome probabilities')}; its protocol has ${outcomeCount} ${nounFor(outcomeCount, 'outcome')}`;
  if (!outcomes.every(probability)) return 'its exact outcome probabilities are not all between 0 and 1';
  const total = (outcomes as number[]).reduce((sum, p) => sum + p, 0);
  if (Math.abs(total - 1) > 1e-6) return `its exact outcome probabilities add up to ${total}, not 1`;
  const messages = e['messages'];
  if (messages !== null && messages !== undefined && !(Array.isArray(messages) && messages.every(probability)))
    return 'its exact distribution of messages is not one of probabilities';
  for (const k of ['messagesMean', 'messagesSecondMoment', 'deliveredMean', 'roundsMean']) {
    const v = e[k];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) return `its exact ${k} is ${String(v)}, not a mean of a count`;
  }
  const variance = e['messagesVariance'];
  if (variance !== undefined && !(typeof variance === 'number' && Number.isFinite(variance) && variance >= 0))
    return `its exact messagesVariance is ${String(variance)}, not a variance`;
  const likeliest = e['likeliestPath'];
  if (likeliest !== undefined && !likeliestPathIsValid(likeliest, probability)) return 'its exact likeliestPath is not a message count with a probability';
  return null;
}

/** A likeliest loss pattern as the exact engine records it: a whole message count and a probability. */
function likeliestPathIsValid(value: unknown, probability: (v: unknown) => boolean): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { messages, probability: p, leaving } = value as Record<string, unknown>;
  return typeof messages === 'number' && Number.isSafeInteger(messages) && messages >= 0 && probability(p) && (leaving === undefined || probability(leaving));
}
