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
import { encodeMembers, type Json } from "../protocol/encode.ts";
import type { Member } from "../protocol/frames.ts";
import { nameKey } from "../protocol/nameKey.ts";
import type { Wake } from "./alarm.ts";
import type { Sql } from "./sql.ts";

export interface Session {
  /** Who the session is (with `role: "owner"` for an owner). */
  member: Member;
  /** Null while a socket holds the session; else when the grace period ends. */
  heldUntil: number | null;
  /** The keyed hash of the client address it last joined from (bans reach it through this). */
  address: string | null;
  /** Joined quietly (JoinFrame.quiet): counted, never announced or listed. */
  quiet?: true;
}

export class Presence {
  readonly #sql: Sql;
  readonly #wake: Wake;
  /** Insertion order is joining order: the member list's order. */
  readonly #sessions = new Map<string, Session>();
  /** The next joining-order number (the `ord` column). */
  #nextOrder = 1;
  /** Sessions in their grace period: drops and alarms look only at these. */
  readonly #held = new Set<string>();
  /** The session of each member id, and of each name key (names are unique among those online). */
  readonly #byId = new Map<string, string>();
  readonly #byName = new Map<string, string>();
  /** Owners' sessions: they hear of newcomers in a crowd. */
  readonly #owners = new Set<string>();
  #membersCache: Member[] | null = null;
  #membersJsonCache: Json<Member[]> | null = null;

  /** Loads the sessions; a grace period that was running when the room slept wakes the room when it ends. */
  constructor(sql: Sql, wake: Wake) {
    this.#sql = sql;
    this.#wake = wake;
    sql.run(
      `CREATE TABLE IF NOT EXISTS sessions (
        session TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        name TEXT NOT NULL,
        ord INTEGER NOT NULL,
        held_until INTEGER
      ) WITHOUT ROWID`,
    );
    // Added with owners and bans: rooms created before get the columns on their first wake.
    const columns = sql.columns("sessions");
    if (!columns.includes("role")) sql.run("ALTER TABLE sessions ADD COLUMN role TEXT");
    if (!columns.includes("address")) sql.run("ALTER TABLE sessions ADD COLUMN address TEXT");
    // Added with quiet joins.
    if (!columns.includes("quiet")) sql.run("ALTER TABLE sessions ADD COLUMN quiet INTEGER");
    for (const [session, id, name, ord, heldUntil, role, address, quiet] of sql.rows<
      [string, string, string, number, number | null, string | null, string | null, number | null]
    >("SELECT session, member_id, name, ord, held_until, role, address, quiet FROM sessions ORDER BY ord")) {
      this.#set(session, { member: memberOf(id, name, role === "owner"), heldUntil, address, ...(quiet === 1 ? { quiet: true as const } : {}) });
      this.#nextOrder = ord + 1;
    }
    const next = this.#nextDeadline(-Infinity);
    if (next !== null) wake(next);
  }

  /** How many members are online, live or held. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Everyone online, live or held, in joining order; not those who joined quietly. */
  get members(): Member[] {
    this.#membersCache ??= [...this.#sessions.values()].filter((s) => !s.quiet).map((s) => s.member);
    return this.#membersCache;
  }

  /** The member list as JSON, cached until it changes: every welcome (outside a crowd) carries it. */
  get membersJson(): Json<Member[]> {
    this.#membersJsonCache ??= encodeMembers(this.members);
    return this.#membersJsonCache;
  }

  /** Owners' sessions. */
  get owners(): ReadonlySet<string> {
    return this.#owners;
  }

  get(session: string): Session | undefined {
    return this.#sessions.get(session);
  }

  /** The session of the member with this id, if online. */
  sessionOf(memberId: string): string | undefined {
    return this.#byId.get(memberId);
  }

  /** The session already using a name that clashes with `name` (see nameKey), if any. */
  nameHolder(name: string): string | undefined {
    return this.#byName.get(nameKey(name));
  }

  /** A page of everyone online, in joining order, after the member `after` (the previous page's `next`). */
  page(after: string | undefined, limit: number): { members: Member[]; next: string | undefined } {
    // Owners page through everyone, those who joined quietly included.
    const all = [...this.#sessions.values()].map((s) => s.member);
    const start = after === undefined ? 0 : all.findIndex((m) => m.id === after) + 1;
    const members = all.slice(start, start + limit);
    return { members, next: start + limit < all.length ? members.at(-1)?.id : undefined };
  }

  /** A newcomer's session. */
  open(session: string, member: Member, address: string, quiet = false): void {
    this.#sql.run(
      "INSERT INTO sessions (session, member_id, name, ord, held_until, role, address, quiet) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
      session,
      member.id,
      member.name,
      this.#nextOrder++,
      member.role ?? null,
      address,
      quiet ? 1 : null,
    );
    this.#set(session, { member, heldUntil: null, address, ...(quiet ? { quiet: true as const } : {}) });
  }

