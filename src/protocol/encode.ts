/**
 * Writing frames: every frame that goes on the wire, in either direction, is
 * made by a function here, typed against frames.ts. Renaming a field there
 * makes these fail to compile instead of silently changing the wire.
 *
 * What a frame is made of is branded: `Json<T>` is a string known to be the
 * JSON of a T, and sockets take only `Json<ServerFrame>` (the room) or
 * `Json<ClientFrame>` (the clients), so a hand-assembled string cannot be
 * sent by accident.
 *
 * The performance trick the room depends on is kept: a stored event's JSON is
 * spliced into welcome, `events` and `history` frames as it was stored, never
 * parsed and re-serialised. The builders take those parts as `EventJson`
 * (made only by `encodeEvent`, or read back from the room's own storage) and
 * `Json<Member[]>`, so only JSON of the right shape fits.
 */
import {
  unreachable,
  type Ban,
  type BansFrame,
  type ClientFrame,
  type ErrorCode,
  type EventsFrame,
  type HistoryFrame,
  type Member,
  type MembersFrame,
  type NewcomerNotice,
  type PresenceFrame,
  type RoomEvent,
  type SearchFrame,
  type SearchResult,
  type ServerFrame,
  type ServerFrameOf,
  type TypingNotice,
  type WelcomeFrame,
} from "./frames.ts";

declare const jsonOf: unique symbol;
/** A JSON text known to encode a `T`. */
export type Json<T> = string & { readonly [jsonOf]: T };
/** One stored event's JSON, exactly as it was broadcast. */
export type EventJson = Json<RoomEvent>;

/** A frame's field name, checked against the frame's type: `"name":`. */
const field = <F>(name: keyof F & string): string => `"${name}":`;

// Field names of the frames whose parts are spliced in, checked once here.
const WELCOME_ONLINE = `,${field<WelcomeFrame>("online")}`;
const WELCOME_MEMBERS = `,${field<WelcomeFrame>("members")}`;
const WELCOME_EVENTS = `,${field<WelcomeFrame>("events")}`;
const EVENTS_HEAD = `{${field<EventsFrame>("type")}"events",${field<EventsFrame>("events")}`;
type HistoryBefore = Extract<HistoryFrame, { before: number }>;
type HistoryAfter = Extract<HistoryFrame, { after: number }>;
const HISTORY_BEFORE_HEAD = `{${field<HistoryBefore>("type")}"history",${field<HistoryBefore>("before")}`;
const HISTORY_AFTER_HEAD = `{${field<HistoryAfter>("type")}"history",${field<HistoryAfter>("after")}`;
const HISTORY_HAS_MORE = `,${field<HistoryBefore>("hasMore")}`;
const HISTORY_EVENTS = `,${field<HistoryBefore>("events")}`;
const PRESENCE_HEAD = `{${field<PresenceFrame>("type")}"presence",${field<PresenceFrame>("online")}`;
const PRESENCE_CROWD = `,${field<PresenceFrame>("crowd")}`;
const PRESENCE_MEMBERS = `,${field<Extract<PresenceFrame, { crowd: false }>>("members")}`;

const stringify = <T>(value: T): Json<T> => JSON.stringify(value) as Json<T>;

// ---------------------------------------------------------------------------
// Parts

/** A room event as it is stored and broadcast. */
export const encodeEvent: (event: RoomEvent) => EventJson = stringify;

/**
 * JSON the room's event log reads back from its own rows: written there by
 * `encodeEvent`, so it is an event's JSON. Nothing else should call this.
 */
export const storedEventJson = (text: string): EventJson => text as EventJson;

export const encodeMembers = (members: readonly Member[]): Json<Member[]> => JSON.stringify(members) as Json<Member[]>;

/** Events `start` to `end` (exclusive) of a list, as one JSON array, splicing each event's stored JSON. */
export function eventArray(events: readonly { readonly json: EventJson }[], start = 0, end = events.length): Json<RoomEvent[]> {
  let out = "[";
  for (let i = start; i < end && i < events.length; i++) out += i === start ? events[i]!.json : `,${events[i]!.json}`;
  return `${out}]` as Json<RoomEvent[]>;
}

// ---------------------------------------------------------------------------
// Server → client

/** The welcome without what is spliced in. */
export type WelcomeHead = Omit<WelcomeFrame, "online" | "members" | "events">;

export function welcomeFrame(head: WelcomeHead, online: number, members: Json<Member[]>, events: Json<RoomEvent[]>): Json<WelcomeFrame> {
  return `${JSON.stringify(head).slice(0, -1)}${WELCOME_ONLINE}${online}${WELCOME_MEMBERS}${members}${WELCOME_EVENTS}${events}}` as Json<WelcomeFrame>;
}

export function eventsFrame(events: Json<RoomEvent[]>): Json<EventsFrame> {
  return `${EVENTS_HEAD}${events}}` as Json<EventsFrame>;
}

/** A page of history answering `{before}` (older events) or `{after}` (newer ones). */
export function historyFrame(page: { before: number } | { after: number }, hasMore: boolean, events: Json<RoomEvent[]>): Json<HistoryFrame> {
  const head = "before" in page ? `${HISTORY_BEFORE_HEAD}${page.before}` : `${HISTORY_AFTER_HEAD}${page.after}`;
  return `${head}${HISTORY_HAS_MORE}${hasMore}${HISTORY_EVENTS}${events}}` as Json<HistoryFrame>;
}

/** Presence in a crowd: only the count. */
export function crowdPresenceFrame(online: number): Json<PresenceFrame> {
  return `${PRESENCE_HEAD}${online}${PRESENCE_CROWD}true}` as Json<PresenceFrame>;
}

