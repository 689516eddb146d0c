/**
 * A small room (below BATCH_SOCKETS, 64 here) with a backlog, inside workerd:
 * a lone message goes out at once as its own frame, while messages that
 * queued up while the room was busy go out together as one `events` frame
 * per socket, in order, once; and an answer to a frame (here a history page)
 * never overtakes an event stored before it.
 */
import { describe, expect, it } from "vitest";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { join, uniqueRoom } from "../workerd/socket.ts";

const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;

describe("a small room with a backlog", () => {
  it("sends a lone message at once, alone; a burst as fewer frames than messages, in order, once", async () => {
    const room = uniqueRoom("backlog");
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    await alice.socket.next((f) => isEvent(f) && f.type === "joined" && f.member.name === "bob");

    alice.socket.send({ type: "message", text: "alone", id: "a1" });
    const lone = await bob.socket.nextMessage((m) => m.id === "a1");
    // A plain message frame, not a batch: nothing was waiting with it.
    expect(bob.socket.batches).toBe(0);

    const framesBefore = bob.socket.frames.length;
    for (let i = 1; i <= 6; i++) alice.socket.send({ type: "message", text: `burst ${i}`, id: `b${i}` });
    await bob.socket.nextMessage((m) => m.id === "b6");
    const burst = bob.socket.frames.slice(framesBefore).filter(isEvent);
    expect(burst.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6].map((i) => lone.seq + i));
    // Six messages queued while the room stored the first: some came together, in an events frame.
    expect(bob.socket.batches).toBeGreaterThanOrEqual(1);

    // Messages each followed by a history request (from bob: each socket has its own frame budget):
    // every page comes after the message stored before it.
    await bob.socket.drain();
    for (let i = 1; i <= 3; i++) {
      bob.socket.send({ type: "message", text: `then ${i}`, id: `t${i}` });
      bob.socket.send({ type: "history", before: 1, limit: 1 });
    }
    const order: string[] = [];
    while (order.filter((o) => o === "history").length < 3) {
      const frame = await bob.socket.next((f) => f.type === "history" || (isEvent(f) && f.type === "message"));
      order.push(frame.type);
    }
    expect(order).toEqual(["message", "history", "message", "history", "message", "history"]);
    for (const p of [alice, bob]) p.socket.close(1000);
  });
});
