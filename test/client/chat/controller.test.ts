/**
 * The chat controller both apps share, against an in-memory stand-in for the
 * room client (no sockets): every command, every notice, which room errors
 * are shown, and what happens offline.
 */
import { describe, expect, it } from "vitest";
import { ChatController } from "../../../src/client/chat/controller.ts";
import type { ChatNotice } from "../../../src/client/chat/notices.ts";
import type { CommandExtras } from "../../../src/client/chat/commands.ts";
import type { ErrorFrame, RoomEvent } from "../../../src/protocol/frames.ts";
import { ALICE, BOB, FakeRoom, TERMINAL } from "./fakeRoom.ts";

const message = (seq: number, text = `m${seq}`): RoomEvent => ({ type: "message", seq, ts: 1_000 + seq, from: BOB, text });
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
const error = (code: ErrorFrame["code"], extra: Partial<ErrorFrame> = {}): ErrorFrame => ({ type: "error", code, message: `${code} happened`, ...extra });
/** Lets a /history under way run to its end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(commands?: CommandExtras) {
  const room = new FakeRoom();
  const notices: ChatNotice[] = [];
  const controller = new ChatController(room, { notify: (notice) => notices.push(notice), ...(commands ? { commands } : {}) });
  const kinds = () => notices.map((n) => n.kind);
  return { room, notices, controller, kinds };
}

describe("messages", () => {
  it("sends text and /me actions, and says nothing while live", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("  hello  ")).toEqual({ kind: "sent", message: { id: "m1", text: "hello", action: false } });
    expect(controller.submit("/me waves")).toMatchObject({ kind: "sent", message: { text: "waves", action: true } });
    expect(controller.submit("//not cmd")).toMatchObject({ kind: "sent", message: { text: "/not cmd" } });
    expect(room.sent.map((m) => m.text)).toEqual(["hello", "waves", "/not cmd"]);
    expect(notices).toEqual([]);
  });

  it("says a message is queued when not connected", () => {
    const { room, controller, notices } = setup();
    for (const state of ["connecting", "reconnecting"] as const) {
      room.state = state;
      const outcome = controller.submit("later");
      expect(outcome.kind).toBe("sent");
      expect(notices.at(-1)).toEqual({ kind: "queued-offline", message: outcome.kind === "sent" ? outcome.message : undefined });
    }
    expect(room.sent).toHaveLength(2);
  });

  it("refuses text the room would refuse, queues nothing, and says why", () => {
    const { room, controller, notices } = setup();
    const outcome = controller.submit("far too long for this room");
    expect(outcome).toEqual({ kind: "not-sent", problem: { code: "text_too_long", message: "text must be at most 10 characters" } });
    expect(notices).toEqual([{ kind: "not-sent", text: "far too long for this room", problem: expect.objectContaining({ code: "text_too_long" }) }]);
    expect(controller.submit("/me bad\u0007bell")).toMatchObject({ kind: "not-sent", problem: { code: "text_invalid" } });
    expect(room.sent).toEqual([]);
  });

  it("sends scripted text as it is, never as a command", () => {
    const { room, controller, notices } = setup();
    expect(controller.send("/quit")).toMatchObject({ kind: "sent", message: { text: "/quit", action: false } });
    expect(controller.send("/who", { action: true })).toMatchObject({ kind: "sent", message: { text: "/who", action: true } });
    expect(controller.send("   ")).toMatchObject({ kind: "not-sent", problem: { code: "text_empty" } });
    expect(room.sent.map((m) => m.text)).toEqual(["/quit", "/who"]);
    expect(notices.map((n) => n.kind)).toEqual(["not-sent"]);
  });

  it("keeps an empty line without doing anything", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("  \n ")).toEqual({ kind: "kept" });
    expect(room.sent).toEqual([]);
    expect(notices).toEqual([]);
  });

  it("tells the room someone is typing a message, not a command", () => {
    const { room, controller } = setup();
    for (const draft of ["", "   ", "/me", " /nick bo", "//slash"]) controller.typing(draft);
    expect(room.typingCalls).toBe(0);
    controller.typing("h");
    controller.typing("  hello");
    expect(room.typingCalls).toBe(2);
  });
});

describe("/nick", () => {
  it("renames at once when live: the room's event will show it, so no notice", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/nick  Zoë ")).toEqual({ kind: "done" });
    expect(controller.submit("/name bo")).toEqual({ kind: "done" });
    expect(room.renames).toEqual(["Zoë", "bo"]);
    expect(notices).toEqual([]);
  });

  it("says the new name comes with the reconnect when offline", () => {
    const { room, controller, notices } = setup();
    room.state = "reconnecting";
    expect(controller.submit("/nick bob")).toEqual({ kind: "done" });
    expect(room.renames).toEqual(["bob"]);
    expect(notices).toEqual([{ kind: "rename-queued", name: "bob" }]);
  });

  it("refuses a name that breaks the rules, asking nothing of the room", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/nick much too long")).toEqual({ kind: "kept" });
    expect(controller.submit("/nick a\u202Eb")).toEqual({ kind: "kept" });
    expect(room.renames).toEqual([]);
    expect(notices).toEqual([
      { kind: "name-invalid", problem: { code: "name_invalid", message: "name must be at most 8 characters" } },
      { kind: "name-invalid", problem: expect.objectContaining({ code: "name_invalid" }) },
    ]);
  });

  it("says so when the name is already this member's", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/nick alice ")).toEqual({ kind: "done" });
    expect(room.renames).toEqual([]);
    expect(notices).toEqual([{ kind: "already-named", name: "alice" }]);
  });
});

describe("/who, /help and mistakes", () => {
  it("lists who is here once the room has answered, and says nobody is known before", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/who")).toEqual({ kind: "done" });
    expect(notices.at(-1)).toEqual({ kind: "who", presence: room.presence, selfId: "a1" });
    room.presence = { members: [], online: 1234, crowd: true };
    controller.submit("/names");
    expect(notices.at(-1)).toEqual({ kind: "who", presence: { members: [], online: 1234, crowd: true }, selfId: "a1" });
    room.self = undefined;
    controller.submit("/who");
    expect(notices.at(-1)).toEqual({ kind: "not-joined" });
  });

  it("lists the commands this app has in /help", () => {
    const browser = setup();
    expect(browser.controller.submit("/help")).toEqual({ kind: "done" });
    const listed = (n: ChatNotice | undefined) => (n?.kind === "help" ? n.commands.map((c) => c.usage) : []);
    expect(listed(browser.notices[0])).toEqual(["/me ACTION", "/nick NAME", "/who", "/search WORDS", "/help"]);
    const terminal = setup(TERMINAL);
    terminal.controller.submit("/HELP");
    expect(listed(terminal.notices[0])).toEqual(["/me ACTION", "/nick NAME", "/who", "/search WORDS", "/history [N]", "/help", "/quit"]);
  });

  it("explains a misused or unknown command and keeps the line", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit("/me")).toEqual({ kind: "kept" });
    expect(controller.submit("/dance")).toEqual({ kind: "kept" });
    // Commands another app has are unknown here.
    expect(controller.submit("/quit")).toEqual({ kind: "kept" });
    expect(controller.submit("/history 5")).toEqual({ kind: "kept" });
    expect(notices.map((n) => (n.kind === "usage" ? n.message : n.kind))).toEqual([
      "Usage: /me ACTION (for example /me waves)",
      expect.stringMatching(/^Unknown command \/dance\. Type \/help/),
      expect.stringMatching(/^Unknown command \/quit\./),
      expect.stringMatching(/^Unknown command \/history\./),
    ]);
    expect(room.sent).toEqual([]);
  });

  it("passes /quit to the app that has it", () => {
    const { controller, notices } = setup(TERMINAL);
    expect(controller.submit("/quit")).toEqual({ kind: "quit" });
    expect(controller.submit("/exit")).toEqual({ kind: "quit" });
    expect(notices).toEqual([]);
  });
});

describe("/history", () => {
  it("fetches N events before the oldest shown, in pages the room accepts, then continues from there", async () => {
    const { room, controller, notices } = setup(TERMINAL);
    room.welcome({ fresh: true, hasMore: true, events: events(300, 349) });
    room.historyPages.push({ events: events(200, 299), hasMore: true }, { events: events(150, 199), hasMore: true });
    expect(controller.submit("/history 150")).toEqual({ kind: "done" });
    await settle();
    expect(room.historyAsks).toEqual([
      { before: 300, limit: 100 },
      { before: 200, limit: 50 },
    ]);
    expect(notices).toEqual([{ kind: "history", events: events(150, 299), more: true }]);

    room.historyPages.push({ events: events(1, 149), hasMore: false });
    controller.submit("/history");
    await settle();
    expect(room.historyAsks.at(-1)).toEqual({ before: 150, limit: 20 });
    expect(notices.at(-1)).toEqual({ kind: "history", events: events(1, 149), more: false });
    // The beginning of the room: nothing more to ask for.
    controller.submit("/history");
    await settle();
    expect(room.historyAsks).toHaveLength(3);
    expect(notices.at(-1)).toEqual({ kind: "history-none" });
  });

  it("says there is nothing earlier when the room has nothing before what is shown", async () => {
    const { room, controller, notices } = setup(TERMINAL);
    controller.submit("/history");
    await settle();
    expect(notices).toEqual([{ kind: "history-none" }]); // nothing shown yet
    room.welcome({ fresh: true, hasMore: false, events: events(1, 5) });
    controller.submit("/history");
    await settle();
    room.welcome({ fresh: true, hasMore: true, events: events(6, 10) });
    room.historyPages.push({ events: [], hasMore: false });
    controller.submit("/history");
    await settle();
    expect(notices).toEqual([{ kind: "history-none" }, { kind: "history-none" }, { kind: "history-none" }]);
    expect(room.historyAsks).toEqual([{ before: 6, limit: 20 }]);
  });

  it("starts again from the newest events after a fresh welcome (the room's history was reset)", async () => {
    const { room, controller } = setup(TERMINAL);
    room.welcome({ fresh: true, hasMore: true, events: events(100, 120) });
    room.welcome({ fresh: false, hasMore: true, events: events(121, 125) });
    room.historyPages.push({ events: events(90, 99), hasMore: true });
    controller.submit("/history 10");
    await settle();
    room.welcome({ fresh: true, hasMore: true, events: events(40, 45) });
    room.historyPages.push({ events: events(30, 39), hasMore: true });
    controller.submit("/history 10");
    await settle();
    expect(room.historyAsks.map((a) => a.before)).toEqual([100, 40]);
  });

  it("asks to try again when offline, or when the connection drops while fetching", async () => {
    const { room, controller, notices } = setup(TERMINAL);
    room.welcome({ fresh: true, hasMore: true, events: events(300, 349) });
    room.state = "reconnecting";
    controller.submit("/history");
    await settle();
    expect(notices).toEqual([{ kind: "history-offline", dropped: false }]);
    expect(room.historyAsks).toEqual([]);

    room.state = "live";
    controller.submit("/history 150");
    await settle();
    room.answerHistory({ before: 300, events: events(200, 299), hasMore: true });
    await settle();
    // The connection goes: the client answers the next page empty.
    room.state = "reconnecting";
    room.answerHistory({ before: 200, events: [], hasMore: true });
    await settle();
    expect(notices.at(-1)).toEqual({ kind: "history-offline", dropped: true });
    // Nothing was shown, so the next /history asks for the same events again.
    room.state = "live";
    room.historyPages.push({ events: events(280, 299), hasMore: true });
    controller.submit("/history");
    await settle();
    expect(room.historyAsks.at(-1)).toEqual({ before: 300, limit: 20 });
  });

  it("fetches one /history at a time", async () => {
    const { room, controller, notices } = setup(TERMINAL);
    room.welcome({ fresh: true, hasMore: true, events: events(300, 349) });
    controller.submit("/history 5");
    controller.submit("/history 5");
    expect(notices).toEqual([{ kind: "history-busy" }]);
    room.answerHistory({ before: 300, events: events(295, 299), hasMore: true });
    await settle();
    expect(notices.at(-1)).toEqual({ kind: "history", events: events(295, 299), more: true });
    room.historyPages.push({ events: events(290, 294), hasMore: true });
    controller.submit("/history 5");
    await settle();
    expect(notices.at(-1)).toMatchObject({ kind: "history", more: true });
  });

  it("says nothing about a page that arrives after it was disposed", async () => {
    const { room, controller, notices } = setup(TERMINAL);
    room.welcome({ fresh: true, hasMore: true, events: events(300, 349) });
    controller.submit("/history 5");
    controller.dispose();
    room.answerHistory({ before: 300, events: events(295, 299), hasMore: true });
    await settle();
    expect(notices).toEqual([]);
  });
});

describe("what the room says", () => {
  it("hides pacing and errors about one message (those come as refusals)", () => {
    const { room, notices } = setup();
    room.emit("error", error("rate_limited", { retryAfterMs: 200 }));
    room.emit("error", error("rate_limited", { ref: "m1", retryAfterMs: 200 }));
    room.emit("error", error("text_too_long", { ref: "m1" }));
    room.emit("error", error("bad_request", { ref: "m2" }));
    expect(notices).toEqual([]);
  });

  it("shows other errors", () => {
    const { room, notices } = setup();
    for (const code of ["name_invalid", "bad_request", "bad_frame", "not_joined", "internal", "text_empty"] as const) {
      room.emit("error", error(code));
    }
    expect(notices).toEqual(
      ["name_invalid", "bad_request", "bad_frame", "not_joined", "internal", "text_empty"].map((code) => ({
        kind: "room-error",
        error: { type: "error", code, message: `${code} happened` },
      })),
    );
  });

  it("says the room is full once until it gets in, and whether it had been in", () => {
    const { room, notices } = setup();
    room.self = undefined;
    room.emit("error", error("room_full"));
    room.emit("error", error("room_full"));
    expect(notices).toEqual([{ kind: "room-full", joined: false, message: "room_full happened" }]);
    room.welcome({ fresh: true, hasMore: false });
    room.emit("error", error("room_full"));
    room.emit("error", error("room_full"));
    expect(notices).toEqual([
      { kind: "room-full", joined: false, message: "room_full happened" },
      { kind: "room-full", joined: true, message: "room_full happened" },
    ]);
  });

  it("passes on a message the room refused for good, and a malformed frame", () => {
    const { room, notices } = setup();
    const refused = { id: "m9", text: "nope", action: false };
    room.emit("rejected", { message: refused, error: error("text_too_long", { ref: "m9" }) });
    room.emit("malformed", "welcome: self is missing");
    expect(notices).toEqual([
      { kind: "refused", message: refused, error: error("text_too_long", { ref: "m9" }) },
      { kind: "malformed", problem: "welcome: self is missing" },
    ]);
  });

  it("stops listening when disposed", () => {
    const { room, controller, notices } = setup();
    expect(room.listenerCount()).toBe(7);
    controller.dispose();
    expect(room.listenerCount()).toBe(0);
    room.emit("error", error("internal"));
    room.emit("malformed", "x");
    expect(notices).toEqual([]);
  });
});
