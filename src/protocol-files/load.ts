import { spawnSync } from 'node:child_process';
import { Console } from 'node:console';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { readTextInput, scenarioPathHint } from '../io/files.js';
import { refuseStreamingProtocolFile } from './regular-file.js';
import { importedFiles, protocolDigest } from './digest.js';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { UsageError } from '../errors.js';
import { keepToolClock } from '../io/tool-clock.js';
import { importModule } from '../io/import-module.js';
import { registerProtocol, RegistryClash } from '../catalog/register.js';
import { protocolNamed } from '../catalog/protocols.js';
import { crashParameterName } from '../catalog/parameters.js';
import { namingProblem } from './names.js';
import { firstMisnamed, OUTCOME_NAME, PLAIN_NAME } from './declared-names.js';
import { builtInChanged, builtIns, changedBuiltIn, watchBuiltIns } from './built-ins.js';
import type { BuiltIns } from './built-ins.js';
import { errorText, isThrownError, refusalNamingFile, thrownText } from './thrown.js';
import * as contract from '../contract/protocol.js';
import type { OutcomeSet, ProtocolDefinition } from '../contract/protocol.js';

/**
 * Protocols that users write as files: `protocol: ./my-protocol.mjs` in a scenario. The file's
 * default export is the definition (the same contract as the built-in protocols, contract/protocol.ts), or a
 * function that receives what a definition needs (`PROTOCOL_API`) and returns it, so the file
 * needs no import and works however twogenerals was installed. Loaded once per process (and by
 * each worker thread itself), registered under its own name, and from then on a protocol like
 * any other. Protocol files are code and run with the user's rights.
 */
export interface ProtocolFile {
  readonly name: string;
  /** Absolute path. */
  readonly file: string;
  /** sha256 of the file's bytes: recorded in results and shards. */
  readonly digest: string;
  /** The definition as registered in the catalog. */
  readonly definition: ProtocolDefinition<any>;
}

/** What a protocol file's default-export function receives. */
export const PROTOCOL_API = Object.freeze({
  SEND: contract.SEND,
  CHOOSE: contract.CHOOSE,
  END: contract.END,
  ROUND: contract.ROUND,
  A_TO_B: contract.A_TO_B,
  B_TO_A: contract.B_TO_A,
  GENERALS_OUTCOMES: contract.GENERALS_OUTCOMES,
  COMMIT_OUTCOMES: contract.COMMIT_OUTCOMES,
  generalsOutcome: contract.generalsOutcome,
});

/** What a protocol file's parameter declares (docs/writing-a-protocol.md). */
const FILE_PARAMETER_MEMBERS = ['name', 'description', 'minimum', 'maximum', 'default', 'integer'];

/** The stages of loading a file, named in messages where one never finishes (protocol-files/isolate.ts). */
export const STAGES = {
  module: "evaluating the module (the file's top-level code)",
  factory: 'calling its default export',
  definition: "reading the definition's members (getters included)",
  check: "checking it (its methods, under the contract's check)",
} as const;
export type LoadStage = keyof typeof STAGES;

let reportStage: (stage: LoadStage) => void = () => undefined;
/** Whether this is the isolating process (which reports its stages), where a process.exit ends only itself and is reported as such. */
let isolating = false;

/** Where the stages of loading go as they start: the isolating thread reports them to the main thread. */
export function onLoadStage(listener: (stage: LoadStage) => void): void {
  reportStage = listener;
  isolating = true;
}

const loaded = new Map<string, Promise<ProtocolFile>>();
const byPath = new Map<string, ProtocolFile>();

/** Whether a scenario's `protocol` names a file rather than a registered protocol. */
export function isProtocolPath(value: unknown): value is string {
  return typeof value === 'string' && (/^\.{1,2}[\\/]/.test(value) || isAbsolute(value) || /\.(m?js|cjs|m?ts)$/.test(value));
}

/** The protocol file `value` names, relative to the scenario file `from` (or the working directory). */
export function protocolFilePath(value: string, from: string | undefined): string {
  return resolve(from && !from.startsWith('(') ? resolve(from, '..') : process.cwd(), value);
}

/** A protocol file loaded before, by absolute path (resolving scenarios is synchronous). */
export function loadedProtocolFile(file: string): ProtocolFile | undefined {
  return byPath.get(file);
}

/** Every protocol file this process has loaded. */
export function loadedProtocolFiles(): ProtocolFile[] {
  return [...byPath.values()];
}

/** A refusal naming a loaded protocol file's protocol (`protocol NAME: …`), named with its file: `protocol NAME (PATH): …`. */
export function namingProtocolFile(error: UsageError): UsageError {
  const file = [...byPath.values()].find((p) => error.place === `protocol ${p.name}`);
  return file ? refusalNamingFile(error, file.name, file.file) : error;
}

/** Loads, checks and registers a protocol file (once per process); `place` names where it was named, for messages. */
export function loadProtocolFile(file: string, place: string, expectedDigest?: string): Promise<ProtocolFile> {
  let promise = loaded.get(file);
  if (!promise) {
    promise = load(file, place, expectedDigest);
    loaded.set(file, promise);
  }
  return promise;
}

