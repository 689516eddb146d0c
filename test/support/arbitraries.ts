/**
 * fast-check arbitraries for hostile input: any Unicode (lone surrogates,
 * control characters, bidi overrides, separators, emoji), any JSON shape,
 * plausible-looking frames with wrong fields, server-owned fields smuggled in,
 * binary and oversized frames.
 */
import fc from "fast-check";

/** Characters that break naive text handling. */
const NASTY = [
  "\u0000", "\u0007", "\u0008", "\u001b", "\u007f", "\u0085", "\n", "\r", "\t",
  "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u061c", "\u2028", "\u2029",
  "\ud800", "\udbff", "\udc00", "\udfff", "\ufeff", "\u200b", "\u200d", "\ufffd",
  "😀", "👩‍💻", "é", "e\u0301", "Ω", "ß", " ", "\"", "\\", "{", "<", ">", "&",
];

const unit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
);

/** Any string, biased towards the characters above. */
export const nastyString = (maxLength = 40) => fc.string({ unit, maxLength });

/** Any JSON-ish value a client could put in a field. */
export const anyValue = fc.oneof(
  nastyString(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
);

const KNOWN_TYPES = [
  "join", "message", "rename", "typing", "history",
  "edit", "delete", "react", "kick", "ban", "bans", "unban", "settings", "members", "search",
] as const;

/** Reactions, and things that look like one but are not a single emoji. */
const EMOJI = ["👍", "👍🏽", "❤️", "🇫🇷", "👨‍👩‍👧", "1️⃣", "🎉", "a", "1", "#", "👍👍", "", "👍a", "\u200d", "\uFE0F", "🇫"];

/** An object that looks like a client frame, with any subset of fields, valid or not. */
export const frameObject = fc
  .record(
    {
      type: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN_TYPES) }, { weight: 1, arbitrary: anyValue }),
      name: fc.oneof(nastyString(40), anyValue),
      text: fc.oneof(nastyString(60), anyValue),
      id: fc.oneof(fc.uuid(), nastyString(70), anyValue),
      action: fc.oneof(fc.boolean(), anyValue),
      since: fc.oneof(fc.nat(50), anyValue),
      before: fc.oneof(fc.nat(50), anyValue),
      limit: fc.oneof(fc.integer({ min: -5, max: 150 }), anyValue),
      session: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), anyValue),
      // Fields the server owns: a client must not be able to set them.
      seq: fc.oneof(fc.nat(60), anyValue),
      ts: anyValue,
      from: fc.oneof(fc.record({ id: nastyString(), name: nastyString() }), anyValue),
      member: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), anyValue),
      // The fields of edits and owners' frames.
      minutes: fc.oneof(fc.integer({ min: -2, max: 600_000 }), anyValue),
      reason: fc.oneof(nastyString(30), anyValue),
      ban: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), anyValue),
      topic: fc.oneof(nastyString(30), anyValue),
      slowModeSeconds: fc.oneof(fc.integer({ min: -2, max: 4000 }), anyValue),
      locked: fc.oneof(fc.boolean(), anyValue),
      after: fc.oneof(fc.nat(50), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), anyValue),
      ownerKey: fc.oneof(fc.stringMatching(/^[!-~]{8,50}$/), anyValue),
      // Replies and reactions.
      replyTo: fc.oneof(fc.nat(60), anyValue),
      emoji: fc.oneof(fc.constantFrom(...EMOJI), nastyString(6), anyValue),
      on: fc.oneof(fc.boolean(), anyValue),
      // Searches: words, FTS5 query syntax, and anything else.
      q: fc.oneof(fc.constantFrom("hello", '"', "*", "NEAR(a b)", "text:x", "-a", "a OR b", "^x", "(", "é"), nastyString(30), anyValue),
    },
    { requiredKeys: [] },
  )
  .chain((frame) =>
    fc.dictionary(nastyString(8), anyValue, { maxKeys: 2 }).map((extra) => ({ ...extra, ...frame })),
  );

/** A message frame with a usable id and hostile text: reaches the room's storage path. */
export const messageFrame = fc
  .record(
    {
      type: fc.constant("message"),
      text: nastyString(80),
      id: fc.uuid(),
      action: fc.boolean(),
      replyTo: fc.nat(60),
      seq: anyValue,
      from: anyValue,
    },
    { requiredKeys: ["type", "text"] },
  )
  .map((f) => JSON.stringify(f));

/** Any WebSocket frame a hostile client could send. */
export const anyFrame: fc.Arbitrary<string | ArrayBuffer> = fc.oneof(
  { weight: 6, arbitrary: frameObject.map((f) => JSON.stringify(f)) },
  { weight: 4, arbitrary: messageFrame },
  { weight: 1, arbitrary: nastyString(100) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => a.buffer) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 16_000, max: 40_000 }).map((n) => JSON.stringify({ type: "message", text: "x".repeat(n) })),
  },
);
