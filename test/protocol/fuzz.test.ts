/** Property-based fuzzing of the frame decoder: any input, a documented outcome, never a throw. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ClientFrame } from "../../src/protocol/frames.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/limits.ts";
import { decodeClientFrame, isReactionEmoji, normalizeName, normalizeText } from "../../src/protocol/validate.ts";
import { anyFrame } from "../support/arbitraries.ts";

const ALLOWED_KEYS: Record<ClientFrame["type"], string[]> = {
  join: ["type", "name", "since", "session", "ownerKey"],
  message: ["type", "text", "id", "action", "replyTo"],
  react: ["type", "seq", "emoji", "on"],
  rename: ["type", "name"],
  typing: ["type"],
  history: ["type", "before", "after", "limit"],
  edit: ["type", "seq", "text"],
  delete: ["type", "seq"],
  kick: ["type", "member", "reason"],
  ban: ["type", "member", "minutes", "reason"],
  bans: ["type"],
  unban: ["type", "ban"],
  settings: ["type", "topic", "slowModeSeconds", "locked"],
  members: ["type", "after", "limit"],
  search: ["type", "q", "before", "limit"],
};

describe("decodeClientFrame under fuzzing", () => {
  it("returns a clean frame or a documented error for any input, and never throws", () => {
    fc.assert(
      fc.property(anyFrame, (data) => {
        const result = decodeClientFrame(data, DEFAULT_LIMITS);
        if (!result.ok) {
          expect(ERROR_CODES).toContain(result.error.code);
          expect(result.error.code).not.toBe("internal");
          expect(result.error.message.length).toBeGreaterThan(0);
          return;
        }
        const frame = result.value;
        // Only the fields the protocol defines survive: nothing server-owned, nothing unknown.
        for (const key of Object.keys(frame)) expect(ALLOWED_KEYS[frame.type]).toContain(key);
        if ("name" in frame) expect(normalizeName(frame.name, DEFAULT_LIMITS.NAME_MAX)).toEqual({ ok: true, value: frame.name });
        if (frame.type === "message") {
          expect(normalizeText(frame.text, DEFAULT_LIMITS.TEXT_MAX)).toEqual({ ok: true, value: frame.text });
          expect(frame.text.isWellFormed()).toBe(true);
          if (frame.replyTo !== undefined) expect(Number.isSafeInteger(frame.replyTo) && frame.replyTo >= 1).toBe(true);
        }
        if (frame.type === "react") {
          expect(isReactionEmoji(frame.emoji)).toBe(true);
          expect(typeof frame.on).toBe("boolean");
        }
      }),
      { numRuns: 3000 },
    );
  });
});
