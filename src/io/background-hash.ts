import { Worker } from 'node:worker_threads';

/**
 * A sha256 taken in a worker thread while the caller goes on: over texts and files' bytes (a
 * file as hashTraceFile feeds it, without a UTF-8 byte-order mark), in order. Hashing a file runs
 * at about a gigabyte a second, as long as reading a long ping log does; on a second core, the
 * two take the time of one.
 */
export interface BackgroundHash {
  /**
   * The hex digest, waited for; undefined if the worker could not take it (a file it could not
   * read) or took far longer than it should (a thread that never ran): the caller then hashes
   * the parts itself, to the same digest.
   */
  digest(): string | undefined;
}

/** The slowest a worker may hash before it is given up on: a tenth of the speed it runs at. */
const SLOWEST_BYTES_PER_MS = 100_000;

/** Files together this large are hashed in the background: below, a thread costs more than it saves. */
export const BACKGROUND_HASH_BYTES = 64 * 2 ** 20;

export type HashPart = { readonly text: string } | { readonly file: string };

const HASHER = `
const { workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { parts, state, digest } = workerData;
let outcome = 2;
try {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(1 << 20);
  for (const part of parts) {
    if (part.text !== undefined) {
      hash.update(part.text);
      continue;
    }
    const fd = openSync(part.file, 'r');
    try {
      for (let first = true; ; first = false) {
        const n = readSync(fd, block, 0, block.length, null);
        if (n === 0) break;
        const bytes = block.subarray(0, n);
        hash.update(first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes);
      }
    } finally {
      closeSync(fd);
    }
  }
  digest.set(Buffer.from(hash.digest('hex'), 'latin1'));
  outcome = 1;
} finally {
  Atomics.store(state, 0, outcome);
  Atomics.notify(state, 0);
}
`;

/** Starts hashing the parts in a worker thread. */
export function hashInBackground(parts: readonly HashPart[], bytes: number): BackgroundHash {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const digest = new Uint8Array(new SharedArrayBuffer(64));
  const worker = new Worker(HASHER, { eval: true, workerData: { parts, state, digest } });
  // An error the worker meets is told by its outcome; the process waits for no worker.
  worker.on('error', () => {});
  worker.unref();
  return {
    digest() {
      Atomics.wait(state, 0, 0, 5_000 + bytes / SLOWEST_BYTES_PER_MS);
      if (Atomics.load(state, 0) === 1) return Buffer.from(digest).toString('latin1');
      void worker.terminate();
      return undefined;
    },
  };
}
