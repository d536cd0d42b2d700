import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: beside the compiled code (dist/src/… or dist/bundle) two or three folders up. */
const ROOT = [new URL('../..', import.meta.url), new URL('../../..', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((dir) => existsSync(join(dir, 'scenarios', 'scenario.schema.json')));

/** The shipped scenarios' folder. */
export const SHIPPED_SCENARIOS = join(ROOT ?? '.', 'scenarios');

/** The shipped examples' folder: scenarios beside the protocol and trace files they name. */
export const SHIPPED_EXAMPLES = join(ROOT ?? '.', 'examples');

/** The folders whose files ship with the package and may be named without their place. */
const SHIPPED_FOLDERS = ['scenarios', 'examples'];

/** The shipped scenarios' names (file names without `.yaml`), in order. */
export function shippedScenarioNames(folder = 'scenarios'): string[] {
  if (!ROOT) return [];
  return readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * A file the user named that is not where they are, but ships with the package: a shipped
 * scenario or example by name (`bursty-5pct`, `tcp-handshake.yaml`) or by the path the README
 * gives (`scenarios/…`, `examples/…`). A file that exists is always the one meant.
 */
export function shippedFile(given: string): string | undefined {
  if (!ROOT || given === '' || isAbsolute(given) || existsSync(given)) return undefined;
  const path = normalize(given);
  if (path.startsWith('..')) return undefined;
  const parts = path.split(sep);
  if (parts.length > 1) {
    if (!SHIPPED_FOLDERS.includes(parts[0]!)) return undefined;
    const inPackage = join(ROOT, path);
    return existsSync(inPackage) ? inPackage : undefined;
  }
  const file = /\.(ya?ml|json)$/.test(path) ? path : `${path}.yaml`;
  for (const folder of SHIPPED_FOLDERS) {
    const inPackage = join(ROOT, folder, file);
    if (existsSync(inPackage)) return inPackage;
  }
  return undefined;
}

/**
 * A file of the package's shipped folders by the path the README gives it (`examples/…`), which
 * shippedFile finds again wherever the package is installed; undefined for any other file.
 */
export function shippedPath(file: string): string | undefined {
  if (!ROOT) return undefined;
  const inPackage = relative(ROOT, resolve(file));
  const parts = inPackage.split(sep);
  return parts.length > 1 && SHIPPED_FOLDERS.includes(parts[0]!) ? parts.join('/') : undefined;
}

/** The path to read for `given`: the shipped file it names, or itself. */
export function inputPath(given: string): string {
  return shippedFile(given) ?? given;
}
