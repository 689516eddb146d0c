/**
 * Who is in the room: one row per member session, in SQLite, mirrored in
 * memory. A session is either live (a socket holds it) or held: its socket
 * dropped without a goodbye and the member stays "online" until `heldUntil`,
 * so a quick reconnect with the same token produces no left/joined pair.
 *
 * Keeping sessions in storage (not only in socket attachments) is what makes
 * presence survive a crash or a deploy: sockets then vanish without close
 * events, and `adoptOrphans` holds their sessions so their owners can come
 * back quietly, or are announced as gone once the grace period ends.
 *
 * Cost: a join writes 1 row here (besides its event), a goodbye deletes it;
 * a drop and a resume update it. The table is WITHOUT ROWID, so its primary
 * key is the only index: one row written per change, not two. Messages never
 * touch it.
 */
import type { Member } from "../protocol/frames.ts";
import type { MeteredSql } from "./sql.ts";

interface Session {
  member: Member;
  /** Null while a socket holds the session; else when the grace period ends. */
  heldUntil: number | null;
}

export class Presence {
  readonly #sql: MeteredSql;
  /** Insertion order is joining order: the member list's order. */
  readonly #sessions = new Map<string, Session>();
  /** The next joining-order number (the `ord` column). */
  #nextOrder = 1;
  /** Sessions in their grace period: drops and alarms look only at these. */
  readonly #held = new Set<string>();
  #membersCache: Member[] | null = null;
  #membersJsonCache: string | null = null;

  constructor(sql: MeteredSql) {
    this.#sql = sql;
    sql.run(
      `CREATE TABLE IF NOT EXISTS sessions (
        session TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        name TEXT NOT NULL,
        ord INTEGER NOT NULL,
        held_until INTEGER
      ) WITHOUT ROWID`,
    );
    for (const [session, id, name, ord, heldUntil] of sql.rows<[string, string, string, number, number | null]>(
      "SELECT session, member_id, name, ord, held_until FROM sessions ORDER BY ord",
    )) {
      this.#sessions.set(session, { member: { id, name }, heldUntil });
      if (heldUntil !== null) this.#held.add(session);
      this.#nextOrder = ord + 1;
    }
  }

  /** How many members are online, live or held. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Everyone online, live or held, in joining order. */
  get members(): Member[] {
    this.#membersCache ??= [...this.#sessions.values()].map((s) => s.member);
    return this.#membersCache;
  }

  /** The member list as JSON, cached until it changes: every welcome (outside a crowd) carries it. */
  get membersJson(): string {
    this.#membersJsonCache ??= JSON.stringify(this.members);
    return this.#membersJsonCache;
  }

  get(session: string): Session | undefined {
    return this.#sessions.get(session);
  }

  /** A newcomer's session. */
  open(session: string, member: Member): void {
    this.#sql.run(
      "INSERT INTO sessions (session, member_id, name, ord, held_until) VALUES (?, ?, ?, ?, NULL)",
      session,
      member.id,
      member.name,
      this.#nextOrder++,
    );
    this.#set(session, { member, heldUntil: null });
  }

  /** A socket takes the session (back); returns the member as it was. */
  resume(session: string, name: string): Member | undefined {
    const existing = this.#sessions.get(session);
    if (!existing) return undefined;
    if (existing.heldUntil !== null || existing.member.name !== name) {
      this.#sql.run("UPDATE sessions SET held_until = NULL, name = ? WHERE session = ?", name, session);
      this.#set(session, { member: { id: existing.member.id, name }, heldUntil: null });
    }
    return existing.member;
  }

  rename(session: string, name: string): void {
    const existing = this.#sessions.get(session);
    if (!existing) return;
    this.#sql.run("UPDATE sessions SET name = ? WHERE session = ?", name, session);
    this.#set(session, { member: { id: existing.member.id, name }, heldUntil: existing.heldUntil });
  }

  /** The socket dropped: keep the member until `until`. */
  hold(session: string, until: number): void {
    const existing = this.#sessions.get(session);
    if (!existing) return;
    this.#sql.run("UPDATE sessions SET held_until = ? WHERE session = ?", until, session);
    this.#set(session, { member: existing.member, heldUntil: until });
  }

  /** The member is gone; returns who it was (undefined if already gone). */
  end(session: string): Member | undefined {
    const existing = this.#sessions.get(session);
    if (!existing) return undefined;
    this.#sql.run("DELETE FROM sessions WHERE session = ?", session);
    this.#sessions.delete(session);
    this.#held.delete(session);
    this.#invalidate();
    return existing.member;
  }

  /** Held sessions whose grace period has ended by `now`. */
  expired(now: number): string[] {
    return [...this.#held].filter((session) => (this.#sessions.get(session)?.heldUntil ?? Infinity) <= now);
  }

  /** When the next grace period ends, or null if nobody is held. */
  get nextDeadline(): number | null {
    let next: number | null = null;
    for (const session of this.#held) {
      const until = this.#sessions.get(session)?.heldUntil;
      if (until != null && (next === null || until < next)) next = until;
    }
    return next;
  }

  /**
   * Holds every live session no socket owns any more (the process restarted
   * and the sockets died without close events). Returns how many.
   */
  adoptOrphans(liveSessions: ReadonlySet<string>, until: number): number {
    let count = 0;
    for (const [session, s] of this.#sessions) {
      if (s.heldUntil === null && !liveSessions.has(session)) {
        this.hold(session, until);
        count += 1;
      }
    }
    return count;
  }

  #set(session: string, value: Session): void {
    this.#sessions.set(session, value);
    if (value.heldUntil === null) this.#held.delete(session);
    else this.#held.add(session);
    this.#invalidate();
  }

  #invalidate(): void {
    this.#membersCache = null;
    this.#membersJsonCache = null;
  }
}
