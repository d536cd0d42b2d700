/** The only place that knows about the terminal: streams, TTY and colour. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
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
