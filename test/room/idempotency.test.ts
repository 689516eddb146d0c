import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;

describe("idempotent resends", () => {
  it("stores a repeated id once and gives the sender the original event again", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "only once", id: "dup-1" });
    const original = await alice.socket.nextOf("message");
    alice.socket.send({ type: "message", text: "only once", id: "dup-1" });
    expect(await alice.socket.nextOf("message")).toEqual(original);
    alice.socket.send({ type: "message", text: "next", id: "dup-2" });
    expect(await alice.socket.nextOf("message")).toMatchObject({ seq: original.seq + 1, id: "dup-2" });
    // Bob saw each message once.
    const atBob = (await bob.socket.drain()).filter(isEvent).filter((e) => e.type === "message");
    expect(atBob.map((e) => e.seq)).toEqual([original.seq, original.seq + 1]);
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it("recognises a resend after a reconnect on a new socket", async () => {
    const room = uniqueRoom();
    const first = await join(room, "alice");
    first.socket.send({ type: "message", text: "sent before the drop", id: "r-1" });
    const original = await first.socket.nextOf("message");
    first.socket.close(4000);
    const second = await join(room, "alice", { since: 0, session: first.welcome.session });
    second.socket.send({ type: "message", text: "sent before the drop", id: "r-1" });
    expect(await second.socket.nextOf("message")).toEqual(original);
    second.socket.send({ type: "history", before: 100, limit: 100 });
    const history = await second.socket.nextOf("history");
    expect(history.events.filter((e) => e.type === "message")).toHaveLength(1);
    second.socket.close(1000);
  });

  it("keys ids by member, never by name: another member who takes the name later cannot claim an id", async () => {
    const room = uniqueRoom();
    const first = await join(room, "alice");
    first.socket.send({ type: "message", text: "the real one", id: "next-1" });
    const original = await first.socket.nextOf("message");
    first.socket.close(1000);
    // Someone else joins under the freed name and sends the same id first-hand.
    const impostor = await join(room, "alice");
    impostor.socket.send({ type: "message", text: "an impostor", id: "next-1" });
    const stored = await impostor.socket.nextMessage((m) => m.text === "an impostor");
    expect(stored.seq).toBeGreaterThan(original.seq);
    expect(stored.from.id).not.toBe(original.from.id);
    impostor.socket.close(1000);
  });

  it("keys ids by sender: the same id from someone else is a new message", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    alice.socket.send({ type: "message", text: "from alice", id: "same" });
    const a = await alice.socket.nextOf("message");
    bob.socket.send({ type: "message", text: "from bob", id: "same" });
    const b = await bob.socket.nextMessage((m) => m.from.name === "bob");
    expect(b.seq).toBe(a.seq + 1);
    expect(b.text).toBe("from bob");
    alice.socket.close(1000);
    bob.socket.close(1000);
  });

  it("stores messages without an id every time", async () => {
    const { socket } = await join(uniqueRoom(), "alice");
    socket.send({ type: "message", text: "again" });
    socket.send({ type: "message", text: "again" });
    const one = await socket.nextOf("message");
    const two = await socket.nextOf("message");
    expect(two.seq).toBe(one.seq + 1);
    socket.close(1000);
  });
});
