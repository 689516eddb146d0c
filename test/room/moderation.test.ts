/**
 * Owners and what they can do, edits and deletes, bans, lock and slow mode,
 * inside workerd through the Worker's real router. Each person in a test has
 * an address of their own unless the test gives one (test/workerd/socket.ts).
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ClientFrame, RoomEvent } from "../../src/protocol/frames.ts";
import { claimRoom, join, openSocket, ownedRoom, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));

/** Every stored row's JSON, oldest first. */
const storedRows = (room: string) =>
  runInDurableObject(stubOf(room), (_instance, state) =>
    state.storage.sql.exec<{ seq: number; json: string }>("SELECT seq, json FROM events ORDER BY seq").toArray(),
  );

/** The whole room database as text: every table, every row. */
const everythingStored = (room: string) =>
  runInDurableObject(stubOf(room), (_instance, state) => {
    const tables = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .toArray();
    return tables.map(({ name }) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray())).join("\n");
  });

describe("owners", () => {
  it("become owners with the room's key in the join frame, and everyone sees who moderates", async () => {
    const { room, owner } = await ownedRoom();
    expect(owner.welcome.self.role).toBe("owner");
    const bob = await join(room, "bob");
    expect(bob.welcome.self.role).toBeUndefined();
    expect(bob.welcome.members).toEqual([owner.welcome.self, bob.welcome.self]);
    expect(owner.welcome.settings).toEqual({ topic: "", slowModeSeconds: 0, locked: false });
    owner.socket.close(1000);
    bob.socket.close(1000);
  });

  it("lets a wrong key join as a member, with a forbidden error, and never echoes the key", async () => {
    const room = uniqueRoom();
    await claimRoom(room, "the-real-owner-key");
    const mallory = await join(room, "mallory", { ownerKey: "a-guessed-owner-key" });
    expect(mallory.welcome.self.role).toBeUndefined();
    const error = await mallory.socket.nextOf("error");
    expect(error.code).toBe("forbidden");
    expect(mallory.socket.rawFrames.join("") + JSON.stringify(mallory.socket.frames)).not.toContain("a-guessed-owner-key");
    expect(await everythingStored(room)).not.toContain("the-real-owner-key");
    mallory.socket.close(1000);
  });

  it("claims a room only once", async () => {
    const room = uniqueRoom();
    await claimRoom(room);
    await expect(claimRoom(room)).rejects.toThrow("already has an owner");
  });

  it("refuses every owner frame from a member with forbidden, and nothing changes", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    const carol = await join(room, "carol");
    owner.socket.send({ type: "message", text: "house rules: be kind" });
    const rules = await bob.socket.nextOf("message");
    const before = await storedRows(room);
    const attempts: ClientFrame[] = [
      { type: "kick", member: carol.welcome.self.id },
      { type: "ban", member: carol.welcome.self.id, minutes: 5 },
      { type: "bans" },
      { type: "unban", ban: "anything" },
      { type: "settings", locked: true },
      { type: "members" },
      { type: "delete", seq: rules.seq },
    ];
    for (const frame of attempts) {
      bob.socket.send(frame);
      const answer = await bob.socket.nextOf("error");
      expect(answer.code, frame.type).toBe("forbidden");
    }
    expect(await storedRows(room)).toEqual(before);
    expect(carol.socket.closed).toBeUndefined();
    for (const p of [owner, bob, carol]) p.socket.close(1000);
  });
});

