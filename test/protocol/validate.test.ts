import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, readLimits } from "../../src/protocol/limits.ts";
import {
  canonicalEmoji,
  decodeClientFrame,
  decodeJoinQuery,
  isReactionEmoji,
  normalizeName,
  normalizeText,
  parseRoomAddress,
} from "../../src/protocol/validate.ts";

const decode = (frame: unknown) =>
  decodeClientFrame(typeof frame === "string" ? frame : JSON.stringify(frame), DEFAULT_LIMITS);
const errorCode = (frame: unknown) => {
  const result = decode(frame);
  return result.ok ? null : result.error.code;
};

describe("decodeClientFrame", () => {
  it("accepts each client frame type and keeps only known fields", () => {
    expect(decode({ type: "join", name: " alice ", since: 3, session: "0123456789abcdef0123", from: "x" })).toEqual({
      ok: true,
      value: { type: "join", name: "alice", since: 3, session: "0123456789abcdef0123" },
    });
    expect(decode({ type: "message", text: "hi", id: "m-1", seq: 99, ts: 1, from: { id: "x", name: "y" } })).toEqual({
      ok: true,
      value: { type: "message", text: "hi", id: "m-1" },
    });
    expect(decode({ type: "message", text: "waves", action: true })).toEqual({
      ok: true,
      value: { type: "message", text: "waves", action: true },
    });
    expect(decode({ type: "rename", name: "bob" })).toEqual({ ok: true, value: { type: "rename", name: "bob" } });
    expect(decode({ type: "typing", extra: 1 })).toEqual({ ok: true, value: { type: "typing" } });
    expect(decode({ type: "history", before: 10 })).toEqual({
      ok: true,
      value: { type: "history", before: 10, limit: 50 },
    });
  });

  it("refuses frames that are not JSON objects as bad_frame", () => {
    expect(errorCode("not json")).toBe("bad_frame");
    expect(errorCode("[1,2]")).toBe("bad_frame");
    expect(errorCode("null")).toBe("bad_frame");
    expect(errorCode('"text"')).toBe("bad_frame");
    const binary = decodeClientFrame(new ArrayBuffer(4), DEFAULT_LIMITS);
    expect(binary.ok ? null : binary.error.code).toBe("bad_frame");
  });

  it("refuses frames over FRAME_MAX_BYTES, counting UTF-8 bytes", () => {
    const limits = { ...DEFAULT_LIMITS, FRAME_MAX_BYTES: 100 };
    const ascii = JSON.stringify({ type: "message", text: "a".repeat(60) });
    expect(decodeClientFrame(ascii, limits).ok).toBe(true);
    // 40 three-byte characters: 40 UTF-16 units but 120 bytes.
    const wide = JSON.stringify({ type: "message", text: "€".repeat(40) });
    expect(wide.length).toBeLessThan(100);
    const result = decodeClientFrame(wide, limits);
    expect(result.ok ? null : result.error.code).toBe("bad_frame");
  });

  it("refuses unknown types and malformed fields as bad_request", () => {
    expect(errorCode({ type: "shout" })).toBe("bad_request");
    expect(errorCode({ kind: "message" })).toBe("bad_request");
    expect(errorCode({ type: "join", name: "a", since: -1 })).toBe("bad_request");
    expect(errorCode({ type: "join", name: "a", since: 1.5 })).toBe("bad_request");
    expect(errorCode({ type: "join", name: "a", session: "short" })).toBe("bad_request");
    expect(errorCode({ type: "message", text: "hi", id: "" })).toBe("bad_request");
    expect(errorCode({ type: "message", text: "hi", id: "x".repeat(65) })).toBe("bad_request");
    expect(errorCode({ type: "message", text: "hi", id: "has space" })).toBe("bad_request");
    expect(errorCode({ type: "message", text: "hi", action: "yes" })).toBe("bad_request");
    expect(errorCode({ type: "history", before: 0 })).toBe("bad_request");
    expect(errorCode({ type: "history", before: 5, limit: 101 })).toBe("bad_request");
    expect(errorCode({ type: "history", before: 5, limit: 0 })).toBe("bad_request");
  });

  it("carries the message id as ref on errors about that message", () => {
    const result = decode({ type: "message", text: "", id: "m-7" });
    expect(result).toEqual({ ok: false, error: { code: "text_empty", message: "text must not be empty", ref: "m-7" } });
  });
});

