/**
 * The room's history in its SQLite storage: one row per event, holding the
 * event's JSON exactly as it was broadcast, so replaying history never
 * re-serialises anything.
 *
 * Cost model (rows billed): appending writes 1 row and reads none; pruning
 * deletes in batches of `slack` rows once the log is `slack` over its limit,
 * so it adds at most 1 amortised row written (and read: a DELETE visits what
 * it deletes) per event, and nothing in the common case. There is no
 * secondary index: it would cost a row written per event.
 *
 * The insert lets SQLite assign the rowid, which is the seq: in a rowid table
 * a new row gets max(rowid) + 1, and rows only ever leave from the oldest end,
 * so that is always lastSeq + 1, the seq already written into the JSON.
 * Naming the seq instead would cost a row read per event (the key check).
 *
 * The newest events are also kept in memory (filled once per wake), so a
 * welcome, a short resume or a first page of scroll-back reads no rows.
 *
 * A message's row also holds who reacted to it (`reactors`, see
 * reactions.ts): only the counts are in its JSON, for everyone to see, and
 * the member ids beside it, where only the room reads them. That column is
 * never in the cache: only a reaction reads it.
 */
import { encodeEvent, storedEventJson, type EventJson } from "../protocol/encode.ts";
import type { MessageEvent, RoomEvent } from "../protocol/frames.ts";
import type { Sql } from "./sql.ts";

export interface StoredEvent {
  seq: number;
  json: EventJson;
}

/** Who sent a message (member id) and the id it gave it: the key of an idempotent resend (see idempotency.ts). */
export interface ClientId {
  sender: string;
  id: string;
}

/** Newest events kept in memory: a welcome's worth and some. */
const RECENT_CACHE = 100;

// The prefix tests are cheap and skip most rows before any JSON is parsed.
const IS_REPLY_TO = `json LIKE '{"type":"message"%' AND json_extract(json, '$.replyTo.seq') = ?`;
const IS_EDIT_OF = `json LIKE '{"type":"edited"%' AND json_extract(json, '$.target') = ?`;
const REPLIES = `SELECT seq, json FROM events WHERE seq > ? AND ${IS_REPLY_TO} ORDER BY seq`;
const EDITS_AND_REPLIES = `SELECT seq, json FROM events WHERE seq > ? AND ((${IS_REPLY_TO}) OR (${IS_EDIT_OF})) ORDER BY seq`;

export class EventLog {
  readonly #sql: Sql;
  readonly #limit: number;
  readonly #slack: number;
  readonly #cacheSize: number;
  #first: number;
  #last: number;
  /** The newest events, oldest first, ending at #last; null until first needed after a wake. */
  #recent: StoredEvent[] | null = null;
  #pruned: ((keepFrom: number) => void) | undefined;

  constructor(sql: Sql, limit: number) {
    this.#sql = sql;
    this.#limit = limit;
    this.#slack = Math.max(1, Math.ceil(limit / 10));
    this.#cacheSize = Math.min(RECENT_CACHE, limit);
    sql.run(
      `CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        json TEXT NOT NULL,
        sender TEXT,
        cid TEXT,
        reactors TEXT
      )`,
    );
    // Added with reactions: rooms created before get the column on their first wake.
    if (!sql.columns("events").includes("reactors")) sql.run("ALTER TABLE events ADD COLUMN reactors TEXT");
    // Two subqueries, because SQLite answers a lone MIN or MAX on the primary
    // key with one seek each, but scans the table for both in one SELECT.
    const [first, last] = sql.rows<[number | null, number | null]>(
      "SELECT (SELECT MIN(seq) FROM events), (SELECT MAX(seq) FROM events)",
    )[0] ?? [null, null];
    this.#last = last ?? 0;
    this.#first = first ?? this.#last + 1;
  }

  /** The newest seq, 0 for an empty room. */
  get lastSeq(): number {
    return this.#last;
  }

