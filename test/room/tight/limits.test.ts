/** Runs with TIGHT_LIMITS (vitest.config.ts): history 20, capacity 4, grace 2 s, dedup window 10. */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../../src/protocol/frames.ts";
import type { TestSocket } from "../../support/testSocket.ts";
import { join, openSocket, sleep, uniqueRoom } from "../../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));
const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function storedSeqs(room: string): Promise<number[]> {
  return runInDurableObject(stubOf(room), (_instance, state) =>
    state.storage.sql
      .exec<{ seq: number }>("SELECT seq FROM events ORDER BY seq")
      .toArray()
      .map((row) => row.seq),
  );
}

async function send(socket: TestSocket, count: number, prefix = "m") {
  for (let i = 0; i < count; i++) socket.send({ type: "message", text: `${prefix}${i}`, id: `${prefix}${i}` });
  for (let i = 0; i < count; i++) await socket.nextMessage((m) => m.text === `${prefix}${i}`);
}

describe("retention (HISTORY_LIMIT 20)", () => {
  it("keeps the newest 20 events visible and prunes storage in batches", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    await send(socket, 21); // seqs 1..22: the limit (20) plus the slack (2), nothing pruned yet
    expect(await storedSeqs(room)).toEqual(range(1, 22));
    await send(socket, 1, "x"); // 23: over limit + slack, so one batch delete down to 20
    expect(await storedSeqs(room)).toEqual(range(4, 23));
    await send(socket, 1, "y"); // 24: within the slack again, nothing deleted
    expect(await storedSeqs(room)).toEqual(range(4, 24));

    socket.send({ type: "history", before: 100, limit: 100 });
    const history = await socket.nextOf("history");
    expect(history.events.map((e) => e.seq)).toEqual(range(5, 24)); // exactly the newest 20
    expect(history.hasMore).toBe(false);
    socket.close(1000);
  });

  it("says truncated, with the oldest kept seq, when since asks for pruned events", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    await send(alice.socket, 30);
    const late = await join(room, "bob", { since: 2 });
    // Bob's own joined event is seq 32, so the newest 20 are 13..32.
    expect(late.welcome.truncated).toBe(true);
    expect(late.welcome.oldestSeq).toBe(13);
    expect(late.welcome.events.map((e) => e.seq)).toEqual(range(13, 32));
    expect(late.welcome.hasMore).toBe(false);
    // A since inside what is kept is not truncated.
    const fine = await join(room, "carol", { since: 20 });
    expect(fine.welcome.truncated).toBeUndefined();
    expect(fine.welcome.events.map((e) => e.seq)).toEqual(range(21, 33));
    expect(fine.welcome.hasMore).toBe(true);
    for (const p of [alice, late, fine]) p.socket.close(1000);
  });

  it("forgets client ids that left the dedup window, and reloads the window after eviction", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    socket.send({ type: "message", text: "remembered", id: "keep" });
    const original = await socket.nextOf("message");
    await evictDurableObject(stubOf(room));
    socket.send({ type: "message", text: "remembered", id: "keep" });
    expect(await socket.nextOf("message")).toEqual(original);

    await send(socket, 10); // the window is 10 events: "keep" falls out of it
    socket.send({ type: "message", text: "remembered", id: "keep" });
    const resent = await socket.nextMessage((m) => m.id === "keep");
    expect(resent.seq).toBeGreaterThan(original.seq);
    socket.close(1000);
  });
});

describe("capacity (ROOM_CAPACITY 4)", () => {
  it("refuses the fifth socket with room_full and close 1013; the others carry on", async () => {
    const room = uniqueRoom();
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await join(room, `p${i}`));
    const extra = await openSocket(room);
    expect(await extra.nextOf("error")).toMatchObject({ code: "room_full" });
    expect((await extra.waitClosed()).code).toBe(1013);
    people[0]!.socket.send({ type: "message", text: "still fine" });
    expect(await people[3]!.socket.nextMessage()).toMatchObject({ text: "still fine" });
    // A place frees up when someone leaves.
    people[3]!.socket.close(1000);
    await people[0]!.socket.nextOf("left");
    const next = await join(room, "p4");
    expect(next.welcome.members).toHaveLength(4);
    for (const p of [...people.slice(0, 3), next]) p.socket.close(1000);
  });
});

