/**
 * Members whose connection dropped without a goodbye, held "online" for a
 * grace period so that a quick reconnect (same session token) produces no
 * left/joined pair. Held in SQLite, because the object may be evicted during
 * the grace period; an alarm, not a timer, announces the ones that never
 * come back.
 */
import type { Member } from "../protocol/frames.ts";

interface Held {
  member: Member;
  until: number;
}

export class HeldMembers {
  readonly #sql: SqlStorage;
  readonly #bySession = new Map<string, Held>();

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS held (
        session TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        name TEXT NOT NULL,
        until INTEGER NOT NULL
      )`,
    );
    for (const [session, id, name, until] of sql
      .exec("SELECT session, member_id, name, until FROM held")
      .raw<[string, string, string, number]>()) {
      this.#bySession.set(session, { member: { id, name }, until });
    }
  }

  get members(): Member[] {
    return [...this.#bySession.values()].map((held) => held.member);
  }

  hold(session: string, member: Member, until: number): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO held (session, member_id, name, until) VALUES (?, ?, ?, ?)",
      session,
      member.id,
      member.name,
      until,
    );
    this.#bySession.set(session, { member, until });
  }

  /** Takes a held member back (they reconnected); undefined if not held. */
  release(session: string): Member | undefined {
    const held = this.#bySession.get(session);
    if (!held) return undefined;
    this.#sql.exec("DELETE FROM held WHERE session = ?", session);
    this.#bySession.delete(session);
    return held.member;
  }

  /** Removes and returns every member whose grace period has ended. */
  releaseExpired(now: number): Member[] {
    const expired: Member[] = [];
    for (const [session, held] of this.#bySession) {
      if (held.until > now) continue;
      this.release(session);
      expired.push(held.member);
    }
    return expired;
  }

  /** When the next grace period ends, or null if nobody is held. */
  get nextDeadline(): number | null {
    let next: number | null = null;
    for (const held of this.#bySession.values()) if (next === null || held.until < next) next = held.until;
    return next;
  }
}
