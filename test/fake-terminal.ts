import { Writable } from 'node:stream';
import type { Output } from '../src/cli/output.js';

/** A terminal 100 columns wide (isTTY) that keeps what is written to it: `output` for a stream, `text()` what it received. */
export function fakeTerminal(): { output: Output; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY: true, columns: 100 },
  );
  return { output: stream as unknown as Output, text: () => text };
}
