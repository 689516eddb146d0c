/**
 * Every frame variant, encoded the way the room and the clients encode it,
 * then decoded the way the other side decodes it, comes back equal. The
 * sample tables are typed by frame type, so a new frame type does not
 * compile until it has samples here (and an encoder: see the type tests).
 */
import type { InferOutput } from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { decodeServerFrame, SERVER_FRAME_SCHEMAS, type DecodedServerFrame, type ReceivedEvent, type UnknownEvent } from "../../src/protocol/decode.ts";
import {
  encodeClientFrame,
  encodeEvent,
  encodeMembers,
  encodeServerFrame,
  eventArray,
  eventsFrame,
  historyFrame,
  welcomeFrame,
  type Json,
} from "../../src/protocol/encode.ts";
import {
  ERROR_CODES,
  unreachable,
  type ClientFrame,
  type ClientFrameOf,
  type ClientFrameType,
  type Member,
  type RoomEvent,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
} from "../../src/protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS, DEFAULT_LIMITS } from "../../src/protocol/limits.ts";
import { decodeClientFrame } from "../../src/protocol/validate.ts";

const alice: Member = { id: "5ad76fe480fe", name: "alice", role: "owner" };
const bob: Member = { id: "5b4b0c1d2e3f", name: "Bøb 🙂" };
const ts = 1_795_259_116_166;

const EVENTS: { [T in RoomEvent["type"]]: Extract<RoomEvent, { type: T }>[] } = {
  message: [
    { type: "message", seq: 3, ts, from: alice, text: "hi bob" },
    { type: "message", seq: 4, ts, from: bob, text: 'line "one"\nline two</script>', id: "a-1", action: true },
    { type: "message", seq: 6, ts, from: alice, text: "fixed typo", edited: ts + 5 },
    { type: "message", seq: 7, ts, from: bob, deleted: true, id: "a-2" },
    {
      type: "message",
      seq: 16,
      ts,
      from: bob,
      text: "agreed",
      id: "a-3",
      replyTo: { seq: 3, from: alice, snippet: "hi bob" },
      reactions: { "👍": 2, "👨‍👩‍👧": 1 },
    },
    { type: "message", seq: 17, ts, from: alice, text: "me too", replyTo: { seq: 6, from: alice, snippet: "fixed typo", edited: true }, edited: ts + 9 },
    { type: "message", seq: 18, ts, from: bob, text: "what was it?", replyTo: { seq: 7, from: bob, deleted: true } },
  ],
  joined: [{ type: "joined", seq: 1, ts, member: alice }],
  left: [{ type: "left", seq: 5, ts, member: bob }],
  renamed: [{ type: "renamed", seq: 2, ts, member: { id: bob.id, name: "robert" }, from: "bob" }],
  edited: [
    { type: "edited", seq: 8, ts, target: 6, by: alice, text: "fixed typo" },
    { type: "edited", seq: 9, ts, target: 7, by: bob, deleted: true },
  ],
  deleted: [{ type: "deleted", seq: 10, ts, target: 7, by: alice }],
  reactions: [
    { type: "reactions", seq: 19, ts, target: 16, counts: { "👍": 2, "👨‍👩‍👧": 1 }, by: alice, emoji: "👍", on: true },
    { type: "reactions", seq: 20, ts, target: 3, counts: {}, by: bob, emoji: "1️⃣", on: false },
  ],
  kicked: [
    { type: "kicked", seq: 11, ts, member: bob, by: alice },
    { type: "kicked", seq: 12, ts, member: bob, by: alice, reason: "cool off" },
  ],
  banned: [
    { type: "banned", seq: 13, ts, member: bob, by: alice },
    { type: "banned", seq: 14, ts, member: bob, by: alice, reason: "spam", until: ts + 3_600_000 },
  ],
  settings: [{ type: "settings", seq: 15, ts, topic: "Launch party 🚀", slowModeSeconds: 30, locked: true, by: alice }],
};
const SETTINGS = { topic: "", slowModeSeconds: 0, locked: false };
const someEvents: RoomEvent[] = Object.values(EVENTS).flat();

