/**
 * The colours of a chart's lines, one per line and no two alike. Vega-Lite's default palette
 * (tableau10) has ten and repeats them: the eleventh line took the first's colour, and a chart of
 * twelve redundancies drew 1 and 11 alike, with two legend entries of one colour. Up to ten lines
 * keep that palette; up to twenty take tableau20 (the same ten hues, each also lighter); more take
 * hues spread by the golden angle, at three lightnesses, each colour its own.
 */
export function lineColourScale(lines: number): { scale?: Record<string, unknown> } {
  if (lines <= 10) return {};
  if (lines <= 20) return { scale: { scheme: 'tableau20' } };
  return { scale: { range: distinctColours(lines) } };
}

/** `count` distinct colours as #rrggbb, neighbours far apart in hue. */
export function distinctColours(count: number): string[] {
  const seen = new Set<string>();
  const colours: string[] = [];
  for (let i = 0; colours.length < count; i++) {
    const hue = (i * 137.50776405) % 360;
    const lightness = [0.45, 0.3, 0.6][i % 3]! + (Math.floor(i / 3) % 7) * 0.01;
    const colour = hslHex(hue, 0.65, lightness);
    if (seen.has(colour)) continue;
    seen.add(colour);
    colours.push(colour);
  }
  return colours;
}

/** HSL (hue in degrees, saturation and lightness 0..1) as #rrggbb. */
function hslHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number): string => {
    const k = (n + hue / 30) % 12;
    const value = lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
