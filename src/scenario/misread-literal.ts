import { visit } from 'yaml';
import type { Document } from 'yaml';
import { misreadNumber } from '../io/number-literal.js';

// A module of its own, kept out of the published types' reach: its signature names yaml's
// Document, which a user's TypeScript could not resolve (yaml is bundled, not a dependency).
/**
 * The first number written in the document that the reader holds as another number (1e-400 as 0,
 * 1e400 as infinity, 9007199254740993 as 9007199254740992), with its offset: it would run as that
 * other number, so it is refused where it is written.
 */
export function misreadLiteral(doc: Document): { offset: number; problem: string } | null {
  let found: { offset: number; problem: string } | null = null;
  // Every scalar is visited (bundled, `visit.BREAK` did not stop the walk): the first misread one is kept.
  visit(doc, {
    Scalar(_key, node) {
      if (found !== null || typeof node.value !== 'number' || node.source === undefined) return;
      const problem = misreadNumber(node.source, node.value);
      if (problem !== null) found = { offset: node.range?.[0] ?? 0, problem };
    },
  });
  return found;
}
