import { describe, expect, it } from "vitest";
import { IdWindow } from "../../src/room/idempotency.ts";

const key = (sender: string, id: string) => ({ sender, id });

describe("IdWindow (which message ids the room remembers)", () => {
  it("remembers ids for `size` events and then forgets them, oldest first", () => {
    const ids = new IdWindow(3);
    expect(ids.find(key("alice", "a"))).toBeUndefined();
    ids.remember(key("alice", "a"), 1);
    ids.remember(key("bob", "a"), 2); // same id, other sender: another message
    ids.remember(key("alice", "b"), 3);
    expect([ids.find(key("alice", "a")), ids.find(key("bob", "a")), ids.find(key("alice", "b"))]).toEqual([1, 2, 3]);
    ids.remember(key("alice", "c"), 4); // seq 1 leaves the window (4 - 3)
    expect(ids.find(key("alice", "a"))).toBeUndefined();
    expect(ids.find(key("bob", "a"))).toBe(2);
    // Events without ids (joins, leaves) widen the gap: seq 9 forgets everything up to 6.
    ids.remember(key("alice", "d"), 9);
    expect([ids.find(key("bob", "a")), ids.find(key("alice", "b")), ids.find(key("alice", "c"))]).toEqual([undefined, undefined, undefined]);
    expect(ids.find(key("alice", "d"))).toBe(9);
  });

  it("keeps an id remembered again with a newer seq when its first entry ages out", () => {
    const ids = new IdWindow(2);
    ids.remember(key("alice", "x"), 1);
    ids.remember(key("alice", "x"), 2); // its original was pruned from history: stored again
    ids.remember(key("alice", "y"), 3); // seq 1 ages out, but "x" now means seq 2
    expect(ids.find(key("alice", "x"))).toBe(2);
    ids.remember(key("alice", "z"), 4);
    expect(ids.find(key("alice", "x"))).toBeUndefined();
  });

  it("ages ids filled from storage after a wake like any other", () => {
    const ids = new IdWindow(3);
    ids.fill([
      { seq: 5, sender: "alice", id: "a" },
      { seq: 6, sender: "bob", id: "b" },
    ]);
    expect(ids.find(key("bob", "b"))).toBe(6);
    ids.remember(key("alice", "c"), 8); // forgets seq 5
    expect(ids.find(key("alice", "a"))).toBeUndefined();
    expect(ids.find(key("bob", "b"))).toBe(6);
  });

  it("does not let a sender name and id run together into another pair", () => {
    const ids = new IdWindow(10);
    ids.remember(key("al", "ice:x"), 1);
    expect(ids.find(key("alice", ":x"))).toBeUndefined();
    expect(ids.find(key("al", "ice:x"))).toBe(1);
  });

  it("still forgets at the right seq after many rounds of dropping what it forgot", () => {
    const ids = new IdWindow(10);
    for (let seq = 1; seq <= 10_000; seq++) ids.remember(key("alice", `m${seq}`), seq);
    expect(ids.find(key("alice", "m9990"))).toBeUndefined();
    expect(ids.find(key("alice", "m9991"))).toBe(9991);
    expect(ids.find(key("alice", "m10000"))).toBe(10_000);
  });
});
