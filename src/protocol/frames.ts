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
}

export interface MessageFrame {
  type: "message";
  text: string;
  /** Client-made unique id (a UUID): a resend with the same id is not stored twice. */
  id?: string;
  /** A `/me` action ("alice waves") rather than plain speech. */
  action?: boolean;
}

export interface RenameFrame {
  type: "rename";
  name: string;
}

export interface TypingFrame {
  type: "typing";
}

/** Scroll-back: events older than `before`, newest `limit` of them. */
export interface HistoryRequestFrame {
  type: "history";
  before: number;
  limit?: number;
}

export type ClientFrame = JoinFrame | MessageFrame | RenameFrame | TypingFrame | HistoryRequestFrame;
export type ClientFrameType = ClientFrame["type"];

// ---------------------------------------------------------------------------
// Events: stored in the room's history with a gap-free, increasing seq.

interface EventBase {
  /** Per-room sequence number: 1, 2, 3… with no gaps. */
  seq: number;
  /** Server time, milliseconds since the Unix epoch. */
  ts: number;
}

export interface MessageEvent extends EventBase {
  type: "message";
  from: Member;
  text: string;
  id?: string;
  action?: true;
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

export type RoomEvent = MessageEvent | JoinedEvent | LeftEvent | RenamedEvent;
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

export interface HistoryFrame {
  type: "history";
  before: number;
  events: RoomEvent[];
  hasMore: boolean;
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
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** The `id` of the message frame this error is about, when it had one. */
  ref?: string;
  /** With `rate_limited`: wait this long before sending again. */
  retryAfterMs?: number;
}

export type ServerFrame =
  | WelcomeFrame
  | RoomEvent
  | EventsFrame
  | PresenceFrame
  | TypingNotice
  | HistoryFrame
  | ErrorFrame;

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
  /** The same session was resumed on a newer connection. */
  replaced: 4001,
} as const;

/** Sent as text `ping`, answered with `pong` without waking the room. */
export const KEEPALIVE = { ping: "ping", pong: "pong" } as const;
