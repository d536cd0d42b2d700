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
  /** Its value when the scenario does not give one; without it the scenario must. */
  readonly default?: number | string;
  /**
   * The file may give it per direction as {AtoB, BtoA}: the cell then has name+'AtoB' and
   * name+'BtoA' instead (Bernoulli's loss).
   */
  readonly perDirection?: boolean;
}
