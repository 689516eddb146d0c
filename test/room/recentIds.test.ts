import { describe, expect, it } from "vitest";
import type { EventLog } from "../../src/room/eventLog.ts";
import { RecentIds } from "../../src/room/recentIds.ts";

type Row = { seq: number; sender: string; cid: string };

/** The one EventLog method RecentIds reads, answering with `rows` (what storage held at the wake). */
const storedIds = (rows: Row[]) => ({ recentClientIds: () => rows }) as unknown as EventLog;

describe("RecentIds (the idempotency window)", () => {
  it("remembers ids for `window` events and then forgets them, oldest first", () => {
    const ids = new RecentIds(3);
    const log = storedIds([]);
    expect(ids.find(log, "alice", "a")).toBeUndefined();
    ids.remember("alice", "a", 1);
    ids.remember("bob", "a", 2); // same id, other sender: another message
    ids.remember("alice", "b", 3);
    expect([ids.find(log, "alice", "a"), ids.find(log, "bob", "a"), ids.find(log, "alice", "b")]).toEqual([1, 2, 3]);
    ids.remember("alice", "c", 4); // seq 1 leaves the window (4 - 3)
    expect(ids.find(log, "alice", "a")).toBeUndefined();
    expect(ids.find(log, "bob", "a")).toBe(2);
    // Events without ids (joins, leaves) widen the gap: seq 9 forgets everything up to 6.
    ids.remember("alice", "d", 9);
    expect([ids.find(log, "bob", "a"), ids.find(log, "alice", "b"), ids.find(log, "alice", "c")]).toEqual([undefined, undefined, undefined]);
    expect(ids.find(log, "alice", "d")).toBe(9);
  });

  it("keeps an id remembered again with a newer seq when its first entry ages out", () => {
    const ids = new RecentIds(2);
    const log = storedIds([]);
    ids.find(log, "alice", "x");
    ids.remember("alice", "x", 1);
    ids.remember("alice", "x", 2); // its original was pruned from history: stored again
    ids.remember("alice", "y", 3); // seq 1 ages out, but "x" now means seq 2
    expect(ids.find(log, "alice", "x")).toBe(2);
    ids.remember("alice", "z", 4);
    expect(ids.find(log, "alice", "x")).toBeUndefined();
  });

  it("fills from storage once after a wake and ages those ids like any other", () => {
    const ids = new RecentIds(3);
    const log = storedIds([
      { seq: 5, sender: "alice", cid: "a" },
      { seq: 6, sender: "bob", cid: "b" },
    ]);
    expect(ids.find(log, "bob", "b")).toBe(6);
    ids.remember("alice", "c", 8); // forgets seq 5
    expect(ids.find(log, "alice", "a")).toBeUndefined();
    expect(ids.find(log, "bob", "b")).toBe(6);
  });

  it("still forgets at the right seq after many rounds of dropping what it forgot", () => {
    const ids = new RecentIds(10);
    const log = storedIds([]);
    ids.find(log, "alice", "warm");
    for (let seq = 1; seq <= 10_000; seq++) ids.remember("alice", `m${seq}`, seq);
    expect(ids.find(log, "alice", "m9990")).toBeUndefined();
    expect(ids.find(log, "alice", "m9991")).toBe(9991);
    expect(ids.find(log, "alice", "m10000")).toBe(10_000);
  });
});
