/**
 * Turns generated JavaScript (a compiled kernel, the trial kernel) into a function of the named
 * parameters; with TWOGENERALS_PRINT_KERNEL set, prints the source first, headed by `label`, so
 * that what a cell runs on can be read.
 */
export function compileGenerated(label: string, parameters: readonly string[], source: string): (...values: unknown[]) => unknown {
  if (process.env['TWOGENERALS_PRINT_KERNEL']) process.stderr.write(`// twogenerals ${label}\n${source}\n`);
  return new Function(...parameters, source) as (...values: unknown[]) => unknown;
}
