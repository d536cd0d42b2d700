/** A chart's point as chartSpec draws it: its line (series) and the values drawn there. */
interface Drawn {
  readonly series: string;
  readonly x: unknown;
}

/**
 * The lines that have exactly one point with a value `has` finds (a band's two ends, an exact
 * value): a line through one point, or an area over one x, draws nothing, so such a point needs
 * a mark of its own (a bar for the band, a diamond for the exact value).
 */
export function linesOfOnePoint<T extends Drawn>(data: readonly T[], has: (d: T) => boolean): Set<string> {
  const xs = new Map<string, Set<unknown>>();
  for (const d of data) if (has(d)) xs.set(d.series, (xs.get(d.series) ?? new Set()).add(d.x));
  return new Set([...xs].filter(([, at]) => at.size === 1).map(([series]) => series));
}
