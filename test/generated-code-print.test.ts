import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGenerated } from '../src/engine/generated-code.js';

/**
 * TWOGENERALS_PRINT_KERNEL prints each compiled source to stderr headed by its label and ended by
 * a newline, so that two kernels printed one after the other are two readable blocks, and the
 * function compiled is the source printed.
 */
describe('generated code printed as it is compiled', () => {
  it('prints the header, the source and a newline to stderr only, and compiles that source', () => {
    const printed: string[] = [];
    const saved = process.env['TWOGENERALS_PRINT_KERNEL'];
    const write = process.stderr.write;
    const out = process.stdout.write;
    process.env['TWOGENERALS_PRINT_KERNEL'] = '1';
    process.stderr.write = ((text: string) => printed.push(text) > 0) as typeof process.stderr.write;
    process.stdout.write = (() => assert.fail('nothing on stdout')) as typeof process.stdout.write;
    try {
      const first = compileGenerated('kernel one', ['a'], 'return a + 1;');
      const second = compileGenerated('kernel two', ['a', 'b'], 'return a * b;');
      assert.equal(first(2), 3);
      assert.equal(second(3, 4), 12);
    } finally {
      process.stderr.write = write;
      process.stdout.write = out;
      if (saved === undefined) delete process.env['TWOGENERALS_PRINT_KERNEL'];
      else process.env['TWOGENERALS_PRINT_KERNEL'] = saved;
    }
    assert.equal(printed.join(''), '// twogenerals kernel one\nreturn a + 1;\n// twogenerals kernel two\nreturn a * b;\n');
  });
});
