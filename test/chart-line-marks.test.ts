import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeftOff } from '../src/plot/left-off.js';
import { leftOffNotes } from '../src/plot/left-off.js';
import { distinctColours, lineColourScale } from '../src/plot/line-colours.js';
import { linesOfOnePoint } from '../src/plot/lone-points.js';

/**
 * How a chart tells its lines apart, at the edges: the palette that each count of lines takes
 * (ten keep Vega-Lite's own, eleven to twenty tableau20, more hues spread at three shades), the
 * shades' colours worked out from HSL by hand, the note's count of lines it does not name, and
 * which lines get a mark of their own for a lone value.
 */
describe("a chart's lines: colours, the note's named lines, lone values", () => {
  it('keeps the default palette up to ten lines, tableau20 from eleven to twenty, spread hues past', () => {
    assert.deepEqual(lineColourScale(1), {});
    assert.deepEqual(lineColourScale(10), {});
    for (const lines of [11, 20]) assert.deepEqual(lineColourScale(lines), { scale: { scheme: 'tableau20' }, legend: { symbolOpacity: 1 } }, `${lines}`);
    const spread = lineColourScale(21);
    assert.deepEqual(spread.legend, { symbolOpacity: 1 });
    assert.deepEqual(spread.scale, { range: distinctColours(21) });
  });

  it('gives 21 lines seven hues at three shades: hue 0 as #c32222, #791515 and #e56c6c (HSL 0°, 70%, at 45%, 28% and 66%)', () => {
    // By hand: chroma (1 − |2L − 1|)·0.7; red L + chroma/2, green and blue L − chroma/2, each ·255 rounded.
    // L 0.45: 0.765, 0.135 → 195, 34; L 0.28: 0.476, 0.084 → 121, 21; L 0.66: 0.898, 0.422 → 229, 108.
    const colours = distinctColours(21);
    assert.deepEqual([colours[0], colours[7], colours[14]], ['#c32222', '#791515', '#e56c6c']);
    assert.equal(new Set(colours).size, 21);
    // 22 lines: eight hues (a third, rounded up), the last two shades of the eighth hue left unused.
    const more = distinctColours(22);
    assert.deepEqual([more[0], more[8], more[16]], ['#c32222', '#791515', '#e56c6c']);
    for (const c of more) assert.match(c, /^#[0-9a-f]{6}$/);
  });

  it('keeps 3,000 lines all of colours of their own, each as #rrggbb', () => {
    const colours = distinctColours(3000);
    assert.equal(new Set(colours).size, 3000);
    for (const c of colours) assert.match(c, /^#[0-9a-f]{6}$/);
  });

  const zeros = (lines: number): LeftOff[] => Array.from({ length: lines }, (_, i) => ({ line: `k=${i + 1}`, reason: 'is 0' as const }));

  it('names six lines in a note, and counts the rest in words that agree with the count', () => {
    const why = 'each is 0, which a logarithmic axis cannot show';
    assert.deepEqual(leftOffNotes('disagreement', zeros(6)), [
      `the chart leaves off 6 points of disagreement: ${why}: 1 of k=1, 1 of k=2, 1 of k=3, 1 of k=4, 1 of k=5, 1 of k=6`,
    ]);
    assert.deepEqual(leftOffNotes('disagreement', zeros(7)), [
      `the chart leaves off 7 points of disagreement: ${why}: 1 of k=1, 1 of k=2, 1 of k=3, 1 of k=4, 1 of k=5, 1 of k=6, and 1 other line`,
    ]);
    assert.deepEqual(leftOffNotes('disagreement', zeros(9)), [
      `the chart leaves off 9 points of disagreement: ${why}: 1 of k=1, 1 of k=2, 1 of k=3, 1 of k=4, 1 of k=5, 1 of k=6, and 3 other lines`,
    ]);
  });

  it('marks a line whose value is at one x, however many points it has without one', () => {
    const data = [
      { series: 'a', x: 1, exact: null },
      { series: 'a', x: 2, exact: 0.5 },
      { series: 'a', x: 3, exact: null },
      { series: 'b', x: 1, exact: 0.1 },
      { series: 'b', x: 2, exact: 0.2 },
      { series: 'c', x: 1, exact: null },
    ];
    assert.deepEqual(
      linesOfOnePoint(data, (d) => d.exact !== null),
      new Set(['a']),
    );
  });
});
