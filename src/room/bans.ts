/**
 * Bans: who may not join the room, by session (the member's token) and by
 * client address (the room's keyed hash of every address the member used),
 * until a time or until an owner lifts it. One row per ban, loaded once per
 * wake; a join checks memory only. Expired bans are dropped when seen.
 */
import type { Ban, Member } from "../protocol/frames.ts";
import type { Sql } from "./sql.ts";

interface StoredBan {
  ban: Ban;
  session: string;
  addresses: string[];
}

export class Bans {
  readonly #sql: Sql;
  readonly #bans = new Map<string, StoredBan>();

  constructor(sql: Sql) {
    this.#sql = sql;
    sql.run(
      `CREATE TABLE IF NOT EXISTS bans (
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        session TEXT NOT NULL,
        addresses TEXT NOT NULL
      ) WITHOUT ROWID`,
    );
    for (const [id, json, session, addresses] of sql.rows<[string, string, string, string]>("SELECT id, json, session, addresses FROM bans")) {
      this.#bans.set(id, { ban: JSON.parse(json) as Ban, session, addresses: JSON.parse(addresses) as string[] });
    }
  }

  /** Bans a member's session and addresses. */
  add(ban: Ban, session: string, addresses: readonly string[]): void {
    this.#sql.run("INSERT INTO bans (id, json, session, addresses) VALUES (?, ?, ?, ?)", ban.ban, JSON.stringify(ban), session, JSON.stringify(addresses));
    this.#bans.set(ban.ban, { ban, session, addresses: [...addresses] });
  }

  /** Lifts a ban; false if there was none with that id. */
  remove(id: string): boolean {
    if (!this.#bans.delete(id)) return false;
    this.#sql.run("DELETE FROM bans WHERE id = ?", id);
    return true;
  }

  /** The bans in force, oldest first. */
  list(now: number): Ban[] {
    this.#expire(now);
    return [...this.#bans.values()].map((b) => b.ban);
  }

  /** The ban that keeps this session or address out, if one does. */
  find(session: string | undefined, address: string, now: number): Ban | undefined {
    if (this.#bans.size === 0) return undefined;
    this.#expire(now);
    for (const b of this.#bans.values()) {
      if ((session !== undefined && b.session === session) || b.addresses.includes(address)) return b.ban;
    }
    return undefined;
  }

  #expire(now: number): void {
    for (const [id, b] of this.#bans) if (b.ban.until !== undefined && b.ban.until <= now) this.remove(id);
  }
}

/** The ban record for a member. */
export function banOf(id: string, member: Member, by: Member, now: number, minutes?: number, reason?: string): Ban {
  return {
    ban: id,
    member,
    by,
    ts: now,
    ...(minutes === undefined ? {} : { until: now + minutes * 60_000 }),
    ...(reason === undefined ? {} : { reason }),
  };
}
