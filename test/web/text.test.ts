/** Pure helpers of the browser client: links, routes, recent rooms, typing line (run in Node). */
import { describe, expect, it } from "vitest";
import { linkify, linkText, safeHref } from "../../src/client/linkify.ts";
import { stopOffer } from "../../src/web/chat/stopOffer.ts";
import { isRecentRoom } from "../../src/web/recentRooms.ts";
import { roomFromInput, roomLabel, routeFor } from "../../src/web/route.ts";
import { RECENT_MAX, withRecentRoom, type RecentRoom } from "../../src/web/recentRooms.ts";
import { codePointLength, dayHeading, timeAgo, typingText } from "../../src/web/readableText.ts";

const PRIVATE_ID = "a1".repeat(32);

describe("linkify", () => {
  it("links http and https URLs and leaves the rest as text", () => {
    expect(linkify("see https://example.com/a?b=1#c now")).toEqual([
      { kind: "text", text: "see " },
      { kind: "link", text: "https://example.com/a?b=1#c", href: "https://example.com/a?b=1#c" },
      { kind: "text", text: " now" },
    ]);
    expect(linkify("plain text")).toEqual([{ kind: "text", text: "plain text" }]);
  });

  it("never links other schemes", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd", "ftp://example.com"]) {
      expect(linkify(text).every((part) => part.kind === "text"), text).toBe(true);
    }
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("https://")).toBeNull();
  });

  it("keeps sentence punctuation and unbalanced brackets out of the link", () => {
    expect(linkify("go to https://example.com.")[1]).toMatchObject({ text: "https://example.com" });
    expect(linkify("(see https://example.com/x)")[1]).toMatchObject({ text: "https://example.com/x" });
    expect(linkify("https://en.wikipedia.org/wiki/Foo_(bar)")[0]).toMatchObject({ text: "https://en.wikipedia.org/wiki/Foo_(bar)" });
  });

  it("stops at characters that cannot be in a bare URL, so markup stays text", () => {
    const parts = linkify('http://x.test/"><img src=x onerror=alert(1)>');
    expect(parts[0]).toEqual({ kind: "link", text: "http://x.test/", href: "http://x.test/" });
    expect(parts.slice(1).every((p) => p.kind === "text")).toBe(true);
  });

  it("takes bidi controls out of a link's text, so it cannot show another file name than it links", () => {
    const [link] = linkify("https://files.example/\u202Egnp.exe");
    expect(link).toEqual({ kind: "link", text: "https://files.example/gnp.exe", href: "https://files.example/%E2%80%AEgnp.exe" });
    for (const control of ["\u202A", "\u202B", "\u202C", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"]) {
      expect(linkText(`https://a.example/x${control}y`, "https://a.example/"), JSON.stringify(control)).toBe("https://a.example/xy");
    }
  });

  it("shows a look-alike (non-ASCII) host in punycode, and an ASCII one as written", () => {
    // "раypal.com" with a Cyrillic р and а.
    expect(linkify("log in at https://\u0440\u0430ypal.com/login now")[1]).toEqual({
      kind: "link",
      text: "https://xn--ypal-43d9g.com/login",
      href: "https://xn--ypal-43d9g.com/login",
    });
    expect(linkify("https://bücher.example/straße")[0]).toMatchObject({ text: "https://xn--bcher-kva.example/straße" });
    // Full-width dots and letters are read as the ASCII host they stand for.
    expect(linkify("https://example\uFF0Ecom/a")[0]).toMatchObject({ text: "https://example.com/a" });
    expect(linkify("https://Example.COM/Path")[0]).toMatchObject({ text: "https://Example.COM/Path" });
  });

  it("reassembles to the original text", () => {
    const text = "a https://a.test b http://b.test/c?d, e";
    expect(linkify(text).map((p) => p.text).join("")).toBe(text);
  });
});

describe("routes", () => {
  it("maps paths to pages", () => {
    expect(routeFor("/")).toEqual({ page: "landing" });
    expect(routeFor("/r/Lobby")).toEqual({ page: "room", address: { kind: "public", name: "lobby" } });
    expect(routeFor(`/r/${PRIVATE_ID}`)).toEqual({ page: "room", address: { kind: "private", id: PRIVATE_ID } });
    expect(routeFor("/r/no%20spaces")).toEqual({ page: "bad-room", raw: "no spaces" });
    expect(routeFor("/r/%E0%A4%A")).toMatchObject({ page: "bad-room" });
    expect(routeFor("/elsewhere")).toEqual({ page: "not-found" });
  });

  it("reads a typed name, #name or a pasted room link", () => {
    expect(roomFromInput(" Lobby ")).toEqual({ kind: "public", name: "lobby" });
    expect(roomFromInput("#dev-chat")).toEqual({ kind: "public", name: "dev-chat" });
    expect(roomFromInput(`https://parley.example.workers.dev/r/${PRIVATE_ID}`)).toEqual({ kind: "private", id: PRIVATE_ID });
    expect(roomFromInput("/r/lobby?x=1")).toEqual({ kind: "public", name: "lobby" });
    // Free text becomes a name (issue 14: "Book Club" opens #book-club); nothing usable, nothing.
    expect(roomFromInput("two words")).toEqual({ kind: "public", name: "two-words" });
    expect(roomFromInput("!!!")).toBeNull();
    expect(roomFromInput("")).toBeNull();
  });

  it("never shows a private room's id as its title", () => {
    expect(roomLabel({ kind: "public", name: "lobby" })).toBe("#lobby");
    expect(roomLabel({ kind: "private", id: PRIVATE_ID })).toBe("Private room");
  });
});

