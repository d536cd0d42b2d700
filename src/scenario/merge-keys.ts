import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Document, Node, Pair } from 'yaml';

// A module of its own, kept out of the published types' reach (as misread-literal.ts): its
// signatures name yaml's nodes, which a user's TypeScript could not resolve (yaml is bundled).

/**
 * YAML's merge key (`<<: *base`, YAML 1.1's merge type, which the reader applies): a plain `<<`,
 * or a key tagged `!!merge`. Quoted, `"<<"` is a key like any other.
 */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

/** A node, or the node an alias (`*name`) stands for. */
function resolved(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The mappings a merge key's value brings in, in the order they take precedence (first wins). */
function mergeSources(doc: Document, value: unknown): unknown[] {
  const source = resolved(doc, value);
  return isSeq(source) ? source.items.map((item) => resolved(doc, item)) : [source];
}

/**
 * The first merge key whose value is not a mapping (or a list of mappings), with the offset of
 * that value: the reader refused it with "Merge sources must be maps or map aliases", naming no
 * place.
 */
export function badMergeSource(doc: Document): { offset: number; problem: string } | null {
  let found: { offset: number; problem: string } | null = null;
  // Every pair is visited (bundled, `visit.BREAK` did not stop the walk): the first bad one is kept.
  visit(doc, {
    Pair(_key, pair) {
      if (found !== null || !isMergeKey(pair.key)) return;
      const value = resolved(doc, pair.value);
      const items = isSeq(value) ? value.items : [pair.value];
      // An alias to no anchor is named as that (alias-places.ts), not as a merge of no mapping.
      const bad = items.find((item) => !isMap(resolved(doc, item)) && !(isAlias(item) && resolved(doc, item) === undefined));
      if (bad === undefined) return;
      const node = (bad ?? pair.key) as { range?: [number, number, number] | null };
      found = {
        offset: node.range?.[0] ?? (pair.key as Node).range?.[0] ?? 0,
        problem: 'a merge key (<<) takes a mapping, an alias of one (<<: *base) or a list of them',
      };
    },
  });
  return found;
}

/**
 * The pair of `map` that gives `key` its value: the one written in it, else the one a merge key
 * brings in (the first source that has it, as the reader merges), so that a value merged from
 * an anchored mapping is placed where it is written.
 */
function pairOf(doc: Document, map: unknown, key: string | number, seen: Set<unknown> = new Set()): Pair | undefined {
  if (!isMap(map) || seen.has(map)) return undefined;
  seen.add(map);
  // A key read as a number, a boolean or null (`1:`, `true:`, `~:`) is the text the data holds it as.
  const own = map.items.find((p) => isScalar(p.key) && (p.key.value === key || (typeof key === 'string' && String(p.key.value ?? '') === key)));
  if (own) return own;
  for (const merge of map.items.filter((p) => isMergeKey(p.key)))
    for (const source of mergeSources(doc, merge.value)) {
      const found = pairOf(doc, source, key, seen);
      if (found) return found;
    }
  return undefined;
}

/**
 * The node at `path` (a mapping's key followed through merge keys, a list's index), or undefined.
 * An alias on the way is not followed: the place of a value used through one is where it is used.
 */
export function nodeAt(doc: Document, path: readonly (string | number)[]): unknown {
  let node: unknown = doc.contents;
  for (const step of path) {
    node = isSeq(node) && typeof step === 'number' ? node.items[step] : pairOf(doc, node, step)?.value;
    if (node === undefined || node === null) return undefined;
  }
  return node;
}

/** The key node written for the last step of `path` (followed through merge keys), or undefined. */
export function keyAt(doc: Document, path: readonly (string | number)[]): unknown {
  if (!path.length) return undefined;
  return pairOf(doc, nodeAt(doc, path.slice(0, -1)), path[path.length - 1]!)?.key;
}
