/**
 * Rooms created (`POST /api/rooms`) and claimed (`POST /api/rooms/<name>/claim`)
 * per client address: `ROOM_CREATE_BURST` at once, then
 * `ROOM_CREATES_PER_MINUTE`.
 *
 * Why a Durable Object and not the platform's Rate Limiting binding: that
 * binding counts in fixed windows of 10 or 60 seconds only, per Cloudflare
 * location and approximately, so "a burst of 5, then 1 a minute" cannot be
 * said with it, and it cannot tell a client when to come back (Retry-After).
 * One small object per address runs the same GCRA bucket as the room
 * (src/protocol/rateLimit.ts) and is consistent everywhere.
 *
 * The object's name is an HMAC of the address keyed by the operator's
 * ADMIN_KEY, so the address itself is stored nowhere and its key cannot be
 * reversed by trying every IPv4 address. The object keeps one number while
 * the bucket is refilling, and erases it with an alarm once it is full again.
 */
import { DurableObject } from "cloudflare:workers";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { workerLimits } from "./limits.ts";
import { takeToken, type RateRule } from "../protocol/rateLimit.ts";
import { clientAddress } from "../shared/address.ts";

export type CreationDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One client address's bucket of room creations and claims. */
export class CreationLimiter extends DurableObject<Env> {
  /** Spends one creation from this address's bucket, if there is one left. */
  async take(rule: RateRule): Promise<CreationDecision> {
    const now = Date.now();
    const tat = this.ctx.storage.kv.get<number>("tat") ?? 0;
    const decision = takeToken(tat, now, rule);
    if (!decision.allowed) return { allowed: false, retryAfterMs: decision.retryAfterMs };
    this.ctx.storage.kv.put("tat", decision.tat);
    // At `tat` the bucket is full again, which is the same as never having been used.
    await this.ctx.storage.setAlarm(decision.tat);
    return { allowed: true };
  }

  /** The bucket is full again: keep nothing about this address. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** Used only when no ADMIN_KEY is set (local runs without `.dev.vars`): the hash is then unkeyed. */
const FALLBACK_KEY = "parley creation limiter";

/**
 * Spends one room creation for the request's client address; resolves with
 * how long to wait when the address has none left.
 */
export async function takeCreation(env: Env, request: Request): Promise<CreationDecision> {
  const limits = workerLimits(env);
  const rule: RateRule = { burst: limits.ROOM_CREATE_BURST, perSecond: limits.ROOM_CREATES_PER_MINUTE / 60 };
  return creationLimiter(env, clientAddress(request)).take(rule);
}

/** The limiter object of one client address (as `clientAddress` gives it). */
export function creationLimiter(env: Env, address: string): DurableObjectStub<CreationLimiter> {
  // Never ADMIN_KEY itself as the HMAC key: a key of its own, derived from it.
  const secret = env.ADMIN_KEY || FALLBACK_KEY;
  const name = bytesToHex(hmac(sha256, utf8ToBytes(`parley creation limiter:${secret}`), utf8ToBytes(address)));
  return env.CREATION_LIMITER.get(env.CREATION_LIMITER.idFromName(name));
}