async function load(file: string, place: string, expectedDigest: string | undefined): Promise<ProtocolFile> {
  const where = `${place}: protocol file ${file}`;
  if (!existsSync(file)) throw new UsageError(where, `does not exist ${scenarioPathHint(file)}`);
  refuseStreamingProtocolFile(file, where);
  const text = readTextInput(file, 'protocol'); // refuses a directory, a file over the limit, binary bytes
  const typescript = /\.m?ts$/.test(extname(file));
  if (typescript && !(process.features as { typescript?: unknown }).typescript) {
    throw new UsageError(
      where,
      `is TypeScript, which this Node.js (${process.version}) cannot run: use Node.js 22.6 or later (with --experimental-strip-types before 23.6), or compile it to .mjs first (npx tsc --module nodenext --target es2022 ${file})`,
    );
  }
  const digest = protocolDigest(file, text);
  if (expectedDigest !== undefined && digest !== expectedDigest)
    throw new UsageError(file, 'changed while the command ran, or a file it imports did (its sha256 differs from the one checked): run again');
  quietConsole();
  watchSources();
  // Before the file's code runs: a file that keeps process.reallyExit as it loads must keep the guard.
  if (!isolating) refuseExitFromFiles();
  sameCommandLine();
  globalsBefore ??= new Set(Reflect.ownKeys(globalThis));
  filesLoaded.add(file);
  for (const helper of importedFiles(file, text)) if (!helperFiles.has(helper)) helperFiles.set(helper, file);
  const found = builtIns();
  const cwd = process.cwd();
  let module: { default?: unknown };
  reportStage('module');
  try {
    module = (await whileLoading(() => withoutExit(file, STAGES.module, () => importModule(pathToFileURL(file).href)))) as { default?: unknown };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(file, describeLoadError(error, file));
  }
  refuseChangedBuiltIns(file, found, STAGES.module, cwd);
  let definition = module.default;
  if (definition === undefined) throw new UsageError(file, 'has no default export: export default the protocol definition, or a function (api) => definition');
  if (typeof definition === 'function') {
    reportStage('factory');
    try {
      definition = await withoutExit(file, STAGES.factory, () => (definition as (api: typeof PROTOCOL_API) => unknown)(PROTOCOL_API));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(file, `its default export threw: ${thrownWhere(error, file)}`);
    }
    refuseChangedBuiltIns(file, found, STAGES.factory, cwd);
  }
  reportStage('definition');
  const protocol = completeDefinition(snapshot(definition, file), file);
  refuseChangedBuiltIns(file, found, STAGES.definition, cwd);
  for (const key of Reflect.ownKeys(globalThis)) if (!globalsBefore.has(key)) globalsAtLoad.add(key);
  if (!isolating) watchBuiltIns(found, file);
  const named = byPathName(protocol.name);
  // The same file by another path (a symlink, a symlinked folder) or a copy of it (the same digest, imports included) is the same protocol.
  const same = named !== undefined && (byPath.get(named)!.digest === digest || realPath(named) === realPath(file));
  if (protocolNamed(protocol.name) && named !== file && !same) {
    throw new UsageError(
      file,
      `its name '${protocol.name}' clashes with ${isBuiltIn(protocol.name) ? 'a built-in protocol' : 'another protocol file'}: give it another name`,
    );
  }
  try {
    if (!protocolNamed(protocol.name)) registerProtocol(protocol);
  } catch (error) {
    if (error instanceof RegistryClash) throw new UsageError(file, error.message);
    throw error;
  }
  const result = { name: protocol.name, file, digest, definition: protocolNamed(protocol.name)! };
  byPath.set(file, result);
  return result;
}

/**
 * A second copy of a loaded protocol file's definition, from a module evaluated anew (its URL with
 * a query: the files it imports are shared), neither registered nor watched beyond the first: for
 * `check` to explore cells in another order than the first copy did, where nothing one cell left
 * in the module can reach another (checkProtocol). Undefined where the copy cannot be made as the
 * first was (the module threw this time, say): the comparison is then skipped.
 */
export async function freshDefinition(file: string): Promise<ProtocolDefinition<unknown> | undefined> {
  // Evaluated without what the first copy left in globalThis, as it is explored (withoutFileGlobals).
  const restore = hideFileGlobals();
  try {
    const module = (await whileLoading(() => importModule(`${pathToFileURL(file).href}?copy=${++copies}`))) as { default?: unknown };
    let definition = module.default;
    if (typeof definition === 'function') definition = (definition as (api: typeof PROTOCOL_API) => unknown)(PROTOCOL_API);
    const copy = completeDefinition(snapshot(definition, file), file);
    // What the copy itself put in globalThis as it loaded (a table, a cache): its own, for its exploration.
    const own = new Map<PropertyKey, PropertyDescriptor>();
    for (const key of Reflect.ownKeys(globalThis)) {
      const member = Object.getOwnPropertyDescriptor(globalThis, key);
      if (!globalsBefore?.has(key) && member?.configurable) own.set(key, member);
    }
    copyGlobals.set(copy, own);
    return copy;
  } catch {
    return undefined;
  } finally {
    restore();
  }
}
let copies = 0;
/** The members each fresh copy added to globalThis as it loaded (freshDefinition), put there while it is explored. */
const copyGlobals = new WeakMap<object, Map<PropertyKey, PropertyDescriptor>>();

/** The members of globalThis before the first protocol file loaded: any other is a file's own. */
let globalsBefore: Set<PropertyKey> | undefined;
/**
 * The members of globalThis the protocol files added as they loaded (a table, a cache made at
 * load): a copy that does not make them again (set by a file it imports, which it shares) sees
 * them as the first copy did.
 */
const globalsAtLoad = new Set<PropertyKey>();

/**
 * Runs `f` with the members protocol files added to globalThis out of sight (those that can be
 * removed), and puts them back after, removing what `f` added: for a copy of a file
 * (freshDefinition) to start without what the first left there (a cache kept in
 * `globalThis.seen`), as it starts without what the first left in its module.
 */
export function withoutFileGlobals<T>(f: () => T, copy?: object): T {
  const restore = hideFileGlobals(copy === undefined ? undefined : copyGlobals.get(copy));
  try {
    return f();
  } finally {
    restore();
  }
}

/** withoutFileGlobals's first half: hides the files' own members of globalThis, and returns what puts them back. */
function hideFileGlobals(own?: Map<PropertyKey, PropertyDescriptor>): () => void {
  const before = globalsBefore;
  if (before === undefined) return () => undefined;
  const g = globalThis as unknown as Record<PropertyKey, unknown>;
  const hidden = new Map<PropertyKey, PropertyDescriptor>();
  for (const key of Reflect.ownKeys(globalThis)) {
    const member = Object.getOwnPropertyDescriptor(globalThis, key);
    if (before.has(key) || !member?.configurable) continue;
    // A copy being explored (`own`) keeps what the files added as they loaded, unless it made its own.
    if (own && globalsAtLoad.has(key) && !own.has(key)) continue;
    hidden.set(key, member);
    delete g[key];
  }
  for (const [key, member] of own ?? []) Object.defineProperty(globalThis, key, member);
  const kept = new Set(Reflect.ownKeys(globalThis));
  return () => {
    for (const key of Reflect.ownKeys(globalThis))
      if (!before.has(key) && !hidden.has(key) && !(kept.has(key) && !own?.has(key)) && Object.getOwnPropertyDescriptor(globalThis, key)?.configurable)
        delete g[key];
    for (const [key, member] of hidden) Object.defineProperty(globalThis, key, member);
  };
}

