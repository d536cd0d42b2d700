import { accessSync, constants, lstatSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { systemErrorWords } from './files.js';
import { finishedWriting, startedWriting } from './unfinished-files.js';

/**
 * Makes sure a file can be written at `path` before any work is done, so that a long run never
 * ends in "cannot write": its folder must exist and be writable, and the path must not be a
 * folder. Nothing is created. `flag` names where the user gave it (`-o chart.svg`).
 */
export function checkOutputFile(
  path: string,
  flag: string,
  what: string,
  inputs: readonly string[] = [],
  stdout = "stdout carries the command's own output",
): void {
  const refuse = (why: string): UsageError => new UsageError(flag, `cannot write ${what}: ${why}`);
  refuseDashName(path, flag, `write ${what}`, stdout);
  // An empty name is no file (it would be the working folder, or stdout where -o is optional).
  if (path.trim() === '') throw refuse('give a file name');
  // A slip such as `--junit scenario.yaml` would write over what the command reads, also by a
  // symbolic link to it (which is written through).
  const real = (file: string): string => {
    try {
      return realpathSync(file);
    } catch {
      return resolve(file);
    }
  };
  if (inputs.some((input) => resolve(input) === resolve(path) || real(input) === real(path))) throw refuse('it is a file this command reads');
  const folder = dirname(resolve(path));
  try {
    if (!statSync(folder).isDirectory()) throw refuse(`${dirname(path)} is not a folder`);
    // A regular file (or a new one) is written beside itself and renamed (writeWholeFile): the
    // folder must take a new entry, which access() does not tell for root or under /proc or /sys.
    // A device, pipe or link is written in place, and only its own permission counts (below):
    // asking /dev for it refused `--junit /dev/null` and `-o /dev/stdout` to every user but root.
    if (!isWrittenInPlace(path)) {
      accessSync(folder, constants.W_OK);
      try {
        probeFolder(folder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw refuse(`a file cannot be created in ${dirname(path)}`);
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'ENOTDIR' ? `${dirname(path)} is not a folder` : systemErrorWords(error));
  }
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path);
  } catch (error) {
    // A name too long, a loop of symbolic links: the write would fail the same way after the work.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(systemErrorWords(error));
    // Not there yet: the folder allows creating it. A symbolic link to nothing is written through
    // (writeWholeFile), so the place it points at must take the file.
    let target: string | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) target = resolve(dirname(resolve(path)), readlinkSync(path));
    } catch {
      target = undefined;
    }
    if (target !== undefined) checkOutputFile(target, flag, what, inputs, stdout);
    return;
  }
  if (stat.isDirectory()) throw refuse('it is a directory');
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw refuse(systemErrorWords(error));
  }
}

/** Whether writeWholeFile writes `path` in place: it is there and no regular file (a device, a pipe, a symbolic link). */
function isWrittenInPlace(path: string): boolean {
  try {
    return !lstatSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Creates and removes a hidden folder in `folder`: the one sure test that an entry can be made
 * there. access(W_OK) says yes to root everywhere, and to anyone under /proc, where creating
 * fails (no such file or directory) only once the work is done.
 */
export function probeFolder(folder: string): void {
  rmdirSync(mkdtempSync(join(folder, '.twogenerals-probe-')));
}

/**
 * No output flag takes `-` for stdout, and none writes a file whose name starts with `-`: `-` is
 * refused (stdout carries the command's own output: `stdout` says how to have this there), and
 * so is `-x`, most often an option taken as the value (`--junit --exact` wrote a file named
 * `--exact`, and the run went without --exact). `./-x` names such a file on purpose.
 */
export function refuseDashName(path: string, flag: string, doing: string, stdout: string, kind = 'file'): void {
  if (path === '-') throw new UsageError(flag, `cannot ${doing}: - is not stdout here (${stdout}); ./- names a ${kind} -`);
  if (path.startsWith('-')) throw new UsageError(flag, `cannot ${doing}: ${path} starts with -, an option taken as the name? ./${path} names such a ${kind}`);
}

/**
 * Writes a whole file or none: into a hidden temporary file beside `path`, renamed over it when
 * complete, so a full disk or a failed write leaves the file as it was (or absent), never cut
 * short. A path that is there but is not a regular file (a device such as /dev/stdout, a pipe,
 * a symbolic link) is written in place, as the user pointed at it.
 */
export function writeWholeFile(path: string, data: string | Uint8Array): void {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !existing.isFile()) {
    writeFileSync(path, data);
    return;
  }
  // Beside it (a rename within one file system), hidden, and short enough for any name the file may have.
  const temporary = join(dirname(path), `.${basename(path).slice(0, 60)}.partial-${process.pid}`);
  startedWriting(temporary);
  try {
    writeFileSync(temporary, data, existing === undefined ? {} : { mode: existing.mode & 0o7777 });
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // what is there is not ours to remove (a folder of that name): the write's own error says enough
    }
    throw error;
  } finally {
    finishedWriting(temporary);
  }
}
