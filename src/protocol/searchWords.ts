/**
 * How a search sees words, for the room's index (src/room/search.ts) and for
 * the clients that highlight what it matched (src/client/chat/searchMatch.ts):
 * runs of letters, numbers and marks, as FTS5's unicode61 tokenizer cuts them,
 * compared without case or diacritics ("Café" is "cafe").
 */

/** Words as the tokenizer sees them. */
export const SEARCH_WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** A word (or a text) folded the way the index compares words: no diacritics, no case. */
export function foldWord(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
