/**
 * Parley wire protocol v1: every frame that crosses a room's WebSocket.
 *
 * This module (with `validate.ts` and `limits.ts`) is the single source of truth
 * for the Worker, the room object, the browser client and the terminal client.
 * docs/protocol.md describes the same thing for people writing their own client.
 */

export const PROTOCOL_VERSION = 1;

/** A person in a room. `id` is public and stable for one session. */
export interface Member {
  id: string;
  name: string;
  /** Present for the room's owners (they moderate), so everyone sees who does. */
  role?: "owner";
}

/** What an owner sets for the room (the `settings` frame and event). */
export interface RoomSettings {
  /** Shown in the header; a private room's topic is its name everywhere. Empty: none. */
  topic: string;
  /** Each member may send one message per this many seconds; 0: off. */
  slowModeSeconds: number;
  /** Only members with a valid session and owners may join. */
  locked: boolean;
}

// ---------------------------------------------------------------------------
// Client → server

/** Must be the first frame on a connection. */
export interface JoinFrame {
  type: "join";
  name: string;
  /** Resume: replay every event with a larger seq. Without it, the newest 50 come. */
  since?: number;
  /** The `session` token from an earlier welcome: reconnecting quietly as the same member. */
  session?: string;
  /** Secret: the room's owner key (or the operator's ADMIN_KEY): join as an owner. Never in a URL. */
  ownerKey?: string;
  /**
   * Join to read only (a bot tailing the room, a `--json` reader): receive
   * everything, be counted in `online`, but be announced to no one (no
   * joined, left or renamed events, not in member lists).
   */
  quiet?: boolean;
}

export interface MessageFrame {
  type: "message";
  text: string;
  /** Client-made unique id (a UUID): a resend with the same id is not stored twice. */
  id?: string;
  /** A `/me` action ("alice waves") rather than plain speech. */
  action?: boolean;
  /** The seq of the message this one answers; the room stores a quote of it (see `ReplyQuote`). */
  replyTo?: number;
}

/**
 * Put your reaction `emoji` on message `seq` (`on: true`) or take it off.
 * One emoji per frame (a single grapheme cluster that is an emoji); each
 * member has at most one of each emoji on a message.
 */
export interface ReactFrame {
  type: "react";
  seq: number;
  emoji: string;
  on: boolean;
}

export interface RenameFrame {
  type: "rename";
  name: string;
}

export interface TypingFrame {
  type: "typing";
}

/**
 * Scroll-back: events older than `before`, newest `limit` of them; or, with
 * `after` instead, the oldest `limit` events newer than `after` (the rest of
 * a replay the welcome capped).
 */
export type HistoryRequestFrame =
  | { type: "history"; before: number; limit?: number }
  | { type: "history"; after: number; limit?: number };

/** Edit your own message. */
export interface EditFrame {
  type: "edit";
  seq: number;
  text: string;
}

/** Delete your own message; an owner may delete any. */
export interface DeleteFrame {
  type: "delete";
  seq: number;
}

/** Owner: close a member's sockets (4003); they may come back. */
export interface KickFrame {
  type: "kick";
  /** The member's id. */
  member: string;
  reason?: string;
}

/** Owner: close a member's sockets (4004) and refuse them (session and address) until the ban ends. */
export interface BanFrame {
  type: "ban";
  member: string;
  /** How long; without it, until unbanned. */
  minutes?: number;
  reason?: string;
}

/** Owner: the list of bans in force (answered with a `bans` frame). */
export interface BansRequestFrame {
  type: "bans";
}

/** Owner: lift a ban, by its id from the `bans` list. */
export interface UnbanFrame {
  type: "unban";
  ban: string;
}

/** Owner: change the room's settings; what is left out stays as it is. */
export interface SettingsFrame {
  type: "settings";
  topic?: string;
  slowModeSeconds?: number;
  locked?: boolean;
}

/** Owner: everyone online, a page at a time, crowds included (answered with a `members` frame). */
export interface MembersRequestFrame {
  type: "members";
  /** The `next` of the previous page. */
  after?: string;
  limit?: number;
}

/**
 * Full-text search of the room's messages: the newest `limit` (1..50, default
 * 20) that hold every word of `q`, older than `before` when given (the next
 * page). Answered with a `search` frame.
 */
export interface SearchRequestFrame {
  type: "search";
  q: string;
  before?: number;
  limit?: number;
}

export type ClientFrame =
  | JoinFrame
  | MessageFrame
  | RenameFrame
  | TypingFrame
  | HistoryRequestFrame
  | EditFrame
  | DeleteFrame
  | KickFrame
  | BanFrame
  | BansRequestFrame
  | UnbanFrame
  | SettingsFrame
  | MembersRequestFrame
  | ReactFrame
  | SearchRequestFrame;
export type ClientFrameType = ClientFrame["type"];
/** The client frame of one type. */
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