/** Refuses a file whose code, in `stage`, changed a built-in object the tool's own code uses (protocol-files/built-ins.ts). */
export function refuseChangedBuiltIns(file: string, found: BuiltIns, stage: string, cwd: string): void {
  const changed = changedBuiltIn(found);
  if (changed !== undefined) throw new UsageError(file, builtInChanged(changed, stage));
  // Paths on the command line and in scenarios are relative to it: another scenario's protocol
  // file, --out and -o would be looked for elsewhere ("protocol file … is not loaded").
  if (process.cwd() !== cwd)
    throw new UsageError(file, `changed the working folder (process.chdir) while ${stage}: a protocol file must leave it where the command started`);
}

/**
 * Registers what a protocol file declares without running any of its code in this process
 * (`validate`): its methods refuse to run. The description comes from the isolating process,
 * which loaded and checked the file with the digest given.
 */
export function registerDescribedProtocolFile(
  file: string,
  digest: string,
  description: Omit<ProtocolDefinition<unknown>, 'configure' | 'stateSize' | 'init' | 'next' | 'resolve' | 'describe'>,
): ProtocolFile {
  const known = byPath.get(file);
  if (known) return known;
  if (protocolNamed(description.name)) throw new UsageError(file, `its name '${description.name}' clashes with another protocol: give it another name`);
  const unloaded = (): never => {
    throw new Error(`protocol file ${file} was described, not loaded`);
  };
  try {
    const crashSupport = description.roles ? { nodes: unloaded, crash: unloaded, crashed: unloaded } : {};
    registerProtocol({
      ...description,
      ...crashSupport,
      configure: unloaded,
      stateSize: unloaded,
      init: unloaded,
      next: unloaded,
      resolve: unloaded,
      describe: unloaded,
    });
  } catch (error) {
    if (error instanceof RegistryClash) throw new UsageError(file, error.message);
    throw error;
  }
  const result = { name: description.name, file, digest, definition: protocolNamed(description.name)! };
  byPath.set(file, result);
  loaded.set(file, Promise.resolve(result));
  return result;
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

function byPathName(name: string): string | undefined {
  for (const [file, p] of byPath) if (p.name === name) return file;
  return undefined;
}

function isBuiltIn(name: string): boolean {
  return byPathName(name) === undefined;
}

const METHODS = ['configure', 'stateSize', 'init', 'next', 'resolve', 'describe'] as const;
const MEMBERS = [
  ...METHODS,
  'name',
  'outcomes',
  'parameters',
  'canonicalize',
  'resolveRun',
  'roundLimit',
  'summary',
  'sides',
  'usesRounds',
  'exactNote',
  'roles',
  'nodes',
  'crash',
  'crashed',
] as const;

/**
 * The definition's members read once into a plain object: a getter runs here, once, and a getter
 * that throws is the file's error, named with the member (not an internal error later).
 */
function snapshot(value: unknown, file: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const plain: Record<string, unknown> = {};
  for (const member of MEMBERS) {
    try {
      const v = (value as Record<string, unknown>)[member];
      if (v !== undefined) plain[member] = typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(value) : v;
    } catch (error) {
      throw new UsageError(file, `reading its definition's ${member} threw: ${thrownWhere(error, file)}`);
    }
  }
  return plain;
}

/**
 * Runs the file's own code with process.exit refused: a file that ends the process would make
 * the command exit 0 with nothing printed. (Its methods run first in the isolating thread, where
 * an exit ends only that thread; see protocol-files/isolate.ts.)
 */
async function withoutExit<T>(file: string, stage: string, f: () => T | Promise<T>): Promise<T> {
  const exit = process.exit;
  process.exit = ((code?: number) => {
    throw new UsageError(file, `called process.exit(${code ?? ''}) while ${stage}: a protocol file must not end the process`);
  }) as typeof process.exit;
  try {
    return await f();
  } finally {
    process.exit = exit;
  }
}

/**
 * Once a file is loaded, its methods run in the tool (and its worker threads) for as long as the
 * command runs, also in cells the quick check never visited: a process.exit there would end the
 * command with exit 0 and nothing printed. From then on process.exit, called with a protocol file's
 * code on the stack, throws that file's error instead (exit 2); the tool's own calls end the
 * process as before.
 */
function refuseExitFromFiles(): void {
  if (exitRefused) return;
  exitRefused = true;
  const exit = process.exit;
  process.exit = function exit_(this: NodeJS.Process, ...args: [code?: number | string | null]) {
    const file = protocolCodeOnStack(stackTaken(() => new Error()));
    if (file) throw new UsageError(file, `called process.exit(${args[0] ?? ''}) while the command ran: a protocol file must not end the process`);
    if (calledByNodeAlone(exit_)) throw handedToNode(`process.exit(${args[0] ?? ''})`);
    // As called: process.exit() ends with process.exitCode, process.exit(undefined) would not.
    return exit.apply(this, args);
  } as typeof process.exit;
  // What process.exit calls once the 'exit' listeners have run, as public as it: a file's call
  // (in a method, or in an 'exit' listener it added) would end the command with its code, 0.
  const own = process as unknown as { reallyExit?: (code?: number) => never };
  const reallyExit = own.reallyExit;
  if (typeof reallyExit === 'function')
    own.reallyExit = function reallyExit_(this: NodeJS.Process, ...args: [code?: number]) {
      const file = protocolCodeOnStack(stackTaken(() => new Error()));
      if (file) throw new UsageError(file, `called process.reallyExit(${args[0] ?? ''}) while the command ran: a protocol file must not end the process`);
      if (calledByNodeAlone(reallyExit_)) throw handedToNode(`process.reallyExit(${args[0] ?? ''})`);
      return reallyExit.apply(this, args);
    };
}

/**
 * Whether this is the command's own process (main: not a worker thread, nor a test running the CLI
 * in its process, whose test runner writes to stdout and may end the process from Node's code alone).
 */
let commandsProcess = false;
export function guardCallbacksFromNodeAlone(): void {
  commandsProcess = true;
}

/** Whether this is a process or thread of the tool's own (the CLI's, the isolating process, a pool thread), not a library caller's. */
function toolsOwnProcess(): boolean {
  if (commandsProcess || isolating) return true;
  const { isMainThread } = createRequire(resolve('twogenerals.js'))('node:worker_threads') as typeof import('node:worker_threads');
  return !isMainThread;
}

/**
 * The command line as every protocol file sees it, in the command's process, its worker threads and
 * the isolating process alike: each has its own (`twogenerals run s.yaml`, a worker's, the
 * isolating process's task), so a file that read it (`process.argv.includes('exact')`) would be
 * checked as one protocol and run as another, `exact` and `run` printing each their own numbers.
 * Read with a protocol file's code on the stack (or while its module is evaluated, the packages it
 * imports included), process.argv is `[node, 'twogenerals']`; the tool's own reads are as before.
 */
function sameCommandLine(): void {
  if (commandLineHidden) return;
  commandLineHidden = true;
  const member = Object.getOwnPropertyDescriptor(process, 'argv');
  if (member === undefined || !member.configurable || !('value' in member)) return;
  let argv = member.value as string[];
  const seen = Object.freeze([argv[0]!, 'twogenerals']);
  // Not a test's process running the CLI in it, whose test runner may read it while a file loads.
  const tools = toolsOwnProcess;
  Object.defineProperty(process, 'argv', {
    configurable: true,
    enumerable: member.enumerable ?? true,
    get: () => ((moduleLoading !== undefined && tools()) || protocolCodeOnStack(stackTaken(() => new Error())) !== undefined ? [...seen] : argv),
    set: (value: string[]) => {
      argv = value;
    },
  });
}
let commandLineHidden = false;

/** Error.captureStackTrace as Node started. */
const captureStack = Error.captureStackTrace;

/**
 * Whether `guard` (the tool's stand-in for process.exit or process.stdout.write) was called with
 * nothing but Node's own code on the stack: handed itself to a timer or a promise
 * (`setTimeout(process.exit, 0, 0)`, `.then(process.exit)`, `setInterval(process.stdout.write.bind(…))`),
 * so that no frame names whose code scheduled it. The tool never does that; where a protocol file
 * is loaded, it is the file's.
 */
function calledByNodeAlone(guard: (...args: never[]) => unknown): boolean {
  if (!commandsProcess || filesLoaded.size === 0) return false;
  const error = stackTaken(() => {
    const made = new Error();
    captureStack(made, guard);
    return made;
  });
  const frames = (error.stack ?? '').split('\n').slice(1);
  return frames.every((line) => /^\s+at (?:node:|.*\((?:node:|<anonymous>))/.test(line));
}

/** The refusal of `call`, handed to a timer or a promise by a protocol file's code: the files loaded named. */
function handedToNode(call: string): UsageError {
  return new UsageError(
    [...filesLoaded].join(', '),
    `${call} ran as a callback handed to a timer or a promise (setTimeout(process.exit), .then(process.exit)) while the command ran: a protocol file must not end the process`,
  );
}
let exitRefused = false;

/**
 * A protocol file's console output goes to stderr: stdout carries only the tool's results (CSV,
 * JSON, shards); in the tool's own processes all console output does, in a library caller's only
 * the file's. So do its own writes to process.stdout, told by its code on the stack (its
 * top-level code, a method, a callback it made, or anything while its module is evaluated, the npm
 * packages it imports included); the tool's writes, and a worker thread's output
 * passed on (the thread sends its file's writes to its stderr), go where they went.
 */
function quietConsole(): void {
  if (consoleQuieted) return;
  consoleQuieted = true;
  // Not in a library caller's process: its own console.log must still reach its stdout (a file's
  // console output there is sent to stderr by the write below, its code being on the stack).
  if (toolsOwnProcess()) globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  const stdout = process.stdout;
  const write = stdout.write;
  stdout.write = function write_(this: NodeJS.WriteStream, ...args: unknown[]) {
    // While a file's module is evaluated, an npm package it imports runs its top-level code too, with none of the file's frames on the stack.
    if ((commandsProcess && moduleLoading !== undefined) || protocolCodeOnStack(stackTaken(() => new Error())) !== undefined || calledByNodeAlone(write_))
      return (process.stderr.write as (...a: unknown[]) => boolean).apply(process.stderr, args);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof stdout.write;
}
let consoleQuieted = false;
/** Every protocol file this process has begun to load (before its module runs: its top-level code counts). */
const filesLoaded = new Set<string>();

function fileCodeOnStack(error: Error): boolean {
  for (const file of filesLoaded) if (onStack(error, file)) return true;
  return false;
}

/**
 * The protocol file whose code, or the code of a file it imports, is on the error's stack: a
 * helper's top-level code runs before the protocol file's (its frames alone on the stack), and a
 * definition a helper makes (`export { default } from './base.mjs'`) runs its methods there.
 */
function protocolCodeOnStack(error: Error): string | undefined {
  for (const file of filesLoaded) if (onStack(error, file)) return file;
  for (const [helper, file] of helperFiles) if (onStack(error, helper)) return file;
  return undefined;
}

/**
 * How V8 takes and writes a stack, as Node started: every guard here tells a protocol file's code
 * by its frames on the stack, so a file that sets `Error.stackTraceLimit = 0` or its own
 * `Error.prepareStackTrace` (in a method, before a process.exit or a draw) would hide from them.
 */
const STACK_LIMIT = Reflect.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
const STACK_TEXT = Reflect.getOwnPropertyDescriptor(Error, 'prepareStackTrace');

/** `make()`'s error, its stack taken and written as Node started (a file's Error.stackTraceLimit and prepareStackTrace put back after). */
function stackTaken<E extends Error>(make: () => E): E {
  const limit = Reflect.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  const text = Reflect.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  if (limit?.value === STACK_LIMIT?.value && limit?.get === undefined && text?.value === STACK_TEXT?.value && text?.get === undefined) {
    const error = make();
    void error.stack;
    return error;
  }
  const set = (key: string, d: PropertyDescriptor | undefined): void => {
    if (d) Reflect.defineProperty(Error, key, d);
    else Reflect.deleteProperty(Error, key);
  };
  set('stackTraceLimit', STACK_LIMIT);
  set('prepareStackTrace', STACK_TEXT);
  try {
    const error = make();
    void error.stack; // written now, while the settings are Node's
    return error;
  } finally {
    set('stackTraceLimit', limit);
    set('prepareStackTrace', text);
  }
}

/** Whether a frame of `file`'s code is on the error's stack (by its URL, or by its path for CommonJS). */
function onStack(error: Error, file: string): boolean {
  const stack = error.stack ?? '';
  return stack.includes(pathToFileURL(file).href) || stack.includes(file);
}

/**
 * A protocol never draws: the engines draw every chance from the cell's own streams (so that a run
 * is the same bytes every time, and the exact engine weighs every way it can go). Math.random,
 * called with a protocol file's code on the stack, throws there instead (named as the file's
 * error, exit 2): its draws would be counted as they fell, differently on every run, and the
 * exact values would follow whichever way the few calls the engines make went. Replaced before
 * any built-in is recorded (protocol-files/built-ins.ts), so the replacement is the one watched;
 * the tool's own calls (and its libraries') draw as before.
 */
const random = Math.random;
Math.random = function random_() {
  refuseSourceCall('Math.random', NEVER_DRAWS);
  return random();
};
const NEVER_DRAWS = 'a protocol never draws; give the engine a choice instead (step.kind = CHOOSE, step.choices), which every engine draws or weighs';
const NEVER_TIMES =
  'a protocol never reads the clock: what it does must follow from its state and config alone, or the same seed prints other numbers on every run (a chance is a CHOOSE, which every engine draws or weighs)';

/**
 * Where a protocol file's code (or a helper's it imports) is on the stack: `name` was called,
 * which a protocol must not (a draw, a clock). Throws the file's error there; the isolating process
 * notes it and goes on, so that the check reports what the call makes of the file (a next that is
 * not deterministic) first, and refuses the call itself last (refuseDraws).
 */
function refuseSourceCall(name: string, why: string): void {
  if (filesLoaded.size === 0) return;
  const error = stackTaken(() => new Error(`${name} was called: ${why}`));
  const own = fileCodeOnStack(error);
  const helper = own ? undefined : helperDraw(error);
  if (!own && !helper) return;
  if (!isolating) throw helper ? new UsageError(helper.file, helper.what) : error;
  if (drawn === undefined) {
    drawn = helper ? new Error(helper.what) : error;
    drawnBy = name;
    drawnWhen = moduleLoading === undefined ? 'while checked' : 'as it loaded';
  }
}
let drawn: Error | undefined;
let drawnBy = 'Math.random';
let drawnWhen = 'while checked';

/**
 * The clocks and Node's own random sources, watched as Math.random is (refuseSourceCall) once the
 * first protocol file starts to load (the `performance` global loads a module of its own: not
 * for a command without a file): a file that reads the time or draws from the system's entropy
 * prints numbers that change from run to run (the automata keep what one call gave; `exact`
 * weighs one call's way), exit 0. Installed before the built-ins are recorded, so the
 * replacements are what is watched; the tool's own calls go through as before.
 */
export function watchSources(): void {
  if (sourcesWatched) return;
  sourcesWatched = true;
  keepToolClock(); // the tool's own timing keeps the clock as it was
  const watch = <T extends object>(target: T, key: keyof T & string, name: string, why: string): void => {
    // A member that is a getter (node:crypto's getRandomValues, which calls webcrypto's, watched) stays as it is.
    const member = Object.getOwnPropertyDescriptor(target, key) ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(target) as object, key);
    const original = member?.value as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') return;
    const replaced = function (this: unknown, ...args: unknown[]) {
      refuseSourceCall(name, why);
      return original.apply(this, args);
    };
    for (const member of Object.keys(original))
      (replaced as unknown as Record<string, unknown>)[member] = (original as unknown as Record<string, unknown>)[member];
    (target as Record<string, unknown>)[key] = replaced;
  };
  watch(Date, 'now', 'Date.now', NEVER_TIMES);
  // new Date() and Date() read the clock too; new Date(ms), Date.UTC and the rest do not.
  const OriginalDate = Date;
  globalThis.Date = new Proxy(OriginalDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) refuseSourceCall('new Date()', NEVER_TIMES);
      return Reflect.construct(target, args, newTarget) as object;
    },
    apply(target, that, args) {
      refuseSourceCall('Date()', NEVER_TIMES);
      return Reflect.apply(target, that, args) as unknown;
    },
  });
  watch(performance, 'now', 'performance.now', NEVER_TIMES);
  const bigint = process.hrtime.bigint;
  watch(process, 'hrtime', 'process.hrtime', NEVER_TIMES);
  process.hrtime.bigint = function hrtimeBigint() {
    refuseSourceCall('process.hrtime.bigint', NEVER_TIMES);
    return bigint();
  };
  const crypto = createRequire(resolve('twogenerals.js'))('node:crypto') as Record<string, unknown> & { webcrypto: object };
  for (const key of ['randomInt', 'randomBytes', 'randomFill', 'randomFillSync', 'randomUUID']) watch(crypto, key, `crypto.${key}`, NEVER_DRAWS);
  for (const webcrypto of new Set([crypto.webcrypto, (globalThis as { crypto?: object }).crypto]))
    if (webcrypto) for (const key of ['getRandomValues', 'randomUUID'] as const) watch(webcrypto as Record<string, unknown>, key, `crypto.${key}`, NEVER_DRAWS);
  syncBuiltinESMExports(); // import { randomInt } from 'node:crypto' reads the replacement too
}
let sourcesWatched = false;

