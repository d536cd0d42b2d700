/** Code units passed to one String.fromCharCode call: far below any engine's argument limit. */
const CHUNK = 8192;
let units = new Uint16Array(64);

/**
 * A state's identity as a Map key: the channel state and each 32-bit field as two UTF-16 code
 * units. Two states share a key only if every field is equal, and building it costs a copy
 * instead of a decimal conversion per field (the exact engines make one per branch).
 */
export function stateKey(channelState: number, state: Int32Array): string {
  const n = 2 * state.length + 2;
  if (units.length < n) units = new Uint16Array(n);
  units[0] = channelState & 0xffff;
  units[1] = channelState >>> 16;
  units.set(new Uint16Array(state.buffer, state.byteOffset, 2 * state.length), 2);
  if (n <= CHUNK) return String.fromCharCode.apply(null, units.subarray(0, n) as unknown as number[]);
  let key = '';
  for (let at = 0; at < n; at += CHUNK) key += String.fromCharCode.apply(null, units.subarray(at, Math.min(n, at + CHUNK)) as unknown as number[]);
  return key;
}