describe("recent rooms", () => {
  it("puts the latest first, once, and keeps a handful", () => {
    let list: RecentRoom[] = [];
    list = withRecentRoom(list, { kind: "public", name: "a" }, 1);
    list = withRecentRoom(list, { kind: "private", id: PRIVATE_ID }, 2);
    list = withRecentRoom(list, { kind: "public", name: "a" }, 3);
    expect(list).toEqual([
      { kind: "public", room: "a", visitedAt: 3 },
      { kind: "private", room: PRIVATE_ID, visitedAt: 2 },
    ]);
    // A private room's topic is its name in the list, kept when it is visited again without one.
    list = withRecentRoom(list, { kind: "private", id: PRIVATE_ID }, 4, "Book club");
    list = withRecentRoom(list, { kind: "private", id: PRIVATE_ID }, 5);
    expect(list[0]).toEqual({ kind: "private", room: PRIVATE_ID, visitedAt: 5, title: "Book club" });
    expect(isRecentRoom({ kind: "private", room: PRIVATE_ID, visitedAt: 5, title: 7 })).toBe(false);
    for (let i = 0; i < 20; i++) list = withRecentRoom(list, { kind: "public", name: `r${i}` }, 10 + i);
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0]!.room).toBe("r19");
  });
});

describe("why a room client stopped, in words", () => {
  it("explains a kick, a ban (with when it ends), a locked room and a name in use", () => {
    expect(stopOffer({ code: 4003, reason: "spamming links" })).toMatchObject({
      kind: "rejoin",
      message: expect.stringMatching(/^An owner removed you from this room\. The room said: “spamming links”\. You may join again\.$/),
      sameMember: false,
    });
    const until = Date.UTC(2030, 0, 1, 12);
    const banned = stopOffer({ code: 1000, reason: "banned", error: { type: "error", code: "banned", message: "banned", until } });
    expect(banned).toMatchObject({ kind: "rejoin", message: expect.stringMatching(/^You are banned from this room until .*2030/) });
    expect(stopOffer({ code: 4004, reason: "" })).toMatchObject({ message: "You are banned from this room until an owner lifts the ban." });
    const locked = stopOffer({ code: 1000, reason: "locked", error: { type: "error", code: "room_locked", message: "locked" } });
    expect(locked).toMatchObject({ kind: "rejoin", message: expect.stringMatching(/^This room is locked/) });
    const taken = stopOffer({ code: 1000, reason: "taken", error: { type: "error", code: "name_taken", message: "taken" } });
    expect(taken).toMatchObject({ kind: "ask-name", error: expect.stringMatching(/already goes by that name/) });
  });
});

describe("small formatting", () => {
  it("says who is typing", () => {
    expect(typingText([])).toBe("");
    expect(typingText(["alice"])).toBe("alice is typing…");
    expect(typingText(["alice", "bob"])).toBe("alice and bob are typing…");
    expect(typingText(["a", "b", "c"])).toBe("a, b and c are typing…");
    expect(typingText(["a", "b", "c", "d"])).toBe("4 people are typing…");
  });

  it("counts code points as the protocol does, and says how long ago", () => {
    expect(codePointLength("héllo 👋")).toBe(7);
    expect(timeAgo(1_000_000, 1_000_000 + 30_000)).toBe("just now");
    expect(timeAgo(0, 5 * 60_000)).toBe("5 min ago");
    expect(timeAgo(0, 3 * 3_600_000)).toBe("3 h ago");
    expect(timeAgo(0, 26 * 3_600_000)).toBe("yesterday");
  });

  it("heads a day by how far back it is, on the reader's calendar", () => {
    const now = new Date(2026, 10, 3, 0, 30).getTime();
    expect(dayHeading(new Date(2026, 10, 3, 0, 5).getTime(), now)).toBe("Today");
    expect(dayHeading(new Date(2026, 10, 2, 23, 55).getTime(), now)).toBe("Yesterday");
    expect(dayHeading(new Date(2026, 9, 1).getTime(), now)).not.toMatch(/2026/);
    expect(dayHeading(new Date(2025, 9, 1).getTime(), now)).toMatch(/2025/);
  });
});
