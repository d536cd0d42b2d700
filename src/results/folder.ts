import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { systemErrorWords } from '../io/files.js';
import { probeFolder } from '../io/output-place.js';

/**
 * Creates `dir` and any missing parents one level at a time, so that every step is one system
 * call that succeeds or fails (a recursive mkdir can loop forever where the kernel answers oddly,
 * as under /proc). Throws the first failure. Each folder it creates goes into `created`,
 * outermost first; one that another process made meanwhile (runs started together with one
 * `--out`) is taken as found.
 */
function makeDirectories(dir: string, created: string[]): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let exists = false;
    try {
      const stat = statSync(at);
      if (!stat.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      exists = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (exists) break;
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      // Another run saving to the same place made it since it was found missing: it is there, but
      // not this run's to remove.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(path)) continue;
      throw error;
    }
    created.push(path);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes sure results can be saved under `dir` before anything runs: one clear line if not.
 * Returns the folders it created for that (outermost first): a command that then saves nothing
 * removes them (removeCreated), so a failed run leaves nothing it made.
 */
export function checkWritable(dir: string): string[] {
  const created: string[] = [];
  try {
    makeDirectories(dir, created);
    accessSync(dir, constants.W_OK);
    // The result folder is made inside dir: access() says yes to root even where that fails (/proc).
    if (!created.length) probeFolder(dir);
    return created;
  } catch (error) {
    removeCreated(created);
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR' || code === 'EEXIST' ? 'it is not a directory' : code === 'ENOENT' ? 'a directory cannot be created there' : systemErrorWords(error);
    throw new UsageError(`--out ${dir}`, `cannot save results there: ${why}`);
  }
}

/**
 * Removes the folders checkWritable created, innermost first, while they are empty: one that
 * holds anything (saved results, another run's folder) stays, and so do the folders around it.
 */
export function removeCreated(created: readonly string[]): void {
  for (const path of [...created].reverse()) {
    try {
      rmdirSync(path);
    } catch {
      return;
    }
  }
}

/** `name-YYYYMMDDTHHMMSSZ`, made unique in `dir` by a -2, -3… suffix: never overwrites. */
export function folderName(dir: string, name: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const base = `${name.slice(0, 80)}-${stamp}`;
  let candidate = base;
  for (let n = 2; existsSync(join(dir, candidate)); n++) {
    if (n > 10000) throw new UsageError(`--out ${dir}`, `cannot save results: ${base} and 10,000 variants of it exist already`);
    candidate = `${base}-${n}`;
  }
  return candidate;
}

/**
 * Writes the files into a hidden temporary folder and renames it into place when complete, so
 * a folder under its final name is always whole. `name` gives the first free name (folderName);
 * where another run takes that name while this one writes (runs saving to one folder at once),
 * it is asked again, so the folder gets the next suffix: never overwritten, never refused.
 * Returns the final path. `onTemporary` hears the temporary path, so an interrupted run can
 * remove it.
 */
export function writeResultFolder(dir: string, name: () => string, files: Readonly<Record<string, string>>, onTemporary?: (path: string) => void): string {
  let chosen = name();
  const temporary = join(dir, `.${chosen}.partial-${process.pid}`);
  onTemporary?.(temporary);
  try {
    mkdirSync(temporary);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(temporary, file), text);
    for (let attempt = 1; ; attempt++) {
      const final = join(dir, chosen);
      try {
        // A rename onto a folder that holds files fails (ENOTEMPTY, EEXIST): it never replaces another run's.
        if (!existsSync(final)) {
          renameSync(temporary, final);
          return final;
        }
      } catch (error) {
        if (!existsSync(final)) throw error;
      }
      if (attempt >= 100) throw new UsageError(`--out ${dir}`, `cannot save results: ${final} and the names after it were taken while writing`);
      chosen = name();
    }
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--out ${dir}`, `cannot save results: ${systemErrorWords(error)}`);
  }
}
