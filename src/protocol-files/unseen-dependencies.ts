import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'es-module-lexer/js';
import { importedPath, modulePath } from './digest.js';

/**
 * What a protocol file's code may read that its digest (digest.ts) does not cover: an import of
 * anything but a file by a relative path (an npm package, a Node.js built-in such as `node:fs`
 * to read a data file, an absolute path or URL, a path computed at run time), a `require` of
 * the same, `process.getBuiltinModule`, or `process.env`. A file whose check passed is remembered
 * by its digest (check-cache.ts); one that reads any of these may fail the check once what it
 * reads changes while its digest stays the same, so it is never remembered: it is checked in a
 * process of its own every time, as a file with no record is.
 *
 * Returns the first such thing, in words (`imports '/abs/helper.mjs' (in /x/p.mjs)`), or
 * undefined where the file and all the files it imports by relative paths read nothing else.
 */
export function unseenDependency(file: string, text: string): string | undefined {
  const seen = new Set<string>([modulePath(file)]);
  const queue: [string, string][] = [[modulePath(file), text]];
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [from, source] = next;
    const found = unseenIn(from, source);
    if (typeof found === 'string') return `${found} (in ${from})`;
    for (const path of found) {
      if (seen.has(path)) continue;
      seen.add(path);
      queue.push([path, readFileSync(path, 'utf8')]);
    }
  }
  return undefined;
}

/** The files one module imports by relative paths, or the first thing it reads that a digest cannot cover. */
function unseenIn(from: string, source: string): string[] | string {
  const files: string[] = [];
  const follow = (specifier: string, path: string | undefined): string | undefined => {
    if (path === undefined || !existsSync(path) || !statSync(path).isFile()) return `imports '${specifier}', which is no file`;
    files.push(path);
    return undefined;
  };
  let imports: ReturnType<typeof parse>[0];
  try {
    imports = parse(source)[0];
  } catch {
    return 'has source the import lexer cannot read';
  }
  for (const entry of imports) {
    if (entry.type === 'import-meta' || ('typeOnly' in entry && entry.typeOnly) || ('probablyTypeOnly' in entry && entry.probablyTypeOnly)) continue;
    const specifier = typeof entry.specifier === 'string' ? entry.specifier : undefined;
    if (specifier === undefined) return 'imports a path computed at run time';
    if (!RELATIVE.test(specifier)) return `imports '${specifier}'`;
    const problem = follow(specifier, importedPath(from, specifier, false));
    if (problem) return problem;
  }
  const requires = [...source.matchAll(/\brequire\s*\(/g)].length;
  const literal = [...source.matchAll(/\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g)];
  if (literal.length < requires) return 'requires a path computed at run time';
  for (const match of literal) {
    const specifier = match[2]!;
    if (!RELATIVE.test(specifier)) return `requires '${specifier}'`;
    const problem = follow(specifier, importedPath(from, specifier, true));
    if (problem) return problem;
  }
  const read = READS.exec(source);
  if (read) return `reads ${read[0].replace(/\s+/g, '')}`;
  return files;
}

const RELATIVE = /^\.{1,2}\//;
/** What reaches beyond the file's own code without an import: the built-in modules by name, the environment. */
const READS = /\bgetBuiltinModule\b|\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/;
