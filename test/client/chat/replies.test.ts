/**
 * Replies and reactions in the shared chat controller, against the in-memory
 * room client: the /reply and /react grammar, what each sends (or why it
 * sends nothing), /react toggling by this member's own reactions as the room
 * reported them, messages kept with the room's counts, and reply quotes that
 * follow an edit or delete of what they quote.
 */
import { describe, expect, it } from "vitest";
import { commandHelp, parseCommand } from "../../../src/client/chat/commands.ts";
import { ChatController } from "../../../src/client/chat/controller.ts";
import { MODERATION, parseModeration } from "../../../src/client/chat/moderation.ts";
import type { ChatNotice } from "../../../src/client/chat/notices.ts";
import type { Member, MessageEvent, ReactionCounts, ReactionsEvent } from "../../../src/protocol/frames.ts";
import { ALICE, BOB, FakeRoom } from "./fakeRoom.ts";

const TS = 1_000;
const said = (seq: number, from: Member, text = `m${seq}`): MessageEvent => ({ type: "message", seq, ts: TS + seq, from, text });
const reacted = (seq: number, target: number, by: Member, emoji: string, on: boolean, counts: ReactionCounts): ReactionsEvent => ({
  type: "reactions",
  seq,
  ts: TS + seq,
  target,
  counts,
  by,
  emoji,
  on,
});

/** Alice (this member) in a room where #1 is hers, #2 bob's, and #3 bob's reply to #1. */
function setup() {
  const room = new FakeRoom();
  const notices: ChatNotice[] = [];
  const controller = new ChatController(room, { commands: { moderation: MODERATION }, notify: (notice) => notices.push(notice) });
  const moderation = controller.moderation!;
  const reply: MessageEvent = { ...said(3, BOB, "yes"), replyTo: { seq: 1, from: ALICE, snippet: "lunch?" } };
  room.welcome({ fresh: true, hasMore: false, events: [said(1, ALICE, "lunch?"), { ...said(2, BOB, "hi"), reactions: { "👍": 2 } }, reply] });
  return { room, controller, moderation, notices };
}

describe("the /reply and /react grammar", () => {
  it("reads a seq, with or without #, then the text or the emoji", () => {
    expect(parseModeration("reply", "42 see you there")).toEqual({ kind: "reply", seq: 42, text: "see you there" });
    expect(parseModeration("reply", "#42 two\nlines")).toEqual({ kind: "reply", seq: 42, text: "two\nlines" });
    expect(parseModeration("react", "#42 👍")).toEqual({ kind: "react", seq: 42, emoji: "👍" });
    expect(parseModeration("react", "7   ❤️")).toEqual({ kind: "react", seq: 7, emoji: "❤️" });
    // As typed, through the shared command language.
    expect(parseCommand("/REPLY #5   ok then ", { moderation: MODERATION })).toEqual({ kind: "moderation", command: { kind: "reply", seq: 5, text: "ok then" } });
    expect(parseCommand("/react 5 🎉", { moderation: MODERATION })).toEqual({ kind: "moderation", command: { kind: "react", seq: 5, emoji: "🎉" } });
  });

  it("explains a wrong use instead of sending anything: no seq, a bad seq, nothing after it", () => {
    for (const argument of ["", "42", "#42", "abc hello", "#abc hello", "0 hello", "-3 hello", "4.5 hello", "#", "1234567890123456 x"]) {
      expect(parseModeration("reply", argument), argument).toEqual({ kind: "invalid", message: "Usage: /reply #SEQ TEXT (the number shown with the message)" });
      expect(parseModeration("react", argument), argument).toEqual({ kind: "invalid", message: "Usage: /react #SEQ EMOJI (for example /react 42 👍)" });
    }
    expect(parseCommand("/reply", { moderation: MODERATION })).toMatchObject({ kind: "invalid", message: expect.stringContaining("/reply #SEQ TEXT") });
  });

  it("are in the help, after /edit and /delete", () => {
    const usages = commandHelp({ moderation: MODERATION }).map((c) => c.usage);
    expect(usages).toContain("/reply #SEQ TEXT");
    expect(usages).toContain("/react #SEQ EMOJI");
    expect(usages.indexOf("/reply #SEQ TEXT")).toBeGreaterThan(usages.indexOf("/delete #SEQ"));
  });
});

