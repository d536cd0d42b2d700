import { rmSync } from 'node:fs';
import { checkWritable, removeCreated } from '../results/folder.js';
import type { Streams } from './output.js';

/**
 * Ctrl-C (or SIGTERM, SIGHUP) while results are to be saved: remove an unfinished folder (it never
 * carries the final name anyway) and say that nothing was saved; the exit code is 128 + the
 * signal's number, as where the signal ends the process itself.
 */
const STOPPING_SIGNALS = { SIGINT: ['interrupted', 130], SIGTERM: ['terminated (SIGTERM)', 143], SIGHUP: ['hung up (SIGHUP)', 129] } as const;
// process.exit as the command started: a signal that arrives while a protocol file's own code
// runs (merge loads them after --out's folders are made) ends the command, where that code's
// process.exit, refused for the time it runs, would throw.
const exit = process.exit.bind(process);
export const interruptions = {
  temporary: '',
  /** Folders --out created (checkWritable), removed with the unfinished one while they are empty. */
  created: [] as string[],
  handlers: [] as [NodeJS.Signals, () => void][],
  watch(streams: Streams): void {
    for (const [signal, [words, code]] of Object.entries(STOPPING_SIGNALS) as [NodeJS.Signals, readonly [string, number]][]) {
      const handler = (): void => {
        if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
        removeCreated(this.created);
        streams.stderr.write(`twogenerals: ${words}; no result folder was saved\n`);
        exit(code);
      };
      process.once(signal, handler);
      this.handlers.push([signal, handler]);
    }
  },
  /**
   * Makes the result folder's parents (checkWritable) with the signals already watched: a signal
   * that came after the folders and before the handlers would end the process with them left behind.
   */
  watchAndMake(outDir: string, streams: Streams): void {
    this.watch(streams);
    try {
      this.created = checkWritable(outDir);
    } catch (error) {
      this.stop();
      throw error;
    }
  },
  stop(): void {
    for (const [signal, handler] of this.handlers) process.removeListener(signal, handler);
    this.handlers = [];
    this.created = [];
  },
};