const SERVER_SAMPLES: { [T in ServerFrameType]: ServerFrameOf<T>[] } = {
  welcome: [
    {
      type: "welcome",
      protocol: 1,
      room: "lobby",
      self: alice,
      session: "1c91712c2a47506b4a2639036b9b57d4",
      members: [alice, bob],
      online: 2,
      events: someEvents,
      lastSeq: 15,
      hasMore: false,
      settings: SETTINGS,
      limits: DEFAULT_ADVERTISED_LIMITS,
    },
    {
      type: "welcome",
      protocol: 1,
      room: "a".repeat(64),
      self: bob,
      session: "f".repeat(32),
      members: [],
      online: 150,
      crowd: true,
      events: [],
      lastSeq: 900,
      hasMore: true,
      truncated: true,
      oldestSeq: 400,
      reset: true,
      more: true,
      replayThrough: 40,
      settings: { topic: "Ops", slowModeSeconds: 5, locked: true },
      limits: { nameMax: 8, textMax: 100, frameMaxBytes: 1024, rateBurst: 2, ratePerSecond: 0.5 },
    },
  ],
  events: [{ type: "events", events: someEvents }],
  presence: [
    { type: "presence", online: 120, crowd: true },
    { type: "presence", online: 2, crowd: false, members: [alice, bob] },
  ],
  typing: [{ type: "typing", member: bob }],
  history: [
    { type: "history", before: 10, events: someEvents, hasMore: true },
    { type: "history", before: 1, events: [], hasMore: false },
    { type: "history", after: 0, events: someEvents, hasMore: true },
  ],
  bans: [
    { type: "bans", bans: [] },
    {
      type: "bans",
      bans: [
        { ban: "b1", member: bob, by: alice, ts },
        { ban: "b2", member: bob, by: alice, ts, until: ts + 60_000, reason: "spam" },
      ],
    },
  ],
  members: [
    { type: "members", members: [alice, bob], online: 2 },
    { type: "members", members: [alice], online: 900, next: "5ad76fe480fe" },
  ],
  newcomer: [{ type: "newcomer", member: bob }],
  search: [
    { type: "search", q: "launch", results: [{ seq: 4, ts, from: alice, snippet: "…the launch party starts at 8" }], hasMore: true },
    { type: "search", q: "nothing", results: [], hasMore: false },
  ],
  error: [
    { type: "error", code: "text_too_long", message: "text must be at most 2000 characters", ref: "m-2" },
    { type: "error", code: "rate_limited", message: "slow down: wait 180 ms", retryAfterMs: 180 },
    { type: "error", code: "banned", message: "you are banned from this room", until: ts + 60_000 },
    ...ERROR_CODES.map((code) => ({ type: "error" as const, code, message: code })),
  ],
  ...EVENTS,
};

const CLIENT_SAMPLES: { [T in ClientFrameType]: ClientFrameOf<T>[] } = {
  join: [
    { type: "join", name: "alice" },
    { type: "join", name: "Bøb 🙂", since: 42, session: "1c91712c2a47506b4a2639036b9b57d4" },
    { type: "join", name: "alice", ownerKey: "k3y-of-the-room_0123456789abcdefghijklmnopq" },
  ],
  message: [
    { type: "message", text: "hi" },
    { type: "message", text: "waves\nhappily", id: "0f8fad5b-d9cb-469f-a165-70867728950e", action: true },
    { type: "message", text: "same here", id: "m-7", replyTo: 3 },
  ],
  react: [
    { type: "react", seq: 3, emoji: "👍", on: true },
    { type: "react", seq: 16, emoji: "🇫🇷", on: false },
  ],
  rename: [{ type: "rename", name: "robert" }],
  typing: [{ type: "typing" }],
  history: [
    { type: "history", before: 10, limit: 50 },
    { type: "history", before: 1, limit: 1 },
    { type: "history", after: 0, limit: 100 },
  ],
  edit: [{ type: "edit", seq: 3, text: "better words" }],
  delete: [{ type: "delete", seq: 3 }],
  kick: [
    { type: "kick", member: "5b4b0c1d2e3f" },
    { type: "kick", member: "5b4b0c1d2e3f", reason: "take a break" },
  ],
  ban: [
    { type: "ban", member: "5b4b0c1d2e3f" },
    { type: "ban", member: "5b4b0c1d2e3f", minutes: 60, reason: "spam" },
  ],
  bans: [{ type: "bans" }],
  unban: [{ type: "unban", ban: "b1" }],
  settings: [
    { type: "settings", topic: "Launch" },
    { type: "settings", topic: "", slowModeSeconds: 0, locked: false },
  ],
  members: [
    { type: "members", limit: 500 },
    { type: "members", after: "5ad76fe480fe", limit: 20 },
  ],
  search: [
    { type: "search", q: "launch", limit: 20 },
    { type: "search", q: "NEAR(a b) \"x\"", before: 42, limit: 50 },
  ],
};

