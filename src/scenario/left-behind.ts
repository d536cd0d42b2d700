import { parameterSpec, protocolsDeclaring } from '../catalog/parameters.js';
import { isProtocolPath, loadedProtocolFile, protocolFilePath } from '../protocol-files/load.js';
import { DEFAULTS } from './defaults.js';
import type { Path } from './parse.js';

/** A flag that gave the scenario another protocol or channel model than its file's. */
export interface KindChange {
  readonly flag: string;
  readonly kind: 'protocol' | 'channel';
  readonly from: string;
  readonly to: string;
  /** The scenario file the change was made to, where a protocol file's path is resolved from. */
  readonly scenarioFile?: string | undefined;
}

/** The channel model scenario data names: `channel: cut`, `channel: { model: cut }`, or the default. */
function channelModel(data: Record<string, unknown>): string {
  const channel = data['channel'];
  if (typeof channel === 'string') return channel;
  if (typeof channel === 'object' && channel !== null && !Array.isArray(channel)) return String((channel as Record<string, unknown>)['model'] ?? '');
  return DEFAULTS.channel;
}

/**
 * The flags (`--set protocol=…`, `--set channel=…`, `--set channel.model=…`, the last of each)
 * that changed the file's protocol or channel model: keys the file wrote for the one it had may
 * be left behind, refused where the file is read but the flag's doing.
 */
export function kindChanges(file: Record<string, unknown>, data: Record<string, unknown>, sets: readonly string[], scenarioFile?: string): KindChange[] {
  const lastFlag = (keys: readonly string[]): string | undefined => [...sets].reverse().find((assignment) => keys.includes(assignment.split('=')[0]!.trim()));
  const changes: KindChange[] = [];
  const protocolFlag = lastFlag(['protocol']);
  const [fromProtocol, toProtocol] = [String(file['protocol'] ?? ''), String(data['protocol'] ?? '')];
  if (protocolFlag !== undefined && fromProtocol !== '' && fromProtocol !== toProtocol)
    changes.push({ flag: `--set ${protocolFlag}`, kind: 'protocol', from: fromProtocol, to: toProtocol, scenarioFile });
  const channelFlag = lastFlag(['channel', 'channel.model']);
  const [fromModel, toModel] = [channelModel(file), channelModel(data)];
  if (channelFlag !== undefined && fromModel !== toModel)
    changes.push({ flag: `--set ${channelFlag}`, kind: 'channel', from: fromModel, to: toModel, scenarioFile });
  return changes;
}

/** What a path of the scenario belongs to, and the `--set` that removes it; undefined where no kind owns it. */
function ownerOf(path: Path): { kind: 'protocol' | 'channel'; owner: string | readonly string[] | undefined; remove: string } | undefined {
  const [first, second] = path;
  if (first === 'channel' && typeof second === 'string' && second !== 'model')
    return { kind: 'channel', owner: parameterSpec(second)?.channel, remove: `channel.${second}` };
  // A gate's metric may be an outcome of the file's protocol (inconsistent); the entry itself (its place, its bounds) is no protocol's.
  if (first === 'expect') return path[2] === 'metric' ? { kind: 'protocol', owner: undefined, remove: 'expect' } : undefined;
  const [name, remove] = first === 'sweep' && typeof second === 'string' ? [second, `sweep.${second}`] : [first, String(first)];
  const spec = typeof name === 'string' ? parameterSpec(name) : undefined;
  if (spec?.channel) return { kind: 'channel', owner: spec.channel, remove };
  // Several protocols may declare the name (participants): it is left behind only by a protocol that does not.
  if (spec?.protocol) return { kind: 'protocol', owner: protocolsDeclaring(name as string), remove };
  if (spec?.perRole || spec?.roleOf) return { kind: 'protocol', owner: undefined, remove };
  return undefined;
}

/** The protocol or channel a change leads to, by name: a protocol file's own name, where the scenario wrote its path. */
function kindName(change: KindChange): string {
  if (change.kind !== 'protocol' || !isProtocolPath(change.to)) return change.to;
  return loadedProtocolFile(protocolFilePath(change.to, change.scenarioFile))?.name ?? change.to;
}

/**
 * Where a key the file wrote for its own protocol or channel is refused once a flag changed that
 * kind: at the flag, naming the file's key, its place and how to remove it (`--set
 * channel.model=cut: the file's channel.goodToBad (bursty.yaml:9:36) was written for its
 * gilbert-elliott channel, not cut (remove it with --set channel.goodToBad=null)`). Undefined
 * where the path is none of those.
 */
export function leftBehindPlace(changes: readonly KindChange[], path: Path, filePlace: string): string | undefined {
  const owner = ownerOf(path);
  if (owner === undefined) return undefined;
  const change = changes.find((c) => c.kind === owner.kind);
  if (change === undefined) return undefined;
  const to = kindName(change);
  if (Array.isArray(owner.owner) ? owner.owner.includes(to) : owner.owner === to) return undefined;
  const name = path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i ? `.${part}` : part)).join('');
  return `${change.flag}: the file's ${name} (${filePlace}) was written for its ${change.from} ${change.kind}, not ${change.to} (remove it with --set ${owner.remove}=null)`;
}