// ---------------------------------------------------------------------------
// Events: stored in the room's history with a gap-free, increasing seq.

interface EventBase {
  /** Per-room sequence number: 1, 2, 3… with no gaps. */
  seq: number;
  /** Server time, milliseconds since the Unix epoch. */
  ts: number;
}

/**
 * A chat message, as it is now: replays and history pages show an edited
 * message with its current text and `edited`, a deleted one without text.
 */
export type MessageEvent = SpokenMessage | DeletedMessage;

export interface SpokenMessage extends EventBase {
  type: "message";
  from: Member;
  text: string;
  id?: string;
  action?: true;
  /** When it was last edited. */
  edited?: number;
  /** The message this one answers, quoted by the room when it stored the reply. */
  replyTo?: ReplyQuote;
  /** The reactions on it now: how many members put each emoji on it. Absent: none. */
  reactions?: ReactionCounts;
  /**
   * The ids of the members online when it was sent whom its text mentions
   * (`@name`, names folded as for uniqueness), computed by the room. Absent: none.
   */
  mentions?: string[];
}

/**
 * What a reply quotes of the message it answers, made by the room: a client
 * never needs the original to show it. When the original is edited the quote
 * follows (`edited`); when it is deleted the quote loses its text too.
 */
export type ReplyQuote =
  | { seq: number; from: Member; snippet: string; edited?: true }
  | { seq: number; from: Member; deleted: true };

/** Emoji → how many members reacted with it (only emoji with a count of 1 or more). */
export type ReactionCounts = Record<string, number>;

/** A message its author or an owner deleted: its text is gone from the room's storage. */
export interface DeletedMessage extends EventBase {
  type: "message";
  from: Member;
  deleted: true;
  /** The sender's id for it, so a resend is still acknowledged. */
  id?: string;
}

export interface JoinedEvent extends EventBase {
  type: "joined";
  member: Member;
}

export interface LeftEvent extends EventBase {
  type: "left";
  member: Member;
}

export interface RenamedEvent extends EventBase {
  type: "renamed";
  /** The member with the new name. */
  member: Member;
  /** The old name. */
  from: string;
}

/** Message `target` now says `text` (live news; the message itself is rewritten too). */
export type EditedEvent =
  | (EventBase & { type: "edited"; target: number; by: Member; text: string })
  /** An edit of a message deleted since: its text is gone with the message's. */
  | (EventBase & { type: "edited"; target: number; by: Member; deleted: true });

/** Message `target` was deleted, by its author or an owner. */
export interface DeletedEvent extends EventBase {
  type: "deleted";
  target: number;
  by: Member;
}

/**
 * The reactions on message `target` changed: `counts` is all of them as they
 * are now (the message event in replays and history carries the same), `by`
 * is who reacted, with `emoji` on or off.
 */
export interface ReactionsEvent extends EventBase {
  type: "reactions";
  target: number;
  counts: ReactionCounts;
  by: Member;
  emoji: string;
  on: boolean;
}

/** An owner closed a member's sockets; they may come back. */
export interface KickedEvent extends EventBase {
  type: "kicked";
  member: Member;
  by: Member;
  reason?: string;
}

/** An owner banned a member: refused until `until` (absent: until unbanned). */
export interface BannedEvent extends EventBase {
  type: "banned";
  member: Member;
  by: Member;
  reason?: string;
  until?: number;
}

/** An owner changed the room's settings; this is all of them, as they are now. */
export interface SettingsEvent extends EventBase, RoomSettings {
  type: "settings";
  by: Member;
}

export type RoomEvent =
  | MessageEvent
  | JoinedEvent
  | LeftEvent
  | RenamedEvent
  | EditedEvent
  | DeletedEvent
  | ReactionsEvent
  | KickedEvent
  | BannedEvent
  | SettingsEvent;
export type RoomEventType = RoomEvent["type"];

// ---------------------------------------------------------------------------
// Server → client

/** The limits a client should respect; the server enforces them anyway. */
export interface AdvertisedLimits {
  nameMax: number;
  textMax: number;
  frameMaxBytes: number;
  rateBurst: number;
  ratePerSecond: number;
}

export interface WelcomeFrame {
  type: "welcome";
  protocol: typeof PROTOCOL_VERSION;
  room: string;
  self: Member;
  /** Secret: send it back as `join.session` to reconnect as the same member. */
  session: string;
  /** Everyone online, the newcomer included; empty in a crowd. */
  members: Member[];
  /** How many members are online (held reconnects included). */
  online: number;
  /** The room is a crowd (`CROWD_SIZE` members or more): presence comes as counts. */
  crowd?: true;
  /** Replay: events after `since`, or the newest 50. More may follow in `events` frames. */
  events: RoomEvent[];
  /** The room's newest seq when this welcome was sent. */
  lastSeq: number;
  /** Older events exist before the first replayed one (ask with a `history` frame). */
  hasMore: boolean;
  /** `since` asked for events the room no longer keeps; replay starts at `oldestSeq`. */
  truncated?: true;
  oldestSeq?: number;
  /** `since` was beyond this room's history (it was reset): drop what you hold. */
  reset?: true;
  /**
   * The replay stops before `lastSeq` (it is capped, see REPLAY_MAX_EVENTS):
   * it ends at `replayThrough` (the welcome and the `events` frames after it
   * carry events up to that seq); ask for the rest with
   * `{"type":"history","after":<the last seq you have>}` until a page says
   * `hasMore: false`. Live events may arrive meanwhile: keep them, and show
   * them once the pages have caught up to them.
   */
  more?: true;
  /** With `more`: the seq of the replay's last event. */
  replayThrough?: number;
  /** The room's settings as they are now. */
  settings: RoomSettings;
  limits: AdvertisedLimits;
}

