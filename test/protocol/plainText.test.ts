import { describe, expect, it } from "vitest";
import type { Member, RoomEvent } from "../../src/protocol/frames.ts";
import { eventLine, frameLines, guestName, parseTextLine } from "../../src/protocol/plainText.ts";

const alice: Member = { id: "a", name: "alice" };
const bob: Member = { id: "b", name: "bob" };
const olivia: Member = { id: "o", name: "olivia", role: "owner" };
const base = { seq: 1, ts: 0 };

describe("a line from a plain-text client", () => {
  it("is a message, /me, /nick, /who or /help; //text escapes a slash", () => {
    expect(parseTextLine("hi there\n")).toEqual({ kind: "frame", frame: { type: "message", text: "hi there" } });
    expect(parseTextLine("/me waves")).toEqual({ kind: "frame", frame: { type: "message", text: "waves", action: true } });
    expect(parseTextLine("/nick al")).toEqual({ kind: "frame", frame: { type: "rename", name: "al" } });
    expect(parseTextLine("/who")).toEqual({ kind: "who" });
    expect(parseTextLine("/HELP")).toEqual({ kind: "help" });
    expect(parseTextLine("//etc/hosts")).toEqual({ kind: "frame", frame: { type: "message", text: "/etc/hosts" } });
    expect(parseTextLine("   ")).toEqual({ kind: "empty" });
  });

  it("explains an unknown or incomplete command instead of sending it", () => {
    expect(parseTextLine("/kick bob")).toMatchObject({ kind: "invalid", message: expect.stringContaining("/help") });
    expect(parseTextLine("/me")).toEqual({ kind: "invalid", message: "usage: /me ACTION" });
    expect(parseTextLine("/nick   ")).toEqual({ kind: "invalid", message: "usage: /nick NAME" });
  });
});

describe("the line for an event", () => {
  it("reads like the classic chat: name: text, * for the rest", () => {
    const lines: [RoomEvent, string | undefined][] = [
      [{ ...base, type: "message", from: alice, text: "hi" }, "alice: hi"],
      [{ ...base, type: "message", from: alice, text: "waves", action: true }, "* alice waves"],
      [{ ...base, type: "message", from: alice, deleted: true }, undefined],
      [
        { ...base, type: "message", from: bob, text: "yes", edited: 5, replyTo: { seq: 1, from: alice, snippet: "q" }, reactions: { "👍": 2, "🎉": 1 } },
        "bob (to alice): yes (edited) [👍 2, 🎉 1]",
      ],
      [{ ...base, type: "joined", member: bob }, "* bob joined"],
      [{ ...base, type: "left", member: bob }, "* bob left"],
      [{ ...base, type: "renamed", member: { id: "a", name: "al" }, from: "alice" }, "* alice is now al"],
      [{ ...base, type: "edited", target: 1, by: alice, text: "new" }, "* alice edited a message: new"],
      [{ ...base, type: "deleted", target: 1, by: olivia }, "* olivia deleted a message"],
      [{ ...base, type: "reactions", target: 1, counts: { "👍": 1 }, by: bob, emoji: "👍", on: true }, "* bob reacted 👍"],
      [{ ...base, type: "reactions", target: 1, counts: {}, by: bob, emoji: "👍", on: false }, undefined],
      [{ ...base, type: "kicked", member: bob, by: olivia, reason: "cool off" }, "* bob was removed by olivia (cool off)"],
      [{ ...base, type: "banned", member: bob, by: olivia }, "* bob was banned by olivia"],
    ];
    for (const [event, line] of lines) expect(eventLine(event), JSON.stringify(event)).toBe(line);
  });

  it("turns a welcome into the recent history, then where you are", () => {
    const lines = frameLines({
      type: "welcome",
      protocol: 1,
      room: "lobby",
      self: bob,
      session: "s".repeat(32),
      members: [alice, bob],
      online: 2,
      events: [
        { ...base, type: "message", from: alice, text: "hi" },
        { ...base, seq: 2, type: "joined", member: bob },
      ],
      lastSeq: 2,
      hasMore: false,
      settings: { topic: "", slowModeSeconds: 0, locked: false },
      limits: { nameMax: 32, textMax: 2000, frameMaxBytes: 16384, rateBurst: 10, ratePerSecond: 5 },
    });
    expect(lines).toEqual(["alice: hi", "* bob joined", "* you are bob in lobby; 2 online: alice, bob. /help for commands"]);
    expect(frameLines({ type: "error", code: "rate_limited", message: "slow down: wait 200 ms", retryAfterMs: 200 })).toEqual(["! slow down: wait 200 ms"]);
    expect(frameLines({ type: "typing", member: alice })).toEqual([]);
  });

  it("names guests guest-XXXX", () => {
    expect(guestName()).toMatch(/^guest-[0-9a-f]{4}$/);
  });
});
