import { channelNamed } from '../catalog/channels.js';
import { returnedValue } from '../io/wording.js';
import { nodesProblem } from './montecarlo/trial-rules.js';
import type { ChannelDefinition, InitialState, Replay, Transmission } from '../contract/channel.js';
import { protocolNamed } from '../catalog/protocols.js';
import type { OutcomeSet, ProtocolDefinition } from '../contract/protocol.js';
import { samplingTable } from '../rng/sampler.js';
import { twoProduct } from '../stats/double-double.js';
import { CRASH_PARAMETER, crashParameterName, parameterSlip, withDefaults } from '../catalog/parameters.js';
import { changedParameter, roundLimitOf, supportsCrashes } from '../contract/protocol.js';
import type { SamplingTable } from '../rng/sampler.js';
import { meanCopiesReceived, oneSendOf } from './one-send.js';
import { UsageError } from '../errors.js';

/** What one cell runs: a protocol over a channel with its parameters. */
export interface CellSpec {
  readonly protocol: string;
  readonly channel: string;
  readonly params: Readonly<Record<string, number | string>>;
  /** A protocol written as a file: its absolute path, which worker threads load themselves. */
  readonly protocolFile?: string;
  /** The sha256 of the protocol file as checked: a worker thread refuses a file that differs. */
  readonly protocolDigest?: string;
  /** Files the channel reads: absolute paths by the paths as written in the parameters. */
  readonly files?: Readonly<Record<string, string>>;
}

/**
 * A channel transmission ready for sampling: outcomes of probability 0 dropped, and each
 * received outcome given a delivery class, under which the engines count it.
 */
export interface PreparedTransmission {
  readonly probabilities: Float64Array;
  readonly received: Uint8Array;
  /** Expected copies delivered in each outcome. */
  readonly delivered: Float64Array;
  readonly nextState: Int32Array;
  /** Delivery class of each outcome (−1: nothing delivered). */
  readonly deliveryClass: Int32Array;
  readonly sampling: SamplingTable;
  /**
   * For the exact engines, each outcome to about 106 bits (FinerTransmission, contract/channel.ts):
   * the probability's low part (0 where the channel gives none), and the copies delivered times
   * the probability, high and low (where the channel gives none, the product of the two above,
   * exactly).
   */
  readonly probabilitiesLow: Float64Array;
  readonly deliveredMass: Float64Array;
  readonly deliveredMassLow: Float64Array;
}

/** Everything both engines need about a cell, computed once per cell. */
export interface CellModel {
  readonly protocol: ProtocolDefinition<unknown>;
  readonly protocolConfig: unknown;
  /** The protocol's own parameters' values as the cell gives them: a choice's probability equal to one stands for its decimal (choice-ratios.ts). */
  readonly parameterValues: readonly number[];
  readonly channel: ChannelDefinition<unknown>;
  readonly channelConfig: unknown;
  readonly copies: number;
  readonly outcomes: OutcomeSet;
  readonly stateSize: number;
  /** The highest round a send may name (roundLimitOf, at least 1): the engines refuse a send beyond it. */
  readonly roundLimit: number;
  readonly transmissions: readonly PreparedTransmission[];
  /**
   * Copies delivered per message of each delivery class: one class per (transmission, outcome)
   * that delivers anything. Tallies count messages per class, in integers; the delivered mean is
   * computed from those counts and these values.
   */
  readonly deliveryValues: readonly number[];
  readonly initialStates: readonly InitialState[];
  readonly initialSampling: SamplingTable;
  /**
   * True when the channel has one state that no transmission leaves: the fate of a copy then
   * never depends on the copies dispatched before it, so the order in which peers are served
   * within a round cannot change anyone's future, and interchangeable peers may be merged. Read
   * off the channel's own tables, so no channel can claim it wrongly.
   */
  readonly dispatchOrderFree: boolean;
  /** Some transmission probability underflowed in the channel's making of it (Transmission.underflowed). */
  readonly tablesUnderflow: boolean;
  /**
   * Crash-stop faults: each node's probability of crashing at the start of a round while still
   * up (nodes numbered as the protocol's `nodes` says), or null where no node can crash — the
   * protocol then runs exactly as without crash support.
   */
  readonly crash: Float64Array | null;
  /** Per node, [crash, stay up] ready for sampling; null for a node that cannot crash. */
  readonly crashSampling: readonly (SamplingTable | null)[];
  /**
   * The channel replayed directly (a measured trace; see Replay), which Monte Carlo and `trace`
   * read instead of the tables; delivery class c is then c + 1 copies. A long trace has no
   * tables (no initial states or transmissions); a short one has them for the exact engines,
   * built when first asked for.
   */
  readonly replay?: Replay;
  /**
   * Lets go of tables built when first asked for (a short trace's, tens of megabytes at 20,000
   * packets), built again if asked for once more: a run keeps every cell's model to its end, and
   * a sweep of a hundred cells over such a trace held them all (out of memory at 128 cells).
   */
  readonly releaseTables?: () => void;
  /**
   * A protocol file's cell: calls its `configure` for this cell again where another cell's came
   * since (configuredFor), as a file may keep what configure sets in the module (an array it
   * refills, a variable) rather than in the config it returns.
   */
  readonly reconfigure?: () => void;
}

