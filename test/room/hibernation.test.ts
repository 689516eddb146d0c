import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const stubOf = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room));
const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;

describe("after the room object is evicted (connected sockets hibernate)", () => {
  it("keeps presence, names, history and live broadcast", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.send({ type: "rename", name: "robert" });
    alice.socket.send({ type: "message", text: "before eviction" });
    await bob.socket.nextOf("message");
    const before = await stubOf(room).info();

    await evictDurableObject(stubOf(room));

    expect(await stubOf(room).info()).toEqual(before);
    expect(before.members.map((m) => m.name)).toEqual(["alice", "robert"]);
    // The hibernated sockets still work, and keep their identities.
    bob.socket.send({ type: "message", text: "after eviction" });
    const atAlice = await alice.socket.nextMessage((m) => m.text === "after eviction");
    expect(atAlice).toMatchObject({ text: "after eviction", from: { id: bob.welcome.self.id, name: "robert" }, seq: before.lastSeq + 1 });
    const carol = await join(room, "carol");
    expect(carol.welcome.members.map((m) => m.name)).toEqual(["alice", "robert", "carol"]);
    expect(carol.welcome.events.map((e) => e.type)).toEqual(["joined", "joined", "renamed", "message", "message", "joined"]);
    for (const p of [alice, bob, carol]) p.socket.close(1000);
  });

  it("keeps each connection's rate-limit state", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    for (let i = 0; i < 9; i++) socket.send({ type: "message", text: `m${i}` });
    for (let i = 0; i < 9; i++) await socket.nextOf("message");
    await evictDurableObject(stubOf(room));
    socket.send({ type: "message", text: "one too many", id: "over" });
    expect(await socket.nextOf("error")).toMatchObject({ code: "rate_limited", ref: "over" });
    socket.close(1000);
  });

  it("keeps idempotency: a resend after eviction gets the original", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    socket.send({ type: "message", text: "exactly once", id: "evict-1" });
    const original = await socket.nextOf("message");
    await evictDurableObject(stubOf(room));
    socket.send({ type: "message", text: "exactly once", id: "evict-1" });
    expect(await socket.nextOf("message")).toEqual(original);
    expect((await stubOf(room).info()).lastSeq).toBe(original.seq);
    socket.close(1000);
  });

  it("keeps a dropped member in the reconnect grace, so resuming after eviction is quiet", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.close(4000);
    await bob.socket.waitClosed();
    await evictDurableObject(stubOf(room));
    expect((await stubOf(room).info()).members.map((m) => m.name)).toEqual(["alice", "bob"]);
    const back = await join(room, "bob", { since: bob.welcome.lastSeq, session: bob.welcome.session });
    expect(back.welcome.self).toEqual(bob.welcome.self);
    expect(back.welcome.events).toEqual([]);
    expect((await alice.socket.drain()).filter(isEvent)).toEqual([expect.objectContaining({ type: "joined" })]);
    alice.socket.close(1000);
    back.socket.close(1000);
  });
});

describe("sessions", () => {
  it("counts two sockets of one session (two tabs) as one member, until both have left", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const second = await join(room, "bob", { since: bob.welcome.lastSeq, session: bob.welcome.session });
    expect(second.welcome.self).toEqual(bob.welcome.self);
    expect(second.welcome.members.map((m) => m.name)).toEqual(["alice", "bob"]);
    // A second tab is not news: no joined event, no presence change.
    second.socket.send({ type: "message", text: "from tab two" });
    const sent = await alice.socket.nextOf("message");
    expect(sent).toMatchObject({ from: bob.welcome.self, text: "from tab two" });
    // Both tabs see the message as their member's.
    expect(await bob.socket.nextOf("message")).toMatchObject({ seq: sent.seq, from: bob.welcome.self });
    const comings = () => alice.socket.frames.filter(isEvent).flatMap((e) => (e.type === "joined" || e.type === "left" ? [e.type] : []));
    expect(comings()).toEqual(["joined"]);
    // One tab leaving is not the member leaving.
    bob.socket.close(1000);
    await bob.socket.waitClosed();
    second.socket.send({ type: "message", text: "still here" });
    expect(await alice.socket.nextOf("message")).toMatchObject({ text: "still here" });
    expect(comings()).toEqual(["joined"]);
    second.socket.close(1000);
    expect(await alice.socket.nextOf("left")).toMatchObject({ member: { id: bob.welcome.self.id } });
    alice.socket.close(1000);
  });

  it("announces a changed name when a member resumes under another name", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    bob.socket.close(4000);
    await bob.socket.waitClosed();
    const back = await join(room, "bobby", { session: bob.welcome.session });
    expect(back.welcome.self).toEqual({ id: bob.welcome.self.id, name: "bobby" });
    expect(await alice.socket.nextOf("renamed")).toMatchObject({ from: "bob", member: { name: "bobby" } });
    alice.socket.close(1000);
    back.socket.close(1000);
  });

  it("treats an unknown session token as a newcomer with a fresh one", async () => {
    const { socket, welcome } = await join(uniqueRoom(), "alice", { session: "f".repeat(32) });
    expect(welcome.session).not.toBe("f".repeat(32));
    expect(welcome.events.map((e) => e.type)).toEqual(["joined"]);
    socket.close(1000);
  });
});