describe("reconnect grace (RECONNECT_GRACE_MS 2000)", () => {
  it("announces left once the grace period ends without a reconnect, even across eviction", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.close(4000, "gone");
    await bob.socket.waitClosed();
    await sleep(50);
    expect((await stubOf(room).info()).online).toBe(2); // still held
    await evictDurableObject(stubOf(room));
    const left = await alice.socket.nextOf("left", 10_000);
    expect(left.member).toEqual(bob.welcome.self);
    expect((await stubOf(room).info()).members).toEqual([alice.welcome.self]);
    // The session is spent: coming back now is a fresh join.
    const back = await join(room, "bob", { session: bob.welcome.session });
    expect(back.welcome.self.id).not.toBe(bob.welcome.self.id);
    expect(await alice.socket.nextOf("joined")).toMatchObject({ member: back.welcome.self });
    const types = alice.socket.frames.filter(isEvent).map((e) => e.type);
    expect(types).toEqual(["joined", "left", "joined"]); // alice's own joined came in her welcome
    alice.socket.close(1000);
    back.socket.close(1000);
  });
});

describe("join timeout (JOIN_TIMEOUT_MS 200)", () => {
  it("makes room in a full room by closing sockets that never joined", async () => {
    const room = uniqueRoom();
    const idle = [await openSocket(room), await openSocket(room)];
    const people = [await join(room, "p0"), await join(room, "p1")];
    await sleep(250);
    const late = await join(room, "late");
    expect(late.welcome.members.map((m) => m.name)).toEqual(["p0", "p1", "late"]);
    for (const socket of idle) expect((await socket.waitClosed()).code).toBe(1008);
    for (const p of [...people, late]) p.socket.close(1000);
  });
});

describe("a crash or deploy (sockets gone without close events)", () => {
  it("keeps the members in the grace period: one comes back quietly, the other is announced gone", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    await alice.socket.nextOf("joined");
    await evictDurableObject(stubOf(room), { webSockets: "close" });
    await alice.socket.waitClosed();
    await bob.socket.waitClosed();
    expect((await stubOf(room).info()).members).toEqual([alice.welcome.self, bob.welcome.self]);
    const back = await join(room, "alice", { since: alice.welcome.lastSeq + 1, session: alice.welcome.session });
    expect(back.welcome.self).toEqual(alice.welcome.self);
    expect(back.welcome.events).toEqual([]);
    expect(await back.socket.nextOf("left", 10_000)).toMatchObject({ member: bob.welcome.self });
    expect((await stubOf(room).info()).members).toEqual([alice.welcome.self]);
    back.socket.close(1000);
  });
});

describe("origins (ALLOWED_ORIGINS lists two)", () => {
  it("accepts configured origins and still refuses others", async () => {
    for (const origin of ["https://friend.example", "https://other.example"]) {
      const socket = await openSocket(uniqueRoom(), { Origin: origin });
      expect((await socket.joinAs("guest")).type).toBe("welcome");
      socket.close(1000);
    }
    await expect(openSocket(uniqueRoom(), { Origin: "https://friend.example.evil" })).rejects.toThrow(/403/);
  });
});

