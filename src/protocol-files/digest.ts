import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { parse } from 'es-module-lexer/js';

/**
 * A protocol file's sha256, as results record it (`protocolDigest`): of the file's text, and of
 * every file it imports by a relative path, theirs in turn — a protocol's code may live in a
 * helper module, and shards made with one helper and merged with another would mix two
 * protocols' counts. A file that imports none has the sha256 of its text alone, as before there
 * were imports to cover. Imports are found by es-module-lexer (static, `export … from`, and
 * `import()` of a literal path; TypeScript's type-only imports too, which cost nothing) and
 * `require()` of a literal path; a path computed at run time is not seen (docs/writing-a-protocol.md).
 * The text is the file's as loaded, without a byte-order mark (readTextInput drops one).
 */
export function protocolDigest(file: string, text: string = readFileSync(file, 'utf8').replace(/^\uFEFF/, '')): string {
  const imported = importedFiles(file, text);
  if (imported.length === 0) return sha256(text);
  const hash = createHash('sha256').update(text);
  // By their paths from the protocol's folder, so that the folder can move (merge finds it by its digest).
  const folder = dirname(modulePath(file));
  const parts = imported
    .map((path) => ({ name: relative(folder, path).split('\\').join('/'), path }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, path } of parts) hash.update(`\0${name}\0`).update(sha256(readFileSync(path)));
  return hash.digest('hex');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The last answer of importedFiles for each file, with the texts it read: a command asks it two or
 * three times for the same file as it checks, loads and verifies it, and reading the imports
 * again costs far less than lexing them (the texts are compared, so a file changed since is read anew).
 */
const lastImports = new Map<string, { readonly texts: readonly string[]; readonly found: readonly string[] }>();

/** The files `file` imports by relative paths, and theirs, transitively (each once; not `file` itself). */
export function importedFiles(file: string, text: string): string[] {
  const last = lastImports.get(file);
  if (last && last.texts[0] === text && last.found.every((path, i) => readIfFile(path) === last.texts[i + 1])) return [...last.found];
  const found = lexImports(file, text);
  lastImports.set(file, { texts: [text, ...found.map((path) => readIfFile(path) ?? '')], found });
  return [...found];
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function lexImports(file: string, text: string): string[] {
  const seen = new Set<string>([modulePath(file)]);
  const found: string[] = [];
  const queue: [string, string][] = [[modulePath(file), text]];
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [from, source] = next;
    for (const { specifier, required } of relativeSpecifiers(source)) {
      const path = importedPath(from, specifier, required);
      if (path === undefined || seen.has(path) || !existsSync(path) || !statSync(path).isFile()) continue;
      seen.add(path);
      found.push(path);
      queue.push([path, readFileSync(path, 'utf8')]);
    }
  }
  return found;
}

/**
 * The file a module at `from` (its path as modulePath gives it) loads by a relative specifier:
 * an import's URL path, or the file `require` finds; as modulePath gives it, or undefined where there is none.
 */
export function importedPath(from: string, specifier: string, required: boolean): string | undefined {
  const path = required ? requiredPath(from, specifier) : resolve(dirname(from), pathOf(specifier));
  return path === undefined ? undefined : modulePath(path);
}

/**
 * A module's path as Node.js loads it: the file a symbolic link names, unless --preserve-symlinks
 * (or NODE_PRESERVE_SYMLINKS=1) keeps the link's own. Its relative imports are found from there:
 * a protocol file linked from another folder imports the helpers beside the file it links to,
 * and those are what its digest must cover (the helpers beside the link, or none, were covered,
 * and a change to the helpers it ran went unseen).
 */
export function modulePath(path: string): string {
  const absolute = resolve(path);
  if (process.execArgv.includes('--preserve-symlinks') || process.env['NODE_PRESERVE_SYMLINKS'] === '1') return absolute;
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/** A relative URL's path (`./a%20b.mjs?x` names `./a b.mjs`), or the specifier as written where it is no URL. */
function pathOf(specifier: string): string {
  const path = specifier.split(/[?#]/)[0]!;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The file `require(specifier)` in `from` loads, as Node.js finds it: a path as written (no URL),
 * with `.js`, `.json` or `.node` added, or a folder's `index.js` or package.json `main`;
 * undefined where there is none.
 */
function requiredPath(from: string, specifier: string): string | undefined {
  try {
    return createRequire(from).resolve(specifier);
  } catch {
    return undefined;
  }
}

/** The relative specifiers (`./`, `../`) a module's source names, and whether each is a require() (resolved as Node.js resolves it). */
function relativeSpecifiers(source: string): { specifier: string; required: boolean }[] {
  const specifiers: { specifier: string; required: boolean }[] = [];
  try {
    for (const entry of parse(source)[0]) if (typeof entry.specifier === 'string') specifiers.push({ specifier: entry.specifier, required: false });
  } catch {
    // Source the lexer cannot read (CommonJS it takes for a module, a syntax error): the requires below, and the load names the error.
  }
  for (const match of source.matchAll(/\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g)) specifiers.push({ specifier: match[2]!, required: true });
  return specifiers.filter(({ specifier }) => /^\.{1,2}\//.test(specifier));
}