  /**
   * A socket takes the session (back), under `name`, from `address`, as an
   * owner if it proved it; returns the member as it was.
   */
  resume(session: string, name: string, address: string, owner: boolean): Member | undefined {
    const existing = this.#sessions.get(session);
    if (!existing) return undefined;
    const member = memberOf(existing.member.id, name, owner || existing.member.role === "owner");
    if (existing.heldUntil !== null || existing.member.name !== name || existing.address !== address || member.role !== existing.member.role) {
      this.#sql.run(
        "UPDATE sessions SET held_until = NULL, name = ?, address = ?, role = ? WHERE session = ?",
        name,
        address,
        member.role ?? null,
        session,
      );
      this.#set(session, { ...existing, member, heldUntil: null, address });
    }
    return existing.member;
  }

  rename(session: string, name: string): void {
    const existing = this.#sessions.get(session);
    if (!existing) return;
    this.#sql.run("UPDATE sessions SET name = ? WHERE session = ?", name, session);
    this.#set(session, { ...existing, member: memberOf(existing.member.id, name, existing.member.role === "owner") });
  }

  /** The socket dropped: keep the member until `until` (the alarm tells the room then, through `due`). */
  hold(session: string, until: number): void {
    const existing = this.#sessions.get(session);
    if (!existing) return;
    this.#sql.run("UPDATE sessions SET held_until = ? WHERE session = ?", until, session);
    this.#set(session, { ...existing, heldUntil: until });
    this.#wake(until);
  }

  /** The member is gone; returns who it was (undefined if already gone). */
  end(session: string): Member | undefined {
    const existing = this.#sessions.get(session);
    if (!existing) return undefined;
    this.#sql.run("DELETE FROM sessions WHERE session = ?", session);
    this.#unindex(session, existing);
    this.#sessions.delete(session);
    this.#held.delete(session);
    this.#invalidate();
    return existing.member;
  }
  /**
   * The alarm: the held sessions whose grace period has ended by `now`, for
   * the room to end; a later grace period asks for the alarm again.
   */
  due(now: number): string[] {
    const ended = [...this.#held].filter((session) => (this.#sessions.get(session)?.heldUntil ?? Infinity) <= now);
    const next = this.#nextDeadline(now);
    if (next !== null) this.#wake(next);
    return ended;
  }

  /** When the next grace period after `after` ends, or null if none does. */
  #nextDeadline(after: number): number | null {
    let next: number | null = null;
    for (const session of this.#held) {
      const until = this.#sessions.get(session)?.heldUntil;
      if (until != null && until > after && (next === null || until < next)) next = until;
    }
    return next;
  }

  /**
   * Holds every live session no socket owns any more (the process restarted
   * and the sockets died without close events).
   */
  adoptOrphans(liveSessions: ReadonlySet<string>, until: number): void {
    for (const [session, s] of this.#sessions) {
      if (s.heldUntil === null && !liveSessions.has(session)) this.hold(session, until);
    }
  }

  #set(session: string, value: Session): void {
    const before = this.#sessions.get(session);
    if (before) this.#unindex(session, before);
    this.#sessions.set(session, value);
    this.#byId.set(value.member.id, session);
    this.#byName.set(nameKey(value.member.name), session);
    if (value.member.role === "owner") this.#owners.add(session);
    if (value.heldUntil === null) this.#held.delete(session);
    else this.#held.add(session);
    this.#invalidate();
  }

  #unindex(session: string, value: Session): void {
    this.#byId.delete(value.member.id);
    const key = nameKey(value.member.name);
    if (this.#byName.get(key) === session) this.#byName.delete(key);
    this.#owners.delete(session);
  }

  #invalidate(): void {
    this.#membersCache = null;
    this.#membersJsonCache = null;
  }
}

/** A member, with `role: "owner"` only for an owner. */
export function memberOf(id: string, name: string, owner: boolean): Member {
  return owner ? { id, name, role: "owner" } : { id, name };
}
