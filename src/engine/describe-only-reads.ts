/**
 * Why a describe that wrote to the state it was given is refused: no engine but trace calls it, so
 * the trials `run` counts and `exact` weighs would not be the ones `check` explored and `trace` told.
 */
export function describeWroteProblem(field: number, before: number, after: number): string {
  return `describe wrote to the state it was given (field ${field}: ${before} → ${after}): it must only read it, since run and exact never call it, so the trials they count would not be those check explores and trace tells`;
}
