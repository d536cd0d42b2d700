/**
 * One send from a leader to a follower, with crash support (roles leader and follower), as a
 * protocol file's source: the tests of names that clash with a crash rate or another protocol's
 * outcome give it a name and, optionally, a parameter of its own.
 */
export function leaderFollowerFile(name: string, parameters = ''): string {
  return `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: '${name}',
  outcomes: GENERALS_OUTCOMES,${parameters ? `\n  parameters: ${parameters},` : ''}
  configure: (p) => ({ start: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 4,
  init(s) { s.fill(0); },
  next(s, c, step) {
    step.round = 1;
    if (s[0] < c.start) step.kind = ROUND;
    else if (s[0] === c.start && s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; }
    else { step.kind = END; step.outcome = generalsOutcome(s[2] === 0, s[1] === 1 && s[3] === 0); }
  },
  resolve(s, c, step, r) { if (step.kind === SEND) s[1] = r; s[0] = step.kind === ROUND ? c.start : c.start + 1; },
  roles: ['leader', 'follower'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => s[2 + node] === 1,
  describe: (s) => String(s[1]),
});
`;
}
