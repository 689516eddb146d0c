/**
 * Crowds (CROWD_SIZE 4 in this project): a room that big counts its members
 * instead of announcing and storing every join and leave, and lists them
 * again once it is smaller.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PresenceFrame, RoomEvent, ServerFrame } from "../../../src/protocol/frames.ts";
import { join, ORIGIN, sleep, uniqueRoom, type TestSocket } from "../../workerd/socket.ts";

const isEvent = (frame: ServerFrame): frame is RoomEvent => "seq" in frame;
const eventsOf = (frames: ServerFrame[]) => frames.filter(isEvent).map((e) => `${e.seq}:${e.type}`);
const presenceOf = (frames: ServerFrame[]) => frames.filter((f): f is PresenceFrame => f.type === "presence");

async function info(room: string) {
  const response = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}`);
  return (await response.json()) as { online: number; members: { name: string }[]; crowd: boolean; lastSeq: number };
}

async function history(socket: TestSocket) {
  socket.send({ type: "history", before: 1_000_000, limit: 100 });
  return (await socket.nextOf("history")).events.map((e) => `${e.seq}:${e.type}`);
}

describe("a crowd (CROWD_SIZE 4)", () => {
  it("counts joins and leaves instead of announcing them, and lists everyone again below the size", async () => {
    const room = uniqueRoom("crowd");
    const a = await join(room, "a");
    const b = await join(room, "b");
    const c = await join(room, "c");
    expect(c.welcome).toMatchObject({ online: 3, members: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    expect(c.welcome.crowd).toBeUndefined();
    expect(eventsOf(await a.socket.drain())).toEqual(["2:joined", "3:joined"]);

    // The fourth member makes a crowd: a count, not a joined event, and no list in the welcome.
    const d = await join(room, "d");
    expect(d.welcome).toMatchObject({ online: 4, crowd: true, members: [], lastSeq: 3 });
    expect(d.welcome.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    const atA = await a.socket.drain();
    expect(eventsOf(atA)).toEqual([]);
    expect(presenceOf(atA)).toEqual([{ type: "presence", online: 4, crowd: true }]);
    expect(await info(room)).toMatchObject({ online: 4, members: [], crowd: true, lastSeq: 3 });

    const e = await join(room, "e");
    expect(e.welcome).toMatchObject({ online: 5, crowd: true, members: [] });
    expect(presenceOf(await b.socket.drain())).toEqual([
      { type: "presence", online: 4, crowd: true },
      { type: "presence", online: 5, crowd: true },
    ]);

    // Chat is as always; typing is not relayed in a crowd.
    c.socket.send({ type: "typing" });
    a.socket.send({ type: "message", text: "hello crowd", id: "m1" });
    expect(await e.socket.nextMessage()).toMatchObject({ seq: 4, text: "hello crowd" });
    const atD = await d.socket.drain();
    expect(atD.filter((f) => f.type === "typing")).toEqual([]);
    expect(eventsOf(atD)).toEqual(["4:message"]);

    // Leaving a crowd is counted too, down to the leave that ends it: that
    // presence frame lists everyone again.
    e.socket.close(1000);
    await sleep(50);
    d.socket.close(1000);
    await c.socket.until(() => presenceOf(c.socket.frames).some((p) => !p.crowd), "the list back at c");
    const atC = await c.socket.drain();
    expect(eventsOf(atC)).toEqual(["4:message"]);
    expect(presenceOf(atC)).toEqual([
      { type: "presence", online: 4, crowd: true },
      { type: "presence", online: 5, crowd: true },
      { type: "presence", online: 4, crowd: true },
      { type: "presence", online: 3, crowd: false, members: [a.welcome.self, b.welcome.self, c.welcome.self] },
    ]);

    // Below the size, leaves and joins are events again.
    c.socket.close(1000);
    expect(await a.socket.nextOf("left")).toMatchObject({ seq: 5, member: c.welcome.self });
    const f = await join(room, "f");
    expect(f.welcome).toMatchObject({ online: 3, members: [a.welcome.self, b.welcome.self, f.welcome.self] });
    expect(await b.socket.nextOf("joined")).toMatchObject({ seq: 6, member: f.welcome.self });

    // History holds no trace of the crowd's comings and goings, and no gap.
    expect(await history(a.socket)).toEqual(["1:joined", "2:joined", "3:joined", "4:message", "5:left", "6:joined"]);
    for (const p of [a, b, f]) p.socket.close(1000);
  });

  it("holds a dropped crowd member quietly and counts them gone when the grace ends", async () => {
    const room = uniqueRoom("crowd");
    const people = [];
    for (const name of ["a", "b", "c", "d", "e"]) people.push(await join(room, name));
    const [a, , , , e] = people as [Awaited<ReturnType<typeof join>>, ...Awaited<ReturnType<typeof join>>[]];
    await a.socket.drain();

    // A drop (no goodbye) is held: nothing is said…
    e!.socket.close(4000, "network blip");
    await sleep(100);
    expect(presenceOf(await a.socket.drain())).toEqual([]);
    // …a quick return with the session is silent and keeps the member id…
    const back = await join(room, "e", { session: e!.welcome.session });
    expect(back.welcome.self).toEqual(e!.welcome.self);
    expect(back.welcome).toMatchObject({ online: 5, crowd: true });
    expect(await a.socket.drain()).toEqual([]);

    // …and a drop that does not come back is counted when the grace (2 s) ends.
    back.socket.close(4000, "gone");
    const counted = (await a.socket.nextOf("presence", 10_000)) as PresenceFrame;
    expect(counted).toEqual({ type: "presence", online: 4, crowd: true });
    expect(eventsOf(await a.socket.drain())).toEqual([]);
    for (const p of people.slice(0, 4)) p.socket.close(1000);
  });
});
