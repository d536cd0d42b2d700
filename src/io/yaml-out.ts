import { Document, visit } from 'yaml';
import { hasFormatControl, yamlFormatEscaped } from './text.js';

/**
 * A value as YAML, as `yaml`'s stringify writes it, but no format control or separator of the
 * user's text (U+202E, U+2066, U+2028, U+FEFF, …) raw: YAML writes C0 controls as escapes in a
 * double-quoted string, and these only where they are not printable, so a string holding one is
 * written double-quoted with each as an escape (`"a\u202Eb"`), which reads back as the same text.
 */
export function toYaml(value: unknown): string {
  const document = new Document(value);
  visit(document, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && hasFormatControl(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return yamlFormatEscaped(document.toString());
}
