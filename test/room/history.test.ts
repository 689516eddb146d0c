import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HistoryFrame, MessageEvent, RoomEvent, SpokenMessage } from "../../src/protocol/frames.ts";
import type { TestSocket } from "../support/testSocket.ts";
import { join, sleep, uniqueRoom } from "../workerd/socket.ts";

const isEvent = (frame: { type: string }): frame is RoomEvent => "seq" in frame;
const seqs = (events: RoomEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Fills a room with `senders` joins and `senders * 9` messages: the join and
 * 9 messages are exactly one connection's burst.
 */
async function fill(room: string, senders: number) {
  const sockets: TestSocket[] = [];
  for (let s = 0; s < senders; s++) {
    const { socket } = await join(room, `filler${s}`);
    for (let i = 0; i < 9; i++) socket.send({ type: "message", text: `fill ${s}.${i}`, id: `f${s}-${i}` });
    for (let i = 0; i < 9; i++) await socket.nextOf("message");
    sockets.push(socket);
  }
  return sockets;
}

describe("history", () => {
  it("replays the newest 50 events on join, and pages further back with history frames", async () => {
    const room = uniqueRoom();
    const fillers = await fill(room, 7); // 7 joins + 63 messages = 70 events
    const { socket, welcome } = await join(room, "reader");
    expect(welcome.lastSeq).toBe(71);
    expect(seqs(welcome.events)).toEqual(range(22, 71));
    expect(welcome.hasMore).toBe(true);

    socket.send({ type: "history", before: 22, limit: 10 });
    const page = (await socket.nextOf("history")) as HistoryFrame;
    expect(page).toMatchObject({ before: 22, hasMore: true });
    expect(seqs(page.events)).toEqual(range(12, 21));

    socket.send({ type: "history", before: 12, limit: 100 });
    const last = (await socket.nextOf("history")) as HistoryFrame;
    expect(seqs(last.events)).toEqual(range(1, 11));
    expect(last.hasMore).toBe(false);
    expect(last.events[0]).toMatchObject({ type: "joined", member: { name: "filler0" } });

    // A `before` past the newest event pages back from the newest.
    socket.send({ type: "history", before: 1_000_000, limit: 5 });
    const newest = (await socket.nextOf("history")) as HistoryFrame;
    expect(seqs(newest.events)).toEqual(range(67, 71));
    expect(newest.hasMore).toBe(true);

    for (const s of [...fillers, socket]) s.close(1000);
  });

  it("resumes with since: exactly the missed events, no gap, no duplicate, then live ones", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    const bob = await join(room, "bob");
    const seen = bob.welcome.lastSeq;
    // Bob's connection drops (not a goodbye), alice keeps talking.
    bob.socket.close(4000, "network went away");
    await bob.socket.waitClosed();
    for (let i = 0; i < 5; i++) alice.socket.send({ type: "message", text: `while away ${i}`, id: `a${i}` });
    for (let i = 0; i < 5; i++) await alice.socket.nextOf("message");

    const again = await join(room, "bob", { since: seen, session: bob.welcome.session });
    expect(again.welcome.self).toEqual(bob.welcome.self);
    expect(seqs(again.welcome.events)).toEqual(range(seen + 1, seen + 5));
    expect((again.welcome.events as SpokenMessage[]).map((e) => e.text)).toEqual(range(0, 4).map((i) => `while away ${i}`));
    expect(again.welcome.lastSeq).toBe(seen + 5);

    alice.socket.send({ type: "message", text: "welcome back" });
    expect(await again.socket.next(isEvent)).toMatchObject({ seq: seen + 6, text: "welcome back" });
    // Alice saw no left/joined pair for a quick reconnect.
    const aliceEvents = alice.socket.frames.filter(isEvent).map((e) => e.type);
    expect(aliceEvents.filter((t) => t === "left" || t === "joined")).toEqual(["joined"]);
    alice.socket.close(1000);
    again.socket.close(1000);
  });

  it("resumes without a session as a newcomer, still with every missed event", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    alice.socket.send({ type: "message", text: "one" });
    await alice.socket.nextOf("message");
    const { socket, welcome } = await join(room, "carol", { since: 1 });
    expect(welcome.events.map((e) => e.type)).toEqual(["message", "joined"]);
    expect(seqs(welcome.events)).toEqual([2, 3]);
    alice.socket.close(1000);
    socket.close(1000);
  });

  it("splits a long replay into an events frame after the welcome, in order", async () => {
    const room = uniqueRoom();
    const fillers = await fill(room, 55); // 550 events: more than one 500-event chunk
    const { socket, welcome } = await join(room, "late", { since: 0 });
    expect(welcome.events).toHaveLength(500);
    const rest: RoomEvent[] = [];
    while (rest.length < welcome.lastSeq - 500) rest.push((await socket.next(isEvent)) as RoomEvent);
    expect(socket.batches).toBe(1);
    expect(seqs([...welcome.events, ...rest])).toEqual(range(1, welcome.lastSeq));
    for (const s of [...fillers, socket]) s.close(1000);
  }, 30_000);

  it("says reset when since is beyond the room's history", async () => {
    const room = uniqueRoom();
    const { socket, welcome } = await join(room, "alice", { since: 500 });
    expect(welcome.reset).toBe(true);
    expect(seqs(welcome.events)).toEqual([1]);
    socket.close(1000);
  });

  it("answers replays and history pages straddling the in-memory window exactly as storage holds them", async () => {
    const room = uniqueRoom();
    const fillers = await fill(room, 25); // 250 events: the newest ~100 are in memory, the rest only in storage
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    const stored = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ json: string }>("SELECT json FROM events ORDER BY seq").toArray().map((r) => r.json),
    );
    const { socket, welcome } = await join(room, "reader");
    const all = [...stored, JSON.stringify(welcome.events.at(-1))].map((json) => JSON.parse(json) as RoomEvent);
    const last = welcome.lastSeq;
    for (const round of ["warm", "after eviction"]) {
      for (const before of [2, 50, 120, 150, 151, 152, 200, last, last + 1, last + 50]) {
        await sleep(200); // the default rate limit: 5 frames a second
        socket.send({ type: "history", before, limit: 100 });
        const page = (await socket.nextOf("history")) as HistoryFrame;
        // The newest 100 events below `before`, gap-free. Events after the
        // snapshot (the resumers' comings and goings) are real but not modelled.
        const seqs = page.events.map((e) => e.seq);
        const top = seqs.at(-1) ?? 0;
        if (before <= last + 1) expect(top, `${round}: before ${before}`).toBe(before - 1);
        else expect(top, `${round}: before ${before}`).toBeGreaterThanOrEqual(last);
        expect(seqs, `${round}: before ${before}`).toEqual(range(Math.max(1, top - 99), top));
        const expected = all.filter((e) => e.seq >= (seqs[0] ?? before) && e.seq < before);
        expect(page.events.filter((e) => e.seq <= last), `${round}: before ${before}`).toEqual(expected);
      }
      for (const since of [0, 100, 150, 151, 152, last - 1, last]) {
        const resumed = await join(room, "resumer", { since });
        const replay: RoomEvent[] = [...resumed.welcome.events];
        while (replay.length < resumed.welcome.lastSeq - since) replay.push((await resumed.socket.next(isEvent)) as RoomEvent);
        expect(replay.filter((e) => e.seq <= last).map((e) => e.seq), `${round}: since ${since}`).toEqual(
          all.filter((e) => e.seq > since).map((e) => e.seq),
        );
        resumed.socket.close(1000);
        await socket.nextOf("left");
      }
      await evictDurableObject(stub);
    }
    for (const s of [...fillers, socket]) s.close(1000);
  }, 60_000);
});
