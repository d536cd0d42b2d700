import { inspect } from 'node:util';

/**
 * What a protocol file's code threw, as words: an Error's message, or the value itself (a file
 * may throw 42, null, a plain object or a symbol). Written without calling the value's own code
 * (no toString, no custom inspect, no proxy traps), which could throw in turn.
 */
export function thrownText(value: unknown): string {
  if (value instanceof Error) return value.message;
  return `${inspect(value, { customInspect: false, showProxy: true, depth: 2, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 200, maxArrayLength: 10 })} (not an Error, so no place in the file to name)`;
}

/**
 * The tool's own code and its libraries throw only Errors: any other thrown value came from a
 * protocol file's code. Named as a UsageError so that a worker thread's report keeps it the user's.
 */
export function notAnErrorThrown(value: unknown, protocol: string, file: string): Error {
  const error = new Error(`protocol ${protocol} (${file}) threw: ${thrownText(value)}`);
  error.name = 'UsageError';
  return error;
}
