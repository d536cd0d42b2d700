/**
 * The colours of a chart's lines, one per line and no two alike. Vega-Lite's default palette
 * (tableau10) has ten and repeats them: the eleventh line took the first's colour, and a chart of
 * twelve redundancies drew 1 and 11 alike, with two legend entries of one colour. Up to ten lines
 * keep that palette; up to twenty take tableau20 (the same ten hues, each also lighter); more take
 * hues spread evenly round the wheel, at three shades, each colour its own.
 */
export function lineColourScale(lines: number): { scale?: Record<string, unknown>; legend?: Record<string, unknown> } {
  if (lines <= 10) return {};
  // The legend's swatches take the band's opacity (0.2) by default, which washes tableau20's
  // lighter half into its darker: drawn opaque, each swatch shows its line's own colour.
  const legend = { symbolOpacity: 1 };
  if (lines <= 20) return { scale: { scheme: 'tableau20' }, legend };
  return { scale: { range: distinctColours(lines) }, legend };
}

/**
 * `count` distinct colours as #rrggbb: a third of them (rounded up) hues evenly spaced round the
 * wheel, each at a middle, a dark and a light shade, so lines far apart in the sweep share a hue
 * at most, never a shade. Where rounding to 8 bits makes two alike (thousands of lines), the later
 * is nudged lighter until it is its own.
 */
export function distinctColours(count: number): string[] {
  const hues = Math.ceil(count / SHADES.length);
  const seen = new Set<string>();
  return Array.from({ length: count }, (_, i) => {
    const hue = ((i % hues) * 360) / hues;
    let lightness = SHADES[Math.floor(i / hues)]!;
    let colour = hslHex(hue, 0.7, lightness);
    while (seen.has(colour)) colour = hslHex(hue, 0.7, (lightness += 0.001));
    seen.add(colour);
    return colour;
  });
}

/** The lightness of each shade of a hue: middle, dark, light. */
const SHADES = [0.45, 0.28, 0.66];

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
