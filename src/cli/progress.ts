import cliProgress from 'cli-progress';
import type { ExactProgress, Progress } from '../engine/schedule/runner.js';
import { thousands } from '../export/numbers.js';
import { drawsOnTerminal } from './output.js';
import type { Streams } from './output.js';
import { counted } from '../io/wording.js';

/** Runs shorter than this show no bar at all (TWOGENERALS_PROGRESS_DELAY_MS sets it, for tests that must see the bar without a slow run). */
const DELAY_MS = 1000;

function delayMs(env: Readonly<Record<string, string | undefined>>): number {
  const set = Number(env['TWOGENERALS_PROGRESS_DELAY_MS']);
  return env['TWOGENERALS_PROGRESS_DELAY_MS'] !== undefined && Number.isFinite(set) && set >= 0 ? set : DELAY_MS;
}

/**
 * Whether `CI` says the command runs in CI, where no progress is drawn: set to anything but a
 * value meaning false (empty, `0`, `false`, `no`, `off`, in any case), as `CI=true`, `CI=1` or a
 * CI system's own name (README, "In CI and on clusters").
 */
export function inCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env['CI']?.trim().toLowerCase();
  return value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value);
}

/** The time left is shown only once this share of the trials is done and this long has passed: before, it is a guess. */
const ETA_AFTER_SHARE = 0.1;
const ETA_AFTER_SECONDS = 3;

/**
 * The time left, from the rate over the whole run so far, or '…' while that rate says little
 * yet (cli-progress's own estimate read "ETA 0s" at 22% with 7 s to go).
 */
export function timeLeft(done: number, total: number, elapsedSeconds: number): string {
  if (total <= 0 || done <= 0 || done / total < ETA_AFTER_SHARE || elapsedSeconds < ETA_AFTER_SECONDS) return '…';
  const seconds = Math.ceil(((total - done) * elapsedSeconds) / done);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * A progress bar on stderr (cells, trials, trials per second, time left) for runs over a second:
 * on a terminal outside CI, or wherever `--progress` asks for it. Returns the listener to give
 * the run and a `stop` that clears the bar.
 */
export function progressBar(streams: Streams, forced: boolean): { update: (p: Progress) => void; stop: () => void } {
  const drawn = drawsOnTerminal(streams.stderr, streams.env);
  const wanted = !streams.quiet && (forced || (drawn && !inCI(streams.env)));
  if (!wanted) return { update: () => undefined, stop: () => undefined };
  // Asked for where the cursor cannot move (a pipe, a dumb terminal): a line now and then, no escape sequences.
  const stream = drawn ? streams.stderr : { isTTY: false, write: (text: string) => streams.stderr.write(text) };
  const started = Date.now();
  const delay = delayMs(streams.env);
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      const elapsed = (Date.now() - started) / 1000;
      if (!bar) {
        if (elapsed * 1000 < delay) return;
        bar = new cliProgress.SingleBar(
          {
            stream: stream as NodeJS.WriteStream,
            format: '{bar} {percentage}% | {done}/{all} trials | cells {cells}/{totalCells} | {rate} trials/s | ETA {left}',
            hideCursor: true,
            clearOnComplete: true,
            noTTYOutput: forced,
            notTTYSchedule: 1000,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
      }
      const payload = {
        done: thousands(p.trials),
        all: thousands(p.totalTrials),
        cells: p.cells,
        totalCells: p.totalCells,
        rate: thousands(Math.round(p.trials / Math.max(elapsed, 1e-3))),
        left: timeLeft(p.trials, p.totalTrials, elapsed),
      };
      if (!bar.isActive) bar.start(p.totalTrials, p.trials, payload);
      else bar.update(p.trials, payload);
    },
    stop() {
      bar?.stop();
    },
  };
}

/**
 * The exact engine's progress on one stderr line (terminal only, outside CI), for `--exact` and
 * `exact`: which cell and how many states so far, shown once a cell has taken a second.
 */
export function exactProgressLine(streams: Streams): { update: (p: ExactProgress) => void; stop: () => void } {
  if (streams.quiet || !drawsOnTerminal(streams.stderr, streams.env) || inCI(streams.env)) return { update: () => undefined, stop: () => undefined };
  let shown = false;
  let cellStarted = Date.now();
  let cell = 0;
  return {
    update(p) {
      if (p.cell !== cell) [cell, cellStarted] = [p.cell, Date.now()];
      if (Date.now() - cellStarted < DELAY_MS) return;
      shown = true;
      streams.stderr.write(`\rexact: cell ${p.cell}/${p.totalCells}, ${counted(p.states, 'state')} expanded…\u001b[K`);
    },
    stop() {
      if (shown) streams.stderr.write('\r\u001b[K');
    },
  };
}