describe("/reply", () => {
  it("sends the text as a reply to the seq, known or not (the room decides about one it no longer keeps)", () => {
    const { room, controller } = setup();
    expect(controller.submit("/reply 2 me too")).toMatchObject({ kind: "sent", message: { text: "me too", replyTo: 2 } });
    expect(controller.submit("/reply #999 old one")).toMatchObject({ kind: "sent" });
    expect(room.sent.map((m) => [m.text, m.replyTo])).toEqual([
      ["me too", 2],
      ["old one", 999],
    ]);
  });

  it("refuses a reply to a message it knows is deleted, and keeps the line", () => {
    const { room, controller, notices } = setup();
    room.emit("event", { type: "deleted", seq: 4, ts: TS + 4, target: 2, by: BOB });
    expect(controller.submit("/reply 2 what?")).toEqual({ kind: "kept" });
    expect(notices.at(-1)).toEqual({ kind: "not-found", text: "Message #2 is deleted: there is nothing to reply to." });
    expect(room.sent).toEqual([]);
  });

  it("says why text the room would refuse was not sent (too long), as for any message", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit(`/reply 2 ${"x".repeat(11)}`)).toMatchObject({ kind: "not-sent", problem: { code: "text_too_long" } });
    expect(notices.at(-1)).toMatchObject({ kind: "not-sent", problem: { code: "text_too_long" } });
    expect(room.sent).toEqual([]);
  });
});

describe("/react", () => {
  it("toggles: on, then off once the room has said this member's reaction is on, then on again", () => {
    const { room, controller, moderation } = setup();
    expect(controller.submit("/react 2 👍")).toEqual({ kind: "done" });
    expect(room.actions.at(-1)).toEqual({ type: "react", seq: 2, emoji: "👍", on: true });
    // Until the room says so, it is not ours: asking again asks for it on again (which the room takes as a no-op).
    controller.submit("/react 2 👍");
    expect(room.actions.at(-1)).toMatchObject({ on: true });

    room.emit("event", reacted(4, 2, ALICE, "👍", true, { "👍": 3 }));
    expect(moderation.myReactions(2)).toEqual(new Set(["👍"]));
    controller.submit("/react #2 👍");
    expect(room.actions.at(-1)).toEqual({ type: "react", seq: 2, emoji: "👍", on: false });
    // Another emoji on the same message is a different reaction: on.
    controller.submit("/react 2 ❤️");
    expect(room.actions.at(-1)).toEqual({ type: "react", seq: 2, emoji: "❤️", on: true });

    // Someone else's reaction events change the counts, not ours.
    room.emit("event", reacted(5, 2, BOB, "👍", false, { "👍": 2 }));
    expect(moderation.myReactions(2)).toEqual(new Set(["👍"]));
    room.emit("event", reacted(6, 2, ALICE, "👍", false, { "👍": 1 }));
    expect(moderation.myReactions(2)).toEqual(new Set());
    controller.submit("/react 2 👍");
    expect(room.actions.at(-1)).toEqual({ type: "react", seq: 2, emoji: "👍", on: true });
  });

  it("a menu may say on or off itself", () => {
    const { room, moderation } = setup();
    moderation.react(1, "🎉", false);
    expect(room.actions).toEqual([{ type: "react", seq: 1, emoji: "🎉", on: false }]);
  });

  it("refuses what is not one emoji, and a message it knows is deleted, sending nothing", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/react 2 yes")).toEqual({ kind: "kept" });
    expect(controller.submit("/react 2 👍👍")).toEqual({ kind: "kept" });
    expect(notices.at(-1)).toMatchObject({ kind: "action-invalid", problem: { code: "reaction_invalid" }, text: "Could not react to message #2: a reaction is one emoji." });
    room.emit("event", reacted(4, 1, ALICE, "👍", true, { "👍": 1 }));
    room.emit("event", { type: "deleted", seq: 5, ts: TS + 5, target: 1, by: ALICE });
    // Deleting a message takes its reactions, ours too.
    expect(controller.moderation!.myReactions(1)).toEqual(new Set());
    expect(controller.submit("/react 1 👍")).toEqual({ kind: "kept" });
    expect(notices.at(-1)).toEqual({ kind: "not-found", text: "Message #1 is deleted: there is nothing to react to." });
    expect(room.actions).toEqual([]);
  });

  it("needs a connection, and says so", () => {
    const { room, controller, notices } = setup();
    room.state = "reconnecting";
    expect(controller.submit("/react 2 👍")).toEqual({ kind: "kept" });
    expect(notices.at(-1)).toMatchObject({ text: "Could not react to message #2: not connected to the room; try again once it is back." });
  });

  it("forgets this member's reactions when the room's history is reset", () => {
    const { room, moderation } = setup();
    room.emit("event", reacted(4, 2, ALICE, "👍", true, { "👍": 3 }));
    room.welcome({ fresh: true, hasMore: false, events: [] });
    expect(moderation.myReactions(2)).toEqual(new Set());
  });
});

