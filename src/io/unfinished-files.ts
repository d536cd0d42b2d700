import { rmSync } from 'node:fs';

/**
 * Files being written under a temporary name (writeWholeFile), removed where a signal ends the
 * command before they are renamed into place: an interrupted command leaves no half-written file.
 */
const unfinished = new Set<string>();

export function startedWriting(path: string): void {
  unfinished.add(path);
}

export function finishedWriting(path: string): void {
  unfinished.delete(path);
}

/** Removes every file still being written (a signal ends the command). */
export function removeUnfinishedFiles(): void {
  for (const path of unfinished) rmSync(path, { force: true });
  unfinished.clear();
}
