/**
 * Limits per client address, shared by all the sockets one address holds in
 * this room, so that a script with a hundred sockets gets one address's
 * share, not a hundred: a message bucket, a join bucket (each join replays
 * history), a byte budget for replays and history pages, and a cool-down
 * after a flood close.
 *
 * Buckets are GCRA token buckets (protocol/rateLimit.ts): one number per
 * address and kind, no timers. They live in memory: a room that hibernates
 * has been idle long enough for them to refill anyway. A cool-down is kept
 * in storage (one row per flood close, a rare event), so a flooder cannot
 * wait out a hibernation to come straight back.
 *
 * Addresses are the room's keyed hashes (owners.ts), never the addresses.
 */
import type { Limits } from "../protocol/limits.ts";
import { takeToken, tokensLeft, type RateDecision, type RateRule } from "../protocol/rateLimit.ts";
import type { Sql } from "./sql.ts";

interface Buckets {
  message: number;
  join: number;
  bytes: number;
}

/** Forget full buckets once this many addresses are tracked (they hold no information). */
const SWEEP_AT = 1024;

export class AddressLimits {
  readonly #sql: Sql;
  readonly #rules: { message: RateRule; join: RateRule; bytes: RateRule };
  readonly #cooldownMs: number;
  readonly #buckets = new Map<string, Buckets>();
  /** Cool-downs in force, by address: when each ends. */
  readonly #cooldowns = new Map<string, number>();

  constructor(sql: Sql, limits: Readonly<Limits>) {
    this.#sql = sql;
    this.#rules = {
      message: { burst: limits.ADDRESS_MESSAGE_BURST, perSecond: limits.ADDRESS_MESSAGES_PER_SECOND },
      join: { burst: limits.ADDRESS_JOIN_BURST, perSecond: limits.ADDRESS_JOINS_PER_SECOND },
      bytes: { burst: limits.ADDRESS_REPLAY_BURST_BYTES, perSecond: limits.ADDRESS_REPLAY_BYTES_PER_SECOND },
    };
    this.#cooldownMs = limits.FLOOD_COOLDOWN_MS;
    sql.run("CREATE TABLE IF NOT EXISTS cooldowns (address TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID");
    const now = Date.now();
    for (const [address, until] of sql.rows<[string, number]>("SELECT address, until FROM cooldowns")) {
      if (until > now) this.#cooldowns.set(address, until);
    }
  }

  /** One message from `address`, all its sockets together. */
  takeMessage(address: string, now: number): RateDecision {
    return this.#take(address, "message", now, 1);
  }

  /** One join from `address`: refused while it cools down after a flood, and paced. */
  takeJoin(address: string, now: number): RateDecision {
    const coolUntil = this.#cooldowns.get(address);
    if (coolUntil !== undefined) {
      if (coolUntil > now) return { allowed: false, retryAfterMs: coolUntil - now };
      this.#cooldowns.delete(address);
      this.#sql.run("DELETE FROM cooldowns WHERE address = ?", address);
    }
    return this.#take(address, "join", now, 1);
  }

  /** Spends `bytes` of the address's replay budget, or says how long until it could. */
  takeBytes(address: string, bytes: number, now: number): RateDecision {
    return this.#take(address, "bytes", now, bytes);
  }

  /** How many bytes of replay the address may pull right now. */
  bytesLeft(address: string, now: number): number {
    return tokensLeft(this.#buckets.get(address)?.bytes ?? 0, now, this.#rules.bytes);
  }

  /** A socket from `address` was closed for flooding: no joins from it for FLOOD_COOLDOWN_MS. */
  coolDown(address: string, now: number): void {
    if (this.#cooldownMs <= 0) return;
    const until = now + this.#cooldownMs;
    this.#cooldowns.set(address, until);
    this.#sql.run("INSERT OR REPLACE INTO cooldowns (address, until) VALUES (?, ?)", address, until);
  }

  #take(address: string, kind: keyof Buckets, now: number, cost: number): RateDecision {
    let buckets = this.#buckets.get(address);
    if (!buckets) {
      if (this.#buckets.size >= SWEEP_AT) this.#sweep(now);
      this.#buckets.set(address, (buckets = { message: 0, join: 0, bytes: 0 }));
    }
    const decision = takeToken(buckets[kind], now, this.#rules[kind], cost);
    if (decision.allowed) buckets[kind] = decision.tat;
    return decision;
  }

  #sweep(now: number): void {
    for (const [address, b] of this.#buckets) if (b.message <= now && b.join <= now && b.bytes <= now) this.#buckets.delete(address);
  }
}
