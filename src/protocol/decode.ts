/**
 * Reading what the server sends, for clients: `decodeServerFrame` is the one
 * way a client turns a text frame into a typed frame. Every frame of a known
 * type is checked against its schema (valibot, typed against frames.ts, so a
 * schema that disagrees with its type does not compile); unknown keys are
 * dropped.
 *
 * What a client does not know yet is tolerated rather than fatal, so an older
 * client keeps working against a newer server: a frame of an unknown type is
 * ignored, and an event of an unknown type (it has a `seq`) arrives as an
 * `UnknownEvent`, which a client counts for gap-free delivery and never shows.
 * A malformed frame of a known type is reported, never thrown.
 */
import * as v from "valibot";
import {
  ERROR_CODES,
  PROTOCOL_VERSION,
  type Member,
  type ReactionCounts,
  type ReplyQuote,
  type RoomEvent,
  type RoomEventType,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
} from "./frames.ts";
import { isRecord } from "./validate.ts";

/** An event of a type this client does not know (from a newer server). */
export interface UnknownEvent {
  type: "unknown";
  /** The type the server sent. */
  unknownType: string;
  seq: number;
  ts: number;
}

export type ReceivedEvent = RoomEvent | UnknownEvent;

/** A frame as a client receives it: lists of events may hold unknown ones. */
export type Received<F> = F extends { events: RoomEvent[] } ? Omit<F, "events"> & { events: ReceivedEvent[] } : F;
export type ReceivedFrame = Received<ServerFrame> | UnknownEvent;

export type DecodedServerFrame =
  | { kind: "frame"; frame: ReceivedFrame }
  /** A frame type this client does not know: ignore it. */
  | { kind: "unknown"; type: string }
  /** Not JSON, or a known frame type that breaks its schema: report it. */
  | { kind: "malformed"; problem: string };

type Schema<T> = v.GenericSchema<unknown, T>;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const seq = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const ts = v.number();
const member = v.object({ id: v.string(), name: v.string(), role: v.optional(v.literal("owner")) }) satisfies Schema<Member>;
const text = v.string();
const reason = v.optional(v.string());
const settings = { topic: v.string(), slowModeSeconds: count, locked: v.boolean() };
const reactionCounts = v.record(v.string(), count) satisfies Schema<ReactionCounts>;
const replyQuote = v.union([
  v.object({ seq, from: member, snippet: v.string(), edited: v.optional(v.literal(true)) }),
  v.object({ seq, from: member, deleted: v.literal(true) }),
]) satisfies Schema<ReplyQuote>;

const EVENTS = {
  message: v.union([
    v.object({
      type: v.literal("message"),
      seq,
      ts,
      from: member,
      text,
      id: v.optional(v.string()),
      action: v.optional(v.literal(true)),
      edited: v.optional(ts),
      replyTo: v.optional(replyQuote),
      reactions: v.optional(reactionCounts),
      mentions: v.optional(v.array(v.string())),
    }),
    v.object({ type: v.literal("message"), seq, ts, from: member, deleted: v.literal(true), id: v.optional(v.string()) }),
  ]),
  joined: v.object({ type: v.literal("joined"), seq, ts, member }),
  left: v.object({ type: v.literal("left"), seq, ts, member }),
  renamed: v.object({ type: v.literal("renamed"), seq, ts, member, from: v.string() }),
  edited: v.union([
    v.object({ type: v.literal("edited"), seq, ts, target: seq, by: member, text }),
    v.object({ type: v.literal("edited"), seq, ts, target: seq, by: member, deleted: v.literal(true) }),
  ]),
  deleted: v.object({ type: v.literal("deleted"), seq, ts, target: seq, by: member }),
  reactions: v.object({ type: v.literal("reactions"), seq, ts, target: seq, counts: reactionCounts, by: member, emoji: v.string(), on: v.boolean() }),
  kicked: v.object({ type: v.literal("kicked"), seq, ts, member, by: member, reason }),
  banned: v.object({ type: v.literal("banned"), seq, ts, member, by: member, reason, until: v.optional(ts) }),
  settings: v.object({ type: v.literal("settings"), seq, ts, ...settings, by: member }),
} satisfies { [T in RoomEventType]: Schema<Extract<RoomEvent, { type: T }>> };

const isKnownEvent = (type: string): type is RoomEventType => Object.hasOwn(EVENTS, type);

