/** Pure helpers of the browser client: links, routes, recent rooms, typing line (run in Node). */
import { describe, expect, it } from "vitest";
import { linkify, safeHref } from "../../src/web/linkify.ts";
import { roomFromInput, roomLabel, routeFor } from "../../src/web/route.ts";
import { RECENT_MAX, withRecentRoom, type RecentRoom } from "../../src/web/recentRooms.ts";
import { codePointLength, formatAgo, typingText } from "../../src/web/format.ts";

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
    expect(roomFromInput("two words")).toBeNull();
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
    for (let i = 0; i < 20; i++) list = withRecentRoom(list, { kind: "public", name: `r${i}` }, 10 + i);
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0]!.room).toBe("r19");
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
    expect(formatAgo(1_000_000, 1_000_000 + 30_000)).toBe("just now");
    expect(formatAgo(0, 5 * 60_000)).toBe("5 min ago");
    expect(formatAgo(0, 3 * 3_600_000)).toBe("3 h ago");
    expect(formatAgo(0, 26 * 3_600_000)).toBe("yesterday");
  });
});