/**
 * In the isolating process: the timers a protocol file's code schedules (setTimeout, setInterval,
 * setImmediate, from the globals or node:timers) never fire there. That process loads the file,
 * then a copy of it (freshDefinition: a turn of the event loop), then checks it: a callback the
 * file scheduled as it loaded would run in between and be blamed on the check. The tool's own
 * process runs them, under its own guards (a built-in changed, a throw, process.exit).
 */
export function inertFileTimers(): void {
  if (timersInert) return;
  timersInert = true;
  const inert = <T extends object>(target: T, key: keyof T & string): void => {
    const original = target[key] as unknown as ((...args: unknown[]) => { unref?: () => void }) | undefined;
    if (typeof original !== 'function') return;
    const replaced = function (this: unknown, ...args: unknown[]) {
      if (protocolCodeOnStack(stackTaken(() => new Error())) === undefined) return original.apply(this, args);
      // Set while the file's module is evaluated (its top-level code awaiting a timer): it runs, if that evaluation still waits for it.
      const [callback, ...rest] = args;
      if (moduleLoading !== undefined && typeof callback === 'function') {
        const load = moduleLoading;
        const timer = original.call(
          this,
          (...given: unknown[]) => (moduleLoading === load ? (callback as (...a: unknown[]) => unknown)(...given) : undefined),
          ...rest,
        );
        return timer;
      }
      // A real timer that does nothing, so that the file's clearTimeout, unref and the like still work.
      const timer = key === 'setImmediate' ? original.call(this, () => undefined) : original.call(this, () => undefined, 2 ** 31 - 1);
      timer.unref?.();
      return timer;
    };
    for (const member of Object.keys(original))
      (replaced as unknown as Record<string, unknown>)[member] = (original as unknown as Record<string, unknown>)[member];
    (target as Record<string, unknown>)[key] = replaced;
  };
  const timers = createRequire(resolve('twogenerals.js'))('node:timers') as Record<string, unknown>;
  for (const key of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
    inert(globalThis, key);
    inert(timers, key);
  }
  syncBuiltinESMExports();
}
let timersInert = false;