describe("edits and deletes", () => {
  it("edits your own message for everyone, and a later replay shows it as it is now", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "helo" });
    const sent = await bob.socket.nextOf("message");
    alice.socket.send({ type: "edit", seq: sent.seq, text: "hello" });
    const edited = await bob.socket.nextOf("edited");
    expect(edited).toEqual({ type: "edited", seq: sent.seq + 1, ts: expect.any(Number), target: sent.seq, by: alice.welcome.self, text: "hello" });

    bob.socket.send({ type: "edit", seq: sent.seq, text: "not mine" });
    expect((await bob.socket.nextOf("error")).code).toBe("forbidden");
    bob.socket.send({ type: "edit", seq: 9999, text: "nothing there" });
    expect((await bob.socket.nextOf("error")).code).toBe("not_found");

    const later = await join(room, "carol", { since: 0 });
    const replayed = later.welcome.events.find((e) => e.seq === sent.seq);
    expect(replayed).toEqual({ ...sent, text: "hello", edited: edited.ts });
    for (const p of [alice, bob, later]) p.socket.close(1000);
  });

  it("erases a deleted message's text from storage, every earlier edit's too, for good", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "my card number is 4111" });
    const sent = await bob.socket.nextOf("message");
    alice.socket.send({ type: "edit", seq: sent.seq, text: "my card number is 4111 1111" });
    await bob.socket.nextOf("edited");
    alice.socket.send({ type: "delete", seq: sent.seq });
    expect(await bob.socket.nextOf("deleted")).toEqual({ type: "deleted", seq: sent.seq + 2, ts: expect.any(Number), target: sent.seq, by: alice.welcome.self });

    expect(await everythingStored(room)).not.toContain("4111");
    await evictDurableObject(stubOf(room));
    expect(await everythingStored(room)).not.toContain("4111");

    // Resume, a fresh join and a history page all show the message deleted, without its text.
    const carol = await join(room, "carol", { since: 0 });
    const replay = carol.welcome.events;
    expect(replay.find((e) => e.seq === sent.seq)).toEqual({ type: "message", seq: sent.seq, ts: sent.ts, from: alice.welcome.self, deleted: true });
    expect(replay.find((e) => e.seq === sent.seq + 1)).toEqual({ type: "edited", seq: sent.seq + 1, ts: expect.any(Number), target: sent.seq, by: alice.welcome.self, deleted: true });
    carol.socket.send({ type: "history", before: sent.seq + 3 });
    const page = await carol.socket.nextOf("history");
    expect(JSON.stringify(page)).not.toContain("4111");
    expect(JSON.stringify(replay)).not.toContain("4111");

    alice.socket.send({ type: "delete", seq: sent.seq });
    expect((await alice.socket.nextOf("error")).code).toBe("not_found");
    alice.socket.send({ type: "edit", seq: sent.seq, text: "back again" });
    expect((await alice.socket.nextOf("error")).code).toBe("not_found");
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });

  it("lets an owner delete anyone's message; a member only their own", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    const carol = await join(room, "carol");
    bob.socket.send({ type: "message", text: "spam spam spam" });
    const spam = await carol.socket.nextOf("message");
    carol.socket.send({ type: "delete", seq: spam.seq });
    expect((await carol.socket.nextOf("error")).code).toBe("forbidden");
    owner.socket.send({ type: "delete", seq: spam.seq });
    expect(await bob.socket.nextOf("deleted")).toMatchObject({ target: spam.seq, by: owner.welcome.self });
    expect(await everythingStored(room)).not.toContain("spam spam");
    for (const p of [owner, bob, carol]) p.socket.close(1000);
  });
});