/**
 * Per protocol file: the mark of the cell its `configure` was last called for (buildCellModel,
 * configuredFor). Every command builds all its cells' models before it runs any, so without it a
 * file that keeps a cell's figures in the module (a `Float64Array` refilled by each configure)
 * would give every cell the last cell's: exact values of another cell, exit 0.
 */
const lastConfigured = new WeakMap<object, object>();

/**
 * Makes the protocol's last `configure` this cell's before its protocol's code runs for it (an
 * exact value, a task's trials, a sample run again): built-in protocols keep nothing of a cell
 * outside its config, so this does nothing for them.
 */
export function configuredFor(model: CellModel): void {
  model.reconfigure?.();
}

export function buildCellModel(spec: CellSpec): CellModel {
  // A spec names its protocol and channel: it crosses to worker threads, which look them up in their own catalog.
  const protocol = protocolNamed(spec.protocol);
  const channel = channelNamed(spec.channel);
  if (!protocol) throw new Error(`unknown protocol ${spec.protocol}`);
  if (!channel) throw new Error(`unknown channel ${spec.channel}`);
  const params = withDefaults(spec.protocol, spec.channel, spec.params);
  const slip = parameterSlip(protocol.name, params);
  if (slip) throw new UsageError(`cell of ${spec.protocol} over ${spec.channel}`, slip);
  const copies = Number(params['redundancy']);
  const own = Object.fromEntries(protocol.parameters.map((p) => [p.name, smallInteger(Number(params[p.name]))]));
  const roleRates = crashRatesByRole(protocol, params);
  const protocolParams = { ...own, rounds: smallInteger(Number(params['rounds'])), ...(roleRates ? { crashes: 1 } : {}) };
  const given = { ...protocolParams };
  const protocolConfig = protocol.configure(given);
  const changed = changedParameter(protocolParams, given);
  if (changed)
    throw new UsageError(
      `protocol ${protocol.name}`,
      `configure ${changed}: it must derive its config from the parameters, never change them, since every row and file prints the given value`,
    );
  // A protocol file's cell: its configure called again before its code runs for the cell, where another cell's came since.
  const mark = {};
  if (spec.protocolFile !== undefined) lastConfigured.set(protocol, mark);
  const reconfigure =
    spec.protocolFile === undefined
      ? undefined
      : (): void => {
          if (lastConfigured.get(protocol) === mark) return;
          protocol.configure({ ...protocolParams });
          lastConfigured.set(protocol, mark);
        };
  const channelParams = spec.files
    ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && spec.files![v] ? spec.files![v]! : v]))
    : params;
  const channelConfig = channel.configure(channelParams, copies);
  const crash = roleRates ? Float64Array.from(checkedNodes(protocol, protocolConfig), (role) => roleRates[role] ?? 0) : null;
  const hasTables = channel.hasTables?.(channelConfig) ?? true;
  // Crashes over tables stay on the tables, as the exact engine reads them.
  const replay = crash && hasTables ? null : (channel.replay?.(channelConfig) ?? null);
  const crashSampling = crash ? Array.from(crash, (rate) => (rate > 0 ? samplingTable([rate, 1 - rate]) : null)) : [];
  const shared = {
    protocol,
    protocolConfig,
    parameterValues: Object.values(protocolParams),
    channel,
    channelConfig,
    copies,
    outcomes: protocol.outcomes,
    stateSize: checkedStateSize(protocol, protocolConfig),
    roundLimit: Math.max(roundLimitOf(protocol, { ...own, rounds: Number(params['rounds']) }), 1),
    crash,
    crashSampling,
    ...(reconfigure ? { reconfigure } : {}),
  };
  // A replayed trace without tables: its fates are read from the trace (engine/montecarlo/replay.ts).
  if (replay && !hasTables) {
    let values: readonly number[] | undefined;
    return {
      ...shared,
      transmissions: [],
      get deliveryValues() {
        return (values ??= replayedDeliveryValues(this, replay));
      },
      initialStates: [],
      initialSampling: samplingTable([1]),
      dispatchOrderFree: false,
      tablesUnderflow: false,
      replay,
    };
  }
  // A channel that says whether it has tables (a trace) has large ones where it has them: a state per position.
  if (replay || channel.hasTables !== undefined) {
    // Replayed, with tables: Monte Carlo and `trace` read the replay alone, so the tables (for
    // the exact engines) are built when first asked for. With crashes, not replayed: the engines
    // read the tables, built when first asked for too, so that a sweep's models, kept to the
    // run's end, hold none but the cell's at work (releaseTables). Delivery class c is c + 1
    // copies, as the replay counts them.
    const byCopies = Array.from({ length: replay?.copies ?? copies }, (_, c) => c + 1);
    let values: readonly number[] | undefined;
    let tables: ChannelTables | undefined;
    const built = (): ChannelTables => (tables ??= channelTables(channel, channelConfig, byCopies, true));
    return {
      ...shared,
      get deliveryValues() {
        return replay ? (values ??= replayedDeliveryValues(this, replay)) : byCopies;
      },
      ...(replay ? { replay } : {}),
      get transmissions() {
        return built().transmissions;
      },
      get initialStates() {
        return built().initialStates;
      },
      get initialSampling() {
        return built().initialSampling;
      },
      get dispatchOrderFree() {
        return built().dispatchOrderFree;
      },
      get tablesUnderflow() {
        return built().tablesUnderflow;
      },
      releaseTables() {
        tables = undefined;
      },
    };
  }
  const deliveryValues: number[] = [];
  return { ...shared, deliveryValues, ...channelTables(channel, channelConfig, deliveryValues, false) };
}

