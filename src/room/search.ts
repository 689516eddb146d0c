/**
 * Full-text search of the room's messages, with SQLite FTS5 inside the
 * room's own storage: no service, no copy of the history elsewhere.
 *
 * Cost model (rows billed): the index is contentless (`content=''`): it keeps
 * only the tokens, never a second copy of the text, which stays in the event
 * log alone. Indexing a message writes the rows FTS5 needs for its tokens
 * (measured by the benchmark's cost table, `npm run bench`), and the index is
 * `contentless_delete`, so an edit or a deletion removes the message's
 * tokens without the old text. Pruning deletes the index rows of the events
 * it prunes, in the same batches. A search reads the index's matching rows,
 * then each result's event (from the log's memory when recent).
 *
 * Nothing a person types reaches FTS5 as query syntax: the query is cut into
 * words exactly as the tokenizer would, and each word goes in as a quoted
 * string, so `"`, `*`, `NEAR(`, `-`, `OR` and `col:` are only text. Every word
 * must match (AND); the last one also matches as a prefix, so a search typed
 * as far as "reac" finds "reaction".
 */
import type { Member, RoomEvent, SearchResult } from "../protocol/frames.ts";
import { SEARCH_TERMS_MAX, SNIPPET_MAX } from "../protocol/limits.ts";
import { foldWord, SEARCH_WORD } from "../protocol/searchWords.ts";
import type { EventLog } from "./eventLog.ts";
import type { Sql } from "./sql.ts";


export class SearchIndex {
  readonly #sql: Sql;

  constructor(sql: Sql, events: EventLog) {
    this.#sql = sql;
    const existed = sql.rows<[number]>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'search'")[0]?.[0] === 1;
    if (existed) return;
    sql.run(
      "CREATE VIRTUAL TABLE search USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')",
    );
    // A room that kept history before it had an index (search was off, or older code): index it once.
    for (const { json } of events.after(0)) {
      const event = JSON.parse(json) as RoomEvent;
      if (event.type === "message" && "text" in event) this.add(event.seq, event.text);
    }
  }

  /** Search is off: a room's index goes (a later switch back on rebuilds it whole). */
  static drop(sql: Sql): null {
    sql.run("DROP TABLE IF EXISTS search");
    return null;
  }

  /** Indexes a new message. */
  add(seq: number, text: string): void {
    this.#sql.run("INSERT INTO search (rowid, text) VALUES (?, ?)", seq, text);
  }

  /** A message's text changed (an edit): its old tokens go, the new ones come. */
  replace(seq: number, text: string): void {
    this.remove(seq);
    this.add(seq, text);
  }

  /** A message was deleted: nothing of it stays findable. */
  remove(seq: number): void {
    this.#sql.run("DELETE FROM search WHERE rowid = ?", seq);
  }

  /** The event log pruned everything before `seq`. */
  pruneBefore(seq: number): void {
    this.#sql.run("DELETE FROM search WHERE rowid < ?", seq);
  }

  /**
   * Up to `limit` matching messages older than `before`, newest first, and
   * whether there are more. An empty query (no words) matches nothing.
   */
  search(q: string, before: number, limit: number, events: EventLog): { results: SearchResult[]; hasMore: boolean } {
    const words = queryWords(q);
    if (words.length === 0) return { results: [], hasMore: false };
    const seqs = this.#sql
      .rows<[number]>("SELECT rowid FROM search WHERE search MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?", matchExpression(words), before, limit + 1)
      .map(([seq]) => seq);
    const results: SearchResult[] = [];
    for (const seq of seqs.slice(0, limit)) {
      const message = events.message(seq);
      if (message && !("deleted" in message)) results.push(result(message.seq, message.ts, message.from, message.text, words));
    }
    return { results, hasMore: seqs.length > limit };
  }
}

/** The words of a query, as the tokenizer will match them (at most SEARCH_TERMS_MAX). */
export function queryWords(q: string): string[] {
  return (q.normalize("NFC").match(SEARCH_WORD) ?? []).slice(0, SEARCH_TERMS_MAX);
}

/** Every word as a quoted FTS5 string, all required; the last also as a prefix. */
export function matchExpression(words: readonly string[]): string {
  return words.map((word, i) => `"${word.replaceAll('"', '""')}"${i === words.length - 1 ? " *" : ""}`).join(" ");
}

function result(seq: number, ts: number, from: Member, text: string, words: readonly string[]): SearchResult {
  return { seq, ts, from, snippet: snippetAround(text, words) };
}

/**
 * About SNIPPET_MAX code points of the text around its first match, as one
 * line, with "…" where it was cut: the clients highlight the words in it.
 */
export function snippetAround(text: string, words: readonly string[]): string {
  const line = Array.from(text.replace(/\s+/g, " ").trim());
  if (line.length <= SNIPPET_MAX) return line.join("");
  // Where each code point starts in the folded text, to map a match back to a code point.
  let folded = "";
  const startOf: number[] = [];
  for (const point of line) {
    startOf.push(folded.length);
    folded += foldWord(point);
  }
  let at = -1;
  for (const word of words) {
    const found = folded.indexOf(foldWord(word));
    if (found >= 0 && (at < 0 || found < at)) at = found;
  }
  let point = 0;
  while (at >= 0 && point + 1 < startOf.length && startOf[point + 1]! <= at) point++;
  // Some words of context before the match.
  const start = Math.max(0, Math.min(at < 0 ? 0 : point - 30, line.length - SNIPPET_MAX));
  const end = Math.min(line.length, start + SNIPPET_MAX);
  return `${start > 0 ? "…" : ""}${line.slice(start, end).join("").trim()}${end < line.length ? "…" : ""}`;
}
