import { inspect, types } from 'node:util';
import { UsageError } from '../errors.js';

/**
 * Whether a thrown value is an Error, asked without running a protocol file's code that could
 * throw in turn: an Error from another realm (`vm`) is one; a proxy is not (its traps are its
 * code), nor a value whose prototype chain throws as it is walked.
 */
export function isThrownError(value: unknown): value is Error {
  if (types.isProxy(value)) return false;
  try {
    // Walked to its end (or to Error.prototype) without throwing: every later `instanceof` is safe.
    return value instanceof Error || types.isNativeError(value);
  } catch {
    return false;
  }
}

/** An Error's message or stack, where reading it neither throws nor gives anything but text. */
export function errorText(error: Error, key: 'message' | 'stack'): string | undefined {
  try {
    const text = error[key];
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a thrown value is an Error as the tool's own are: its message and stack read as text. */
export function isPlainError(value: unknown): value is Error {
  return isThrownError(value) && errorText(value, 'message') !== undefined && errorText(value, 'stack') !== undefined;
}

/**
 * A value as words, without calling its own code (no toString, custom inspect, getters or proxy
 * traps): a proxy by that name alone (its target may be an Error), and an Error within a value
 * without its stack's lines.
 */
function shown(value: unknown): string {
  if (types.isProxy(value)) return 'a Proxy';
  try {
    return inspect(value, { customInspect: false, showProxy: true, depth: 2, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 200, maxArrayLength: 10 })
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .join('\n');
  } catch {
    return `a value that cannot be shown (${typeof value})`;
  }
}

/**
 * What a protocol file's code threw, as words: an Error's message, or the value itself (a file
 * may throw 42, null, a plain object or a symbol). Written without calling the value's own code
 * (no toString, no custom inspect, no proxy traps), which could throw in turn.
 */
export function thrownText(value: unknown): string {
  if (!isThrownError(value)) return `${shown(value)} (not an Error, so no place in the file to name)`;
  // Read once: a getter of the file's may answer otherwise the second time.
  let message: unknown;
  try {
    message = value.message;
  } catch {
    return 'an Error whose message throws as it is read';
  }
  return typeof message === 'string' ? message : `an Error whose message is not text: ${shown(message)}`;
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

/**
 * An engine's refusal of what a protocol did, which the engines name by the protocol's name alone
 * (`protocol NAME: node 0 dispatched …`), named with the protocol's file where it is that file's:
 * `protocol NAME (PATH): …`, as the file's other refusals are. Any other error as it is.
 */
export function refusalNamingFile(error: UsageError, protocol: string, file: string): UsageError {
  return error.place === `protocol ${protocol}` ? new UsageError(`protocol ${protocol} (${file})`, error.problem) : error;
}
