/**
 * Why a describe that wrote to the state it was given is refused: no engine but trace calls it, so
 * the trials `run` counts and `exact` weighs would not be the ones `check` explored and `trace` told.
 */
export function describeWroteProblem(field: number, before: number, after: number): string {
  return `describe wrote to the state it was given (field ${field}: ${before} → ${after}): it must only read it, since run and exact never call it, so the trials they count would not be those check explores and trace tells`;
}

/**
 * Why a `crashed` that wrote to the state it was given is refused: each engine asks it at times of
 * its own (the exact engine at every state, Monte Carlo at the senders and receivers of a trial),
 * so what it writes would have them count different trials.
 */
export function crashedWroteProblem(node: number, field: number, before: number, after: number): string {
  return `crashed(node ${node}) wrote to the state it was given (field ${field}: ${before} → ${after}): it must only read it, since each engine asks it at times of its own, so the trials they count would differ`;
}
