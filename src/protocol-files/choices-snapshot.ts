/**
 * A choice's probabilities as they stood before a `resolve`, to tell whether it changed them:
 * compared as the refusal shows them, as text (a NaN the same as a NaN, 0 the same as -0). A
 * Float64Array's are copied into one buffer, reused from state to state, and compared number by
 * number; `check` had made both arrays' text for every result, so a choice of a thousand ways
 * cost a million numbers printed at one state. Another array's are kept as they are read (a
 * resolve may have written anything into it since next gave it), and compared as text.
 */
export class ChoicesSnapshot {
  private buffer = new Float64Array(16);
  private length = 0;
  /** What an array other than a Float64Array held; null where a Float64Array's are in `buffer`. */
  private other: unknown[] | null = null;

  /** Keeps what `choices` holds now. */
  take(choices: ArrayLike<number>): void {
    if (!(choices instanceof Float64Array)) {
      this.other = Array.from(choices);
      return;
    }
    this.other = null;
    if (choices.length > this.buffer.length) this.buffer = new Float64Array(Math.max(choices.length, 2 * this.buffer.length));
    this.buffer.set(choices);
    this.length = choices.length;
  }

  /** Whether `now` (the step's choices after the resolve: any value) holds what was kept. */
  holds(now: unknown): boolean {
    if (this.other !== null || !(now instanceof Float64Array)) return Array.from((now ?? []) as ArrayLike<number>).join(', ') === this.values().join(', ');
    if (now.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) {
      const was = this.buffer[i]!;
      const is = now[i]!;
      if (was !== is && !(Number.isNaN(was) && Number.isNaN(is))) return false;
    }
    return true;
  }

  /** What was kept, for the refusal. */
  values(): number[] {
    return (this.other as number[] | null) ?? Array.from(this.buffer.subarray(0, this.length));
  }
}