/** An event of a type not in `EVENTS`: only what delivery needs is checked. */
const unknownEvent = v.pipe(
  v.looseObject({
    type: v.pipe(
      v.string(),
      v.check((type) => !isKnownEvent(type)),
    ),
    seq,
    ts,
  }),
  v.transform((e): UnknownEvent => ({ type: "unknown", unknownType: e.type, seq: e.seq, ts: e.ts })),
);

const receivedEvents = v.array(
  v.union([
    EVENTS.message,
    EVENTS.joined,
    EVENTS.left,
    EVENTS.renamed,
    EVENTS.edited,
    EVENTS.deleted,
    EVENTS.reactions,
    EVENTS.kicked,
    EVENTS.banned,
    EVENTS.settings,
    unknownEvent,
  ]),
) satisfies Schema<ReceivedEvent[]>;

const SCHEMAS = {
  welcome: v.object({
    type: v.literal("welcome"),
    protocol: v.literal(PROTOCOL_VERSION),
    room: v.string(),
    self: member,
    session: v.string(),
    members: v.array(member),
    online: count,
    crowd: v.optional(v.literal(true)),
    events: receivedEvents,
    lastSeq: count,
    hasMore: v.boolean(),
    truncated: v.optional(v.literal(true)),
    oldestSeq: v.optional(seq),
    reset: v.optional(v.literal(true)),
    more: v.optional(v.literal(true)),
    replayThrough: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
    settings: v.object(settings),
    limits: v.object({
      nameMax: count,
      textMax: count,
      frameMaxBytes: count,
      rateBurst: v.number(),
      ratePerSecond: v.number(),
    }),
  }),
  events: v.object({ type: v.literal("events"), events: receivedEvents }),
  presence: v.variant("crowd", [
    v.object({ type: v.literal("presence"), online: count, crowd: v.literal(true) }),
    v.object({ type: v.literal("presence"), online: count, crowd: v.literal(false), members: v.array(member) }),
  ]),
  typing: v.object({ type: v.literal("typing"), member }),
  history: v.union([
    v.object({ type: v.literal("history"), before: count, events: receivedEvents, hasMore: v.boolean() }),
    v.object({ type: v.literal("history"), after: count, events: receivedEvents, hasMore: v.boolean() }),
  ]),
  bans: v.object({
    type: v.literal("bans"),
    bans: v.array(v.object({ ban: v.string(), member, by: member, ts, until: v.optional(ts), reason })),
  }),
  members: v.object({ type: v.literal("members"), members: v.array(member), online: count, next: v.optional(v.string()) }),
  newcomer: v.object({ type: v.literal("newcomer"), member }),
  search: v.object({
    type: v.literal("search"),
    q: v.string(),
    results: v.array(v.object({ seq, ts, from: member, snippet: v.string() })),
    hasMore: v.boolean(),
  }),
  error: v.object({
    type: v.literal("error"),
    code: v.picklist(ERROR_CODES),
    message: v.string(),
    ref: v.optional(v.string()),
    retryAfterMs: v.optional(v.number()),
    until: v.optional(ts),
  }),
  ...EVENTS,
} satisfies { [T in ServerFrameType]: Schema<Received<ServerFrameOf<T>>> };

/** The schema of every server frame type, exactly as written, for the type tests: what a client accepts. */
export const SERVER_FRAME_SCHEMAS = SCHEMAS;

/** Decodes one text frame from the server. Never throws. */
export function decodeServerFrame(text: string): DecodedServerFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "malformed", problem: `not JSON: ${clip(text)}` };
  }
  if (!isRecord(parsed) || typeof parsed.type !== "string") {
    return { kind: "malformed", problem: `not an object with a string "type": ${clip(text)}` };
  }
  const type = parsed.type;
  if (!Object.hasOwn(SCHEMAS, type)) {
    if (Object.hasOwn(parsed, "seq")) {
      const event = v.safeParse(unknownEvent, parsed);
      return event.success ? { kind: "frame", frame: event.output } : malformed(type, event.issues);
    }
    return { kind: "unknown", type };
  }
  const result = v.safeParse(SCHEMAS[type as ServerFrameType] as Schema<ReceivedFrame>, parsed);
  return result.success ? { kind: "frame", frame: result.output } : malformed(type, result.issues);
}

function malformed(type: string, issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): DecodedServerFrame {
  const issue = issues[0];
  const path = v.getDotPath(issue);
  return { kind: "malformed", problem: `${clip(type)} frame: ${path === null ? "" : `${path}: `}${issue.message}` };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