/** The evaluation of a protocol file's module under way (load, freshDefinition), if any: inertFileTimers lets its timers run. */
let moduleLoading: object | undefined;

/** Runs `f`, the evaluation of a protocol file's module, as moduleLoading. */
async function whileLoading<T>(f: () => Promise<T>): Promise<T> {
  const load = {};
  moduleLoading = load;
  try {
    return await f();
  } finally {
    if (moduleLoading === load) moduleLoading = undefined;
  }
}
/** The files a protocol file imports (its digest's, protocolDigest), each with that protocol file: their code is the protocol's. */
const helperFiles = new Map<string, string>();

/**
 * A draw by a file a protocol file imports, with none of the protocol file's own code on the stack
 * (a definition built, or its methods made, by a helper module): that protocol file, and what
 * to say, naming the helper's line; else undefined.
 */
function helperDraw(error: Error): { file: string; what: string } | undefined {
  for (const [helper, file] of helperFiles) if (onStack(error, helper)) return { file, what: thrownWhere(error, helper) };
  return undefined;
}

/** In the isolating process, once the file is checked: refuses a file whose code called Math.random. */
export function refuseDraws(file: string): void {
  if (drawn) throw new UsageError(file, `called ${drawnBy} ${drawnWhen}: ${thrownWhere(drawn, file).replace(`${drawnBy} was called: `, '')}`);
}

