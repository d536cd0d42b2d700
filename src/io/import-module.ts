/**
 * `import()` of a module the bundle does not carry (a user's protocol file, the charting stack),
 * in one place: the CLI's bundle runs as a script compiled from V8's code cache (bin/twogenerals.js),
 * where a bare `import()` has no loader to call, so scripts/bundle.ts puts the launcher's own in
 * its place there.
 */
export function importModule(specifier: string): Promise<unknown> {
  return import(specifier);
}
