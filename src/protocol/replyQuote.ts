/**
 * What a reply quotes of the message it answers. The room makes the quote
 * when it stores the reply, and rewrites it when the original is edited or
 * deleted; a client holding the reply applies the same change when the live
 * `edited` or `deleted` event arrives. Both use these functions, so a quote
 * reads the same whether it came from storage or was updated in place.
 */
import type { DeletedEvent, EditedEvent, ReplyQuote, SpokenMessage } from "./frames.ts";
import { SNIPPET_MAX } from "./limits.ts";

/** The start of a text as one line: whitespace runs folded to a space, at most SNIPPET_MAX code points, "…" when cut. */
export function replySnippet(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  // Cheap test first: most quoted messages are short.
  if (line.length <= SNIPPET_MAX) return line;
  const points = Array.from(line);
  if (points.length <= SNIPPET_MAX) return line;
  return `${points.slice(0, SNIPPET_MAX).join("").trimEnd()}…`;
}

/** The quote of a message as it reads now. */
export function quoteOf(message: SpokenMessage): ReplyQuote {
  const quote: ReplyQuote = { seq: message.seq, from: message.from, snippet: replySnippet(message.text) };
  if (message.edited !== undefined) quote.edited = true;
  return quote;
}

/** A quote after the message it quotes was edited or deleted: no text of a deleted message survives. */
export function quoteAfter(quote: ReplyQuote, change: EditedEvent | DeletedEvent): ReplyQuote {
  if (change.type === "deleted" || "deleted" in change) return { seq: quote.seq, from: quote.from, deleted: true };
  return { seq: quote.seq, from: quote.from, snippet: replySnippet(change.text), edited: true };
}
