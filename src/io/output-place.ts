import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { systemErrorWords } from './files.js';

/**
 * Makes sure a file can be written at `path` before any work is done, so that a long run never
 * ends in "cannot write": its folder must exist and be writable, and the path must not be a
 * folder. Nothing is created. `flag` names where the user gave it (`-o chart.svg`).
 */
export function checkOutputFile(path: string, flag: string, what: string): void {
  const refuse = (why: string): UsageError => new UsageError(flag, `cannot write ${what}: ${why}`);
  const folder = dirname(resolve(path));
  try {
    if (!statSync(folder).isDirectory()) throw refuse(`${dirname(path)} is not a folder`);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOTDIR' ? `${dirname(path)} is not a folder` : systemErrorWords(error));
  }
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch {
    return; // not there yet: the folder allows creating it
  }
  if (stat.isDirectory()) throw refuse('it is a directory');
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw refuse(systemErrorWords(error));
  }
}