const frameOf = (decoded: DecodedServerFrame) => (decoded.kind === "frame" ? decoded.frame : decoded);

describe("server frames", () => {
  const samples = Object.values(SERVER_SAMPLES).flat() as ServerFrame[];

  it.each(samples.map((frame) => [frame.type, frame] as const))("round-trips a %s frame", (_, frame) => {
    const json = encodeServerFrame(frame);
    expect(JSON.parse(json)).toEqual(frame);
    expect(frameOf(decodeServerFrame(json))).toEqual(frame);
  });

  it("splices stored events and members into the frames the room sends, byte for byte what a serialiser writes", () => {
    const stored = someEvents.map((event) => ({ seq: event.seq, json: encodeEvent(event) }));
    const welcome = SERVER_SAMPLES.welcome[0]!;
    const { online, members, events, ...head } = welcome;
    const spliced = welcomeFrame(head, online, encodeMembers(members), eventArray(stored));
    expect(spliced).toBe(JSON.stringify({ ...head, online, members, events }));
    expect(eventsFrame(eventArray(stored, 1, 3))).toBe(JSON.stringify({ type: "events", events: someEvents.slice(1, 3) }));
    expect(historyFrame({ before: 9 }, true, eventArray(stored, 0, 0))).toBe(JSON.stringify({ type: "history", before: 9, hasMore: true, events: [] }));
  });

  it("ignores frame types it does not know, and counts events of types it does not know", () => {
    expect(decodeServerFrame('{"type":"reactions_summary","x":1}')).toEqual({ kind: "unknown", type: "reactions_summary" });
    expect(frameOf(decodeServerFrame('{"type":"pinned","seq":7,"ts":5,"target":3,"by":{}}'))).toEqual({
      type: "unknown",
      unknownType: "pinned",
      seq: 7,
      ts: 5,
    });
    const mixed = `{"type":"events","events":[${encodeEvent(EVENTS.joined[0]!)},{"type":"pinned","seq":2,"ts":5,"target":1}]}`;
    expect(frameOf(decodeServerFrame(mixed))).toEqual({
      type: "events",
      events: [EVENTS.joined[0], { type: "unknown", unknownType: "pinned", seq: 2, ts: 5 }],
    });
  });

  it("drops fields it does not know from known frames", () => {
    const json = JSON.stringify({ ...EVENTS.message[0], pinned: true, poll: { options: 3 } });
    expect(frameOf(decodeServerFrame(json))).toEqual(EVENTS.message[0]);
  });

  it.each([
    ["not JSON", "pong"],
    ["an array", "[1,2]"],
    ["no type", '{"seq":1}'],
    ["a message without text", '{"type":"message","seq":1,"ts":1,"from":{"id":"a","name":"b"}}'],
    ["a welcome without self", '{"type":"welcome","protocol":1}'],
    ["an event with a fractional seq", '{"type":"joined","seq":1.5,"ts":1,"member":{"id":"a","name":"b"}}'],
    ["a known event malformed inside a list", '{"type":"events","events":[{"type":"left","seq":3,"ts":1}]}'],
    ["an unknown event without a seq inside a list", '{"type":"events","events":[{"type":"pinned","ts":1}]}'],
    ["an error code no protocol version has", '{"type":"error","code":"oops","message":"x"}'],
    ["a presence frame that lists nobody outside a crowd", '{"type":"presence","online":2,"crowd":false}'],
    ["a reactions event without counts", '{"type":"reactions","seq":7,"ts":5,"target":3,"by":{"id":"a","name":"b"},"emoji":"👍","on":true}'],
    ["a reply quote with neither snippet nor deleted", '{"type":"message","seq":2,"ts":1,"from":{"id":"a","name":"b"},"text":"x","replyTo":{"seq":1,"from":{"id":"a","name":"b"}}}'],
  ])("reports %s as malformed, without throwing", (_, text) => {
    const decoded = decodeServerFrame(text);
    expect(decoded.kind).toBe("malformed");
    expect(decoded.kind === "malformed" && decoded.problem.length).toBeGreaterThan(0);
  });
});

