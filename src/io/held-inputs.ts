import { resolve } from 'node:path';

/**
 * Inputs that stream (a pipe, a terminal), read ahead through the event loop (stream-input.ts),
 * by their full path: their bytes are there once, for every reading of them in this process.
 */
const held = new Map<string, Buffer>();

/** The bytes read ahead for `path`, or undefined: a regular file, or an input nothing read ahead. */
export function heldInput(path: string): Buffer | undefined {
  return held.size === 0 ? undefined : held.get(resolve(path));
}

/** Holds the bytes read ahead for `path`. */
export function holdInput(path: string, bytes: Buffer): void {
  held.set(resolve(path), bytes);
}
