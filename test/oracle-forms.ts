/**
 * Independent oracles written out by hand from the protocols' rules and the channels'
 * definitions, never from the engine's tables (oracles.test.ts, oracles-montecarlo.test.ts).
 */

export interface Expected {
  readonly outcomes: readonly number[];
  /** Expected messages dispatched (each of k copies). */
  readonly messages: number;
  /** Expected copies delivered. */
  readonly delivered: number;
  /** Expected rounds used (the last round with a dispatch). */
  readonly rounds: number;
}

/** k copies each lost with probability p: the message is lost with p^k (written as a product). */
export function lostAll(p: number, k: number): number {
  let all = 1;
  for (let i = 0; i < k; i++) all *= p;
  return all;
}

/** A→B loss a, B→A loss b, k copies: q's are the chances a message gets through, d's the copies one delivers on average. */
export function bernoulli(a: number, b: number, k: number) {
  return { qa: 1 - lostAll(a, k), qb: 1 - lostAll(b, k), da: k * (1 - a), db: k * (1 - b) };
}

/**
 * One direction's chain: stationary start, then a transition before each copy (so every copy's
 * state is stationary). fates(x1, x2): the chance that copy 1 and copy 2 of the direction have
 * those fates (true: lost).
 */
export function gilbertElliott(goodToBad: number, badToGood: number, lossGood: number, lossBad: number) {
  const bad = goodToBad / (goodToBad + badToGood);
  const pi = [1 - bad, bad];
  const loss = [lossGood, lossBad];
  const move = [
    [1 - goodToBad, goodToBad],
    [badToGood, 1 - badToGood],
  ];
  const fate = (s: number, lost: boolean) => (lost ? loss[s]! : 1 - loss[s]!);
  const one = (lost: boolean) => pi[0]! * fate(0, lost) + pi[1]! * fate(1, lost);
  const two = (x1: boolean, x2: boolean) => {
    let p = 0;
    for (const s1 of [0, 1]) for (const s2 of [0, 1]) p += pi[s1]! * fate(s1, x1) * move[s1]![s2]! * fate(s2, x2);
    return p;
  };
  const three = (x1: boolean, x2: boolean, x3: boolean) => {
    let p = 0;
    for (const s1 of [0, 1])
      for (const s2 of [0, 1]) for (const s3 of [0, 1]) p += pi[s1]! * fate(s1, x1) * move[s1]![s2]! * fate(s2, x2) * move[s2]![s3]! * fate(s3, x3);
    return p;
  };
  return { meanLoss: one(true), one, two, three };
}

/**
 * Handshake over a replayed trace, written out: from each start, copies take successive positions
 * (k per message, both directions alike), a copy taking its own direction's trace; a message is
 * received iff a copy's packet is 0.
 */
export function handshakeOnTrace(aToB: readonly number[], bToA: readonly number[], k: number, R: number): Expected {
  const L = Math.max(aToB.length, bToA.length);
  const outcomes = [0, 0, 0, 0];
  let messages = 0;
  let delivered = 0;
  for (let start = 0; start < L; start++) {
    let position = start;
    let firstLost = 0;
    for (let leg = 1; leg <= R && firstLost === 0; leg++) {
      const trace = leg % 2 === 1 ? aToB : bToA;
      let arrived = 0;
      for (let c = 0; c < k; c++) if (trace[(position + c) % trace.length] === 0) arrived++;
      position = (position + k) % L; // the state: a position in the longer trace
      messages++;
      delivered += arrived;
      if (arrived === 0) firstLost = leg;
    }
    const outcome = firstLost === 0 ? 0 : firstLost < R ? 1 : R % 2 === 1 ? 2 : 3;
    outcomes[outcome]!++;
  }
  return { outcomes: outcomes.map((n) => n / L), messages: messages / L, delivered: delivered / L, rounds: messages / L };
}
