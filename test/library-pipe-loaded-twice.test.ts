import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadScenario } from '../src/index.js';
import { tempFiles } from './helpers.js';

/** Writes `text` whole into the named pipe `fifo` once a reader opens it, then closes it. */
async function writeOnce(fifo: string, text: string): Promise<void> {
  const writer = await open(fifo, 'w');
  await writer.write(text);
  await writer.close();
}

/**
 * The library's loadScenario reads a named pipe afresh at each call: the bytes read ahead from a
 * pipe were held for the whole process, so a second call took the first call's bytes and loaded
 * the first scenario again (loss 0.1), whatever the writer wrote then (loss 0.9).
 */
describe("the library's loadScenario of one named pipe twice", { skip: process.platform !== 'linux' }, () => {
  const dir = tempFiles({});
  const fifo = join(dir, 's.fifo');
  execFileSync('mkfifo', [fifo]);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads what the writer wrote each time', { timeout: 60_000 }, async () => {
    const names: string[] = [];
    for (const [name, loss] of [
      ['first', 0.1],
      ['second', 0.9],
    ] as const) {
      const written = writeOnce(fifo, `name: ${name}\nprotocol: messenger\nloss: ${loss}\n`);
      const scenario = await loadScenario(fifo);
      names.push(`${scenario.name} ${JSON.stringify(scenario).includes(`"loss":${loss}`)}`);
      // A writer no load read from is let go, so that a failing test ends.
      const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      await written;
      await reader.close();
    }
    assert.deepEqual(names, ['first true', 'second true']);
  });
});