/** Checks the definition's shape and fills in what a file may leave out. */
function completeDefinition(value: unknown, file: string): ProtocolDefinition<unknown> {
  if (typeof value !== 'object' || value === null)
    throw new UsageError(file, 'the default export must be a protocol definition (an object) or a function returning one');
  const d = value as Record<string, unknown>;
  const need = (condition: boolean, problem: string): void => {
    if (!condition) throw new UsageError(file, problem);
  };
  need(
    typeof d['name'] === 'string' && /^[a-z][a-z0-9-]*$/.test(d['name']),
    "needs a name: lower-case letters, digits and '-', starting with a letter (name: 'my-protocol')",
  );
  for (const method of METHODS) need(typeof d[method] === 'function', `needs the method ${method} (see docs/writing-a-protocol.md)`);
  need(d['canonicalize'] === undefined || typeof d['canonicalize'] === 'function', 'canonicalize, if given, must be a function');
  need(d['resolveRun'] === undefined || typeof d['resolveRun'] === 'function', 'resolveRun, if given, must be a function');
  need(
    d['roundLimit'] === undefined || typeof d['roundLimit'] === 'function',
    'roundLimit, if given, must be a function (params) => the highest round a send may name',
  );
  const outcomes = d['outcomes'] as Partial<OutcomeSet> | undefined;
  need(
    typeof outcomes === 'object' && outcomes !== null && Array.isArray(outcomes.names) && outcomes.names.length > 0,
    'needs outcomes: { names: [...], success: [...], disagreement: [...] } with names of letters, digits and _',
  );
  const names = outcomes!.names!;
  const misnamedOutcome = firstMisnamed(names, OUTCOME_NAME);
  need(misnamedOutcome === undefined, `outcome name ${misnamedOutcome} must be letters, digits and _, starting with a letter (names: ['delivered', 'dark'])`);
  // As for parameters (below): a lookup by such a name finds the object's own member where no
  // outcome is (`plot --metric constructor` stopped with an internal error).
  const inherited = names.find((n) => n in Object.prototype);
  need(inherited === undefined, `outcome '${inherited}' is a name every JavaScript object already has: rename it`);
  const indices = (key: 'success' | 'disagreement'): number[] => {
    const list = outcomes![key];
    need(
      Array.isArray(list) && list.every((i) => Number.isInteger(i) && i >= 0 && i < names.length),
      `outcomes.${key} must list indices into outcomes.names (0 to ${names.length - 1})`,
    );
    // An index listed twice would count its outcome twice: a proportion above 1.
    const twice = (list as number[]).find((i, at) => (list as number[]).indexOf(i) !== at);
    need(twice === undefined, `outcomes.${key} lists ${twice} (${names[twice as number]}) twice: each outcome counts once`);
    return list as number[];
  };
  const parameters = (d['parameters'] ?? []) as unknown[];
  need(Array.isArray(parameters), 'parameters must be a list of { name, description, minimum, maximum, default }');
  for (const p of parameters as Record<string, unknown>[]) {
    need(typeof p === 'object' && p !== null && p['name'] !== undefined, 'each parameter needs a name of letters and digits, starting with a letter');
    const misnamedParameter = firstMisnamed([p['name']], PLAIN_NAME);
    need(misnamedParameter === undefined, `parameter name ${misnamedParameter} must be letters and digits, starting with a letter (name: 'copies')`);
    // A name every object already has (constructor, toString) would read as the object's own
    // member where the parameter is missing: a scenario's value 'function Object()'.
    need(!((p['name'] as string) in Object.prototype), `parameter '${p['name']}' is a name every JavaScript object already has: rename it`);
    need(typeof p['description'] === 'string', `parameter ${p['name']} needs a description`);
    // Members a built-in's declaration may have (perDirection, text, values, optional) were taken from a file half-way: list
    // wrote `perDirection: true` as a loss "of a copy sent A→B (coordinator → cohort)", and `text: 'file'` as a file.
    const member = Object.keys(p).find((key) => !FILE_PARAMETER_MEMBERS.includes(key));
    need(member === undefined, `parameter ${p['name']} has ${member}, which a protocol file's parameter cannot have (${FILE_PARAMETER_MEMBERS.join(', ')})`);
    const [min, max, def] = [p['minimum'], p['maximum'], p['default']];
    // Finite: the bounds travel as JSON from the process that checks the file (validate reads them there), where Infinity is null.
    need(
      Number.isFinite(min) && Number.isFinite(max) && (min as number) <= (max as number),
      `parameter ${p['name']} needs a minimum and a maximum, finite numbers (minimum ≤ maximum)`,
    );
    need(typeof def === 'number' && def >= (min as number) && def <= (max as number), `parameter ${p['name']} needs a default within its range`);
    // Any other value was half taken: check and --set treated `integer: 1` as whole numbers, the default, list and the schema did not.
    need(
      p['integer'] === undefined || typeof p['integer'] === 'boolean',
      `parameter ${p['name']}: integer, if given, must be true or false (got ${typeof p['integer']})`,
    );
    need(p['integer'] !== true || Number.isInteger(def), `parameter ${p['name']} is a whole number (integer: true), but its default ${def} is not`);
  }
  const sides = d['sides'];
  need(
    sides === undefined || (Array.isArray(sides) && sides.length === 2 && sides.every((s) => typeof s === 'string')),
    "sides, if given, must be two names (['A', 'B'])",
  );
  const crashParts = ['roles', 'nodes', 'crash', 'crashed'].filter((key) => d[key] !== undefined);
  need(
    crashParts.length === 0 || crashParts.length === 4,
    `crash support needs roles, nodes, crash and crashed together (it has only ${crashParts.join(', ')}; see docs/writing-a-protocol.md, "Crashes")`,
  );
  const roles = d['roles'];
  need(
    roles === undefined || (Array.isArray(roles) && roles.length > 0),
    "roles, if given, must be a list of names of letters and digits (['coordinator', 'cohort'])",
  );
  const misnamedRole = roles === undefined ? undefined : firstMisnamed(roles as unknown[], PLAIN_NAME);
  need(misnamedRole === undefined, `role ${misnamedRole} must be letters and digits, starting with a letter (roles: ['coordinator', 'cohort'])`);
  // Each role is a crash rate of its own (crash: { A: … } sets crashA): two roles of one name would share it.
  const rateOf = (roles as string[] | undefined)?.map(crashParameterName) ?? [];
  const shared = rateOf.findIndex((name, at) => rateOf.indexOf(name) !== at);
  need(
    shared < 0,
    `roles names '${(roles as string[] | undefined)?.[shared]}' twice (or in two cases): each role needs a name of its own, its crash rate ${rateOf[shared]}`,
  );
  for (const method of ['nodes', 'crash', 'crashed'])
    need(d[method] === undefined || typeof d[method] === 'function', `${method}, if given, must be a function`);
  // Optional, as COMMIT_OUTCOMES has them: the table's two column titles, and outcomes it shows in columns of their own.
  const labels = outcomes!.labels;
  need(
    labels === undefined || (Array.isArray(labels) && labels.length === 2 && labels.every((l) => typeof l === 'string' && l.trim() !== '')),
    "outcomes.labels, if given, must be two column titles (['success', 'disagreement'])",
  );
  const shown = outcomes!.shown;
  need(
    shown === undefined || (Array.isArray(shown) && shown.every((i, at) => Number.isInteger(i) && i >= 0 && i < names.length && shown.indexOf(i) === at)),
    `outcomes.shown, if given, must list distinct indices into outcomes.names (0 to ${names.length - 1})`,
  );
  // Frozen copies: the file's own arrays stay its own, so that a method that changes them later (a
  // name pushed, a success index added) cannot change the columns or counts checked here.
  const full: OutcomeSet = Object.freeze({
    names: Object.freeze([...names]),
    success: Object.freeze([...indices('success')]),
    disagreement: Object.freeze([...indices('disagreement')]),
    labels: Object.freeze([...((outcomes!.labels as [string, string] | undefined) ?? ['success', 'disagreement'])]) as unknown as [string, string],
    shown: Object.freeze([...(outcomes!.shown ?? [])]),
  });
  const declared = Object.freeze((parameters as Record<string, unknown>[]).map((p) => Object.freeze({ ...p })));
  const naming = namingProblem(d['name'] as string, full, declared as unknown as { name: string }[], (roles as string[] | undefined) ?? []);
  if (naming) throw new UsageError(file, naming);
  const configure = d['configure'] as (params: unknown) => unknown;
  return {
    ...(d as unknown as ProtocolDefinition<unknown>),
    // The config is made once per cell and read by every trial: frozen, so a method that keeps a
    // count or a flag in it (a trial that depends on the trials before it, which every engine
    // would count as it came) is the file's error where it writes, not numbers printed with exit 0.
    configure: (params) => frozenConfig(configure(params)),
    summary: typeof d['summary'] === 'string' ? d['summary'] : `protocol file ${file}`,
    exactNote: typeof d['exactNote'] === 'string' ? d['exactNote'] : 'generic engine, within its limits',
    usesRounds: d['usesRounds'] !== false,
    parameters: declared as unknown as ProtocolDefinition<unknown>['parameters'],
    outcomes: full,
  };
}

