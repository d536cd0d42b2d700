/**
 * A global phase for the Gilbert–Elliott fit. The likelihood of a short trace is often
 * multi-modal — a chain that nearly alternates fits a trace's even and odd places, one that
 * lasts fits its bursts, and each face where a state lasts one packet or never loses has maxima
 * of its own — and Baum–Welch from a handful of starts climbs whichever hill it starts on. Where
 * the trace is short enough that a pass costs little, the likelihood is evaluated on a grid, and
 * the grid's local maxima become starts for the local search.
 *
 * The hills are narrow across the ridge where the channel's loss rate matches the trace's (a
 * maximum loses, on average, what the trace lost), so the grid lies on that ridge: the two
 * transitions and one loss rate on levels, the other loss rate solved so that the stationary
 * loss rate is the trace's, p·(goodToBad + badToGood) = badToGood·lossGood + goodToBad·lossBad.
 * Two such grids, one with lossGood on levels (its face lossGood = 0 included) and one with lossBad
 * (lossBad = 1 included), so a three-dimensional grid resolves what a four-dimensional one of the
 * same cost would not.
 */

/** The four parameters, named as fit.ts names them (declared here so that neither file imports the other). */
export type GridParams = { readonly goodToBad: number; readonly badToGood: number; readonly lossGood: number; readonly lossBad: number };

/** Levels of the transitions: both bounds, and spaced by ratios toward them, where short traces put their maxima. */
export const TRANSITION_LEVELS: readonly number[] = [0, 0.002, 0.01, 0.03, 0.07, 0.15, 0.25, 0.4, 0.6, 0.75, 0.85, 0.93, 0.97, 0.99, 0.998, 1];

/** Levels of the loss rate on levels (the other is solved). */
export const LOSS_LEVELS: readonly number[] = [0, 0.01, 0.03, 0.07, 0.12, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.88, 0.95, 0.99, 1];

const T = TRANSITION_LEVELS.length;
const L = LOSS_LEVELS.length;
const SIZES = [T, T, L] as const;
const PER_GRID = T * T * L;

/** Points in the two grids, numbered 0 … GRID_SIZE − 1; a point's channel loses at the trace's loss rate, or it has none (gridParams). */
export const GRID_SIZE = 2 * PER_GRID;

/** A point by index: which grid (0: lossGood on levels, 1: lossBad), then goodToBad, badToGood and the loss rate's level. */
function indicesOf(point: number): [number, number, number, number] {
  const within = point % PER_GRID;
  return [Math.floor(point / PER_GRID), Math.floor(within / (T * L)), Math.floor(within / L) % T, within % L];
}

function pointOf(grid: number, indices: readonly number[]): number {
  return grid * PER_GRID + (indices[0]! * T + indices[1]!) * L + indices[2]!;
}

/** The point's parameters, or undefined where no loss rate in [0, 1] gives the trace's loss rate `p`. */
export function gridParams(point: number, p: number): GridParams | undefined {
  const [grid, g, b, x] = indicesOf(point);
  const goodToBad = TRANSITION_LEVELS[g]!;
  const badToGood = TRANSITION_LEVELS[b]!;
  const level = LOSS_LEVELS[x]!;
  const total = p * (goodToBad + badToGood);
  if (grid === 0) {
    if (!(goodToBad > 0)) return undefined;
    const lossBad = (total - badToGood * level) / goodToBad;
    return lossBad >= 0 && lossBad <= 1 ? { goodToBad, badToGood, lossGood: level, lossBad } : undefined;
  }
  if (!(badToGood > 0)) return undefined;
  const lossGood = (total - goodToBad * level) / badToGood;
  return lossGood >= 0 && lossGood <= 1 ? { goodToBad, badToGood, lossGood, lossBad: level } : undefined;
}

/**
 * The grid points no neighbour on their grid and face beats, best first, at most `count`, one
 * for each value (points of equal likelihood are, all but always, one channel written several
 * ways: the independent-loss plateau has hundreds); points of ln L −∞ are never chosen. A
 * neighbour moves each index by −1, 0 or +1, but keeps a parameter that is on a bound (0 or 1)
 * there: a face holds maxima of its own, beside higher ground inside that falls away from them.
 * Ties go to the lower point, so the choice is deterministic.
 */
export function gridMaxima(values: Float64Array, count: number): number[] {
  const maxima: number[] = [];
  for (let point = 0; point < values.length; point++) {
    const value = values[point]!;
    if (!(value > Number.NEGATIVE_INFINITY)) continue;
    const [grid, g, b, x] = indicesOf(point);
    const indices = [g, b, x];
    let isMaximum = true;
    for (const steps of MOVES) {
      let inside = true;
      for (let k = 0; k < 3; k++) {
        const moved = indices[k]! + steps[k]!;
        // A parameter on a bound stays there; none leaves the grid.
        if (steps[k] !== 0 && (indices[k] === 0 || indices[k] === SIZES[k]! - 1 || moved < 0 || moved >= SIZES[k]!)) inside = false;
      }
      if (!inside) continue;
      const other = pointOf(grid, [g + steps[0]!, b + steps[1]!, x + steps[2]!]);
      const otherValue = values[other]!;
      if (otherValue > value || (otherValue === value && other < point)) {
        isMaximum = false;
        break;
      }
    }
    if (isMaximum) maxima.push(point);
  }
  maxima.sort((x, y) => values[y]! - values[x]! || x - y);
  const distinct = maxima.filter((point, i) => i === 0 || values[point]! < values[maxima[i - 1]!]! - 1e-12 * Math.abs(values[point]!));
  return distinct.slice(0, count);
}

/** A neighbour's moves: −1, 0 or +1 on each index, not all 0. */
const MOVES: readonly (readonly number[])[] = Array.from({ length: 27 }, (_, move) => [0, 1, 2].map((k) => (Math.floor(move / 3 ** k) % 3) - 1)).filter(
  (steps) => steps.some((d) => d !== 0),
);
