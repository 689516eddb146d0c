/**
 * Who owns the room, and the room's own secret. Both live in one small
 * table (`room_meta`), read once per wake.
 *
 * - The owner key itself is never stored: only its SHA-256, compared in
 *   constant time. The operator's `ADMIN_KEY` (a wrangler secret) acts as
 *   every room's owner key.
 * - The room's secret keys the hash under which client addresses are kept
 *   (bans by address, per-address limits): an address is never stored, and
 *   its hash means nothing outside this room.
 *
 * Hashing is synchronous (@noble/hashes): a join is handled in one turn, so
 * no other frame can slip in while a key is checked.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { Sql } from "./sql.ts";

export class Owners {
  readonly #sql: Sql;
  #ownerHash: Uint8Array | null;
  readonly #adminHash: Uint8Array | null;
  readonly #secret: Uint8Array;

  constructor(sql: Sql, adminKey: string | undefined) {
    this.#sql = sql;
    sql.run("CREATE TABLE IF NOT EXISTS room_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    const meta = new Map(sql.rows<[string, string]>("SELECT key, value FROM room_meta"));
    const owner = meta.get("owner_key_sha256");
    this.#ownerHash = owner === undefined ? null : hexBytes(owner);
    this.#adminHash = adminKey ? sha256(utf8ToBytes(adminKey)) : null;
    let secret = meta.get("address_secret");
    if (secret === undefined) {
      // Written lazily would cost the same row later; a room that gets a join needs it anyway.
      secret = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
      sql.run("INSERT INTO room_meta (key, value) VALUES ('address_secret', ?)", secret);
    }
    this.#secret = hexBytes(secret);
  }

  /** Whether the room has an owner key (a private room always does; a public one once claimed). */
  get claimed(): boolean {
    return this.#ownerHash !== null;
  }

  /** Makes `key` the owner key, if the room has none yet. */
  claim(key: string): boolean {
    if (this.#ownerHash !== null) return false;
    const hash = sha256(utf8ToBytes(key));
    this.#sql.run("INSERT INTO room_meta (key, value) VALUES ('owner_key_sha256', ?)", bytesToHex(hash));
    this.#ownerHash = hash;
    return true;
  }

  /** Whether `key` is this room's owner key or the operator's ADMIN_KEY. */
  isOwnerKey(key: string): boolean {
    const hash = sha256(utf8ToBytes(key));
    // Both compared, always: the time taken says nothing about which matched.
    const owner = this.#ownerHash !== null && sameBytes(hash, this.#ownerHash);
    const admin = this.#adminHash !== null && sameBytes(hash, this.#adminHash);
    return owner || admin;
  }

  /** A client address as this room keeps it: a keyed hash, meaningless elsewhere. */
  addressKey(address: string): string {
    return bytesToHex(hmac(sha256, this.#secret, utf8ToBytes(address))).slice(0, 32);
  }
}

/** Constant-time equality of two byte strings of the same length. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