/**
 * A config with its plain objects and arrays frozen, deeply. Typed arrays cannot be frozen and
 * stay as they are (tables, and scratch space a method overwrites before it reads it); so does a
 * module's namespace (`import * as tables from './tables.mjs'`), which cannot be frozen either
 * and is no plain object, though its prototype is null.
 */
function frozenConfig(config: unknown, seen = new Set<unknown>()): unknown {
  if (typeof config !== 'object' || config === null || seen.has(config) || types.isModuleNamespaceObject(config)) return config;
  const prototype = Object.getPrototypeOf(config);
  if (!Array.isArray(config) && prototype !== Object.prototype && prototype !== null) return config;
  seen.add(config);
  for (const key of Reflect.ownKeys(config)) {
    const member = Object.getOwnPropertyDescriptor(config, key);
    if (member && 'value' in member) frozenConfig(member.value, seen);
  }
  return Object.freeze(config);
}

/** One line for an error thrown while loading a file: its message and where in the file. */
function describeLoadError(error: unknown, file: string): string {
  if (error instanceof SyntaxError) {
    const commonJs = moduleSyntaxInCommonJs(error, file);
    if (commonJs) return commonJs;
    const position = syntaxErrorPosition(error, file);
    return `syntax error${position ? ` at ${position}` : ''}: ${error.message}`;
  }
  return `it threw while loading: ${thrownWhere(error, file)}`;
}

