/** What a table files: a protocol state and the channel's. */
export interface Keyed {
  readonly state: Int32Array;
  readonly channelState: number;
}

const FIRST_SLOTS = 16;

/**
 * States found by their fields (the exact engine's at one clock; those `check` has met): open
 * addressing over a hash of the channel state and the fields, each candidate compared field by
 * field (a collision costs a compare, never a wrong merge). No string is made per branch, as a
 * Map's key would be: the exact engine's collector time went mostly to those. `nodes` keeps the
 * order in which the states were first filed, the order the engine expands and sums them in.
 */
export class StateTable<T extends Keyed> {
  readonly nodes: T[] = [];
  /** Per slot, a node's index + 1 (0: empty); at most half full. */
  private slots = new Int32Array(FIRST_SLOTS);
  /** Per node, its hash (so that growing does not read the states again). */
  private hashes = new Int32Array(FIRST_SLOTS / 2);
  /** Where the last `find` ended: the empty slot `add` fills, and the hash it files. */
  private freeSlot = -1;
  private lastHash = 0;

  /** The node filed under these states, or undefined; `add` then files a node under them. */
  find(channelState: number, state: Int32Array): T | undefined {
    const hash = hashOf(channelState, state);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const filed = this.slots[slot]!;
      if (filed === 0) {
        this.freeSlot = slot;
        this.lastHash = hash;
        return undefined;
      }
      const node = this.nodes[filed - 1]!;
      if (this.hashes[filed - 1] === hash && node.channelState === channelState && sameFields(node.state, state)) return node;
    }
  }

  /** Files `node` under the states the last `find` did not find. */
  add(node: T): void {
    const index = this.nodes.length;
    this.nodes.push(node);
    if (index === this.hashes.length) {
      const grown = new Int32Array(2 * index);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[index] = this.lastHash;
    this.slots[this.freeSlot] = index + 1;
    if (2 * (index + 1) > this.slots.length) this.grow();
  }

  private grow(): void {
    const slots = new Int32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let i = 0; i < this.nodes.length; i++) {
      let slot = this.hashes[i]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
    this.slots = slots;
  }
}

/** A 32-bit hash of the channel state and every field (murmur3's mixing). */
export function hashOf(channelState: number, state: Int32Array): number {
  let h = Math.imul(channelState ^ 0x9747b28c, 0xcc9e2d51);
  for (let i = 0; i < state.length; i++) {
    let k = Math.imul(state[i]!, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameFields(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
