import { rmSync } from 'node:fs';
import { removeUnfinishedFiles } from '../io/unfinished-files.js';
import { checkWritable, removeCreated } from '../results/folder.js';
import type { Streams } from './output.js';

/**
 * Ctrl-C (or SIGTERM, SIGHUP) ends every command alike: one line on stderr (`twogenerals:
 * interrupted`), what it was writing removed (an unfinished result folder, which never carries
 * the final name anyway, and the folders --out made for it; a file written under a temporary
 * name), and the exit code 128 + the signal's number, as where the signal ends the process itself.
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
  /** Whether a result folder is to be saved (--out): the line then says that none was. */
  saving: false,
  /** Whether the handlers stay for the whole process (main), rather than for one saving command. */
  everywhere: false,
  handlers: [] as [NodeJS.Signals, () => void][],
  watch(streams: Streams): void {
    if (this.handlers.length > 0) return;
    for (const [signal, [words, code]] of Object.entries(STOPPING_SIGNALS) as [NodeJS.Signals, readonly [string, number]][]) {
      const handler = (): void => {
        if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
        removeCreated(this.created);
        removeUnfinishedFiles();
        streams.stderr.write(`twogenerals: ${words}${this.saving ? '; no result folder was saved' : ''}\n`);
        exit(code);
      };
      process.once(signal, handler);
      this.handlers.push([signal, handler]);
    }
  },
  /** The process's own handlers, for every command, from its start (main). */
  watchEverywhere(streams: Streams): void {
    this.everywhere = true;
    this.watch(streams);
  },
  /**
   * Makes the result folder's parents (checkWritable) with the signals already watched: a signal
   * that came after the folders and before the handlers would end the process with them left behind.
   */
  watchAndMake(outDir: string, streams: Streams): void {
    this.watch(streams);
    this.saving = true;
    try {
      this.created = checkWritable(outDir);
    } catch (error) {
      this.stop();
      throw error;
    }
  },
  /** The result folder is saved (or will not be): a signal from here on says only that it came. */
  stop(): void {
    if (!this.everywhere) {
      for (const [signal, handler] of this.handlers) process.removeListener(signal, handler);
      this.handlers = [];
    }
    this.created = [];
    this.temporary = '';
    this.saving = false;
  },
};
