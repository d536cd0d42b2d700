import { visit } from 'yaml';
import type { Alias, Document, ToJSOptions } from 'yaml';

// A module of its own, kept out of the published types' reach (as misread-literal.ts): its
// signature names yaml's Document, which a user's TypeScript could not resolve (yaml is bundled).

/**
 * The document's data (doc.toJS), or what it threw and, where that was while an alias (*name) was
 * being resolved (too many aliases, one to no anchor), the offset of that alias: the reader's
 * error names no place.
 */
export function dataOrAliasFailure(doc: Document, options: ToJSOptions): { data: unknown } | { failure: unknown; offset: number | undefined } {
  const aliases: Alias[] = [];
  // The node each anchor (&name) names so far: an alias names the last one before it.
  const anchored = new Map<string, unknown>();
  let unanchored: Alias | undefined;
  let inside: Alias | undefined;
  visit(doc, {
    Node(_key, node) {
      if (node.anchor) anchored.set(node.anchor, node);
    },
    Alias(_key, node, path) {
      aliases.push(node);
      const target = anchored.get(node.source);
      if (target === undefined) unanchored ??= node;
      else if (path.includes(target as never)) inside ??= node;
    },
  });
  // The reader throws for it after its resolve has returned: named here, where it is.
  if (unanchored) return { failure: new ReferenceError(`Unresolved alias: ${unanchored.source}`), offset: unanchored.range?.[0] };
  // Within the list or mapping it names, an alias makes that value contain itself, without end.
  if (inside) return { failure: new ReferenceError(`Alias inside its anchor: ${inside.source}`), offset: inside.range?.[0] };
  // The alias being resolved: each alias's own resolve, for the length of this call, records
  // itself (and gives way to the alias it was resolved within when it returns).
  let current: Alias | undefined;
  for (const alias of aliases) {
    const resolve = alias.resolve;
    alias.resolve = function (this: Alias, ...args: Parameters<Alias['resolve']>) {
      const within = current;
      current = alias;
      const found = resolve.apply(this, args);
      current = within;
      return found;
    };
  }
  try {
    return { data: doc.toJS(options) };
  } catch (failure) {
    return { failure, offset: current?.range?.[0] };
  } finally {
    for (const alias of aliases) delete (alias as { resolve?: unknown }).resolve;
  }
}
