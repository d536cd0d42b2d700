/**
 * A parameter that a protocol or a channel declares: its name, how it is checked, its default
 * and what it means. The declarations in the registries are the one source from which the JSON
 * Schema, validation, `--set`/`--sweep`, `list`, cells and the engines' models are derived.
 */
export interface ParameterDeclaration {
  readonly name: string;
  readonly description: string;
  /** A whole number (default: any number). */
  readonly integer?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  /** A text parameter: one of these words (not sweepable). */
  readonly values?: readonly string[];
  /**
   * A text parameter of another kind (not sweepable): 'file', a path relative to the scenario
   * file, read by the channel (its content's sha256 is recorded beside it); 'text', free text.
   */
  readonly text?: 'file' | 'text';
  /** Its value when the scenario does not give one; without it (and not optional) the scenario must. */
  readonly default?: number | string;
  /** It may be left out, with no value at all. */
  readonly optional?: boolean;
  /**
   * Parameters that stand in for it where all of them are given (the trace channel's AtoB and
   * BtoA for its file): then it may be left out; else the scenario must give it.
   */
  readonly standIns?: readonly string[];
  /**
   * The file may give it per direction as {AtoB, BtoA}: the cell then has name+'AtoB' and
   * name+'BtoA' instead (Bernoulli's loss).
   */
  readonly perDirection?: boolean;
}
