/**
 * The protocols' closed forms (the probabilities written out by hand from their rules), written independently of the engines (q = 1 − p^k): the yardstick both
 * the exact engine and the Monte Carlo engine are held to.
 */
export interface ClosedForm {
  readonly outcomes: Readonly<Record<string, number>>;
  /** Expected messages dispatched (messengers = k × this). */
  readonly messages: number;
}

export function delivered(loss: number, k: number): number {
  return 1 - loss ** k;
}

export function messengerForm(loss: number, k: number): ClosedForm {
  const q = delivered(loss, k);
  return { outcomes: { both: q, neither: 0, onlyA: 1 - q, onlyB: 0 }, messages: 1 };
}

export function handshakeForm(loss: number, k: number, R: number): ClosedForm {
  const q = delivered(loss, k);
  const disagreement = q ** (R - 1) * (1 - q);
  const lastLegFromA = R % 2 === 1;
  // Leg i is dispatched iff legs 1..i−1 all arrived: E[messages] = Σ_{i<R} q^i.
  let messages = 0;
  for (let i = 0; i < R; i++) messages += q ** i;
  return {
    outcomes: {
      both: q ** R,
      neither: 1 - q ** R - disagreement,
      onlyA: lastLegFromA ? disagreement : 0,
      onlyB: lastLegFromA ? 0 : disagreement,
    },
    messages,
  };
}

export function retransmitForm(loss: number, k: number, R: number): ClosedForm {
  const q = delivered(loss, k);
  const both = 1 - (1 - q * q) ** R;
  const neither = (1 - q) ** R;
  // Each round dispatches the order and, if it arrived, the ack; a round happens iff no earlier round completed.
  let messages = 0;
  for (let r = 0; r < R; r++) messages += (1 - q * q) ** r * (1 + q);
  return { outcomes: { both, neither, onlyA: 0, onlyB: (1 - q * q) ** R - (1 - q) ** R }, messages };
}

export function closedForm(protocol: string, loss: number, k: number, R: number): ClosedForm {
  if (protocol === 'messenger') return messengerForm(loss, k);
  if (protocol === 'handshake') return handshakeForm(loss, k, R);
  return retransmitForm(loss, k, R);
}
