/** The only place that knows about the terminal: streams, TTY and colour. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** `--quiet`: no progress and no notes, only results and errors. */
  readonly quiet?: boolean;
  /** Under GitHub Actions (unless `--no-github`): annotate failed gates, append the summary to $GITHUB_STEP_SUMMARY. */
  readonly github?: boolean;
}

export function processStreams(): Streams {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Colour on a terminal; NO_COLOR turns it off, FORCE_COLOR (other than 0) on (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/** What became of standard output: closed by its reader (EPIPE), or failed (a full disk). */
export interface OutputState {
  closed: boolean;
  failure: NodeJS.ErrnoException | null;
}

/**
 * Listens for standard output's errors so none is thrown: a closed pipe marks it closed (later
 * writes go nowhere), any other failure is kept for main() to report once the command is done.
 */
export function guardStdout(stream: NodeJS.WritableStream): OutputState {
  const state: OutputState = { closed: false, failure: null };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED' || state.closed) state.closed = true;
    else state.failure ??= error;
    if (error.code === 'EPIPE') state.closed = true;
  });
  return state;
}

/** Waits until what was written has gone out (or failed), so that its errors are known. */
export async function settle(stream: NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean }): Promise<void> {
  if (!stream.destroyed && !stream.writableEnded) await new Promise<void>((resolve) => stream.write('', () => resolve()));
  await new Promise((resolve) => setImmediate(resolve));
}
