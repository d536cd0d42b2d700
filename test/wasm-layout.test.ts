import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ENTRY,
  LAYOUT,
  REFILL_HALVES,
  WALKERS,
  WALKER_STRIDES,
  laneSlot,
  laneStateBytes,
  walkerWord,
  watConstants,
} from '../src/engine/accelerators/layout.js';
import { RESULT_DRAW_LAYOUT } from '../src/engine/accelerators/result-draw-layout.js';
import { TRACE_LAYOUT } from '../src/engine/accelerators/trace-layout.js';

/**
 * The constants the WebAssembly modules are assembled with (scripts/generate-wasm.ts fills them
 * into lanes.wat and trace-lanes.wat at build time). The runs only see the module built from
 * them, so a wrong constant here would be built in unnoticed by the kernel tests of that build's
 * own code: these hold each to what the TypeScript side reads at the same place, and the memory
 * regions to lying apart and within the pages.
 */

describe('the bit walk’s and the lanes’ constants, as lanes.wat names them', () => {
  const values = watConstants();

  it('names every layout word and its byte address, and every entry field', () => {
    for (const [name, words] of Object.entries(LAYOUT)) {
      assert.equal(values[name], words, name);
      assert.equal(values[`${name}_BYTE`], 4 * words, `${name}_BYTE`);
    }
    for (const [name, value] of Object.entries(ENTRY)) assert.equal(values[name], value, name);
  });

  it('gives the shifts and masks the entries are packed with', () => {
    assert.equal(values['ENDED_BIT'], 9, 'ENDED is bit 9');
    assert.equal(values['ENTRY_SHIFT'], 4, 'an entry is four words, 16 bytes');
    assert.equal(values['ENDS_SIZE_SHIFT'], 13, 'a copy of ENDS is 1,024 slots of two words, 8,192 bytes');
    assert.equal(values['DELIVERED_SHIFT'], 26);
    assert.equal(values['DELIVERED_MASK'], 0x3ffffff, 'the 26 bits of class 0');
  });

  it('gives each of the two walkers its own copy, where bit-walk.ts reads it', () => {
    // By hand: walker 1's copies lie a stride past walker 0's (8 words for its results, 2,016 for its bits, 8,192 for its ends).
    const expected: Record<string, number> = {
      '0.CONSUMED': 40,
      '1.CONSUMED': 48,
      '0.DELIVERED': 41,
      '1.DELIVERED': 49,
      '0.DELIVERED_1': 42,
      '1.DELIVERED_1': 50,
      '0.BITS': 64,
      '1.BITS': 2080,
      '0.ENDS': 4096,
      '1.ENDS': 12288,
    };
    for (const [name, words] of Object.entries(expected)) {
      assert.equal(values[name], words, name);
      assert.equal(values[`${name}_BYTE`], 4 * words, `${name}_BYTE`);
      const [w, field] = name.split('.') as [string, keyof typeof LAYOUT];
      assert.equal(walkerWord(field, Number(w)), words, `walkerWord(${field}, ${w})`);
    }
    assert.equal(walkerWord('TABLE', 1), LAYOUT.TABLE, 'what is not a walker’s own is shared');
    assert.deepEqual(
      Object.keys(values)
        .filter((k) => /^\d+\./.test(k))
        .map((k) => k.split('.')[0])
        .filter((w, i, all) => all.indexOf(w) === i),
      ['0', '1'],
      `exactly ${WALKERS} walkers`,
    );
    assert.equal(Object.keys(WALKER_STRIDES).length, 5);
  });

  it('gives each walker its tie bit, its third copy of the ends and the bit from which it refills', () => {
    assert.equal(values['0.TIE'], 1);
    assert.equal(values['1.TIE'], 2);
    // Copy 2 of walker w's ends, where collect() reads it: 2 · 2 · 1,024 words past the first.
    assert.equal(values['0.ENDS_2_BYTE'], 4 * (4096 + 4096));
    assert.equal(values['1.ENDS_2_BYTE'], 4 * (12288 + 4096));
    // The last half a refill leaves, as a bit: (2 · BITS + REFILL_HALVES − 1) halves of 16 bits.
    assert.equal(REFILL_HALVES, 2048);
    assert.equal(values['0.LAST_BIT'], 16 * (128 + 2047));
    assert.equal(values['1.LAST_BIT'], 16 * (4160 + 2047));
  });

  it('keeps the walkers’ regions apart and the table of 256 nodes within the memory', () => {
    const bitsEnd = (w: number) => walkerWord('BITS', w) + WALKER_STRIDES['BITS']!;
    assert.ok(walkerWord('DELIVERED_1', 1) < LAYOUT.BITS, 'both walkers’ results before the bits');
    assert.ok(bitsEnd(1) <= LAYOUT.ENDS, 'both walkers’ bits before the ends');
    assert.ok(walkerWord('ENDS', 1) + 2 * LAYOUT.ENDS_COPIES * LAYOUT.ENDS_SIZE <= LAYOUT.TABLE, 'both walkers’ ends before the table');
    assert.ok(4 * LAYOUT.TABLE + 256 * 256 * 4 * ENTRY.WORDS <= LAYOUT.PAGES * 65536, 'the table of 256 nodes fits');
  });
});

