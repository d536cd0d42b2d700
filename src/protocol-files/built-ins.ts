import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * JavaScript's built-in objects, as a protocol file found them. The tool computes its numbers with
 * them (Math.sqrt in every interval, Math.imul in every random stream, JSON in every shard), in
 * the same realm as the file's code: a file that replaces one (`Math.sqrt = …`) or adds to a
 * prototype every object shares (`Object.prototype.success = …`) would change what the tool
 * prints, or break it with an internal error. Such a file is refused instead, naming the member.
 */
const NAMESPACES = ['Math', 'JSON', 'Reflect', 'Atomics', 'Intl', 'WebAssembly'] as const;
const CONSTRUCTORS = [
  'Object',
  'Function',
  'Array',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'BigInt',
  'Date',
  'RegExp',
  'Error',
  'TypeError',
  'RangeError',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'Promise',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'TextEncoder',
  'TextDecoder',
  // Node's: the tool reads every file (a trace, a scenario, a shard) into one and decodes it with its methods.
  'Buffer',
] as const;
/**
 * Node's own modules the tool writes and names its results with (a result folder's files through
 * node:fs, their paths through node:path and node:url, digests through node:crypto, the worker
 * threads and the isolating process): their exports are one object every importer shares, so a
 * file that replaces `fs.writeFileSync` changes a saved results.csv as `Math.sqrt` would an interval.
 */
const NODE_MODULES = ['fs', 'fs/promises', 'path', 'url', 'util', 'os', 'crypto', 'events', 'child_process', 'worker_threads', 'module'] as const;
const FUNCTIONS = ['parseInt', 'parseFloat', 'isNaN', 'isFinite', 'structuredClone', 'queueMicrotask', 'setTimeout', 'setImmediate', 'clearTimeout'] as const;

// Read once, before any file's code runs: the comparison below must not itself go through a
// member the file replaced (a `push` that does nothing would make every list empty), so it uses
// these, index loops and === only.
const ownKeys = Reflect.ownKeys;
const describe = Reflect.getOwnPropertyDescriptor;
const sameValue = Object.is;

interface Watched {
  readonly name: string;
  readonly target: object;
  /** Whether a member added counts: on a prototype every object (or array, number…) inherits it. */
  readonly additions: boolean;
  /** Whether only its methods count (a Node module's, some of whose other members are getters that load on first use). */
  readonly methods?: boolean;
}

function watchedNow(): Watched[] {
  const g = globalThis as unknown as Record<string, object | undefined>;
  const list: Watched[] = [{ name: 'globalThis', target: globalThis, additions: false }];
  for (const name of NAMESPACES) if (g[name]) list.push({ name, target: g[name], additions: false });
  for (const name of CONSTRUCTORS) {
    const constructor = g[name] as { prototype?: object } | undefined;
    if (!constructor) continue;
    list.push({ name, target: constructor, additions: false });
    if (constructor.prototype) list.push({ name: `${name}.prototype`, target: constructor.prototype, additions: true });
  }
  // What every typed array inherits (Int32Array.prototype's own prototype).
  list.push({ name: 'TypedArray.prototype', target: Object.getPrototypeOf(Int32Array.prototype) as object, additions: true });
  // What every for…of, spread and destructuring goes through: the iterators of arrays, maps, sets,
  // strings and generators (the tool's tasks are a generator's), and the prototype they share.
  const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]()) as object;
  list.push({ name: 'ArrayIterator.prototype', target: arrayIterator, additions: true });
  list.push({ name: 'Iterator.prototype', target: Object.getPrototypeOf(arrayIterator) as object, additions: true });
  list.push({ name: 'MapIterator.prototype', target: Object.getPrototypeOf(new Map()[Symbol.iterator]()) as object, additions: true });
  list.push({ name: 'SetIterator.prototype', target: Object.getPrototypeOf(new Set()[Symbol.iterator]()) as object, additions: true });
  list.push({ name: 'StringIterator.prototype', target: Object.getPrototypeOf(''[Symbol.iterator]()) as object, additions: true });
  list.push({ name: 'RegExpStringIterator.prototype', target: Object.getPrototypeOf(/x/[Symbol.matchAll]('')) as object, additions: true });
  list.push({ name: 'Generator.prototype', target: (Object.getPrototypeOf(function* () {}) as { prototype: object }).prototype, additions: true });
  const require = createRequire(resolve('twogenerals.js'));
  for (const name of NODE_MODULES) list.push({ name: `node:${name}`, target: require(`node:${name}`) as object, additions: false, methods: true });
  return list;
}
/** Made at the first record (before any file's code runs): Node's modules are loaded only by a command that loads a protocol file. */
let WATCHED: Watched[] = [];
let watchedMade = false;