/** Several consecutive events in one frame; handle each as if it came alone. */
export interface EventsFrame {
  type: "events";
  events: RoomEvent[];
}

/**
 * Presence when the room becomes a crowd, while it is one, and when it stops
 * being one. In a crowd, joins and leaves are not events: this frame only
 * counts who is online. When the room stops being a crowd, `members` lists
 * everyone again, and joined/left events resume from there.
 */
export type PresenceFrame =
  | { type: "presence"; online: number; crowd: true }
  | { type: "presence"; online: number; crowd: false; members: Member[] };

export interface TypingNotice {
  type: "typing";
  member: Member;
}

/**
 * A page of history, oldest first. For a `before` request `hasMore` says
 * older events exist; for an `after` request, that newer ones do.
 */
export type HistoryFrame =
  | { type: "history"; before: number; events: RoomEvent[]; hasMore: boolean }
  | { type: "history"; after: number; events: RoomEvent[]; hasMore: boolean };

/** One ban in force (owners only). */
export interface Ban {
  /** Its id, for `unban`. */
  ban: string;
  member: Member;
  by: Member;
  ts: number;
  until?: number;
  reason?: string;
}

/** The answer to a `bans` request. */
export interface BansFrame {
  type: "bans";
  bans: Ban[];
}

/** A page of everyone online (owners only); `next` continues it. */
export interface MembersFrame {
  type: "members";
  members: Member[];
  online: number;
  next?: string;
}

/** One message a search found: `snippet` is its text around the first match, as one line. */
export interface SearchResult {
  seq: number;
  ts: number;
  from: Member;
  snippet: string;
}

/** The answer to a `search` request: matches, newest first; `hasMore` when older ones exist. */
export interface SearchFrame {
  type: "search";
  q: string;
  results: SearchResult[];
  hasMore: boolean;
}

/** To owners only, in a crowd (where joins are not events): someone joined. */
export interface NewcomerNotice {
  type: "newcomer";
  member: Member;
}

export const ERROR_CODES = [
  "bad_frame",
  "bad_request",
  "not_joined",
  "name_invalid",
  "text_empty",
  "text_too_long",
  "text_invalid",
  "rate_limited",
  "room_full",
  "forbidden",
  "not_found",
  "name_taken",
  "banned",
  "room_locked",
  "slow_mode",
  "reaction_invalid",
  "too_many_reactions",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** The `id` of the message frame this error is about, when it had one. */
  ref?: string;
  /** With `rate_limited` and `slow_mode`: wait this long before sending again. */
  retryAfterMs?: number;
  /** With `banned`: when the ban ends (absent: until unbanned). */
  until?: number;
}

export type ServerFrame =
  | WelcomeFrame
  | RoomEvent
  | EventsFrame
  | PresenceFrame
  | TypingNotice
  | HistoryFrame
  | BansFrame
  | MembersFrame
  | NewcomerNotice
  | SearchFrame
  | ErrorFrame;
export type ServerFrameType = ServerFrame["type"];
/** The server frame of one type. */
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;

/** WebSocket close codes the room uses, besides the standard 1000/1001/1006. */
export const CLOSE_CODES = {
  /** The client said goodbye: it leaves at once, with no reconnect grace. */
  normal: 1000,
  /** A close frame without a code (`ws.close()`): a goodbye too. */
  noStatus: 1005,
  /** Kept sending while rate limited. */
  policy: 1008,
  /** Unexpected server fault. */
  internal: 1011,
  /** The room is at capacity; try again later. */
  tryAgainLater: 1013,
  /** The same session was resumed on a newer connection (servers before shared sessions sent it). */
  replaced: 4001,
  /** An owner kicked this member; they may join again. */
  kicked: 4003,
  /** An owner banned this member; joining again is refused until the ban ends. */
  banned: 4004,
} as const;

/** Sent as text `ping`, answered with `pong` without waking the room. */
export const KEEPALIVE = { ping: "ping", pong: "pong" } as const;

/**
 * The `default` of an exhaustive switch over a union of this module: when a
 * variant is added, every switch without a case for it fails to compile here.
 */
export function unreachable(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