/** Presence when a room stops being a crowd: everyone, listed. */
export function listPresenceFrame(online: number, members: Json<Member[]>): Json<PresenceFrame> {
  return `${PRESENCE_HEAD}${online}${PRESENCE_CROWD}false${PRESENCE_MEMBERS}${members}}` as Json<PresenceFrame>;
}

export function typingFrame(member: Member): Json<TypingNotice> {
  return stringify<TypingNotice>({ type: "typing", member });
}

/** An error frame; `ref`, `retryAfterMs` and `until` only when given. */
export function errorFrame(
  code: ErrorCode,
  message: string,
  about: { ref?: string | undefined; retryAfterMs?: number | undefined; until?: number | undefined } = {},
): Json<ServerFrameOf<"error">> {
  // JSON.stringify leaves out fields whose value is undefined.
  return stringify<ServerFrameOf<"error">>({ type: "error", code, message, ref: about.ref, retryAfterMs: about.retryAfterMs, until: about.until });
}

/** The bans in force, for an owner. */
export function bansFrame(bans: Ban[]): Json<BansFrame> {
  return stringify<BansFrame>({ type: "bans", bans });
}

/** A page of everyone online, for an owner. */
export function membersFrame(members: Member[], online: number, next: string | undefined): Json<MembersFrame> {
  return stringify<MembersFrame>({ type: "members", members, online, next });
}

/** To an owner in a crowd: someone joined. */
export function newcomerFrame(member: Member): Json<NewcomerNotice> {
  return stringify<NewcomerNotice>({ type: "newcomer", member });
}

/** The answer to a search. */
export function searchFrame(q: string, results: SearchResult[], hasMore: boolean): Json<SearchFrame> {
  return stringify<SearchFrame>({ type: "search", q, results, hasMore });
}

/**
 * Any server frame from its object, through the same builders the room uses.
 * The switch is exhaustive: a new frame type does not compile until it has
 * an encoder here.
 */
export function encodeServerFrame(frame: ServerFrame): Json<ServerFrame> {
  switch (frame.type) {
    case "welcome": {
      const { online, members, events, ...head } = frame;
      return welcomeFrame(head, online, encodeMembers(members), eventArray(events.map((e) => ({ json: encodeEvent(e) }))));
    }
    case "events":
      return eventsFrame(eventArray(frame.events.map((e) => ({ json: encodeEvent(e) }))));
    case "history":
      return historyFrame(frame, frame.hasMore, eventArray(frame.events.map((e) => ({ json: encodeEvent(e) }))));
    case "presence":
      return frame.crowd ? crowdPresenceFrame(frame.online) : listPresenceFrame(frame.online, encodeMembers(frame.members));
    case "typing":
      return typingFrame(frame.member);
    case "error":
      return errorFrame(frame.code, frame.message, frame);
    case "bans":
      return bansFrame(frame.bans);
    case "members":
      return membersFrame(frame.members, frame.online, frame.next);
    case "newcomer":
      return newcomerFrame(frame.member);
    case "search":
      return searchFrame(frame.q, frame.results, frame.hasMore);
    case "message":
    case "joined":
    case "left":
    case "renamed":
    case "edited":
    case "deleted":
    case "reactions":
    case "kicked":
    case "banned":
    case "settings":
      return encodeEvent(frame);
    default:
      return unreachable(frame);
  }
}

// ---------------------------------------------------------------------------
// Client → server

/**
 * A client frame, with only the fields the protocol defines (an object that
 * carries more, such as a pending message's bookkeeping, sends no more).
 */
export function encodeClientFrame(frame: ClientFrame): Json<ClientFrame> {
  // Fields are named one by one; JSON.stringify leaves out those that are undefined.
  switch (frame.type) {
    case "join":
      return stringify<ClientFrame>({
        type: "join",
        name: frame.name,
        since: frame.since,
        session: frame.session,
        ownerKey: frame.ownerKey,
        quiet: frame.quiet === true ? true : undefined,
      });
    case "message":
      return stringify<ClientFrame>({
        type: "message",
        text: frame.text,
        id: frame.id,
        action: frame.action === true ? true : undefined,
        replyTo: frame.replyTo,
      });
    case "react":
      return stringify<ClientFrame>({ type: "react", seq: frame.seq, emoji: frame.emoji, on: frame.on });
    case "rename":
      return stringify<ClientFrame>({ type: "rename", name: frame.name });
    case "typing":
      return stringify<ClientFrame>({ type: "typing" });
    case "history":
      return stringify<ClientFrame>(
        "before" in frame
          ? { type: "history", before: frame.before, limit: frame.limit }
          : { type: "history", after: frame.after, limit: frame.limit },
      );
    case "edit":
      return stringify<ClientFrame>({ type: "edit", seq: frame.seq, text: frame.text });
    case "delete":
      return stringify<ClientFrame>({ type: "delete", seq: frame.seq });
    case "kick":
      return stringify<ClientFrame>({ type: "kick", member: frame.member, reason: frame.reason });
    case "ban":
      return stringify<ClientFrame>({ type: "ban", member: frame.member, minutes: frame.minutes, reason: frame.reason });
    case "bans":
      return stringify<ClientFrame>({ type: "bans" });
    case "unban":
      return stringify<ClientFrame>({ type: "unban", ban: frame.ban });
    case "settings":
      return stringify<ClientFrame>({ type: "settings", topic: frame.topic, slowModeSeconds: frame.slowModeSeconds, locked: frame.locked });
    case "members":
      return stringify<ClientFrame>({ type: "members", after: frame.after, limit: frame.limit });
    case "search":
      return stringify<ClientFrame>({ type: "search", q: frame.q, before: frame.before, limit: frame.limit });
    default:
      return unreachable(frame);
  }
}
