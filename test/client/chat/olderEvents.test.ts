/** Scroll-back in pages (the browser's scroll-up and the terminal's /history share it). */
import { describe, expect, it } from "vitest";
import type { ConnectionState } from "../../../src/client/RoomClient.ts";
import { olderEvents, type HistorySource } from "../../../src/client/chat/olderEvents.ts";
import type { HistoryFrame, RoomEvent } from "../../../src/protocol/frames.ts";

const event = (seq: number): RoomEvent => ({ type: "joined", seq, ts: seq, member: { id: `m${seq}`, name: `m${seq}` } });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

/** A room whose history holds seqs 1..newest; `dropAfter` asks go answered, then the connection goes. */
function source(newest: number, dropAfter = Infinity): HistorySource & { asks: [number, number | undefined][] } {
  let state: ConnectionState = "live";
  const asks: [number, number | undefined][] = [];
  return {
    asks,
    get state() {
      return state;
    },
    history(before: number, limit = 50): Promise<HistoryFrame> {
      asks.push([before, limit]);
      if (asks.length > dropAfter) state = "reconnecting";
      if (state !== "live") return Promise.resolve({ type: "history", before, events: [], hasMore: true });
      const from = Math.max(1, before - limit);
      return Promise.resolve({ type: "history", before, events: before > newest + 1 ? [] : range(from, before - 1), hasMore: from > 1 });
    },
  };
}

describe("olderEvents", () => {
  it("brings one page for a page's worth, oldest first", async () => {
    const room = source(500);
    await expect(olderEvents(room, 301, 50)).resolves.toEqual({ kind: "events", events: range(251, 300), hasMore: true });
    expect(room.asks).toEqual([[301, 50]]);
  });

  it("asks in pages of at most 100 and stops at the beginning of the room", async () => {
    const room = source(500);
    const older = await olderEvents(room, 251, 400);
    expect(older).toEqual({ kind: "events", events: range(1, 250), hasMore: false });
    expect(room.asks).toEqual([
      [251, 100],
      [151, 100],
      [51, 100],
    ]);
    await expect(olderEvents(room, 1, 20)).resolves.toEqual({ kind: "events", events: [], hasMore: false });
  });

  it("reports offline rather than an empty history, before asking or when the connection goes", async () => {
    const offline = source(500, 0);
    await offline.history(1, 1); // the connection goes
    await expect(olderEvents(offline, 301, 50)).resolves.toEqual({ kind: "offline", dropped: false });
    await expect(olderEvents(source(500, 1), 301, 150)).resolves.toEqual({ kind: "offline", dropped: true });
  });
});
