/**
 * Protocol limits and room settings, with their defaults. Every one can be set
 * through a `[vars]` entry of the same name in wrangler.toml (or `--var` on the
 * command line); see README "Configuration".
 */
import type { AdvertisedLimits } from "./frames.ts";

export interface Limits {
  /** Display names: 1..NAME_MAX code points. */
  NAME_MAX: number;
  /** Message text: 1..TEXT_MAX code points. */
  TEXT_MAX: number;
  /** Any incoming frame larger than this many UTF-8 bytes is refused. */
  FRAME_MAX_BYTES: number;
  /** Sockets per room. */
  ROOM_CAPACITY: number;
  /** Events kept per room; older ones are pruned in batches. */
  HISTORY_LIMIT: number;
  /** Frames a connection may send at once… */
  RATE_BURST: number;
  /** …and per second after that. */
  RATE_PER_SECOND: number;
  /** Rate-limited frames in a row after which the connection is closed (1008). */
  FLOOD_STRIKES: number;
  /** How long a dropped member stays "online" waiting for a quiet reconnect. */
  RECONNECT_GRACE_MS: number;
  /** Newest events whose client ids are remembered for idempotent resends. */
  DEDUP_WINDOW: number;
  /** A socket that has not joined this long after connecting is closed (1008), in any room. */
  JOIN_TIMEOUT_MS: number;
  /** Rooms with at least this many sockets batch what they broadcast: message bursts, join storms. */
  BATCH_SOCKETS: number;
  /**
   * Rooms with at least this many members are a crowd: joins and leaves are
   * counted (`presence` frames) instead of announced and stored, the welcome
   * lists nobody, and typing notices are not relayed.
   */
  CROWD_SIZE: number;
  /** Sockets one client address may hold in one room; the next upgrade gets 429 too_many_connections. */
  ADDRESS_MAX_SOCKETS: number;
  /** Messages one address may send into a room at once, all its sockets together… */
  ADDRESS_MESSAGE_BURST: number;
  /** …and per second after that. */
  ADDRESS_MESSAGES_PER_SECOND: number;
  /** Joins one address may make in a room at once (each replays history)… */
  ADDRESS_JOIN_BURST: number;
  /** …and per second after that. */
  ADDRESS_JOINS_PER_SECOND: number;
  /** After a socket was closed for flooding (1008), its address may not join the room for this long. */
  FLOOD_COOLDOWN_MS: number;
  /** One welcome replays at most this many events… */
  REPLAY_MAX_EVENTS: number;
  /** …or this many bytes of them; `more` tells the client to page on. */
  REPLAY_MAX_BYTES: number;
  /** Bytes of replay and history one address may pull from a room at once… */
  ADDRESS_REPLAY_BURST_BYTES: number;
  /** …and per second after that. */
  ADDRESS_REPLAY_BYTES_PER_SECOND: number;
  /** Different emoji one message may carry as reactions; the next is refused (`too_many_reactions`). */
  REACTIONS_MAX: number;
  /** Rooms (private ones created, public ones claimed) one address may make at once… */
  ROOM_CREATE_BURST: number;
  /** …and per minute after that. */
  ROOM_CREATES_PER_MINUTE: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  NAME_MAX: 32,
  TEXT_MAX: 2000,
  FRAME_MAX_BYTES: 16 * 1024,
  ROOM_CAPACITY: 10_000,
  HISTORY_LIMIT: 10_000,
  RATE_BURST: 10,
  RATE_PER_SECOND: 5,
  FLOOD_STRIKES: 30,
  RECONNECT_GRACE_MS: 5000,
  DEDUP_WINDOW: 1000,
  JOIN_TIMEOUT_MS: 10_000,
  BATCH_SOCKETS: 64,
  CROWD_SIZE: 100,
  ADDRESS_MAX_SOCKETS: 20,
  ADDRESS_MESSAGE_BURST: 20,
  ADDRESS_MESSAGES_PER_SECOND: 10,
  ADDRESS_JOIN_BURST: 10,
  ADDRESS_JOINS_PER_SECOND: 1,
  FLOOD_COOLDOWN_MS: 30_000,
  REPLAY_MAX_EVENTS: 1000,
  REPLAY_MAX_BYTES: 1024 * 1024,
  ADDRESS_REPLAY_BURST_BYTES: 8 * 1024 * 1024,
  ADDRESS_REPLAY_BYTES_PER_SECOND: 1024 * 1024,
  REACTIONS_MAX: 20,
  ROOM_CREATE_BURST: 5,
  ROOM_CREATES_PER_MINUTE: 1,
});

/** The limits a room advertises in its welcome, from its settings. */
export function advertisedLimits(limits: Readonly<Limits>): AdvertisedLimits {
  return {
    nameMax: limits.NAME_MAX,
    textMax: limits.TEXT_MAX,
    frameMaxBytes: limits.FRAME_MAX_BYTES,
    rateBurst: limits.RATE_BURST,
    ratePerSecond: limits.RATE_PER_SECOND,
  };
}

/** What a client assumes until a welcome tells it the room's own limits. */
export const DEFAULT_ADVERTISED_LIMITS: Readonly<AdvertisedLimits> = Object.freeze(advertisedLimits(DEFAULT_LIMITS));

/** Events sent on a join without `since`. */
export const WELCOME_EVENTS = 50;
/** Bounds of `history.limit`. */
export const HISTORY_PAGE_MAX = 100;
/** Replay is split into frames of at most this many events. */
export const REPLAY_CHUNK = 500;
/** A room's topic, and a kick's or ban's reason: at most this many code points. */
export const TOPIC_MAX = 200;
export const REASON_MAX = 200;
/** Slow mode: at most one message per hour. */
export const SLOW_MODE_MAX_SECONDS = 3600;
/** A timed ban: at most a year (longer: ban until unbanned). */
export const BAN_MINUTES_MAX = 525_600;
/** Bounds of a `members` page (owners). */
export const MEMBERS_PAGE_MAX = 500;
/** A reply's quote of the message it answers: its first this many code points. */
export const SNIPPET_MAX = 100;
/** A search uses at most this many words of its query. */
export const SEARCH_TERMS_MAX = 8;
/** Bounds of `search.limit`; the default is 20. */
export const SEARCH_PAGE_MAX = 50;
export const SEARCH_PAGE_DEFAULT = 20;
/** A search query: at most this many code points. */
export const SEARCH_QUERY_MAX = 200;
/** Client message ids: 1..64 chars of this set (a UUID fits). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Reads limits from an env-like record (wrangler `[vars]` arrive as numbers,
 * `--var` overrides as strings). A value that is not a positive number keeps
 * its default, so a typo cannot switch a limit off; `onInvalid` hears of it.
 */
export function readLimits(
  source: Readonly<Partial<Record<keyof Limits, unknown>>>,
  onInvalid?: (key: keyof Limits, raw: unknown) => void,
): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const raw = source[key];
    if (raw === undefined) continue;
    const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    if (Number.isFinite(value) && value > 0) limits[key] = value;
    else onInvalid?.(key, raw);
  }
  return limits;
}