/**
 * The cell's state size, held to the contract's bounds (check and the quick check hold the cells
 * they explore to them): a size that is no whole number from 1 to 2^20 would give every trial an
 * empty or unallocatable state, counted as outcomes no trace could replay.
 */
/** The protocol's nodes' roles in this cell, refused (exit 2) where they are no list of 2 to 30 role indices: in every cell, not only those check explores. */
function checkedNodes(protocol: ProtocolDefinition<unknown>, config: unknown): readonly number[] {
  const roles: unknown = protocol.nodes!(config);
  const problem = nodesProblem(roles, protocol.roles!.length);
  if (problem) throw new UsageError(`protocol ${protocol.name}`, problem);
  return roles as readonly number[];
}

function checkedStateSize(protocol: ProtocolDefinition<unknown>, config: unknown): number {
  const size = protocol.stateSize(config);
  if (!Number.isInteger(size) || size < 1 || size > MAX_STATE_SIZE)
    throw new UsageError(`protocol ${protocol.name}`, `stateSize returned ${returnedValue(size)}; it must be a whole number from 1 (the clock) to 2^20`);
  return size;
}

/** The largest state a protocol may declare (Int32 fields), as check holds it. */
const MAX_STATE_SIZE = 1 << 20;

type ChannelTables = Pick<CellModel, 'transmissions' | 'initialStates' | 'initialSampling' | 'dispatchOrderFree' | 'tablesUnderflow'>;

/**
 * A replayed trace's delivery classes: class c is c + 1 copies; a protocol that sends one message
 * and ends (its start order) has one more, its received message's copies as their mean over the
 * starts that deliver (start-order.ts), in which its trials are counted.
 */
function replayedDeliveryValues(model: CellModel, replay: Replay): readonly number[] {
  const byCopies = Array.from({ length: replay.copies }, (_, c) => c + 1);
  configuredFor(model); // asked for lazily, after other cells' models were built
  const send = model.crash === null ? oneSendOf(model.protocol, model.protocolConfig, model.stateSize, model.roundLimit, model.outcomes.names.length) : null;
  return send ? [...byCopies, meanCopiesReceived(replay.startsByDelivered(send.direction))] : byCopies;
}

/** The channel's tables as the engines read them, its delivery classes added to `deliveryValues` (or, `byCopies`, class c for c + 1 copies). */
function channelTables(channel: ChannelDefinition<unknown>, config: unknown, deliveryValues: number[], byCopies: boolean): ChannelTables {
  return tablesOf(channel.initialStates(config), channel.transmissions(config), deliveryValues, byCopies);
}

/**
 * The cell as the exact engines read it: with the channel's tables for them (its `exactTables`:
 * Gilbert–Elliott's first copies stationary, not stepped into it) where it has them, else the
 * model itself. Monte Carlo keeps the tables it samples, so not a draw changes.
 */