describe("replies and reactions", () => {
  it("accepts a reply's seq and refuses one that is not a message seq, with the message's ref", () => {
    expect(decode({ type: "message", text: "yes", id: "m-1", replyTo: 4 })).toEqual({ ok: true, value: { type: "message", text: "yes", id: "m-1", replyTo: 4 } });
    for (const replyTo of [0, -1, 1.5, "4", null, { seq: 4 }]) {
      expect(decode({ type: "message", text: "yes", id: "m-1", replyTo })).toEqual({
        ok: false,
        error: { code: "bad_request", message: expect.any(String), ref: "m-1" },
      });
    }
  });

  it("accepts a react frame with one emoji and keeps only its fields", () => {
    expect(decode({ type: "react", seq: 3, emoji: "👍", on: true, by: "x", counts: {} })).toEqual({
      ok: true,
      value: { type: "react", seq: 3, emoji: "👍", on: true },
    });
    expect(errorCode({ type: "react", seq: 0, emoji: "👍", on: true })).toBe("bad_request");
    expect(errorCode({ type: "react", seq: 3, emoji: "👍", on: "yes" })).toBe("bad_request");
    expect(errorCode({ type: "react", seq: 3, emoji: "👍" })).toBe("bad_request");
    expect(errorCode({ type: "react", seq: 3, emoji: "a", on: true })).toBe("reaction_invalid");
    expect(errorCode({ type: "react", seq: 3, on: true })).toBe("reaction_invalid");
  });

  it.each(["👍", "👍🏽", "❤️", "❤", "🇫🇷", "👨‍👩‍👧", "1️⃣", "#️⃣", "🏴‍☠️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🎉"])("takes %s as one emoji", (emoji) => {
    expect(isReactionEmoji(emoji)).toBe(true);
  });

  it("spells a reaction one way: a single pictograph with U+FE0F exactly when it is not a picture without it", () => {
    expect(canonicalEmoji("❤")).toBe("❤\uFE0F");
    expect(canonicalEmoji("❤\uFE0F")).toBe("❤\uFE0F");
    expect(canonicalEmoji("👍\uFE0F")).toBe("👍");
    expect(canonicalEmoji("👍")).toBe("👍");
    for (const sequence of ["👍🏽", "👨‍👩‍👧", "1️⃣", "🇫🇷", "🏴‍☠️"]) expect(canonicalEmoji(sequence)).toBe(sequence);
    expect(decode({ type: "react", seq: 3, emoji: "❤", on: true })).toEqual({ ok: true, value: { type: "react", seq: 3, emoji: "❤\uFE0F", on: true } });
  });

  it.each([
    ["a letter", "a"],
    ["a digit", "1"],
    ["a hash", "#"],
    ["two emoji", "👍👍"],
    ["nothing", ""],
    ["an emoji and a letter", "👍a"],
    ["a letter and an emoji", "a👍"],
    ["a 40-character string", "x".repeat(40)],
    ["40 characters of emoji parts", "👍".repeat(20)],
    ["a lone joiner", "\u200d"],
    ["a lone variation selector", "\uFE0F"],
    ["a lone skin tone", "🏽"],
    ["a lone surrogate", "\ud83d"],
    ["an emoji with a space", "👍 "],
    ["not a string", 7],
  ])("refuses %s", (_, emoji) => {
    expect(isReactionEmoji(emoji)).toBe(false);
  });
});

