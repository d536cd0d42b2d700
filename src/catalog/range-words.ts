/**
 * A numeric parameter's range in words, as `list` and messages show it: `0..1`, `integer 1..1000`,
 * and where an end is unbounded `≥ 0`, `≤ 1` or `any number` (an infinite end is no number to read).
 */
export function rangeWords(p: { readonly integer?: boolean; readonly minimum?: number; readonly maximum?: number }): string {
  const low = p.minimum !== undefined && Number.isFinite(p.minimum) ? p.minimum : undefined;
  const high = p.maximum !== undefined && Number.isFinite(p.maximum) ? p.maximum : undefined;
  const kind = p.integer ? 'integer ' : '';
  if (low !== undefined && high !== undefined) return `${kind}${low}..${high}`;
  if (low !== undefined) return `${kind}≥ ${low}`;
  if (high !== undefined) return `${kind}≤ ${high}`;
  return p.integer ? 'any integer' : 'any number';
}
