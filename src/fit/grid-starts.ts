/**
 * A global phase for the Gilbert–Elliott fit: the likelihood of a short trace is often
 * multi-modal (a chain that nearly alternates fits a trace's even and odd places, one that lasts
 * fits its bursts, and each face where a state lasts one packet has its own maximum), and
 * Baum–Welch from a handful of starts climbs whichever hill it starts on. Where the trace is short
 * enough that a pass costs little, the likelihood is evaluated on a grid over all four parameters,
 * bounds included, and the grid's local maxima — points no neighbour on the grid beats, one per
 * hill the grid resolves — become starts for the local search.
 */
/** The four parameters, named as fit.ts names them (declared here so neither file imports the other's types in a cycle). */
export type GridParams = { readonly goodToBad: number; readonly badToGood: number; readonly lossGood: number; readonly lossBad: number };

/** Each parameter's levels: both bounds, and denser near them, where short traces put their maxima. */
export const GRID_LEVELS: readonly number[] = [0, 0.03, 0.15, 0.35, 0.65, 0.85, 0.97, 1];

const LEVELS = GRID_LEVELS.length;

/** Grid points, by index: goodToBad, badToGood, lossGood, lossBad, each a level's index. */
function indicesOf(point: number): [number, number, number, number] {
  return [Math.floor(point / LEVELS ** 3) % LEVELS, Math.floor(point / LEVELS ** 2) % LEVELS, Math.floor(point / LEVELS) % LEVELS, point % LEVELS];
}

function pointOf(indices: readonly number[]): number {
  return ((indices[0]! * LEVELS + indices[1]!) * LEVELS + indices[2]!) * LEVELS + indices[3]!;
}

/** The grid's points, lossGood ≤ lossBad (the labels swapped give the same likelihood), as parameters with their index. */
export function gridPoints(): { point: number; params: GridParams }[] {
  const points: { point: number; params: GridParams }[] = [];
  for (let point = 0; point < LEVELS ** 4; point++) {
    const [g, b, lg, lb] = indicesOf(point);
    if (lg > lb) continue;
    points.push({ point, params: { goodToBad: GRID_LEVELS[g]!, badToGood: GRID_LEVELS[b]!, lossGood: GRID_LEVELS[lg]!, lossBad: GRID_LEVELS[lb]! } });
  }
  return points;
}

/** The point with the labels swapped: the same channel, so the same likelihood. */
function swapped(indices: readonly number[]): number {
  return pointOf([indices[1]!, indices[0]!, indices[3]!, indices[2]!]);
}

/**
 * The grid points no neighbour beats (each index moved by −1, 0 or +1, the labels' swap counted
 * as the same point), best first, at most `count`; points of ln L −∞ are never chosen. Ties go to
 * the lower point, so the choice is deterministic.
 */
export function gridMaxima(values: ReadonlyMap<number, number>, count: number): number[] {
  const valueAt = (indices: readonly number[]): number => values.get(pointOf(indices)) ?? values.get(swapped(indices)) ?? Number.NEGATIVE_INFINITY;
  const maxima: number[] = [];
  for (const [point, value] of values) {
    if (!(value > Number.NEGATIVE_INFINITY)) continue;
    const indices = indicesOf(point);
    let isMaximum = true;
    for (let move = 0; move < 81 && isMaximum; move++) {
      if (move === 40) continue; // no move
      const moved = indices.map((i, k) => i + (Math.floor(move / 3 ** k) % 3) - 1);
      if (moved.some((i) => i < 0 || i >= LEVELS)) continue;
      const other = valueAt(moved);
      const otherPoint = pointOf(moved);
      if (other > value || (other === value && otherPoint < point)) isMaximum = false;
    }
    if (isMaximum) maxima.push(point);
  }
  maxima.sort((x, y) => values.get(y)! - values.get(x)! || x - y);
  return maxima.slice(0, count);
}
