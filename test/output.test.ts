import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { DirectOutput, writesDirectly } from '../src/cli/output.js';
import type { OutputState } from '../src/cli/output.js';
import { temporaryDirectory } from './helpers.js';

/** A failure as fs.writeSync throws it. */
function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: write`), { code, syscall: 'write', errno: -1 });
}

/** Node's stream as DirectOutput hands writing to it: what it was given, and its error listeners. */
function fakeStream(): NodeJS.WriteStream & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') }) as unknown as NodeJS.WriteStream & { text: () => string };
}

const fresh = (): OutputState => ({ closed: false, failure: null });

describe('standard output written straight to its descriptor (src/cli/output.ts)', () => {
  const dir = temporaryDirectory('twogenerals-output-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unused = (): NodeJS.WriteStream => assert.fail('Node’s stream is not needed');

  it('takes a file and /dev/null directly, and nothing it cannot look at', () => {
    const fd = openSync(join(dir, 'kind'), 'w');
    try {
      assert.equal(writesDirectly(fd), true);
    } finally {
      closeSync(fd);
    }
    if (existsSync('/dev/null')) {
      const nul = openSync('/dev/null', 'w');
      try {
        assert.equal(writesDirectly(nul), true);
      } finally {
        closeSync(nul);
      }
    }
    assert.equal(writesDirectly(987654), false, 'a descriptor that is not open');
  });

  it('writes every byte of each text to a file, in order', () => {
    const path = join(dir, 'out.txt');
    const fd = openSync(path, 'w');
    try {
      const out = new DirectOutput(fd, unused, fresh());
      out.write('loss ±0.02792 │ z−0.4\n');
      out.write('');
      out.write('😀 second\n');
    } finally {
      closeSync(fd);
    }
    assert.equal(readFileSync(path, 'utf8'), 'loss ±0.02792 │ z−0.4\n😀 second\n');
  });

  it('goes on where a pipe took only part of a text', () => {
    const taken: number[] = [];
    const out = new DirectOutput(1, unused, fresh(), (_fd, bytes, offset, length) => {
      const n = Math.min(3, length);
      taken.push(...bytes.subarray(offset, offset + n));
      return n;
    });
    out.write('a table ±, then more\n');
    assert.equal(Buffer.from(taken).toString('utf8'), 'a table ±, then more\n');
  });

  it('stops writing, without throwing, once the reader has closed the pipe (EPIPE)', () => {
    const state = fresh();
    let calls = 0;
    const out = new DirectOutput(1, unused, state, () => {
      calls++;
      if (calls === 1) return 4;
      throw systemError('EPIPE');
    });
    out.write('header\n');
    out.write('row\n');
    assert.deepEqual(state, { closed: true, failure: null });
    assert.equal(calls, 2, 'nothing more is tried after EPIPE');
  });

  it('keeps any other failure for main() to report once (a full disk)', () => {
    const state = fresh();
    let calls = 0;
    const out = new DirectOutput(1, unused, state, () => {
      calls++;
      throw systemError('ENOSPC');
    });
    out.write('one\n');
    out.write('two\n');
    assert.equal(state.closed, false);
    assert.equal(state.failure?.code, 'ENOSPC');
    assert.equal(calls, 1);
  });

  it('ignores standard error’s failures: there is nowhere left to say anything', () => {
    const out = new DirectOutput(2, unused, null, () => {
      throw systemError('EIO');
    });
    assert.doesNotThrow(() => out.write('twogenerals: something\n'));
  });

  it('hands the rest, and all that follows, to Node’s stream where the descriptor would block (EAGAIN)', async () => {
    const state = fresh();
    const stream = fakeStream();
    let calls = 0;
    const out = new DirectOutput(
      1,
      () => stream,
      state,
      (_fd, _bytes, _offset, length) => {
        calls++;
        if (calls === 1) return Math.min(5, length);
        throw systemError('EAGAIN');
      },
    );
    out.write('first ±line\n');
    out.write('second\n');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(out.stream, stream);
    assert.equal(stream.text(), ' ±line\nsecond\n');
    assert.equal(calls, 2);
    stream.emit('error', systemError('EPIPE'));
    assert.equal(state.closed, true, 'the stream’s errors are listened for, as a guarded stdout’s are');
  });
});