export function exactModelOf(model: CellModel): CellModel {
  if (!model.channel.exactTables || model.replay) return model;
  const tables = model.channel.exactTables(model.channelConfig);
  if (!tables) return model;
  // The exact engines read no delivery classes: theirs are made and set aside.
  return { ...model, ...tablesOf(tables.initialStates, tables.transmissions, [], false) };
}

function tablesOf(initialStates: readonly InitialState[], given: readonly Transmission[], deliveryValues: number[], byCopies: boolean): ChannelTables {
  const transmissions = prepareTransmissions(given, deliveryValues, byCopies);
  return {
    tablesUnderflow: given.some((t) => t.underflowed === true),
    transmissions,
    initialStates,
    initialSampling: samplingTable(initialStates.map((s) => s.probability)),
    dispatchOrderFree: isDispatchOrderFree(initialStates, transmissions),
  };
}

/**
 * A whole number as V8's small integer rather than a boxed double (the same value): parameters
 * arrive boxed from the parameter tables, and a protocol computing with boxed numbers has its
 * `%` and `/` compiled to floating point (the x87 remainder for `%`), which made a trial of
 * two-phase commit or of a protocol file several times slower.
 */
function smallInteger(value: number): number {
  return Number.isInteger(value) && Math.abs(value) < 2 ** 30 && !Object.is(value, -0) ? value | 0 : value;
}

/** Each role's crash rate (crashRole, else crash, else 0), or null where every one is 0. */
function crashRatesByRole(protocol: ProtocolDefinition<unknown>, params: Readonly<Record<string, number | string>>): number[] | null {
  const base = Number(params[CRASH_PARAMETER.name] ?? 0);
  const roles = protocol.roles ?? [];
  const rates = roles.map((role) => Number(params[crashParameterName(role)] ?? base));
  if (!rates.some((rate) => rate > 0) && !(base > 0)) return null;
  if (!supportsCrashes(protocol)) throw new Error(`protocol ${protocol.name} does not support crashes`);
  return rates;
}

function isDispatchOrderFree(initialStates: readonly InitialState[], transmissions: readonly PreparedTransmission[]): boolean {
  if (initialStates.length !== 1) return false;
  const only = initialStates[0]!.state;
  return transmissions.every((t) => t.nextState.every((s) => s === only));
}

/**
 * The channel's transmissions ready for sampling. Every array is a view into one buffer per
 * kind: a channel of many states (a trace has one a position) would otherwise allocate seven
 * small buffers a transmission, and the collector spend most of a model's build sweeping them.
 */
function prepareTransmissions(given: readonly Transmission[], deliveryValues: number[], byCopies: boolean): PreparedTransmission[] {
  let total = 0;
  for (const t of given) for (const p of t.probabilities) if (p > 0) total++;
  const probabilities = new Float64Array(total);
  const delivered = new Float64Array(total);
  const received = new Uint8Array(total);
  const nextState = new Int32Array(total);
  const deliveryClass = new Int32Array(total);
  const high = new Float64Array(total);
  const threshold = new Float64Array(total);
  const probabilitiesLow = new Float64Array(total);
  const deliveredMass = new Float64Array(total);
  const deliveredMassLow = new Float64Array(total);
  const prepared: PreparedTransmission[] = [];
  let at = 0;
  for (const t of given) {
    const from = at;
    t.probabilities.forEach((p, i) => {
      if (!(p > 0)) return;
      probabilities[at] = p;
      delivered[at] = t.delivered[i]!;
      if (t.finer) {
        probabilitiesLow[at] = t.finer.probabilitiesLow[i]!;
        deliveredMass[at] = t.finer.deliveredMass[i]!;
        deliveredMassLow[at] = t.finer.deliveredMassLow[i]!;
      } else {
        const product = twoProduct(p, t.delivered[i]!);
        deliveredMass[at] = product.hi;
        deliveredMassLow[at] = product.lo;
      }
      received[at] = t.received[i] ? 1 : 0;
      nextState[at] = t.nextState[i]!;
      deliveryClass[at] = t.delivered[i]! > 0 ? (byCopies ? t.delivered[i]! - 1 : deliveryValues.push(t.delivered[i]!) - 1) : -1;
      at++;
    });
    const own = probabilities.subarray(from, at);
    prepared.push({
      probabilities: own,
      received: received.subarray(from, at),
      delivered: delivered.subarray(from, at),
      nextState: nextState.subarray(from, at),
      deliveryClass: deliveryClass.subarray(from, at),
      sampling: samplingTable(own, high.subarray(from, at), threshold.subarray(from, at)),
      probabilitiesLow: probabilitiesLow.subarray(from, at),
      deliveredMass: deliveredMass.subarray(from, at),
      deliveredMassLow: deliveredMassLow.subarray(from, at),
    });
  }
  return prepared;
}
