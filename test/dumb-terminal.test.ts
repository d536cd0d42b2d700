import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactProgressLine, progressBar } from '../src/cli/progress.js';
import { fakeTerminal } from './fake-terminal.js';

/**
 * A terminal whose TERM is `dumb` (an editor's shell, a log viewer) shows escape sequences as
 * text: it gets no colour, and now no progress drawn by moving the cursor either. The bar wrote
 * `\x1b7\x1b[?25l…\x1b[0K\x1b[1G` there at every update.
 */
describe('a dumb terminal gets no escape sequences from progress', () => {
  /** What a progress display writes on a terminal with this TERM for one update; `forced` is --progress. */
  const written = (term: string, show: 'bar' | 'exact', forced = false): string => {
    const terminal = fakeTerminal();
    const streams = { stdout: terminal.output, stderr: terminal.output, env: { TERM: term, TWOGENERALS_PROGRESS_DELAY_MS: '0' } };
    if (show === 'bar') {
      const bar = progressBar(streams, forced);
      bar.update({ trials: 5, totalTrials: 10, cells: 0, totalCells: 1 });
      bar.stop();
    } else {
      const line = exactProgressLine(streams);
      line.update({ cell: 1, totalCells: 1, states: 100 });
      // The line shows once a cell has taken a second: the clock read as five seconds on.
      const now = Date.now;
      Date.now = () => now() + 5000;
      try {
        line.update({ cell: 1, totalCells: 1, states: 200 });
      } finally {
        Date.now = now;
      }
      line.stop();
    }
    return terminal.text();
  };

  it('draws the bar and the exact line on a terminal that takes escape sequences', () => {
    assert.match(written('xterm-256color', 'bar'), /\x1b\[.*5\/10 trials/s);
    assert.match(written('xterm-256color', 'exact'), /exact: cell 1\/1, 200 states expanded…\x1b\[K/);
  });

  it('shows no bar on a dumb terminal, as on a pipe', () => {
    assert.equal(written('dumb', 'bar'), '');
  });

  it('with --progress on a dumb terminal, writes the bar as lines of text', () => {
    const text = written('dumb', 'bar', true);
    assert.match(text, /5\/10 trials/);
    assert.doesNotMatch(text, /\x1b/);
  });

  it("shows no exact engine's progress line on a dumb terminal", () => {
    assert.equal(written('dumb', 'exact'), '');
  });
});