describe("reactions events", () => {
  it("update the message's counts as kept, and tell the app with the message and this member's own", () => {
    const { room, moderation, notices } = setup();
    expect(moderation.message(2)).toMatchObject({ reactions: { "👍": 2 } });
    const on = reacted(4, 2, ALICE, "❤️", true, { "👍": 2, "❤️": 1 });
    room.emit("event", on);
    expect(moderation.message(2)).toEqual({ ...said(2, BOB, "hi"), reactions: { "👍": 2, "❤️": 1 } });
    expect(notices.at(-1)).toEqual({ kind: "reactions", event: on, message: moderation.message(2), mine: new Set(["❤️"]) });

    // The last reaction taken back: no counts left on the message at all.
    room.emit("event", reacted(5, 2, BOB, "👍", false, { "❤️": 1 }));
    room.emit("event", reacted(6, 2, BOB, "👍", false, { "❤️": 1 }));
    room.emit("event", reacted(7, 2, ALICE, "❤️", false, {}));
    expect(moderation.message(2)).toEqual(said(2, BOB, "hi"));
    expect(notices.at(-1)).toMatchObject({ kind: "reactions", message: said(2, BOB, "hi"), mine: new Set() });
  });

  it("about a message it does not keep: the notice comes without one", () => {
    const { room, notices } = setup();
    const far = reacted(4, 99, BOB, "👍", true, { "👍": 1 });
    room.emit("event", far);
    expect(notices.at(-1)).toEqual({ kind: "reactions", event: far, message: undefined, mine: new Set() });
  });
});

describe("a kept reply's quote", () => {
  it("follows an edit of what it quotes: the new words, marked edited", () => {
    const { room, moderation, notices } = setup();
    room.emit("event", { type: "edited", seq: 4, ts: TS + 4, target: 1, by: ALICE, text: "dinner  instead?" });
    expect(notices.map((n) => n.kind)).toEqual(["message-changed", "quote-changed"]);
    const expected = { ...said(3, BOB, "yes"), replyTo: { seq: 1, from: ALICE, snippet: "dinner instead?", edited: true } };
    expect(notices[1]).toEqual({ kind: "quote-changed", message: expected });
    expect(moderation.message(3)).toEqual(expected);
  });

  it("loses the quoted text when what it quotes is deleted", () => {
    const { room, moderation, notices } = setup();
    room.emit("event", { type: "deleted", seq: 4, ts: TS + 4, target: 1, by: ALICE });
    const expected = { ...said(3, BOB, "yes"), replyTo: { seq: 1, from: ALICE, deleted: true } };
    expect(notices.at(-1)).toEqual({ kind: "quote-changed", message: expected });
    expect(moderation.message(3)).toEqual(expected);
    expect(JSON.stringify(moderation.message(3))).not.toContain("lunch");
  });

  it("is left alone by changes to other messages, and a deleted reply has no quote to change", () => {
    const { room, notices } = setup();
    room.emit("event", { type: "edited", seq: 4, ts: TS + 4, target: 2, by: BOB, text: "hey" });
    room.emit("event", { type: "deleted", seq: 5, ts: TS + 5, target: 3, by: BOB });
    room.emit("event", { type: "deleted", seq: 6, ts: TS + 6, target: 1, by: ALICE });
    expect(notices.map((n) => n.kind)).toEqual(["message-changed", "message-changed", "message-changed"]);
  });
});
