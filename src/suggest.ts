import { closest, distance } from 'fastest-levenshtein';

/** " (did you mean 'x'?)" when a known word is close to `word`, else "". */
export function didYouMean(word: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(word, [...known]);
  const close = distance(word.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3));
  return close ? ` (did you mean '${best}'?)` : '';
}