describe("kick and ban", () => {
  it("kicks every socket of a member with 4003 and a readable reason; they may come back", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    const bobTab = await join(room, "bob", { session: bob.welcome.session });
    owner.socket.send({ type: "kick", member: bob.welcome.self.id, reason: "cool off" });
    const kicked = await owner.socket.nextOf("kicked");
    expect(kicked).toMatchObject({ member: { id: bob.welcome.self.id }, by: owner.welcome.self, reason: "cool off" });
    for (const socket of [bob.socket, bobTab.socket]) expect(await socket.waitClosed()).toEqual({ code: 4003, reason: "kicked by olivia: cool off" });
    expect(await owner.socket.nextOf("left")).toMatchObject({ member: { id: bob.welcome.self.id } });
    // A kick ends the membership: the old session starts a new one.
    const back = await join(room, "bob", { session: bob.welcome.session });
    expect(back.welcome.self.name).toBe("bob");
    expect(back.welcome.session).not.toBe(bob.welcome.session);
    owner.socket.close(1000);
    back.socket.close(1000);
  });

  it("bans by session and by address until unbanned; the ban list shows it; a ban ends with unban", async () => {
    const { room, owner } = await ownedRoom();
    const address = "10.200.0.1";
    const bob = await join(room, "bob", { address });
    owner.socket.send({ type: "ban", member: bob.welcome.self.id, reason: "spam" });
    expect(await owner.socket.nextOf("banned")).toMatchObject({ member: { id: bob.welcome.self.id }, by: owner.welcome.self, reason: "spam" });
    expect((await bob.socket.waitClosed()).code).toBe(4004);

    // Same session from another address, a new session from the same address: both refused, closed 4004.
    for (const attempt of [{ session: bob.welcome.session, address: "10.200.0.2" }, { address }]) {
      const socket = await openSocket(room, { "CF-Connecting-IP": attempt.address });
      socket.send({ type: "join", name: "bobby", ...("session" in attempt ? { session: attempt.session } : {}) });
      const refusal = await socket.nextOf("error");
      expect(refusal.code).toBe("banned");
      expect(refusal.until).toBeUndefined();
      expect((await socket.waitClosed()).code).toBe(4004);
    }
    // Someone else is welcome.
    const carol = await join(room, "carol", { address: "10.200.0.3" });

    // The address is kept only as the room's keyed hash.
    expect(await everythingStored(room)).not.toContain(address);

    owner.socket.send({ type: "bans" });
    const list = await owner.socket.nextOf("bans");
    expect(list.bans).toEqual([{ ban: expect.any(String), member: expect.objectContaining({ id: bob.welcome.self.id }), by: owner.welcome.self, ts: expect.any(Number), reason: "spam" }]);
    owner.socket.send({ type: "unban", ban: list.bans[0]!.ban });
    expect((await owner.socket.nextOf("bans")).bans).toEqual([]);
    owner.socket.send({ type: "unban", ban: list.bans[0]!.ban });
    expect((await owner.socket.nextOf("error")).code).toBe("not_found");
    const back = await join(room, "bob", { address });
    expect(back.welcome.self.name).toBe("bob");
    for (const p of [owner, carol, back]) p.socket.close(1000);
  });

  it("says when a timed ban ends, and keeps it across eviction", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    owner.socket.send({ type: "ban", member: bob.welcome.self.id, minutes: 10 });
    const banned = await owner.socket.nextOf("banned");
    expect(banned.until).toBeGreaterThan(Date.now() + 9 * 60_000);
    await bob.socket.waitClosed();
    owner.socket.close(1000);
    await owner.socket.waitClosed();
    await evictDurableObject(stubOf(room));
    const socket = await openSocket(room);
    socket.send({ type: "join", name: "bob", session: bob.welcome.session });
    expect(await socket.nextOf("error")).toMatchObject({ code: "banned", until: banned.until });
  });

  it("answers not_found for someone not online, and forbidden against another owner", async () => {
    const { room, key, owner } = await ownedRoom();
    const other = await join(room, "oscar", { ownerKey: key });
    owner.socket.send({ type: "kick", member: "nobody123" });
    expect((await owner.socket.nextOf("error")).code).toBe("not_found");
    owner.socket.send({ type: "ban", member: other.welcome.self.id });
    expect((await owner.socket.nextOf("error")).code).toBe("forbidden");
    owner.socket.send({ type: "kick", member: owner.welcome.self.id });
    expect((await owner.socket.nextOf("error")).code).toBe("bad_request");
    owner.socket.close(1000);
    other.socket.close(1000);
  });
});