describe("client frames", () => {
  const samples = Object.values(CLIENT_SAMPLES).flat() as ClientFrame[];

  it.each(samples.map((frame) => [frame.type, frame] as const))("round-trips a %s frame through the room's validation", (_, frame) => {
    const decoded = decodeClientFrame(encodeClientFrame(frame), DEFAULT_LIMITS);
    expect(decoded).toEqual({ ok: true, value: frame });
  });

  it("sends only the protocol's fields, whatever else the object carries", () => {
    const pending = { type: "message" as const, text: "hi", id: "m-1", action: false, sentAt: 12, retries: 3 };
    expect(JSON.parse(encodeClientFrame(pending))).toEqual({ type: "message", text: "hi", id: "m-1" });
  });
});

describe("types", () => {
  it("brands frames: a hand-made string is not a frame, stored event JSON is", () => {
    expectTypeOf(encodeServerFrame).returns.toEqualTypeOf<Json<ServerFrame>>();
    expectTypeOf(encodeEvent).returns.toMatchTypeOf<Json<ServerFrame>>();
    expectTypeOf<string>().not.toMatchTypeOf<Json<ServerFrame>>();
    expectTypeOf<Json<Member[]>>().not.toMatchTypeOf<Json<RoomEvent[]>>();
  });

  it("has a schema for each server frame that reads exactly the frame's type, field for field", () => {
    type Read<T extends ServerFrameType> = InferOutput<(typeof SERVER_FRAME_SCHEMAS)[T]>;
    // Lists of events read every known event type (each checked below) or an UnknownEvent.
    expectTypeOf<Omit<Read<"welcome">, "events">>().toEqualTypeOf<Omit<ServerFrameOf<"welcome">, "events">>();
    expectTypeOf<Omit<Read<"events">, "events">>().toEqualTypeOf<Omit<ServerFrameOf<"events">, "events">>();
    expectTypeOf<Omit<Read<"history">, "events">>().toEqualTypeOf<Omit<ServerFrameOf<"history">, "events">>();
    expectTypeOf<Read<"welcome">["events"]>().toMatchTypeOf<ReceivedEvent[]>();
    expectTypeOf<Extract<Read<"history">["events"][number], { type: "unknown" }>>().toEqualTypeOf<UnknownEvent>();
    expectTypeOf<Read<"presence">>().toEqualTypeOf<ServerFrameOf<"presence">>();
    expectTypeOf<Read<"typing">>().toEqualTypeOf<ServerFrameOf<"typing">>();
    expectTypeOf<Read<"error">>().toEqualTypeOf<ServerFrameOf<"error">>();
    expectTypeOf<Read<"message">>().toEqualTypeOf<ServerFrameOf<"message">>();
    expectTypeOf<Read<"joined">>().toEqualTypeOf<ServerFrameOf<"joined">>();
    expectTypeOf<Read<"left">>().toEqualTypeOf<ServerFrameOf<"left">>();
    expectTypeOf<Read<"renamed">>().toEqualTypeOf<ServerFrameOf<"renamed">>();
    expectTypeOf<Read<"reactions">>().toEqualTypeOf<ServerFrameOf<"reactions">>();
  });

  it("makes a switch that misses a variant fail to compile", () => {
    // Both encoders switch over every type and end in unreachable(frame): if a
    // case were missing there, frame would not be `never` and they would not
    // compile. This shows the mechanism catching a missing case.
    const onlyWelcome = (frame: ServerFrame): string => {
      switch (frame.type) {
        case "welcome":
          return "welcome";
        default:
          // @ts-expect-error: every other server frame type lacks a case
          return unreachable(frame);
      }
    };
    expect(onlyWelcome(SERVER_SAMPLES.welcome[0]!)).toBe("welcome");
    expect(() => onlyWelcome(SERVER_SAMPLES.typing[0]!)).toThrow(/unhandled variant/);
  });
});
