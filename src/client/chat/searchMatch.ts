/**
 * Where a search's words are in a result's text, to highlight them: the
 * same words the room matched (src/room/search.ts), found the same way.
 * Words are runs of letters, numbers and marks; they compare without case
 * or diacritics ("Café" is "cafe"); every word of the query matches whole,
 * except the last, which also matches as the start of a word (typed as far
 * as "reac", it finds "reaction"). Pure, for both apps.
 */

import { foldWord, SEARCH_WORD } from "../../protocol/searchWords.ts";

/** One highlighted run of `text`: from `start` up to `end` (UTF-16 offsets). */
export interface TextRange {
  start: number;
  end: number;
}

/** The words of a query, folded, in order (the last one may be a prefix). */
export function searchWords(q: string): string[] {
  return Array.from(q.matchAll(SEARCH_WORD), (m) => foldWord(m[0])).filter((w) => w !== "");
}

/** The runs of `text` that the query `q` matched, in order, never overlapping. */
export function searchHighlights(text: string, q: string): TextRange[] {
  const words = searchWords(q);
  if (words.length === 0) return [];
  const whole = new Set(words.slice(0, -1));
  const prefix = words.at(-1)!;
  const ranges: TextRange[] = [];
  for (const match of text.matchAll(SEARCH_WORD)) {
    const word = foldWord(match[0]);
    if (whole.has(word) || word.startsWith(prefix)) ranges.push({ start: match.index, end: match.index + match[0].length });
  }
  return ranges;
}
