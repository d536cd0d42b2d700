/** Why a chart cannot draw a value: a logarithmic axis has no place for 0 or below, no axis for NaN or ±Infinity. */
export type Undrawable = 'is 0' | 'is below 0' | 'is not a number' | 'is infinite';

/** Why `value` cannot be drawn on the axis (null: it can). */
export function undrawable(value: number, logarithmic: boolean): Undrawable | null {
  if (Number.isNaN(value)) return 'is not a number';
  if (!Number.isFinite(value)) return 'is infinite';
  if (logarithmic && value === 0) return 'is 0';
  if (logarithmic && value < 0) return 'is below 0';
  return null;
}

/** A value the chart left off: the line it belonged to and why. */
export interface LeftOff {
  readonly line: string;
  readonly reason: Undrawable;
  /** A confidence band (both its ends), counted apart from the points. */
  readonly band?: boolean;
}

/** The most lines a note names; the rest are counted. */
const LINES_NAMED = 6;

/**
 * One note a reason, for stderr: `the chart leaves off 3 points of disagreement: each is 0, which
 * a logarithmic axis cannot show: 2 of redundancy=5, 1 of redundancy=6`. Nothing where every value
 * was drawn.
 */
export function leftOffNotes(what: string, leftOff: readonly LeftOff[]): string[] {
  const reasons = [...new Set(leftOff.map((l) => l.reason))];
  return reasons.map((reason) => {
    const points = leftOff.filter((l) => l.reason === reason && !l.band);
    const bands = leftOff.filter((l) => l.reason === reason && l.band).length;
    const perLine = new Map<string, number>();
    for (const l of points) perLine.set(l.line, (perLine.get(l.line) ?? 0) + 1);
    const lines = [...perLine].map(([line, count]) => `${count} of ${line}`);
    const named = lines.length > LINES_NAMED ? [...lines.slice(0, LINES_NAMED), `and ${plural(lines.length - LINES_NAMED, 'other line')}`] : lines;
    const why = reason === 'is 0' || reason === 'is below 0' ? `${reason}, which a logarithmic axis cannot show` : `${reason}, which no axis can show`;
    const bandWords = `${plural(bands, 'confidence band')} of ${what}, where an end ${why}`;
    if (points.length === 0) return `the chart leaves off ${bandWords}`;
    const pointWords = `${plural(points.length, 'point')} of ${what}: ${points.length === 1 ? 'it' : 'each'} ${why}: ${named.join(', ')}`;
    return `the chart leaves off ${pointWords}${bands ? `; and ${plural(bands, 'confidence band')}` : ''}`;
  });
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
