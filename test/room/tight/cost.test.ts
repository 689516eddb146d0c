/**
 * The storage cost model, from SQLite's own row counters (what Cloudflare
 * bills): a chat message writes 1 row and reads none while the room is under
 * its retention cap (the idempotency window is in memory), at most 2 written
 * amortised once pruning runs. Pruning reads what it deletes plus one row per
 * batch (1 + 1/slack per message: 1.001 at the default HISTORY_LIMIT). A
 * resend of a recent message writes nothing and reads nothing (the newest
 * events are in memory). A join writes 2 rows (its event, its session) and
 * reads none.
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
  it("writes 1 row and reads none per message under the cap; a recent resend costs nothing", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    socket.send({ type: "message", text: "warm-up", id: "w" }); // loads the idempotency window once
    await socket.nextMessage();
    const before = await stats(room);
    for (let i = 0; i < 5; i++) socket.send({ type: "message", text: `m${i}`, id: `m${i}` });
    for (let i = 0; i < 5; i++) await socket.nextMessage();
    const after = await stats(room);
    expect(after.messages - before.messages).toBe(5);
    expect(after.rowsWritten - before.rowsWritten).toBe(5);
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

  it("stays within 2 rows written per message, amortised, once pruning runs; reads are what the DELETEs visit", async () => {
    const room = uniqueRoom();
    const { socket } = await join(room, "alice");
    for (let i = 0; i < 25; i++) socket.send({ type: "message", text: `fill ${i}` });
    for (let i = 0; i < 25; i++) await socket.nextMessage();
    const before = await stats(room);
    for (let i = 0; i < 60; i++) socket.send({ type: "message", text: `m${i}` });
    for (let i = 0; i < 60; i++) await socket.nextMessage();
    const after = await stats(room);
    const written = after.rowsWritten - before.rowsWritten;
    expect(written / 60).toBeLessThanOrEqual(2);
    // HISTORY_LIMIT 20 prunes in batches of 3 (slack 2): each DELETE reads its 3 rows and one more.
    const deleted = written - 60;
    expect(after.rowsRead - before.rowsRead).toBe(deleted + deleted / 3);
    expect(after.rowsWritten - before.rowsWritten).toBeGreaterThan(60); // pruning did run
    socket.close(1000);
  });
});