  /** The oldest seq that history still offers (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(this.#first, this.#last - this.#limit + 1, 1);
  }

  /**
   * Stores the next event and returns it as JSON. `make` receives the seq and
   * timestamp; a message's `clientId` is stored beside it for idempotency.ts.
   */
  append(make: (seq: number, ts: number) => RoomEvent, clientId?: ClientId): StoredEvent {
    const seq = this.#last + 1;
    const json = encodeEvent(make(seq, Date.now()));
    this.#sql.run("INSERT INTO events (json, sender, cid) VALUES (?, ?, ?)", json, clientId?.sender ?? null, clientId?.id ?? null);
    this.#last = seq;
    if (seq - this.#first + 1 > this.#limit + this.#slack) this.#prune();
    const stored = { seq, json };
    if (this.#recent) {
      this.#recent.push(stored);
      // Trim in batches: an array shift per event would be O(n).
      if (this.#recent.length >= 2 * this.#cacheSize) this.#recent = this.#recent.slice(-this.#cacheSize);
    }
    return stored;
  }

  /** Events with seq > `after`, oldest first, at most `max`. */
  after(after: number, max = Number.MAX_SAFE_INTEGER): StoredEvent[] {
    const from = Math.max(after, this.oldestSeq - 1);
    const recent = this.#cached();
    const start = from + 1 - (recent[0]?.seq ?? this.#last + 1);
    if (start >= 0) return recent.slice(start, start + max);
    return this.#rows("SELECT seq, json FROM events WHERE seq > ? ORDER BY seq LIMIT ?", from, max);
  }

  /** The newest `count` events, oldest first. */
  newest(count: number): StoredEvent[] {
    return this.after(this.#last - count);
  }

  /** Up to `limit` events with seq < `before`, oldest first. */
  before(before: number, limit: number): StoredEvent[] {
    const floor = this.oldestSeq;
    const recent = this.#cached();
    const firstCached = recent[0]?.seq ?? this.#last + 1;
    // A `before` past the newest event asks for the newest page.
    const end = Math.min(before, this.#last + 1);
    const from = Math.max(end - limit, floor);
    if (from >= firstCached) return recent.slice(from - firstCached, Math.max(0, end - firstCached));
    const rows = this.#rows(
      "SELECT seq, json FROM events WHERE seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?",
      before,
      floor,
      limit,
    );
    return rows.reverse();
  }

  /** One stored event, if history still has it. */
  get(seq: number): StoredEvent | undefined {
    if (seq < this.oldestSeq || seq > this.#last) return undefined;
    const recent = this.#recent;
    const cached = recent && recent.length > 0 ? recent[seq - recent[0]!.seq] : undefined;
    return cached ?? this.#rows("SELECT seq, json FROM events WHERE seq = ?", seq)[0];
  }

  /** The chat message stored at `seq` (deleted or not), if history still has one there. */
  message(seq: number): MessageEvent | undefined {
    const stored = this.get(seq);
    if (!stored) return undefined;
    const event = JSON.parse(stored.json) as RoomEvent;
    return event.type === "message" ? event : undefined;
  }

  /**
   * Replaces a stored event's JSON (an edit or a deletion: what the room keeps
   * is the message as it is now, so no replay or history page shows old text).
   * `reactors` sets the row's reactors as well (null: none); left out, they
   * stay as they are. Writes 1 row.
   */
  rewrite(event: RoomEvent, reactors?: string | null): StoredEvent {
    const stored = { seq: event.seq, json: encodeEvent(event) };
    if (reactors === undefined) this.#sql.run("UPDATE events SET json = ? WHERE seq = ?", stored.json, stored.seq);
    else this.#sql.run("UPDATE events SET json = ?, reactors = ? WHERE seq = ?", stored.json, reactors, stored.seq);
    const recent = this.#recent;
    const first = recent?.[0]?.seq;
    if (recent && first !== undefined && stored.seq >= first) recent[stored.seq - first] = stored;
    return stored;
  }

  /** Who reacted to the message at `seq`, as reactions.ts stored it (null: nobody). Reads 1 row. */
  reactorsOf(seq: number): string | null {
    return this.#sql.rows<[string | null]>("SELECT reactors FROM events WHERE seq = ?", seq)[0]?.[0] ?? null;
  }

  /**
   * The stored events that refer to message `target` (they follow it): the
   * replies quoting it and, with `edits`, its edits. No index: this reads the
   * events after the message, which only an edit or a deletion asks for.
   */
  followersOf(target: number, edits: boolean): StoredEvent[] {
    return edits ? this.#rows(EDITS_AND_REPLIES, target, target, target) : this.#rows(REPLIES, target, target);
  }

  /** Client ids of the newest `count` events' messages, oldest first, for the idempotency window. */
  recentClientIds(count: number): (ClientId & { seq: number })[] {
    const from = Math.max(this.#last - count, this.oldestSeq - 1);
    return this.#sql
      .rows<[number, string, string]>("SELECT seq, sender, cid FROM events WHERE seq > ? AND cid IS NOT NULL ORDER BY seq", from)
      .map(([seq, sender, id]) => ({ seq, sender, id }));
  }

  /** The newest events, loaded with one query the first time after a wake. */
  #cached(): StoredEvent[] {
    this.#recent ??= this.#rows(
      "SELECT seq, json FROM events WHERE seq > ? ORDER BY seq",
      Math.max(this.#last - this.#cacheSize, this.oldestSeq - 1),
    );
    return this.#recent;
  }

  #rows(query: string, ...bindings: number[]): StoredEvent[] {
    return this.#sql.rows<[number, string]>(query, ...bindings).map(([seq, json]) => ({ seq, json: storedEventJson(json) }));
  }

  #prune(): void {
    const keepFrom = this.#last - this.#limit + 1;
    this.#sql.run("DELETE FROM events WHERE seq < ?", keepFrom);
    this.#first = keepFrom;
    this.#pruned?.(keepFrom);
  }

  /** Tells `listener` each time events before a seq are pruned (the search index prunes with them). */
  onPruned(listener: (keepFrom: number) => void): void {
    this.#pruned = listener;
  }
}
