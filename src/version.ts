import { readFileSync } from 'node:fs';

/** The package's name and version, read once from package.json (two folders above this file: dist/src/ or dist/bundle/). */
export const TOOL: { readonly name: string; readonly version: string } = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
})();