describe("decodeJoinQuery (a join in the socket URL)", () => {
  const decode = (query: string) => decodeJoinQuery(new URLSearchParams(query), DEFAULT_LIMITS);

  it("reads name and since, and nothing without a name", () => {
    expect(decode("")).toBeNull();
    expect(decode("since=3")).toBeNull();
    expect(decode("name=alice")).toEqual({ ok: true, value: { type: "join", name: "alice" } });
    expect(decode("name=%20Zo%C3%AB%20&since=42")).toEqual({ ok: true, value: { type: "join", name: "Zoë", since: 42 } });
  });

  it("refuses what a join frame would refuse, and any session token", () => {
    expect(decode("name=")).toMatchObject({ ok: false, error: { code: "name_invalid" } });
    expect(decode(`name=${"x".repeat(33)}`)).toMatchObject({ ok: false, error: { code: "name_invalid" } });
    for (const since of ["-1", "1.5", "abc", "", "9".repeat(20)]) {
      expect(decode(`name=a&since=${since}`), since).toMatchObject({ ok: false, error: { code: "bad_request" } });
    }
    expect(decode(`name=a&session=${"a".repeat(32)}`)).toMatchObject({
      ok: false,
      error: { code: "bad_request", message: expect.stringContaining("join frame") },
    });
  });
});

describe("names", () => {
  it("normalises to NFC and trims", () => {
    expect(normalizeName("  Zoe\u0301 ", 32)).toEqual({ ok: true, value: "Zoé" });
  });

  it("counts code points, not UTF-16 units", () => {
    expect(normalizeName("😀".repeat(32), 32).ok).toBe(true);
    expect(normalizeName("😀".repeat(33), 32).ok).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["not a string", 42],
    ["control character", "a\u0007b"],
    ["newline", "a\nb"],
    ["bidi override", "abc\u202Edef"],
    ["bidi isolate", "\u2067abc"],
    ["line separator", "a\u2028b"],
    ["lone surrogate", "a\uD800b"],
    ["too long", "x".repeat(33)],
  ])("refuses a name that is %s", (_label, name) => {
    const result = normalizeName(name, 32);
    expect(result.ok ? null : result.error.code).toBe("name_invalid");
  });

  it("allows emoji sequences joined with ZWJ", () => {
    expect(normalizeName("👩‍💻 dev", 32).ok).toBe(true);
  });
});

describe("text", () => {
  it("folds CRLF, keeps newlines and tabs, trims the ends", () => {
    expect(normalizeText("  line one\r\nline\ttwo\r  ", 2000)).toEqual({ ok: true, value: "line one\nline\ttwo" });
  });

  it.each([
    ["text_empty", ""],
    ["text_empty", " \n\t "],
    ["text_empty", undefined],
    ["text_too_long", "y".repeat(2001)],
    ["text_invalid", "bell\u0007"],
    ["text_invalid", "esc\u001b[31mred"],
    ["text_invalid", "c1\u0085"],
    ["text_invalid", "half\uDC00"],
  ])("gives %s for %j", (code, text) => {
    const result = normalizeText(text, 2000);
    expect(result.ok ? null : result.error.code).toBe(code);
  });

  it("allows exactly TEXT_MAX code points", () => {
    expect(normalizeText("😀".repeat(2000), 2000).ok).toBe(true);
  });
});

describe("room addresses", () => {
  it("case-folds public names and recognises private ids", () => {
    expect(parseRoomAddress("Lobby")).toEqual({ kind: "public", name: "lobby" });
    expect(parseRoomAddress("a_b-9")).toEqual({ kind: "public", name: "a_b-9" });
    const id = "ab".repeat(32);
    expect(parseRoomAddress(id.toUpperCase())).toEqual({ kind: "private", id });
  });

  it.each(["", "x".repeat(65), "has space", "dot.name", "ünï", "%20"])("refuses %j", (name) => {
    expect(parseRoomAddress(name)).toBeNull();
  });
});

describe("readLimits", () => {
  it("reads numbers and numeric strings, and keeps defaults for bad values", () => {
    const invalid: string[] = [];
    const limits = readLimits({ TEXT_MAX: 100, RATE_BURST: "50", NAME_MAX: "abc", ROOM_CAPACITY: -1 }, (key) =>
      invalid.push(key),
    );
    expect(limits.TEXT_MAX).toBe(100);
    expect(limits.RATE_BURST).toBe(50);
    expect(limits.NAME_MAX).toBe(DEFAULT_LIMITS.NAME_MAX);
    expect(limits.ROOM_CAPACITY).toBe(DEFAULT_LIMITS.ROOM_CAPACITY);
    expect(invalid.sort()).toEqual(["NAME_MAX", "ROOM_CAPACITY"]);
  });
});
