import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** Makes sure results can be saved under `dir` before anything runs: one clear line if not. */
export function checkWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' || code === 'EEXIST' ? 'it is not a directory' : String(code);
    throw new UsageError(`--out ${dir}`, `cannot save results there: ${why}`);
  }
}

/** `name-YYYYMMDDTHHMMSSZ`, made unique in `dir` by a -2, -3… suffix: never overwrites. */
export function folderName(dir: string, name: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = `${name.slice(0, 80)}-${stamp}`;
  let candidate = base;
  for (let n = 2; existsSync(join(dir, candidate)); n++) candidate = `${base}-${n}`;
  return candidate;
}

/**
 * Writes the files into a hidden temporary folder and renames it into place when complete, so
 * a folder under its final name is always whole. Returns the final path. `onTemporary` hears
 * the temporary path, so an interrupted run can remove it.
 */
export function writeResultFolder(dir: string, name: string, files: Readonly<Record<string, string>>, onTemporary?: (path: string) => void): string {
  const final = join(dir, name);
  const temporary = join(dir, `.${name}.partial-${process.pid}`);
  onTemporary?.(temporary);
  try {
    mkdirSync(temporary, { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(temporary, file), text);
    if (existsSync(final)) throw new Error(`${final} appeared while writing`);
    renameSync(temporary, final);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new UsageError(`--out ${dir}`, `cannot save results: ${(error as Error).message}`);
  }
  return final;
}
