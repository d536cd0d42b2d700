/**
 * Turns generated JavaScript (a compiled kernel, the trial kernel) into a function of the named
 * parameters; with TWOGENERALS_PRINT_KERNEL set, prints the source first, headed by `label`, so
 * that what a cell runs on can be read.
 */
export function compileGenerated(label: string, parameters: readonly string[], source: string): (...values: unknown[]) => unknown {
  if (process.env['TWOGENERALS_PRINT_KERNEL']) process.stderr.write(`// twogenerals ${label}\n${source}\n`);
  return new Function(...parameters, source) as (...values: unknown[]) => unknown;
}

let compiles: boolean | undefined;

/**
 * Whether this Node.js turns text into code: not under --disallow-code-generation-from-strings
 * (a hardening flag some sites put in NODE_OPTIONS), where `new Function` throws. There every
 * cell runs on the engines that compile nothing — the generic engine and the hand-written
 * kernels — which draw as the generated ones do, so the counts are the same, only slower.
 */
export function compilesGenerated(): boolean {
  if (compiles === undefined) {
    try {
      new Function('');
      compiles = true;
    } catch {
      compiles = false;
    }
  }
  return compiles;
}
