/**
 * The room's settings (topic, slow mode, lock), as owners set them: one row
 * in `room_meta`, read once per wake. Slow mode's clock lives here too: when
 * each member last sent a message (memory only: a room that hibernated has
 * been quiet longer than any slow mode).
 */
import type { RoomSettings } from "../protocol/frames.ts";
import type { Sql } from "./sql.ts";

export const DEFAULT_SETTINGS: Readonly<RoomSettings> = Object.freeze({ topic: "", slowModeSeconds: 0, locked: false });

export class Settings {
  readonly #sql: Sql;
  #current: RoomSettings;
  readonly #lastMessage = new Map<string, number>();

  constructor(sql: Sql) {
    this.#sql = sql;
    sql.run("CREATE TABLE IF NOT EXISTS room_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    const stored = sql.rows<[string]>("SELECT value FROM room_meta WHERE key = 'settings'")[0];
    this.#current = stored ? { ...DEFAULT_SETTINGS, ...(JSON.parse(stored[0]) as Partial<RoomSettings>) } : { ...DEFAULT_SETTINGS };
  }

  get current(): RoomSettings {
    return this.#current;
  }

  /** Applies the changes an owner sent; returns the settings as they are now. */
  update(changes: Partial<RoomSettings>): RoomSettings {
    this.#current = { ...this.#current, ...changes };
    this.#sql.run("INSERT OR REPLACE INTO room_meta (key, value) VALUES ('settings', ?)", JSON.stringify(this.#current));
    return this.#current;
  }

  /** Slow mode: how long this member must still wait before another message (0: it may go now). */
  slowModeWait(session: string, now: number): number {
    const seconds = this.#current.slowModeSeconds;
    if (seconds === 0) return 0;
    const wait = (this.#lastMessage.get(session) ?? -Infinity) + seconds * 1000 - now;
    return wait > 0 ? Math.ceil(wait) : 0;
  }

  /** A message of this member's was stored: its slow-mode clock starts (a refused one starts nothing). */
  spoke(session: string, now: number): void {
    if (this.#current.slowModeSeconds > 0) this.#lastMessage.set(session, now);
  }

  /** The member left: their slow-mode clock goes too. */
  forget(session: string): void {
    this.#lastMessage.delete(session);
  }
}