describe('the trace lanes’ constants, as trace-lanes.wat names them', () => {
  const L = TRACE_LAYOUT;

  it('names each word of a keyed chunk’s state and words at its offset, and the one-send thresholds after them', () => {
    assert.deepEqual(
      [L.KEYED_RUN_BYTE, L.KEYED_RUN_4_BYTE, L.KEYED_RUN_8_BYTE, L.KEYED_RUN_12_BYTE],
      [0, 4, 8, 12].map((k) => 175 * 1024 + k),
    );
    assert.deepEqual([L.KEYED_WORDS_BYTE, L.KEYED_WORDS_4_BYTE, L.KEYED_CODES_BYTE], [175 * 1024 + 2048, 175 * 1024 + 2052, 175 * 1024 + 3072]);
    assert.deepEqual([L.THRESHOLDS_BYTE, L.ABOVE_BYTE], [180 * 1024, 180 * 1024 + 16 * L.MAX_THRESHOLDS]);
    assert.deepEqual([L.KEY_LAST_BYTE, L.KEY_HIGH_BYTE, L.CHOSEN_BYTE], [140 * 1024, 141 * 1024, 158 * 1024]);
    assert.equal(L.TABLE_BYTE, 3 * 65536);
  });

  it('lays the regions out in order, each ending before the next begins, the table after the pages the module starts with', () => {
    // [start, bytes] of each region, in memory order.
    const regions: [string, number, number][] = [
      ['lane states', 0, 128],
      ['keyed state', L.KEYED_STATE_BYTE, 16],
      ['key last', L.KEY_LAST_BYTE, 4 * 256],
      ['key high', L.KEY_HIGH_BYTE, 4 * 256 * L.KEY_OUTCOMES],
      ['chosen', L.CHOSEN_BYTE, 4 * 256 * L.KEY_OUTCOMES],
      ['keyed states', L.KEYED_RUN_BYTE, 16 * L.KEYED_CHUNK],
      ['keyed words', L.KEYED_WORDS_BYTE, 8 * L.KEYED_CHUNK],
      ['keyed codes', L.KEYED_CODES_BYTE, 4 * L.KEYED_CHUNK],
      ['thresholds', L.THRESHOLDS_BYTE, 16 * L.MAX_THRESHOLDS],
      ['counts at or above them', L.ABOVE_BYTE, 16 * L.MAX_THRESHOLDS],
      ['table', L.TABLE_BYTE, 0],
    ];
    for (let i = 1; i < regions.length; i++) {
      const [name, start] = regions[i]!;
      const [before, at, bytes] = regions[i - 1]!;
      assert.ok(at + bytes <= start, `${before} (${at} + ${bytes}) ends before ${name} (${start})`);
    }
    assert.equal(L.TABLE_BYTE, L.PAGES * 65536);
  });
});

