/**
 * The shared client engine (src/client/RoomClient.ts) against a real
 * `wrangler dev`: delivery exactly once and in order across dropped
 * connections, the outbox, pacing under the rate limit, presence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoomClient, roomSocketUrl, type ConnectionState } from "../../src/client/RoomClient.ts";
import type { RoomEvent } from "../../src/protocol/frames.ts";
import { startChaosProxy } from "../../harness/chaosProxy.ts";
import { join, sleep, uniqueRoom } from "../support/node.ts";
import { messageIds, queuedId } from "../../harness/transcripts.ts";
import { storedEvents } from "./support/storedEvents.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";

let server: DevServer;
beforeAll(async () => {
  server = await startWranglerDev();
});
afterAll(async () => {
  await server?.stop();
});

/** A RoomClient that records what it delivers. */
function client(room: string, name: string, options: { session?: string; since?: number } = {}) {
  const c = new RoomClient({ url: roomSocketUrl(server.url, room), name, backoff: { initialMs: 50, maxMs: 500 }, ...options });
  const events: RoomEvent[] = [];
  const states: ConnectionState[] = [];
  c.on("event", (e) => events.push(e));
  c.on("state", (s) => states.push(s));
  return { c, events, states };
}

async function until(condition: () => boolean, timeoutMs = 10_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const texts = (events: RoomEvent[]) => events.flatMap((e) => (e.type === "message" && "text" in e ? [e.text] : []));
const assertGapFree = (events: RoomEvent[]) => events.forEach((e, i) => i > 0 && expect(e.seq).toBe(events[i - 1]!.seq + 1));

describe("RoomClient", () => {
  it("chats, tracks presence, and leaves cleanly", async () => {
    const room = uniqueRoom("client");
    const alice = client(room, "alice");
    alice.c.connect();
    await until(() => alice.c.state === "live");
    const bob = client(room, "bob");
    bob.c.connect();
    await until(() => alice.c.presence.members.length === 2, 15_000, "bob in alice's members");
    bob.c.send("hello from bob");
    await until(() => texts(alice.events).includes("hello from bob"));
    expect(alice.c.presence.members.map((m) => m.name)).toEqual(["alice", "bob"]);
    expect(bob.c.rename("bobby")).toBeUndefined();
    await until(() => alice.c.presence.members.some((m) => m.name === "bobby"));
    expect(bob.c.self?.name).toBe("bobby");
    expect(bob.c.rename("")).toMatchObject({ code: "name_invalid" });
    bob.c.close();
    await until(() => alice.c.presence.members.length === 1, 15_000, "bob gone");
    expect(bob.states).toEqual(["live", "closed"]);
    alice.c.close();
  });

  it("holds messages written before it is live and sends each once", async () => {
    const room = uniqueRoom("client");
    const alice = client(room, "alice");
    alice.c.send("written offline 1");
    alice.c.send("written offline 2");
    expect(alice.c.outbox).toHaveLength(2);
    alice.c.connect();
    await until(() => alice.c.outbox.length === 0);
    expect(texts(alice.events)).toEqual(["written offline 1", "written offline 2"]);
    alice.c.close();
  });

  it("paces a burst to the room's advertised rate: no message refused, none lost", async () => {
    const room = uniqueRoom("client");
    const alice = client(room, "alice");
    const errors: string[] = [];
    alice.c.on("error", (e) => errors.push(e.code));
    alice.c.connect();
    await until(() => alice.c.state === "live");
    for (let i = 0; i < 25; i++) alice.c.send(`burst ${i}`);
    await until(() => alice.c.outbox.length === 0, 15_000, "outbox drained");
    expect(texts(alice.events)).toEqual(Array.from({ length: 25 }, (_, i) => `burst ${i}`));
    expect(errors).toEqual([]);
    alice.c.close();
  });

  it("survives dropped connections: every event once, in order, nothing repeated", async () => {
    const room = uniqueRoom("client");
    const reader = client(room, "reader");
    const writer = client(room, "writer");
    reader.c.connect();
    writer.c.connect();
    await until(() => reader.c.state === "live" && writer.c.state === "live");
    const total = 30;
    for (let i = 0; i < total; i++) {
      writer.c.send(`m${i}`);
      if (i % 7 === 3) writer.c.dropConnection();
      if (i % 5 === 2) reader.c.dropConnection();
      await sleep(30);
    }
    await until(() => writer.c.outbox.length === 0 && texts(reader.events).length >= total, 20_000, "all delivered");
    await sleep(300);
    const expected = Array.from({ length: total }, (_, i) => `m${i}`);
    expect(texts(reader.events)).toEqual(expected);
    expect(texts(writer.events)).toEqual(expected);
    assertGapFree(reader.events);
    assertGapFree(writer.events);
    expect(reader.states.filter((s) => s === "reconnecting").length).toBeGreaterThan(0);
    // Quick reconnects made no left/joined noise.
    expect(reader.events.filter((e) => e.type === "left")).toEqual([]);
    reader.c.close();
    writer.c.close();
  }, 30_000);

  it("keeps the member list right through a long replay of people coming and going", async () => {
    const room = uniqueRoom("client");
    // 50 visitors join, talk and leave: 500 events, so the replay spans two frames.
    for (let v = 0; v < 50; v++) {
      const visitor = await join(server.url, room, `visitor${v}`);
      for (let i = 0; i < 8; i++) visitor.socket.send({ type: "message", text: `hello ${i}` });
      for (let i = 0; i < 8; i++) await visitor.socket.nextMessage();
      visitor.socket.close(1000);
    }
    const stayer = await join(server.url, room, "stayer");
    const reader = client(room, "reader", { since: 0 });
    const seenLists: string[][] = [];
    reader.c.on("presence", ({ members }) => seenLists.push(members.map((m) => m.name)));
    reader.c.connect();
    await until(() => reader.events.some((e) => e.type === "joined" && e.member.name === "reader"), 10_000, "replay");
    expect(reader.events.length).toBeGreaterThan(500);
    for (const list of seenLists) expect(list).toEqual(["stayer", "reader"]);
    expect(reader.c.presence.members.map((m) => m.name)).toEqual(["stayer", "reader"]);
    reader.c.close();
    stayer.socket.close(1000);
  }, 60_000);

  it("does not resend a stored message before a long replay has shown it, however far behind it is", async () => {
    const room = uniqueRoom("client");
    const proxy = await startChaosProxy(server.url);
    const writer = new RoomClient({ url: roomSocketUrl(proxy.url, room), name: "writer", backoff: { initialMs: 50, maxMs: 200 } });
    writer.connect();
    await until(() => writer.state === "live");
    const talkers = await Promise.all(Array.from({ length: 48 }, (_, i) => join(server.url, room, `talker${i}`)));
    const talk = async (rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        // 5 frames a second is each talker's default rate.
        for (const t of talkers) for (let i = 0; i < 5; i++) t.socket.send({ type: "message", text: `filler ${round}.${i}`, id: crypto.randomUUID() });
        for (const t of talkers) for (let i = 0; i < 5; i++) await t.socket.nextMessage((m) => m.from.name === t.welcome.self.name);
        await sleep(1050);
      }
    };
    // From here on the writer hears nothing: its replay on return starts before all of this.
    proxy.swallowReplies(true);
    await talk(3); // 720 events: the writer's messages will not be in the first replay frame (500)
    const ids = [queuedId(writer.send("one")), queuedId(writer.send("two")), queuedId(writer.send("three"))];
    await until(() => writer.outbox.length === 3, 1000, "sent");
    // Stored by the room (a talker hears them); the acknowledgements are swallowed.
    for (const id of ids) await talkers[0]!.socket.nextMessage((m) => m.id === id, 30_000);
    proxy.refuseConnections(true);
    proxy.killRandom(100);
    await talk(5); // 1200 more: beyond the room's idempotency window (1000)
    expect(writer.outbox.map((m) => m.id)).toEqual(ids);
    proxy.swallowReplies(false);
    proxy.refuseConnections(false);
    await until(() => writer.state === "live" && writer.outbox.length === 0, 30_000, "the writer caught up");
    const stored = messageIds(await storedEvents(server.url, room));
    for (const id of ids) expect(stored.filter((s) => s === id)).toHaveLength(1);
    writer.close();
    for (const t of talkers) t.socket.close(1000);
    await proxy.close();
  }, 90_000);

  it("opens one socket however often reconnectNow is called while an attempt is under way", async () => {
    const room = uniqueRoom("client");
    const proxy = await startChaosProxy(server.url);
    const c = new RoomClient({ url: roomSocketUrl(proxy.url, room), name: "alice", backoff: { initialMs: 5_000, maxMs: 5_000 } });
    c.connect();
    await until(() => c.state === "live");
    c.dropConnection();
    const before = proxy.accepted;
    // The browser calls it on both `online` and `visibilitychange`.
    c.reconnectNow();
    c.reconnectNow();
    c.reconnectNow();
    await until(() => c.state === "live", 15_000, "live again");
    await sleep(300);
    expect(proxy.accepted - before).toBe(1);
    expect(c.state).toBe("live");
    c.close();
    await proxy.close();
  });

  it("stops with the error when the room refuses its join", async () => {
    const room = uniqueRoom("client");
    const bad = client(room, "  ");
    const closed = new Promise((resolve) => bad.c.on("closed", resolve));
    bad.c.connect();
    expect(await closed).toMatchObject({ error: { code: "name_invalid" } });
    expect(bad.c.state).toBe("closed");
  });

  it("keeps retrying while the server is unreachable", async () => {
    const c = new RoomClient({ url: "ws://127.0.0.1:9/api/rooms/x/ws", name: "alice", backoff: { initialMs: 20, maxMs: 40 } });
    const states: ConnectionState[] = [];
    c.on("state", (s) => states.push(s));
    c.connect();
    await until(() => c.state === "reconnecting", 10_000, "the first attempt to fail");
    await sleep(300); // a few more attempts: it does not give up
    expect(c.state).toBe("reconnecting");
    c.close();
    expect(c.state).toBe("closed");
  });
});