describe("batching in a big room (BATCH_SOCKETS 3)", () => {
  const eventsOf = (s: TestSocket) => s.frames.filter(isEvent);

  it("sends quick joins in a busy room as one events frame per socket, nothing twice, nothing missing", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob"); // 2 sockets: sent at once
    const carol = await join(room, "carol"); // 3 sockets, within 100 ms: held back
    const dave = await join(room, "dave"); // held back too
    // The alarm flushes the batch.
    for (const p of [alice, bob, carol]) await p.socket.next((f) => isEvent(f) && f.seq === 4, 10_000);
    expect(eventsOf(alice.socket).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(alice.socket.batches).toBe(1);
    expect(eventsOf(bob.socket).map((e) => e.seq)).toEqual([3, 4]);
    expect(bob.socket.batches).toBe(1);
    // Carol's welcome had seq 3; she gets only dave's join. Dave's welcome had everything.
    expect(eventsOf(carol.socket).map((e) => e.seq)).toEqual([4]);
    expect(eventsOf(dave.socket)).toEqual([]);
    expect(dave.welcome.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    for (const p of [alice, bob, carol, dave]) p.socket.close(1000);
  });

  it("sends a burst of messages in a busy room as one frame per socket, in order, once", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const carol = await join(room, "carol"); // 3 sockets: a big room here
    for (const p of [alice, bob]) await p.socket.next((f) => isEvent(f) && f.seq === 3, 10_000);
    const before = bob.socket.batches;
    for (let i = 1; i <= 6; i++) alice.socket.send({ type: "message", text: `burst ${i}`, id: `b${i}` });
    await bob.socket.nextMessage((m) => m.text === "burst 6");
    const burst = eventsOf(bob.socket).filter((e) => e.type === "message");
    expect(burst.map((e) => (e.type === "message" && "text" in e ? e.text : ""))).toEqual([1, 2, 3, 4, 5, 6].map((i) => `burst ${i}`));
    expect(burst.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8, 9]);
    // The six queued while the room was busy: fewer frames than messages.
    expect(bob.socket.batches - before).toBeGreaterThanOrEqual(1);

    // A resend's acknowledgement never overtakes a held message: the sender's seqs never go back.
    alice.socket.send({ type: "message", text: "first", id: "r1" });
    alice.socket.send({ type: "message", text: "once", id: "r2" });
    alice.socket.send({ type: "message", text: "once", id: "r2" });
    await carol.socket.nextMessage((m) => m.id === "r2", 10_000);
    await sleep(200); // anything sent twice would come by now
    const seqs = eventsOf(alice.socket).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(eventsOf(carol.socket).filter((e) => e.type === "message" && "text" in e && e.text === "once")).toHaveLength(1);
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });

  it("never lets a chat message overtake held presence events", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const carol = await join(room, "carol"); // held back
    alice.socket.send({ type: "message", text: "right away", id: "now" });
    const message = await bob.socket.nextMessage();
    expect(message).toMatchObject({ seq: 4, text: "right away" });
    // The held join reached bob before the message, in the same frame.
    expect(eventsOf(bob.socket).map((e) => `${e.seq}:${e.type}`)).toEqual(["3:joined", "4:message"]);
    expect(bob.socket.batches).toBe(1);
    await carol.socket.nextMessage();
    expect(eventsOf(carol.socket).map((e) => e.seq)).toEqual([4]);
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });

  it("holds a burst of reactions in a busy room like presence: one frame per socket per window, in order, once", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const carol = await join(room, "carol"); // 3 sockets: a big room here
    for (const p of [alice, bob]) await p.socket.next((f) => isEvent(f) && f.seq === 3, 10_000);
    alice.socket.send({ type: "message", text: "react to me" });
    const message = await carol.socket.nextMessage();
    await sleep(150); // past the presence window: the first reaction goes at once
    const before = carol.socket.batches;
    const emoji = ["👍", "🎉", "❤️", "🚀", "👀"];
    // Further apart than a turn of the event loop (which batches chat messages), closer than the window.
    for (const e of emoji) {
      bob.socket.send({ type: "react", seq: message.seq, emoji: e, on: true });
      await sleep(15);
    }
    await carol.socket.next((f) => f.type === "reactions" && f.emoji === "👀", 10_000);
    alice.socket.send({ type: "message", text: "after the burst" });
    await carol.socket.nextMessage((m) => m.text === "after the burst");
    await sleep(200); // anything sent twice would come by now
    for (const p of [alice, bob, carol]) {
      const heard = eventsOf(p.socket).filter((e) => e.seq > message.seq);
      expect(heard.map((e) => e.seq)).toEqual(range(message.seq + 1, message.seq + 6));
      expect(heard.slice(0, 5).map((e) => (e.type === "reactions" ? e.emoji : ""))).toEqual(emoji);
    }
    // The four after the first were held and went out together.
    expect(carol.socket.batches - before).toBeGreaterThanOrEqual(1);
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });
});

describe("join timeout in a room with space (JOIN_TIMEOUT_MS 200)", () => {
  it("closes a socket that never joins, whatever the room's size, so waiting sockets cannot fill it", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const idle = await openSocket(room);
    expect(await idle.waitClosed()).toEqual({ code: 1008, reason: "did not join in time" });
    expect(alice.socket.closed).toBeUndefined();
    alice.socket.close(1000);
  });
});
