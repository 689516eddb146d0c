/**
 * Validation of everything a peer sends. The room trusts nothing else: a frame
 * that passes `decodeClientFrame` carries only the fields below, normalised;
 * unknown keys and server-owned fields (`from`, `seq`, `ts`) are dropped.
 */
import type { ClientFrame, ClientFrameOf, ClientFrameType, ErrorCode } from "./frames.ts";
import {
  BAN_MINUTES_MAX,
  CLIENT_ID_PATTERN,
  HISTORY_PAGE_MAX,
  MEMBERS_PAGE_MAX,
  REASON_MAX,
  SEARCH_PAGE_DEFAULT,
  SEARCH_PAGE_MAX,
  SEARCH_QUERY_MAX,
  SLOW_MODE_MAX_SECONDS,
  TOPIC_MAX,
  WELCOME_EVENTS,
  type Limits,
} from "./limits.ts";

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  ref?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ErrorCode, message: string, ref?: string): Result<never> => ({
  ok: false,
  error: ref === undefined ? { code, message } : { code, message, ref },
});

type FrameLimits = Pick<Limits, "NAME_MAX" | "TEXT_MAX" | "FRAME_MAX_BYTES">;

/** Session tokens the room hands out: 32 hex chars; anything close to that is accepted. */
const SESSION_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
/** Owner keys: the room's (43 base64url characters) or the operator's ADMIN_KEY (printable ASCII). */
const OWNER_KEY_PATTERN = /^[\x21-\x7e]{8,256}$/;

