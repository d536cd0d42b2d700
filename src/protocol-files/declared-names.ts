import { inlineText } from '../io/text.js';

/** An outcome's name in a protocol file: letters, digits and _, starting with a letter. */
export const OUTCOME_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A parameter's or a role's name in a protocol file: letters and digits, starting with a letter. */
export const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The first of these declared names that is no text matching `pattern`, as a refusal quotes it
 * ('1st', or 7 (not a text)); undefined where every name matches.
 */
export function firstMisnamed(names: readonly unknown[], pattern: RegExp): string | undefined {
  const at = names.findIndex((name) => typeof name !== 'string' || !pattern.test(name));
  if (at < 0) return undefined;
  const wrong = names[at];
  return typeof wrong === 'string' ? `'${inlineText(wrong)}'` : `${inlineText(String(JSON.stringify(wrong) ?? typeof wrong))} (not a text)`;
}