describe("settings", () => {
  it("changes the topic for everyone, as an event and in every later welcome", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    owner.socket.send({ type: "settings", topic: "Release planning" });
    expect(await bob.socket.nextOf("settings")).toMatchObject({ topic: "Release planning", slowModeSeconds: 0, locked: false, by: owner.welcome.self });
    await evictDurableObject(stubOf(room));
    const carol = await join(room, "carol");
    expect(carol.welcome.settings).toEqual({ topic: "Release planning", slowModeSeconds: 0, locked: false });
    for (const p of [owner, bob, carol]) p.socket.close(1000);
  });

  it("slow mode: one message per member per period, with retryAfterMs; owners are exempt", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    owner.socket.send({ type: "settings", slowModeSeconds: 60 });
    await bob.socket.nextOf("settings");
    // A refused message starts no clock: a reply to nothing, then a message that goes.
    bob.socket.send({ type: "message", text: "to nothing", id: "s-0", replyTo: 9999 });
    expect(await bob.socket.nextOf("error")).toMatchObject({ code: "not_found", ref: "s-0" });
    bob.socket.send({ type: "message", text: "one", id: "s-1" });
    await bob.socket.nextMessage((m) => m.text === "one");
    bob.socket.send({ type: "message", text: "two", id: "s-2" });
    const refusal = await bob.socket.nextOf("error");
    expect(refusal).toMatchObject({ code: "slow_mode", ref: "s-2" });
    expect(refusal.retryAfterMs).toBeGreaterThan(55_000);
    expect(refusal.retryAfterMs).toBeLessThanOrEqual(60_000);
    // A second tab is the same member: it shares the pace.
    const bobTab = await join(room, "bob", { session: bob.welcome.session });
    bobTab.socket.send({ type: "message", text: "three" });
    expect((await bobTab.socket.nextOf("error")).code).toBe("slow_mode");
    owner.socket.send({ type: "message", text: "owners talk freely" });
    owner.socket.send({ type: "message", text: "as often as needed" });
    await bob.socket.nextMessage((m) => m.text === "as often as needed");
    owner.socket.send({ type: "settings", slowModeSeconds: 0 });
    await bob.socket.nextOf("settings");
    bob.socket.send({ type: "message", text: "free again" });
    await owner.socket.nextMessage((m) => m.text === "free again");
    for (const p of [owner, bob, bobTab]) p.socket.close(1000);
  });

  it("lock: newcomers get room_locked; members with a session and owners still join", async () => {
    const { room, key, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    owner.socket.send({ type: "settings", locked: true });
    await bob.socket.nextOf("settings");
    const stranger = await openSocket(room);
    stranger.send({ type: "join", name: "stranger" });
    expect((await stranger.nextOf("error")).code).toBe("room_locked");
    // The socket stays open: it may try again (once unlocked).
    expect(stranger.closed).toBeUndefined();
    const bobTab = await join(room, "bob", { session: bob.welcome.session });
    expect(bobTab.welcome.self.id).toBe(bob.welcome.self.id);
    const other = await join(room, "oscar", { ownerKey: key });
    expect(other.welcome.self.role).toBe("owner");
    owner.socket.send({ type: "settings", locked: false });
    await bob.socket.nextOf("settings");
    expect((await stranger.joinAs("stranger")).self.name).toBe("stranger");
    for (const s of [owner.socket, bob.socket, bobTab.socket, other.socket, stranger]) s.close(1000);
  });
});

describe("names are unique among the people online", () => {
  const LOOK_ALIKES = ["alice", "ALICE", "Alice", "ａｌｉｃｅ", "al\u200Bice", "\u0430lice", "alice\u200D", " alice "];

  it.each(LOOK_ALIKES)("refuses %j while Alice is online", async (name) => {
    const room = uniqueRoom();
    const alice = await join(room, "Alice");
    const socket = await openSocket(room);
    socket.send({ type: "join", name });
    expect((await socket.nextOf("error")).code).toBe("name_taken");
    expect((await socket.joinAs("alicia")).self.name).toBe("alicia");
    alice.socket.close(1000);
    socket.close(1000);
  });

  it("refuses a rename to a name in use, and frees a name when its holder leaves", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.send({ type: "rename", name: "Alice" });
    expect((await bob.socket.nextOf("error")).code).toBe("name_taken");
    alice.socket.close(1000);
    await bob.socket.nextOf("left");
    bob.socket.send({ type: "rename", name: "Alice" });
    expect(await bob.socket.nextOf("renamed")).toMatchObject({ member: { name: "Alice" }, from: "bob" });
    bob.socket.close(1000);
  });

  it("refuses names that are only invisible characters", async () => {
    const socket = await openSocket(uniqueRoom());
    for (const name of ["\u200B", "\u3164", "\u200B\u200D", "\u2800"]) {
      socket.send({ type: "join", name });
      expect((await socket.nextOf("error")).code).toBe("name_invalid");
    }
    socket.close(1000);
  });
});

describe("moderation events", () => {
  it("are stored with their own seq, so a resume carries them", async () => {
    const { room, owner } = await ownedRoom();
    const bob = await join(room, "bob");
    owner.socket.send({ type: "settings", topic: "x" });
    const change = await bob.socket.nextOf("settings");
    bob.socket.close(4000);
    await bob.socket.waitClosed();
    owner.socket.send({ type: "settings", topic: "y" });
    await owner.socket.nextOf("settings");
    const back = await join(room, "bob", { session: bob.welcome.session, since: change.seq });
    expect(back.welcome.events.map((e: RoomEvent) => e.type)).toEqual(["settings"]);
    expect(back.welcome.settings.topic).toBe("y");
    owner.socket.close(1000);
    back.socket.close(1000);
  });
});
