/**
 * The cells whose exact solve `npm run bench` times (its "Exact engine, one cell, against size"
 * table): each must stay a cell the tool accepts, which test/bench-cells.test.ts checks, since the
 * bench itself runs too long for the suite.
 */
export interface ExactTimingCell {
  readonly protocol: string;
  readonly channel: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly label: string;
}

const cell = (protocol: string, channel: string, params: Record<string, number | string>, label: string): ExactTimingCell => ({
  protocol,
  channel,
  params,
  label,
});

export const EXACT_TIMING_CELLS: readonly ExactTimingCell[] = [
  cell('messenger', 'bernoulli', { loss: 0.3, redundancy: 16, rounds: 64 }, 'loss 0.3, k 16'),
  cell('handshake', 'bernoulli', { loss: 0.3, redundancy: 16, rounds: 64 }, 'loss 0.3, k 16, R 64'),
  cell('retransmit', 'bernoulli', { loss: 0.3, redundancy: 16, rounds: 64 }, 'loss 0.3, k 16, R 64'),
  cell('retransmit', 'bernoulli', { loss: 0.3, redundancy: 1, rounds: 10_000 }, 'loss 0.3, k 1, R 10,000'),
  cell('randomized', 'bernoulli', { loss: 0.3, redundancy: 1, rounds: 64 }, 'loss 0.3, R 64'),
  cell('randomized', 'bernoulli', { loss: 0.3, redundancy: 1, rounds: 1000 }, 'loss 0.3, R 1,000'),
  cell('randomized', 'gilbert-elliott', { goodToBad: 0.05, badToGood: 0.5, redundancy: 1, rounds: 1000 }, 'Gilbert–Elliott 0.05/0.5, R 1,000'),
  cell('two-phase-commit', 'bernoulli', { loss: 0.2, redundancy: 1, rounds: 16, participants: 16, abortRate: 0.05 }, 'loss 0.2, 16 cohorts, R 16'),
  cell('two-phase-commit', 'bernoulli', { loss: 0.2, redundancy: 1, rounds: 64, participants: 64, abortRate: 0.05 }, 'loss 0.2, 64 cohorts, R 64'),
  cell('two-phase-commit', 'bernoulli', { loss: 0.2, redundancy: 1, rounds: 1000, participants: 64, abortRate: 0.05 }, 'loss 0.2, 64 cohorts, R 1,000'),
  cell(
    'two-phase-commit',
    'gilbert-elliott',
    { goodToBad: 0.05, badToGood: 0.5, redundancy: 1, rounds: 4, participants: 3, abortRate: 0.05 },
    'Gilbert–Elliott 0.05/0.5, 3 cohorts, R 4',
  ),
];
