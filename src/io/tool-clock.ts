/**
 * The clock the tool reads for its own timing (progress, a slice of work, a kernel's speed).
 * Once a protocol file loads, `performance.now` is replaced by a watched one that looks for the
 * file's code on the stack at every call (protocol-files/load.ts, watchSources: a protocol must
 * not read the time), which costs a stack trace a call: the tool keeps the original here first.
 * Nothing the tool prints depends on this clock.
 */
let original: (() => number) | undefined;

/** Keeps performance.now as it is, before it is replaced (the first call wins). */
export function keepToolClock(): void {
  if (original !== undefined) return;
  const clock = performance;
  const now = clock.now;
  original = () => now.call(clock);
}

/** Milliseconds, as performance.now gives them, never through a protocol file's watch. */
export function toolNow(): number {
  return original === undefined ? performance.now() : original();
}
