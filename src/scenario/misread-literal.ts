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
  const yaml11 = doc.schema.name === 'yaml-1.1';
  // Every scalar is visited (bundled, `visit.BREAK` did not stop the walk): the first misread one is kept.
  visit(doc, {
    Scalar(_key, node) {
      if (found !== null || typeof node.value !== 'number' || node.source === undefined) return;
      const core = yaml11 ? coreLiteral(node.source) : node.source;
      // Named as written (1_0e-401), not as the core schema's literal read for it.
      const problem = misreadNumber(core, node.value)?.replace(core.trim(), node.source.trim()) ?? null;
      if (problem !== null) found = { offset: node.range?.[0] ?? 0, problem };
    },
  });
  return found;
}

/**
 * A YAML 1.1 number (a file that starts `%YAML 1.1`) as the core schema's literal of the same
 * value, where the two write it differently: digits grouped with `_` (1_0e-401 is 1e-400, read
 * as 0), binary (0b…) and octal with a bare leading 0 (010 is 8) as whole numbers. Unchanged
 * where the core schema writes it the same (sexagesimal 1:30, which no misreading concerns, is
 * no number to it and is passed over).
 */
export function coreLiteral(source: string): string {
  const text = source.trim().replace(/_/g, '');
  const whole = /^([-+]?)0(b[01]+|[0-7]+)$/.exec(text);
  if (!whole) return text;
  const digits = whole[2]!;
  return `${whole[1] === '-' ? '-' : ''}${BigInt(digits.startsWith('b') ? `0${digits}` : `0o${digits}`)}`;
}