/**
 * A `.js` or `.ts` file written as a module (`export default`, as the docs show) that Node.js
 * loaded as CommonJS, because the nearest package.json says `"type": "commonjs"` (as `npm init`
 * writes it) or says nothing on a Node.js that does not detect modules: its `export` is no syntax
 * error of the file's, so the line says why and what to do.
 */
function moduleSyntaxInCommonJs(error: SyntaxError, file: string): string | undefined {
  if (!/^\.[jt]s$/.test(extname(file))) return undefined;
  if (!/Unexpected token 'export'|Cannot use import statement outside a module|import\.meta|Cannot use 'import\.meta' outside a module/.test(error.message))
    return undefined;
  let type: unknown;
  let manifest: string | undefined;
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      manifest = candidate;
      try {
        type = (JSON.parse(readFileSync(candidate, 'utf8')) as { type?: unknown } | null)?.type;
      } catch {
        type = undefined;
      }
      break;
    }
    if (dirname(dir) === dir) break;
  }
  if (type === 'module') return undefined;
  const why = manifest && type === 'commonjs' ? `${manifest} says "type": "commonjs"` : `no package.json above it says "type": "module"`;
  const ext = extname(file) === '.ts' ? '.mts' : '.mjs';
  const or = manifest ? 'give that package.json "type": "module"' : 'put a package.json with "type": "module" beside it';
  return `is written as an ES module (export default …), but Node.js loads this ${extname(file)} file as CommonJS (${why}): name it ${ext}, or ${or}`;
}

/**
 * Where a module's SyntaxError is. Node 20 does not say on import, but `node --check` prints
 * "file:line", the line and a caret under the column: asked only on this rare path.
 */
function syntaxErrorPosition(_error: SyntaxError, file: string): string | undefined {
  const checked = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const lines = (checked.stderr ?? '').split('\n');
  const header = lines.findIndex((l) => l.includes(file) || l.includes(pathToFileURL(file).href));
  if (header < 0) return undefined;
  const line = /:(\d+)$/.exec(lines[header]!.trim())?.[1];
  const caret = lines.slice(header + 1, header + 4).find((l) => /^\s*\^+\s*$/.test(l));
  const column = caret ? caret.indexOf('^') + 1 : undefined;
  return line ? `${file}:${line}${column ? `:${column}` : ''}` : undefined;
}

/** An error's message and the first place in the protocol file its stack names. */
export function thrownWhere(error: unknown, file: string): string {
  const message = thrownText(error);
  const href = pathToFileURL(file).href;
  const frame = ((isThrownError(error) ? errorText(error, 'stack') : undefined) ?? '').split('\n').find((l) => l.includes(href) || l.includes(file));
  // The line and column after the file's name in the frame, as a URL (a module's stack: a space,
  // a '#' or an accent percent-encoded) or as a path; the place is then named by the file's path.
  const after =
    frame === undefined ? '' : frame.includes(href) ? frame.slice(frame.indexOf(href) + href.length) : frame.slice(frame.indexOf(file) + file.length);
  const position = /^:(\d+):(\d+)/.exec(after);
  const at = position ? ` (${file}:${position[1]}:${position[2]})` : '';
  return `${message}${at}`;
}

/** The protocol file, if any, whose code an error's stack passes through: for one-line reports of a throwing method. */
export function protocolFileIn(error: unknown): ProtocolFile | undefined {
  const stack = (isThrownError(error) ? errorText(error, 'stack') : undefined) ?? '';
  for (const p of byPath.values()) if (stack.includes(pathToFileURL(p.file).href) || stack.includes(p.file)) return p;
  return undefined;
}