/** Decodes and validates one incoming WebSocket frame. */
export function decodeClientFrame(data: string | ArrayBuffer, limits: FrameLimits): Result<ClientFrame> {
  if (typeof data !== "string") return fail("bad_frame", "binary frames are not supported; send JSON text");
  if (exceedsBytes(data, limits.FRAME_MAX_BYTES)) {
    return fail("bad_frame", `frame is larger than ${limits.FRAME_MAX_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return fail("bad_frame", "frame is not valid JSON");
  }
  if (!isRecord(parsed)) return fail("bad_frame", "frame must be a JSON object");
  const type = parsed.type;
  if (typeof type !== "string") return fail("bad_request", 'frame needs a string "type"');
  if (!Object.hasOwn(CLIENT_FRAME_DECODERS, type)) return fail("bad_request", `unknown frame type "${clip(type)}"`);
  return CLIENT_FRAME_DECODERS[type as ClientFrameType](parsed, limits);
}

/**
 * The decoder of each client frame type, given the parsed object. Typed by
 * frame type: a new client frame type does not compile until it has one.
 */
const CLIENT_FRAME_DECODERS: FrameDecoders<ClientFrameType> = /* @__PURE__ */ clientFrameDecoders();

function clientFrameDecoders(): FrameDecoders<ClientFrameType> {
  return {
  join: (frame, limits) => decodeJoin(frame, limits),
  message: (frame, limits) => decodeMessage(frame, limits),
  rename: (frame, limits) => {
    const name = normalizeName(frame.name, limits.NAME_MAX);
    return name.ok ? ok({ type: "rename", name: name.value }) : name;
  },
  typing: () => ok({ type: "typing" }),
  history: (frame) => decodeHistory(frame),
  bans: () => ok({ type: "bans" }),
  members: (frame) => {
    if (frame.after !== undefined && (typeof frame.after !== "string" || !TOKEN_ID.test(frame.after))) {
      return fail("bad_request", "after must be the next of the previous members page");
    }
    const limit = frame.limit ?? MEMBERS_PAGE_MAX;
    if (!isSeq(limit, 1) || limit > MEMBERS_PAGE_MAX) return fail("bad_request", `limit must be a whole number from 1 to ${MEMBERS_PAGE_MAX}`);
    return ok({ type: "members", limit, ...defined({ after: frame.after as string | undefined }) });
  },
  search: (frame) => {
    if (typeof frame.q !== "string" || !frame.q.isWellFormed()) return fail("bad_request", "q must be the text to search for");
    const q = frame.q.normalize("NFC").trim();
    if (q === "" || codePointsExceed(q, SEARCH_QUERY_MAX)) return fail("bad_request", `q must be 1 to ${SEARCH_QUERY_MAX} characters`);
    if (frame.before !== undefined && !isSeq(frame.before, 1)) return fail("bad_request", "before must be a whole number >= 1");
    const limit = frame.limit ?? SEARCH_PAGE_DEFAULT;
    if (!isSeq(limit, 1) || limit > SEARCH_PAGE_MAX) return fail("bad_request", `limit must be a whole number from 1 to ${SEARCH_PAGE_MAX}`);
    return ok({ type: "search", q, limit, ...defined({ before: frame.before as number | undefined }) });
  },
  ...actionDecoders(),
  };
}

type FrameDecoders<K extends ClientFrameType> = {
  readonly [T in K]: (frame: Record<string, unknown>, limits: FrameLimits) => Result<ClientFrameOf<T>>;
};

/** The frames a person composes (edits, deletes, moderation): checked by clients too, before sending. */
export type ActionFrame = ClientFrameOf<ActionType>;
type ActionType = "edit" | "delete" | "react" | "kick" | "ban" | "unban" | "settings";

/**
 * Checks an action exactly as the room will, so a client can refuse a bad one
 * at once. A separate table from the room's full decoder, so that the browser
 * bundle carries only these checks.
 */
export function checkAction(frame: ActionFrame, limits: FrameLimits): Result<ActionFrame> {
  const decode = actionDecoders()[frame.type] as (frame: Record<string, unknown>, limits: FrameLimits) => Result<ActionFrame>;
  return decode({ ...frame }, limits);
}

/** A function rather than a constant, so that bundles that never call it (or its callers) drop it. */
function actionDecoders(): FrameDecoders<ActionType> {
  return {
  edit: (frame, limits) => {
    if (!isSeq(frame.seq, 1)) return fail("bad_request", "seq must be the seq of a message (a whole number >= 1)");
    const text = normalizeText(frame.text, limits.TEXT_MAX);
    return text.ok ? ok({ type: "edit", seq: frame.seq, text: text.value }) : text;
  },
  delete: (frame) =>
    isSeq(frame.seq, 1) ? ok({ type: "delete", seq: frame.seq }) : fail("bad_request", "seq must be the seq of a message (a whole number >= 1)"),
  react: (frame) => {
    if (!isSeq(frame.seq, 1)) return fail("bad_request", "seq must be the seq of a message (a whole number >= 1)");
    if (typeof frame.on !== "boolean") return fail("bad_request", "on must be true (react) or false (take it back)");
    if (!isReactionEmoji(frame.emoji)) return fail("reaction_invalid", "a reaction is one emoji");
    return ok({ type: "react", seq: frame.seq, emoji: canonicalEmoji(frame.emoji), on: frame.on });
  },
  kick: (frame) => {
    const member = memberId(frame.member);
    if (!member.ok) return member;
    const reason = optionalLine(frame.reason, "reason", REASON_MAX);
    return reason.ok ? ok({ type: "kick", member: member.value, ...defined({ reason: reason.value }) }) : reason;
  },
  ban: (frame) => {
    const member = memberId(frame.member);
    if (!member.ok) return member;
    if (frame.minutes !== undefined && (!isSeq(frame.minutes, 1) || frame.minutes > BAN_MINUTES_MAX)) {
      return fail("bad_request", `minutes must be a whole number from 1 to ${BAN_MINUTES_MAX}, or left out for a ban until unbanned`);
    }
    const reason = optionalLine(frame.reason, "reason", REASON_MAX);
    if (!reason.ok) return reason;
    return ok({ type: "ban", member: member.value, ...defined({ minutes: frame.minutes as number | undefined, reason: reason.value }) });
  },
  unban: (frame) =>
    typeof frame.ban === "string" && TOKEN_ID.test(frame.ban)
      ? ok({ type: "unban", ban: frame.ban })
      : fail("bad_request", "ban must be the id of a ban from the bans list"),
  settings: (frame) => {
    const topic = optionalLine(frame.topic, "topic", TOPIC_MAX, true);
    if (!topic.ok) return topic;
    const slow = frame.slowModeSeconds;
    if (slow !== undefined && (!isSeq(slow, 0) || slow > SLOW_MODE_MAX_SECONDS)) {
      return fail("bad_request", `slowModeSeconds must be a whole number from 0 (off) to ${SLOW_MODE_MAX_SECONDS}`);
    }
    if (frame.locked !== undefined && typeof frame.locked !== "boolean") return fail("bad_request", "locked must be true or false");
    if (topic.value === undefined && slow === undefined && frame.locked === undefined) {
      return fail("bad_request", "settings needs at least one of topic, slowModeSeconds, locked");
    }
    return ok({ type: "settings", ...defined({ topic: topic.value, slowModeSeconds: slow as number | undefined, locked: frame.locked as boolean | undefined }) });
  },
  };
}

/** Member ids, ban ids, page cursors: short tokens the room made. */
const TOKEN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function memberId(raw: unknown): Result<string> {
  return typeof raw === "string" && TOKEN_ID.test(raw) ? ok(raw) : fail("bad_request", "member must be a member's id");
}

/** A one-line text field (a reason, a topic): trimmed, at most `max` code points, no control characters; `empty` allows "". */
function optionalLine(raw: unknown, what: string, max: number, empty = false): Result<string | undefined> {
  if (raw === undefined) return ok(undefined);
  if (typeof raw !== "string" || !raw.isWellFormed()) return fail("bad_request", `${what} must be text`);
  const line = raw.normalize("NFC").trim();
  if (line === "" && !empty) return ok(undefined);
  if (codePointsExceed(line, max)) return fail("bad_request", `${what} must be at most ${max} characters`);
  if (NAME_FORBIDDEN.test(line)) return fail("bad_request", `${what} must be one line, without control or text-direction characters`);
  return ok(line);
}

/** The object without its undefined fields, so decoded frames carry only what was sent. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T)[]) if (fields[key] !== undefined) out[key] = fields[key];
  return out;
}

/**
 * A join carried by the socket URL (`…/ws?name=alice&since=42`), which saves
 * the round trip of a join frame. Null when the URL has no `name`. The session
 * token is a secret and never travels in a URL: a reconnect sends a join frame.
 */
export function decodeJoinQuery(query: URLSearchParams, limits: FrameLimits): Result<ClientFrame> | null {
  const name = query.get("name");
  if (name === null) return null;
  if (query.has("session") || query.has("ownerKey")) {
    return fail("bad_request", "secrets (session, ownerKey) go in a join frame, never in the URL");
  }
  const since = query.get("since");
  const quiet = query.get("quiet");
  return decodeJoin(
    {
      name,
      ...(since === null ? {} : { since: /^\d{1,15}$/.test(since) ? Number(since) : since }),
      ...(quiet === null ? {} : { quiet: quiet === "1" || quiet === "true" ? true : quiet === "0" || quiet === "false" ? false : quiet }),
    },
    limits,
  );
}

function decodeJoin(frame: Record<string, unknown>, limits: FrameLimits): Result<ClientFrameOf<"join">> {
  const name = normalizeName(frame.name, limits.NAME_MAX);
  if (!name.ok) return name;
  const join: ClientFrameOf<"join"> = { type: "join", name: name.value };
  if (frame.since !== undefined) {
    if (!isSeq(frame.since, 0)) return fail("bad_request", "since must be a whole number >= 0");
    join.since = frame.since;
  }
  if (frame.session !== undefined) {
    if (typeof frame.session !== "string" || !SESSION_PATTERN.test(frame.session)) {
      return fail("bad_request", "session must be the token from an earlier welcome");
    }
    join.session = frame.session;
  }
  if (frame.ownerKey !== undefined) {
    if (typeof frame.ownerKey !== "string" || !OWNER_KEY_PATTERN.test(frame.ownerKey)) {
      return fail("bad_request", "ownerKey must be the room's owner key");
    }
    join.ownerKey = frame.ownerKey;
  }
  if (frame.quiet !== undefined) {
    if (typeof frame.quiet !== "boolean") return fail("bad_request", "quiet must be true or false");
    if (frame.quiet) join.quiet = true;
  }
  return ok(join);
}

function decodeMessage(frame: Record<string, unknown>, limits: FrameLimits): Result<ClientFrameOf<"message">> {
  let id: string | undefined;
  if (frame.id !== undefined) {
    if (typeof frame.id !== "string" || !CLIENT_ID_PATTERN.test(frame.id)) {
      return fail("bad_request", "id must be 1-64 characters of A-Z a-z 0-9 . _ : -");
    }
    id = frame.id;
  }
  if (frame.action !== undefined && typeof frame.action !== "boolean") {
    return fail("bad_request", "action must be true or false", id);
  }
  if (frame.replyTo !== undefined && !isSeq(frame.replyTo, 1)) {
    return fail("bad_request", "replyTo must be the seq of a message (a whole number >= 1)", id);
  }
  const text = normalizeText(frame.text, limits.TEXT_MAX);
  if (!text.ok) return id === undefined ? text : fail(text.error.code, text.error.message, id);
  const message: ClientFrameOf<"message"> = { type: "message", text: text.value };
  if (id !== undefined) message.id = id;
  if (frame.action === true) message.action = true;
  if (frame.replyTo !== undefined) message.replyTo = frame.replyTo;
  return ok(message);
}

function decodeHistory(frame: Record<string, unknown>): Result<ClientFrameOf<"history">> {
  const limit = frame.limit ?? WELCOME_EVENTS;
  if (!isSeq(limit, 1) || limit > HISTORY_PAGE_MAX) {
    return fail("bad_request", `limit must be a whole number from 1 to ${HISTORY_PAGE_MAX}`);
  }
  if (frame.after !== undefined) {
    if (frame.before !== undefined) return fail("bad_request", "ask for before or after, not both");
    if (!isSeq(frame.after, 0)) return fail("bad_request", "after must be a whole number >= 0");
    return ok({ type: "history", after: frame.after, limit });
  }
  if (!isSeq(frame.before, 1)) return fail("bad_request", "before must be a whole number >= 1");
  return ok({ type: "history", before: frame.before, limit });
}

// Names are shown next to every message, so nothing that hides, reorders or
// breaks the text around them is allowed: control characters, line and
// paragraph separators, bidirectional controls.
const NAME_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// What shows as nothing: spaces, default-ignorable characters (zero-width
// spaces and joiners, the Hangul fillers…) and the blank Braille pattern.
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;
// Message text may hold newlines and tabs; other control characters are
// refused because terminal clients would interpret them.
const TEXT_FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** A display name: NFC, trimmed, 1..max code points, nothing invisible or reordering. */
export function normalizeName(raw: unknown, max: number): Result<string> {
  if (typeof raw !== "string") return fail("name_invalid", "name must be a string");
  if (!raw.isWellFormed()) return fail("name_invalid", "name contains an unpaired surrogate");
  const name = raw.normalize("NFC").trim();
  if (name === "") return fail("name_invalid", "name must not be empty");
  if (codePointsExceed(name, max)) return fail("name_invalid", `name must be at most ${max} characters`);
  if (NAME_FORBIDDEN.test(name)) {
    return fail("name_invalid", "name must not contain control, line-break or text-direction characters");
  }
  if (name.replace(INVISIBLE, "") === "") return fail("name_invalid", "name must have a visible character");
  return ok(name);
}

/** Message text: CRLF folded to LF, trimmed, 1..max code points. */
export function normalizeText(raw: unknown, max: number): Result<string> {
  if (typeof raw !== "string") return fail("text_empty", "text must be a non-empty string");
  if (!raw.isWellFormed()) return fail("text_invalid", "text contains an unpaired surrogate");
  const text = raw.replace(/\r\n?/g, "\n").trim();
  if (text === "") return fail("text_empty", "text must not be empty");
  if (codePointsExceed(text, max)) return fail("text_too_long", `text must be at most ${max} characters`);
  if (TEXT_FORBIDDEN.test(text)) return fail("text_invalid", "text must not contain control characters");
  return ok(text);
}

// A reaction: only characters that make up emoji (pictographs, skin tones,
// joiners, variation selectors, keycaps, flags' regional indicators and tags)…
const EMOJI_PARTS = /^[\p{Extended_Pictographic}\p{Emoji_Component}\p{Emoji_Modifier}\u200D\uFE0F\u20E3]+$/u;
// …with at least one that is a picture by itself (so "1" or "#" alone is not one).
const EMOJI_PICTURE = /[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]/u;
/** The longest emoji sequences (family ZWJ sequences, subdivision flags) are well under this many UTF-16 units. */
const EMOJI_MAX_UNITS = 32;

/** Whether `raw` is one emoji: one grapheme cluster made of emoji characters. */
export function isReactionEmoji(raw: unknown): raw is string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > EMOJI_MAX_UNITS || !raw.isWellFormed()) return false;
  if (!EMOJI_PARTS.test(raw) || !EMOJI_PICTURE.test(raw)) return false;
  let graphemes = 0;
  for (const _ of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(raw)) if (++graphemes > 1) return false;
  return true;
}

const ONE_PICTOGRAPH = /^(\p{Extended_Pictographic})\uFE0F?$/u;
const PICTURE_BY_DEFAULT = /^\p{Emoji_Presentation}$/u;

/**
 * One emoji in one spelling, so that "❤" typed at a terminal and "❤️" from
 * a picker count as the same reaction: a single pictograph takes the
 * variation selector (U+FE0F) exactly when it is not shown as a picture
 * without it. Sequences (skin tones, ZWJ families, flags, keycaps) are kept
 * as sent.
 */
export function canonicalEmoji(emoji: string): string {
  const single = ONE_PICTOGRAPH.exec(emoji)?.[1];
  if (single === undefined) return emoji;
  return PICTURE_BY_DEFAULT.test(single) ? single : `${single}\uFE0F`;
}

/** A room address from a URL: a public name, or a private room's 64-hex id. */
export type RoomAddress = { kind: "public"; name: string } | { kind: "private"; id: string };

const PRIVATE_ROOM = /^[0-9a-f]{64}$/;
const PUBLIC_ROOM = /^[a-z0-9_-]{1,64}$/;

/** Case-folds and classifies a room name; null when it is neither form. */
export function parseRoomAddress(raw: string): RoomAddress | null {
  const room = raw.toLowerCase();
  if (PRIVATE_ROOM.test(room)) return { kind: "private", id: room };
  if (PUBLIC_ROOM.test(room)) return { kind: "public", name: room };
  return null;
}

export const ROOM_NAME_RULE = "room names are 1-64 characters of a-z, 0-9, - and _";

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

/** Whether `text` is over `max` bytes of UTF-8, without encoding the common short frame. */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length * 3 <= max) return false;
  if (text.length > max) return true;
  return new TextEncoder().encode(text).byteLength > max;
}

/** Code-point length test; counts only when UTF-16 length leaves it open. */
function codePointsExceed(text: string, max: number): boolean {
  if (text.length <= max) return false;
  if (text.length > 2 * max) return true;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