/** Members of globalThis watched: the built-ins above, not a file's own globals (nor console, which the tool itself replaces). */
const GLOBAL_NAMES: Record<PropertyKey, true> = Object.create(null);
for (const name of [...NAMESPACES, ...CONSTRUCTORS, ...FUNCTIONS, 'globalThis', 'NaN', 'Infinity', 'undefined']) GLOBAL_NAMES[name] = true;

/** One watched object's members: key, value, getter, setter. */
interface Members {
  readonly keys: PropertyKey[];
  readonly values: unknown[];
  readonly gets: unknown[];
  readonly sets: unknown[];
}
export type BuiltIns = readonly Members[];

function members(target: object, methods = false): Members {
  const found: Members = { keys: [], values: [], gets: [], sets: [] };
  const keys = ownKeys(target);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (target === globalThis && GLOBAL_NAMES[key as string] !== true) continue;
    const d = describe(target, key);
    if (d === undefined || (methods && typeof d.value !== 'function')) continue;
    found.keys[n] = key;
    found.values[n] = d.value;
    found.gets[n] = d.get;
    found.sets[n] = d.set;
    n++;
  }
  return found;
}

/** The built-ins' members as they are now. */
export function builtIns(): BuiltIns {
  if (!watchedMade) {
    watchedMade = true;
    WATCHED = watchedNow();
  }
  const all: Members[] = [];
  for (let w = 0; w < WATCHED.length; w++) all[w] = members(WATCHED[w]!.target, WATCHED[w]!.methods);
  return all;
}

function indexOf(keys: readonly PropertyKey[], key: PropertyKey): number {
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
  return -1;
}

/** Whether `now` has the members of `was`, in the same order (as they stay unless one is deleted or added). */
function unchanged(was: Members, now: Members): boolean {
  if (now.keys.length !== was.keys.length) return false;
  for (let i = 0; i < was.keys.length; i++) {
    if (now.keys[i] !== was.keys[i] || !sameValue(now.values[i], was.values[i]) || now.gets[i] !== was.gets[i] || now.sets[i] !== was.sets[i]) return false;
  }
  return true;
}

/** The first built-in member changed, removed or (on a prototype) added since `before`, as `Math.sqrt`; or undefined. */
export function changedBuiltIn(before: BuiltIns): string | undefined {
  for (let w = 0; w < WATCHED.length; w++) {
    const { name, target, additions, methods } = WATCHED[w]!;
    const was = before[w]!;
    const now = members(target, methods);
    if (unchanged(was, now)) continue;
    const named = (key: PropertyKey): string =>
      name === 'globalThis' ? String(key) : `${name}${typeof key === 'symbol' ? `[${key.description}]` : `.${key}`}`;
    for (let i = 0; i < was.keys.length; i++) {
      const j = indexOf(now.keys, was.keys[i]!);
      const same = j >= 0 && sameValue(now.values[j], was.values[i]);
      if (!same || now.gets[j] !== was.gets[i] || now.sets[j] !== was.sets[i]) return named(was.keys[i]!);
    }
    if (additions) for (let j = 0; j < now.keys.length; j++) if (indexOf(was.keys, now.keys[j]!) < 0) return named(now.keys[j]!);
  }
  return undefined;
}

/** The refusal's words after the file's path: which member, when. */
export function builtInChanged(member: string, stage: string): string {
  return `changed ${member.startsWith('node:') ? "Node.js's built-in module member" : "JavaScript's built-in"} ${member} while ${stage}: a protocol file must leave the built-in objects as it found them (twogenerals computes its numbers with them)`;
}

/** The built-ins as the first protocol file this process loaded found them, and the files loaded since. */
let baseline: BuiltIns | undefined;
const files: string[] = [];

/** From now on the tool's results are written only while the built-ins are as `found` (before `file` was loaded). */
export function watchBuiltIns(found: BuiltIns, file: string): void {
  baseline ??= found;
  if (!files.includes(file)) files.push(file);
}

/**
 * Before the tool writes its results to standard output: a protocol file's method in a cell the
 * quick check did not visit, or a callback it scheduled (`setTimeout(() => { Math.sqrt = … })`),
 * may have changed a built-in the numbers were computed with after the file was loaded. Then
 * nothing is written: the file's one line instead, exit 2.
 */
export function refuseBuiltInsChangedSinceLoad(): void {
  if (baseline === undefined) return;
  const changed = changedBuiltIn(baseline);
  if (changed === undefined) return;
  baseline = undefined; // said once
  throw new UsageError(files.join(', '), builtInChanged(changed, 'the command ran (in a method, or a callback it scheduled)'));
}
