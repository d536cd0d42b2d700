/**
 * Retransmit in rounds as a protocol file's source: A's order until acknowledged, B's ack of an
 * order of this round (the tests of what every engine gives `next` and `init` write its slips into it).
 */
export function arqFile(name: string, init = 'init(s) { s.fill(0); }'): string {
  return `export default ({ SEND, END, A_TO_B, B_TO_A, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: '${name}',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 4, // clock (2 a round), B holds the order, A holds the ack, order arrived this round
  ${init},
  next(s, c, step) {
    for (;;) {
      const round = (s[0] >> 1) + 1;
      if (s[2] === 1 || round > c.rounds) { step.kind = END; step.outcome = generalsOutcome(s[2] === 1, s[1] === 1); return; }
      if ((s[0] & 1) === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = round; step.label = 'order'; return; }
      if (s[3] === 1) { step.kind = SEND; step.direction = B_TO_A; step.round = round; step.label = 'ack'; return; }
      s[0]++;
    }
  },
  resolve(s, c, step, r) {
    if ((s[0] & 1) === 0) { s[3] = r; if (r) s[1] = 1; } else if (r) s[2] = 1;
    s[0]++;
  },
  describe: (s) => \`order \${s[1]}, ack \${s[2]}\`,
});
`;
}
