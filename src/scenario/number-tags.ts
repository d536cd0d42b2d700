import { visit } from 'yaml';
import type { Document } from 'yaml';

// A module of its own, kept out of the published types' reach (as misread-literal.ts): its
// signature names yaml's Document, which a user's TypeScript could not resolve (yaml is bundled).

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** A number as YAML 1.2's core schema writes one: decimal, or whole in hexadecimal or octal. */
const DECIMAL = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const HEX_OR_OCTAL = /^0(?:x[0-9a-fA-F]+|o[0-7]+)$/;

/**
 * Reads as numbers the scalars tagged `!!float` or `!!int` whose text is a number the reader left
 * as text: its float pattern wants a point or an exponent (`!!float 1`, which YAML's JSON schema
 * reads as 1.0, was the text '1', refused as "loss must be a number (got '1')"), its int pattern
 * a whole number's digits (`!!int 1e3`). A `!!int` whose number is not whole (`!!int 0.5`) is
 * returned, where it is written, as a problem: left as text, it was refused as "loss must be a
 * number (got '0.5')", naming a number as no number.
 */
export function readNumberTags(doc: Document): { offset: number; problem: string } | null {
  let found: { offset: number; problem: string } | null = null;
  visit(doc, {
    Scalar(_key, node) {
      if ((node.tag !== FLOAT_TAG && node.tag !== INT_TAG) || typeof node.value !== 'string') return;
      const text = node.value.trim();
      if (!DECIMAL.test(text) && !HEX_OR_OCTAL.test(text)) return;
      const value = Number(text);
      // One too large or small for a double is read too, to be refused as the number it is (misread-literal.ts).
      if (node.tag === FLOAT_TAG || Number.isInteger(value) || !Number.isFinite(value)) node.value = value;
      else
        found ??= {
          offset: node.range?.[0] ?? 0,
          problem: `!!int ${text}: !!int tags a whole number, and ${text} is not one: write ${text} without the tag, or a whole number`,
        };
    },
  });
  return found;
}
