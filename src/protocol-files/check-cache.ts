import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL } from '../version.js';

/**
 * Protocol files that passed the quick check in a process of their own (isolate.ts), remembered
 * across commands: a file run again unchanged is not checked again, which spares each run a Node.js
 * process (about 0.1 s, most of a short run's own cost). What is remembered is only that it passed,
 * under a key made of everything the check's verdict depends on: the file's path and sha256 (its
 * imports included, digest.ts), the check's own code, the Node.js that ran it, its options and the
 * environment variables that set the check's limits. Any change makes another key, and the file is
 * checked again; a file that failed is never remembered. The command still loads the file itself
 * and verifies its digest, as after a check.
 *
 * The folder is TWOGENERALS_CACHE_DIR, else $XDG_CACHE_HOME/twogenerals, else ~/.cache/twogenerals;
 * TWOGENERALS_CACHE_DIR set to an empty value keeps no record. A folder that cannot be read or
 * written is no record: the file is checked as if it were new.
 */
const ENTRIES = 'checked';
/** Records kept at most: past this, the folder is emptied before the next record (a record is an empty file). */
const MOST_RECORDS = 2000;

/** Where records are kept, or null where none are. */
export function checkCacheFolder(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env['TWOGENERALS_CACHE_DIR'];
  if (given !== undefined) return given === '' ? null : join(given, ENTRIES);
  const base = env['XDG_CACHE_HOME'] || join(safeHome(), '.cache');
  return base === '.cache' ? null : join(base, 'twogenerals', ENTRIES);
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}

/** The check's own code: the isolating process's script, by its size and time (a build writes it anew, and with it every key changes). */
let checkCode: string | undefined;
function checkCodeIdentity(): string {
  if (checkCode === undefined) {
    try {
      const { size, mtimeMs } = statSync(fileURLToPath(new URL('./isolate-worker.js', import.meta.url)));
      checkCode = `${size}:${mtimeMs}`;
    } catch {
      checkCode = '';
    }
  }
  return checkCode;
}

/** The record's name: a digest of the file's path and digest and of all the check's verdict depends on besides. */
export function checkCacheKey(file: string, digest: string, env: NodeJS.ProcessEnv = process.env): string {
  const parts = [
    TOOL.version,
    checkCodeIdentity(),
    process.version,
    process.arch,
    process.execPath,
    JSON.stringify(process.execArgv),
    env['NODE_OPTIONS'] ?? '',
    env['TWOGENERALS_WATCHDOG_MS'] ?? '',
    env['TWOGENERALS_ISOLATED_HEAP_MB'] ?? '',
    file,
    digest,
  ];
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** The record of the file with this digest, or null where none is kept (no folder, or the check's own code unreadable). */
function recordOf(file: string, digest: string): { folder: string; key: string } | null {
  const folder = checkCacheFolder();
  if (folder === null) return null;
  const key = checkCacheKey(file, digest);
  return checkCode === '' ? null : { folder, key };
}

/** Whether the file, with this digest, passed the quick check before under the same conditions. */
export function passedBefore(file: string, digest: string): boolean {
  const record = recordOf(file, digest);
  if (record === null) return false;
  try {
    return statSync(join(record.folder, record.key)).isFile();
  } catch {
    return false;
  }
}

/** Records that the file, with this digest, passed the quick check; silently nothing where the folder cannot be written. */
export function rememberPassed(file: string, digest: string): void {
  const record = recordOf(file, digest);
  if (record === null) return;
  const { folder, key } = record;
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (readdirSync(folder).length >= MOST_RECORDS) rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Written whole under another name first: a command reading at the same time sees it or not, never half.
    const part = join(folder, `${key}.${process.pid}.part`);
    writeFileSync(part, '');
    renameSync(part, join(folder, key));
  } catch {
    // No record: the next command checks the file again.
  }
}
