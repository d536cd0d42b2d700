/**
 * A majority vote among n cohorts whose canonicalize is wrong from five cohorts on: it caps the YES
 * replies counted at 2, so a majority of five is never reached. `check` explores 1 to 3 cohorts
 * and passes it; canonicalize-every-cell and canonicalize-small-change hold the exact engine to it.
 */
export const CAPPED_VOTE_PROTOCOL = `export default ({ SEND, CHOOSE, END, A_TO_B, B_TO_A }) => ({
  name: 'capped-vote',
  outcomes: { names: ['majority', 'nomajority'], success: [0], disagreement: [1] },
  parameters: [{ name: 'cohorts', description: 'cohorts', minimum: 1, maximum: 9, default: 3, integer: true }],
  usesRounds: false,
  configure: (p) => ({ n: p.cohorts, vote: [0.8, 0.2] }),
  stateSize: () => 5, // clock, the cohort next, its phase (0 ask, 1 vote, 2 reply), YES voted, YES received
  init: (s) => { s.fill(0); },
  next(s, { n, vote }, step) {
    if (s[1] >= n) { step.kind = END; step.outcome = 2 * s[4] > n ? 0 : 1; return; }
    step.peer = s[1]; step.round = 1;
    if (s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; step.label = 'ask'; }
    else if (s[2] === 1) { step.kind = CHOOSE; step.choices = vote; step.label = 'vote'; }
    else { step.kind = SEND; step.direction = B_TO_A; step.label = 'reply'; }
  },
  resolve(s, c, step, r) {
    s[0]++;
    if (s[2] === 0) { if (r) s[2] = 1; else s[1]++; return; }
    if (s[2] === 1) { s[3] = r === 0 ? 1 : 0; s[2] = 2; return; }
    if (r && s[3]) s[4]++;
    s[1]++; s[2] = 0; s[3] = 0;
  },
  canonicalize(s, c) { if (c.n >= 5 && s[4] > 2) s[4] = 2; },
  describe: (s) => 'cohort ' + s[1] + ', ' + s[4] + ' YES received',
});
`;
