/**
 * The storage cost model, from SQLite's own row counters (what Cloudflare
 * bills): a chat message writes 2 rows (its event, and its entry in the
 * full-text index) and reads none while the room is under its retention cap
 * (the idempotency window is in memory), at most 4 written amortised once
 * pruning runs (the pruned event and its index entry). Pruning reads what it deletes plus one row per
 * batch (1 + 1/slack per message: 1.001 at the default HISTORY_LIMIT). A
 * resend of a recent message writes nothing and reads nothing (the newest
 * events are in memory). A join writes 2 rows (its event, its session) and
 * reads none. A reply costs what a message does when the original is recent;
 * a reaction writes 2 rows and reads 2; an edit writes 1 more row per reply
 * to the message, and reads the events after it.
 * Runs with TIGHT_LIMITS (history 20, so pruning deletes batches of 2).
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RoomStats } from "../../../src/room/Room.ts";
import { join, ORIGIN, uniqueRoom } from "../../workerd/socket.ts";

async function stats(room: string): Promise<RoomStats> {
  const response = await exports.default.fetch(`${ORIGIN}/api/rooms/${room}/stats`);
  expect(response.status).toBe(200);
  return (await response.json()) as RoomStats;
}

describe("storage rows per message", () => {
  it("writes 2 rows (event, index) and reads none per message under the cap; a recent resend costs nothing", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    socket.send({ type: "message", text: "warm-up", id: "w" }); // loads the idempotency window once
    await socket.nextMessage();
    const before = await stats(room);
    for (let i = 0; i < 5; i++) socket.send({ type: "message", text: `m${i}`, id: `m${i}` });
    for (let i = 0; i < 5; i++) await socket.nextMessage();
    const after = await stats(room);
    expect(after.messages - before.messages).toBe(5);
    expect(after.rowsWritten - before.rowsWritten).toBe(2 * 5);
    expect(after.rowsRead - before.rowsRead).toBe(0);

    socket.send({ type: "message", text: "m0", id: "m0" });
    await socket.nextMessage();
    const dup = await stats(room);
    expect(dup.rowsWritten - after.rowsWritten).toBe(0);
    expect(dup.rowsRead - after.rowsRead).toBe(0);
    socket.close(1000);
  });

  it("writes 2 rows and reads none per join, the welcome's replay coming from memory", async () => {
    const room = uniqueRoom();
    const first = await join(room, "first");
    const before = await stats(room);
    const second = await join(room, "second");
    expect(second.welcome.events.map((e) => e.seq)).toEqual([1, 2]);
    const after = await stats(room);
    expect(after.rowsWritten - before.rowsWritten).toBe(2);
    expect(after.rowsRead - before.rowsRead).toBe(0);
    first.socket.close(1000);
    second.socket.close(1000);
  });

  it("stays within 4 rows written per message, amortised, once pruning runs; reads are what the DELETEs visit", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    for (let i = 0; i < 25; i++) socket.send({ type: "message", text: `fill ${i}` });
    for (let i = 0; i < 25; i++) await socket.nextMessage();
    const before = await stats(room);
    for (let i = 0; i < 60; i++) socket.send({ type: "message", text: `m${i}` });
    for (let i = 0; i < 60; i++) await socket.nextMessage();
    const after = await stats(room);
    const written = after.rowsWritten - before.rowsWritten;
    expect(written / 60).toBeLessThanOrEqual(4);
    // HISTORY_LIMIT 20 prunes in batches of 3 (slack 2): each DELETE reads its rows and one more, and
    // the index's DELETE what it visits in the index (reads bill at a thousandth of writes).
    expect((after.rowsRead - before.rowsRead) / 60).toBeLessThanOrEqual(10);
    expect(after.rowsWritten - before.rowsWritten).toBeGreaterThan(60); // pruning did run
    socket.close(1000);
  });
});

describe("storage rows per reply and reaction", () => {
  it("writes what a message does per reply and reads none when the original is recent; a plain message still reads none", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    socket.send({ type: "message", text: "the original", id: "o" });
    const original = await socket.nextMessage();
    const before = await stats(room);
    socket.send({ type: "message", text: "a reply", id: "r", replyTo: original.seq });
    socket.send({ type: "message", text: "plain", id: "p" });
    for (let i = 0; i < 2; i++) await socket.nextMessage();
    const after = await stats(room);
    expect(after.rowsWritten - before.rowsWritten).toBe(2 * 2);
    expect(after.rowsRead - before.rowsRead).toBe(0);
    socket.close(1000);
  });

  it("writes 2 rows per reaction and reads 1 (who reacted) plus the 1 its rewrite visits", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    alice.socket.send({ type: "message", text: "react to me", id: "o" });
    const message = await alice.socket.nextMessage();
    const before = await stats(room);
    alice.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    await alice.socket.nextOf("reactions");
    const after = await stats(room);
    expect(after.rowsWritten - before.rowsWritten).toBe(2);
    expect(after.rowsRead - before.rowsRead).toBe(2);
    // A reaction that changes nothing costs only the read of who reacted.
    alice.socket.send({ type: "react", seq: message.seq, emoji: "👍", on: true });
    alice.socket.send({ type: "history", before: 1, limit: 1 });
    await alice.socket.nextOf("history");
    const noop = await stats(room);
    expect(noop.rowsWritten - after.rowsWritten).toBe(0);
    expect(noop.rowsRead - after.rowsRead).toBe(1);
    alice.socket.close(1000);
  });

  it("writes 1 row more per reply when the original is edited (and 2 for its index entry), reading the events after it", async () => {
    const room = uniqueRoom();
    const alice = await join(room, "alice");
    alice.socket.send({ type: "message", text: "the original", id: "o" });
    const original = await alice.socket.nextMessage();
    for (let i = 0; i < 3; i++) alice.socket.send({ type: "message", text: `reply ${i}`, id: `r${i}`, replyTo: original.seq });
    for (let i = 0; i < 3; i++) alice.socket.send({ type: "message", text: `other ${i}`, id: `x${i}` });
    for (let i = 0; i < 6; i++) await alice.socket.nextMessage();
    const before = await stats(room);
    alice.socket.send({ type: "edit", seq: original.seq, text: "the original, edited" });
    await alice.socket.nextOf("edited");
    const after = await stats(room);
    // The message, the edited event, the three replies, the message's index entry out and in.
    expect(after.rowsWritten - before.rowsWritten).toBe(7);
    // The 7 events after the message (the edited event among them), and what the 4 rewrites visit.
    expect(after.rowsRead - before.rowsRead).toBe(7 + 4);
    alice.socket.close(1000);
  });
});
