/**
 * The chat controller's editing and moderating commands and notices, against
 * the in-memory room client: what each command sends (or why it sends
 * nothing), members found by name key, messages as they read now, and the
 * sentences both apps show.
 */
import { describe, expect, it } from "vitest";
import { ChatController } from "../../../src/client/chat/controller.ts";
import { MODERATION, changedMessage } from "../../../src/client/chat/moderation.ts";
import type { ChatNotice } from "../../../src/client/chat/notices.ts";
import { CLOSE_CODES, type Ban, type Member, type MessageEvent, type RoomEvent } from "../../../src/protocol/frames.ts";
import { ALICE, BOB, FakeRoom } from "./fakeRoom.ts";

const CAROL: Member = { id: "c3", name: "Carol Ann" };
const TS = 1_000;
const said = (seq: number, from: Member, text = `m${seq}`): MessageEvent => ({ type: "message", seq, ts: TS + seq, from, text });

function setup(options: { owner?: boolean } = {}) {
  const room = new FakeRoom();
  room.isOwner = options.owner === true;
  room.presence = { members: [ALICE, BOB, CAROL], online: 3, crowd: false };
  const notices: ChatNotice[] = [];
  const controller = new ChatController(room, { commands: { moderation: MODERATION }, notify: (notice) => notices.push(notice) });
  const moderation = controller.moderation!;
  room.welcome({ fresh: true, hasMore: false, events: [said(1, ALICE, "helo"), said(2, BOB, "hi"), said(3, ALICE, "second")] });
  const texts = () => notices.map((n) => ("text" in n ? n.text : n.kind === "usage" ? n.message : n.kind));
  return { room, controller, moderation, notices, texts };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("/edit and /delete", () => {
  it("edits a message by its seq, or this member's last one without a seq", () => {
    const { room, controller } = setup();
    expect(controller.submit("/edit #1 hello")).toEqual({ kind: "done" });
    expect(controller.submit("/edit 2nd fixed")).toEqual({ kind: "done" });
    expect(room.actions).toEqual([
      { type: "edit", seq: 1, text: "hello" },
      { type: "edit", seq: 3, text: "2nd fixed" },
    ]);
  });

  it("refuses to edit someone else's or a deleted message, or the last one before there is one, sending nothing", () => {
    const { room, controller, texts } = setup();
    expect(controller.submit("/edit 2 not mine")).toEqual({ kind: "kept" });
    room.emit("event", { type: "deleted", seq: 4, ts: TS + 4, target: 3, by: ALICE });
    expect(controller.submit("/edit 3 gone")).toEqual({ kind: "kept" });
    expect(room.actions).toEqual([]);
    expect(texts()).toEqual(["You can only edit your own messages.", "alice deleted message #3.", "Message #3 is deleted: there is nothing to edit."]);
    // With #3 deleted, the last editable one is #1.
    controller.submit("/edit again");
    expect(room.actions).toEqual([{ type: "edit", seq: 1, text: "again" }]);

    const empty = new FakeRoom();
    const notices: ChatNotice[] = [];
    const lonely = new ChatController(empty, { commands: { moderation: MODERATION }, notify: (n) => notices.push(n) });
    expect(lonely.submit("/edit anything")).toEqual({ kind: "kept" });
    expect(notices.map((n) => n.kind)).toEqual(["nothing-to-edit"]);
    expect(empty.actions).toEqual([]);
  });

  it("sends an edit of a message it has not seen (older than what it keeps): the room decides", () => {
    const { room, controller } = setup();
    controller.submit("/edit 999 whatever");
    expect(room.actions).toEqual([{ type: "edit", seq: 999, text: "whatever" }]);
  });

  it("says what the room client refuses before sending (too long, offline), and keeps the line", () => {
    const { room, controller, notices } = setup();
    expect(controller.submit(`/edit 1 ${"x".repeat(11)}`)).toEqual({ kind: "kept" });
    room.state = "reconnecting";
    expect(controller.submit("/delete 1")).toEqual({ kind: "kept" });
    expect(notices.map((n) => (n.kind === "action-invalid" ? n.problem.code : n.kind))).toEqual(["text_too_long", "not_joined"]);
    expect(notices.at(-1)).toMatchObject({ text: "Could not delete message #1: not connected to the room; try again once it is back." });
    expect(room.actions).toEqual([]);
  });

  it("deletes one's own message; another's only as an owner", () => {
    const member = setup();
    member.controller.submit("/delete 1");
    expect(member.controller.submit("/delete 2")).toEqual({ kind: "done" });
    expect(member.room.actions).toEqual([{ type: "delete", seq: 1 }]);
    expect(member.texts()).toEqual(["Only owners can delete other people's messages."]);

    const owner = setup({ owner: true });
    owner.controller.submit("/delete 2");
    expect(owner.room.actions).toEqual([{ type: "delete", seq: 2 }]);
  });

  it("keeps each message as it reads now: edited text with (edited), deleted without text", () => {
    const { room, moderation, notices } = setup();
    room.emit("event", { type: "edited", seq: 4, ts: TS + 40, target: 1, by: ALICE, text: "hello" });
    expect(moderation.message(1)).toEqual({ ...said(1, ALICE, "hello"), edited: TS + 40 });
    expect(notices.at(-1)).toEqual({
      kind: "message-changed",
      event: { type: "edited", seq: 4, ts: TS + 40, target: 1, by: ALICE, text: "hello" },
      message: { ...said(1, ALICE, "hello"), edited: TS + 40 },
      text: "alice edited message #1.",
    });
    room.emit("event", { type: "deleted", seq: 5, ts: TS + 50, target: 2, by: ALICE });
    expect(moderation.message(2)).toEqual({ type: "message", seq: 2, ts: TS + 2, from: BOB, deleted: true });
    expect(notices.at(-1)).toMatchObject({ kind: "message-changed", text: "alice deleted message #2." });
    // An event about a message this client never saw still says so, without a message.
    room.emit("event", { type: "deleted", seq: 6, ts: TS + 60, target: 77, by: ALICE });
    expect(notices.at(-1)).toMatchObject({ kind: "message-changed", message: undefined });
  });

  it("are absent from a controller without them (the browser's, which has menus of its own)", () => {
    const room = new FakeRoom();
    const notices: ChatNotice[] = [];
    const plain = new ChatController(room, { notify: (notice) => notices.push(notice) });
    room.welcome({ fresh: true, hasMore: false, events: [said(1, BOB, "typo")] });
    room.emit("event", { type: "edited", seq: 2, ts: TS + 2, target: 1, by: BOB, text: "fixed" });
    room.emit("event", { type: "kicked", seq: 3, ts: TS + 3, member: BOB, by: ALICE });
    room.emit("newcomer", CAROL);
    expect(plain.moderation).toBeUndefined();
    expect(plain.submit("/edit 1 x")).toEqual({ kind: "kept" });
    expect(notices.map((n) => n.kind)).toEqual(["usage"]);
    expect(room.actions).toEqual([]);
  });

  it("changes a message the way the room rewrites it (pure)", () => {
    const original: MessageEvent = { ...said(5, BOB, "typo"), id: "client-1" };
    expect(changedMessage(original, { type: "edited", seq: 9, ts: 99, target: 5, by: BOB, text: "fixed" })).toEqual({ ...original, text: "fixed", edited: 99 });
    const gone = { type: "message", seq: 5, ts: original.ts, from: BOB, deleted: true, id: "client-1" };
    expect(changedMessage(original, { type: "deleted", seq: 9, ts: 99, target: 5, by: ALICE })).toEqual(gone);
    expect(changedMessage(original, { type: "edited", seq: 9, ts: 99, target: 5, by: BOB, deleted: true })).toEqual(gone);
  });
});

describe("owners' commands", () => {
  it("answers every owners' command with 'only owners can …' for a member, sending nothing", async () => {
    const { room, controller, texts } = setup();
    for (const line of ["/kick bob", "/ban bob 10", "/unban bob", "/bans", "/topic hi", "/slow 5", "/lock", "/unlock"]) {
      expect(controller.submit(line)).toEqual({ kind: "done" });
    }
    await settle();
    expect(room.actions).toEqual([]);
    expect(texts()).toEqual([
      "Only owners can kick members.",
      "Only owners can ban members.",
      "Only owners can lift bans.",
      "Only owners can see the bans.",
      "Only owners can set the topic.",
      "Only owners can change slow mode.",
      "Only owners can lock the room.",
      "Only owners can unlock the room.",
    ]);
  });

  it("kicks and bans members found by name key (case, width, a name with spaces), with a duration and reason", async () => {
    const { room, controller, texts } = setup({ owner: true });
    controller.submit("/kick BOB");
    controller.submit("/kick ｂｏｂ being rude");
    controller.submit("/ban carol ann 2h spamming links");
    controller.submit('/ban "Carol Ann"');
    controller.submit("/ban @bob flood");
    await settle();
    expect(room.actions).toEqual([
      { type: "kick", member: BOB.id },
      { type: "kick", member: BOB.id, reason: "being rude" },
      { type: "ban", member: CAROL.id, minutes: 120, reason: "spamming links" },
      { type: "ban", member: CAROL.id },
      { type: "ban", member: BOB.id, reason: "flood" },
    ]);
    expect(texts()).toEqual([]);
  });

  it("says nobody has the name, and explains a bad ban duration, sending nothing", async () => {
    const { room, controller, texts } = setup({ owner: true });
    controller.submit("/kick dave now");
    controller.submit("/ban bob 0 whatever");
    await settle();
    expect(room.actions).toEqual([]);
    expect(texts()).toEqual(['Nobody named "dave" is online here.', expect.stringContaining("a ban lasts 1 to 525600 minutes")]);
  });

  it("finds a member in a crowd through the owners' member pages", async () => {
    const { room, controller } = setup({ owner: true });
    room.presence = { members: [], online: 250, crowd: true };
    room.memberPages.push({ type: "members", members: [ALICE], online: 250, next: "p2" }, { type: "members", members: [CAROL], online: 250 });
    controller.submit("/kick carol ann");
    await settle();
    expect(room.memberAsks).toEqual([undefined, "p2"]);
    expect(room.actions).toEqual([{ type: "kick", member: CAROL.id }]);
  });

  it("lists bans and lifts one by its id or the banned member's name", async () => {
    const { room, controller, notices } = setup({ owner: true });
    const ban: Ban = { ban: "b-1", member: { id: "x9", name: "mallory" }, by: ALICE, ts: TS, reason: "spam" };
    room.banList = [ban];
    controller.submit("/bans");
    await settle();
    expect(notices.at(-1)).toEqual({ kind: "bans", bans: [ban], text: "Bans in force (1):\nb-1: mallory, banned by alice, until unbanned: spam" });
    controller.submit("/unban b-1");
    controller.submit("/unban MALLORY");
    controller.submit("/unban nobody");
    await settle();
    expect(room.actions).toEqual([
      { type: "unban", ban: "b-1" },
      { type: "unban", ban: "b-1" },
    ]);
    expect(notices.slice(-3).map((n) => n.kind)).toEqual(["unban-sent", "unban-sent", "not-found"]);
    expect(notices.at(-2)).toEqual({ kind: "unban-sent", ban, text: "Lifting the ban on mallory." });
    expect(notices.at(-1)).toMatchObject({ kind: "not-found", text: 'No ban matches "nobody"; /bans lists them.' });
    room.banList = [];
    controller.submit("/bans");
    await settle();
    expect(notices.at(-1)).toMatchObject({ kind: "bans", text: "No bans are in force." });
  });

  it("changes the topic, slow mode and the lock; anyone may see the topic and slow mode", () => {
    const owner = setup({ owner: true });
    for (const line of ["/topic Release day", "/topic -", "/slow 30", "/slow off", "/lock", "/unlock"]) owner.controller.submit(line);
    expect(owner.room.actions).toEqual([
      { type: "settings", topic: "Release day" },
      { type: "settings", topic: "" },
      { type: "settings", slowModeSeconds: 30 },
      { type: "settings", slowModeSeconds: 0 },
      { type: "settings", locked: true },
      { type: "settings", locked: false },
    ]);
    const member = setup();
    member.room.settings = { topic: "Release day", slowModeSeconds: 60, locked: false };
    member.controller.submit("/topic");
    member.controller.submit("/slow");
    expect(member.texts()).toEqual(["Topic: Release day", "Slow mode: one message every 1 minute each."]);
    expect(member.room.actions).toEqual([]);
  });
});

describe("the same actions from menus", () => {
  it("check and answer as the commands do", async () => {
    const member = setup();
    expect(member.moderation.kickMember(BOB)).toEqual({ kind: "done" });
    member.moderation.banMember(BOB, { minutes: 5 });
    member.moderation.changeSettings({ locked: true });
    member.moderation.deleteMessage(2);
    member.moderation.editMessage(2, "mine now");
    expect(member.room.actions).toEqual([]);
    expect(member.texts()).toEqual([
      "Only owners can kick members.",
      "Only owners can ban members.",
      "Only owners can lock the room.",
      "Only owners can delete other people's messages.",
      "You can only edit your own messages.",
    ]);

    const owner = setup({ owner: true });
    const ban: Ban = { ban: "b-9", member: BOB, by: ALICE, ts: TS };
    owner.moderation.kickMember(BOB, "  ");
    owner.moderation.banMember(CAROL, { minutes: 60, reason: " spam " });
    owner.moderation.liftBan(ban);
    owner.moderation.changeSettings({ topic: "Hi", slowModeSeconds: 5 });
    owner.moderation.deleteMessage(2);
    owner.moderation.editMessage(1, "hello");
    expect(owner.room.actions).toEqual([
      { type: "kick", member: BOB.id },
      { type: "ban", member: CAROL.id, minutes: 60, reason: "spam" },
      { type: "unban", ban: "b-9" },
      { type: "settings", topic: "Hi", slowModeSeconds: 5 },
      { type: "delete", seq: 2 },
      { type: "edit", seq: 1, text: "hello" },
    ]);
    expect(owner.texts()).toEqual(["Lifting the ban on bob."]);
    owner.room.banList = [ban];
    owner.moderation.listBans();
    await settle();
    expect(owner.notices.at(-1)).toMatchObject({ kind: "bans", bans: [ban] });
  });
});

describe("what the room tells", () => {
  it("words kicks, bans and settings changes, naming only what changed", () => {
    const { room, texts } = setup();
    const events: RoomEvent[] = [
      { type: "kicked", seq: 4, ts: TS, member: BOB, by: CAROL, reason: "rude" },
      { type: "banned", seq: 5, ts: TS, member: BOB, by: CAROL },
      { type: "settings", seq: 6, ts: TS, by: CAROL, topic: "Launch", slowModeSeconds: 0, locked: false },
      { type: "settings", seq: 7, ts: TS, by: CAROL, topic: "Launch", slowModeSeconds: 10, locked: true },
      { type: "kicked", seq: 8, ts: TS, member: ALICE, by: CAROL },
    ];
    for (const event of events) room.emit("event", event);
    expect(texts()).toEqual([
      "bob was removed by Carol Ann: rude",
      "bob was banned by Carol Ann",
      "Carol Ann set the topic: Launch",
      "Carol Ann turned slow mode on: one message every 10 seconds each. Carol Ann locked the room: only its members and owners can join.",
      "Carol Ann removed you from the room",
    ]);
  });

  it("tells an owner of a newcomer in a crowd", () => {
    const { room, notices } = setup({ owner: true });
    room.emit("newcomer", { id: "n1", name: "newbie" });
    expect(notices).toEqual([{ kind: "newcomer", member: { id: "n1", name: "newbie" }, text: "newbie joined." }]);
  });

  it("says once per wait that slow mode holds a message back", () => {
    const { room, notices } = setup();
    room.outbox = [{ id: "p1", text: "hello", action: false }, { id: "p2", text: "again", action: false }];
    room.settings = { topic: "", slowModeSeconds: 10, locked: false };
    room.emit("error", { type: "error", code: "slow_mode", message: "slow mode", ref: "p1", retryAfterMs: 8200 });
    room.emit("error", { type: "error", code: "slow_mode", message: "slow mode", ref: "p2", retryAfterMs: 8100 });
    expect(notices).toEqual([
      {
        kind: "slow-mode-wait",
        message: room.outbox[0],
        retryAfterMs: 8200,
        text: "Slow mode is on (one message every 10 seconds each): your message goes out in 9 s.",
      },
    ]);
  });

  it("explains an end for good: kicked, banned, or a join refused (name taken, banned, locked)", () => {
    const { room, texts } = setup();
    room.emit("closed", { code: CLOSE_CODES.kicked, reason: "kicked by carol: rude" });
    room.emit("closed", { code: CLOSE_CODES.banned, reason: "banned by carol" });
    const refusal = (code: "name_taken" | "banned" | "room_locked", until?: number) => ({
      code: CLOSE_CODES.normal,
      reason: code,
      error: { type: "error" as const, code, message: code, ...(until === undefined ? {} : { until }) },
    });
    room.emit("closed", refusal("name_taken"));
    room.emit("closed", refusal("banned"));
    room.emit("closed", refusal("room_locked"));
    room.emit("closed", { code: CLOSE_CODES.normal, reason: "left" });
    expect(texts()).toEqual([
      "You were removed from the room (kicked by carol: rude). You may join again.",
      "You were banned from this room (banned by carol).",
      "That name is taken by someone online in this room (names that look alike count as the same); choose another.",
      "You are banned from this room.",
      "This room is locked: only its members and owners can join now.",
    ]);
  });
});
