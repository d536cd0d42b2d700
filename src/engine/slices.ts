import { toolNow } from '../io/tool-clock.js';

/**
 * Long synchronous work written as a generator that yields now and then: run to its end at once
 * (drain), or in slices of a few milliseconds with the event loop turning between them
 * (drainInSlices), so that a signal's handler (Ctrl-C: one line, nothing half-written) runs
 * while the work goes on, rather than after it, however long it takes.
 */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export async function drainInSlices<T>(steps: Generator<void, T>, sliceMs = 8): Promise<T> {
  for (;;) {
    const until = toolNow() + sliceMs;
    do {
      const next = steps.next();
      if (next.done) return next.value;
    } while (toolNow() < until);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