describe("the lanes' states, as lanes.ts, trace-lanes.ts and both .wat files place them", () => {
  it('are addressed in the .wat files by the names the table gives, never by a number written there', () => {
    for (const name of ['lanes', 'trace-lanes']) {
      const wat = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'engine', 'accelerators', `${name}.wat`), 'utf8');
      const written = wat.split('\n').filter((line) => /v128\.(load|store)[^(]*\(i32\.const \d/.test(line.replace(/;;.*/, '')));
      assert.deepEqual(written, [], `${name}.wat: a v128 at an address of its own`);
    }
  });

  it("lanes.wat reads a bit walk entry's words at the offsets the table gives (bit-walk.ts writes them there)", () => {
    const wat = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'engine', 'accelerators', 'lanes.wat'), 'utf8');
    assert.deepEqual(
      wat.split('\n').filter((line) => /offset=\d/.test(line.replace(/;;.*/, ''))),
      [],
    );
    const words = [0, ENTRY.DELIVERED_WORD, ENTRY.AFTER_WORD, ENTRY.AFTER_DELIVERED_WORD];
    assert.deepEqual(new Set(words).size, words.length, 'four words apart');
    assert.ok(Math.max(...words) < ENTRY.WORDS, 'within an entry');
    assert.equal(watConstants()['AFTER_DELIVERED_WORD_BYTE'], 4 * ENTRY.AFTER_DELIVERED_WORD);
  });

  it('result-draw.wat loads and stores the generator state at the addresses its table gives (result-draw.ts writes it there)', () => {
    const wat = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'engine', 'accelerators', 'result-draw.wat'), 'utf8');
    assert.doesNotMatch(wat.replace(/;;.*/g, ''), /i32\.(load|store) \(i32\.const \d/, 'a word at an address written in the .wat');
    const { STATE_BYTE, STATE_1_BYTE, STATE_2_BYTE, STATE_3_BYTE, GUIDE_BYTE } = RESULT_DRAW_LAYOUT;
    assert.deepEqual([STATE_1_BYTE, STATE_2_BYTE, STATE_3_BYTE], [STATE_BYTE + 4, STATE_BYTE + 8, STATE_BYTE + 12]);
    assert.ok(STATE_3_BYTE + 4 <= GUIDE_BYTE, 'the state ends before the guide');
  });

  it("lanes.wat looks up a node's window of outcome bits as wide as the table bit-walk.ts builds (ENTRY.WINDOW), never a width written there", () => {
    const wat = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'engine', 'accelerators', 'lanes.wat'), 'utf8');
    assert.ok(wat.includes('(local.get $node{{W}}) (i32.const {{WINDOW}})'), 'the node shifted by WINDOW');
    assert.ok(wat.includes('(i32.const {{WINDOW_MASK}})'), 'the window masked by WINDOW_MASK');
    assert.doesNotMatch(wat, /\$node\{\{W\}\}\) \(i32\.const \d/, 'no node shift written as a number');
    assert.equal(watConstants()['WINDOW_MASK'], 2 ** ENTRY.WINDOW - 1);
  });

  it("put each group's word w of lanes 0-3 (a) and 4-7 (b) in one v128 from LANE_STATES on, where the .wat loads it", () => {
    const bytes = laneStateBytes();
    for (let lane = 0; lane < 8; lane++) {
      for (let w = 0; w < 4; w++) {
        const v128 = bytes[`LANE_${lane < 4 ? 'A' : 'B'}${w}_BYTE`]!;
        assert.equal(4 * laneSlot(lane, w), v128 + 4 * (lane & 3), `lane ${lane}, word ${w}`);
      }
    }
    assert.equal(bytes['LANE_A0_BYTE'], 4 * LAYOUT.LANE_STATES);
    assert.equal(watConstants()['LANE_B3_BYTE'], 4 * LAYOUT.LANE_STATES + 112);
  });
});
