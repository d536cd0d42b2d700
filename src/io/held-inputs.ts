import { resolve } from 'node:path';

/**
 * Inputs that stream (a pipe, a terminal), read ahead through the event loop (stream-input.ts),
 * by their full path: their bytes are there once, for every reading of them in this process.
 */
const held = new Map<string, Buffer>();

/**
 * The same bytes by the stream's own identity (its device and inode): a named pipe given by two
 * names (itself and a symbolic link to it, /dev/stdin and /dev/fd/0) is read once, and the second
 * name takes what the first read, where opening it again waited for ever for a writer gone.
 */
const heldByIdentity = new Map<string, Buffer>();

/** The bytes read ahead for `path`, or undefined: a regular file, or an input nothing read ahead. */
export function heldInput(path: string): Buffer | undefined {
  return held.size === 0 ? undefined : held.get(resolve(path));
}

/** The bytes read ahead for the stream of this identity (`device:inode`) under any name, or undefined. */
export function heldStream(identity: string): Buffer | undefined {
  return heldByIdentity.get(identity);
}

/** Holds the bytes read ahead for `path`, the stream of this identity. */
export function holdInput(path: string, bytes: Buffer, identity: string): void {
  held.set(resolve(path), bytes);
  heldByIdentity.set(identity, bytes);
}

/** Forgets every input read ahead: the next reading of a pipe reads it again (the library's loads, each its own). */
export function forgetHeldInputs(): void {
  held.clear();
  heldByIdentity.clear();
}
