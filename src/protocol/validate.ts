/**
 * Validation of everything a peer sends. The room trusts nothing else: a frame
 * that passes `decodeClientFrame` carries only the fields below, normalised;
 * unknown keys and server-owned fields (`from`, `seq`, `ts`) are dropped.
 */
import type { ClientFrame, ErrorCode, ServerFrame } from "./frames.ts";
import { CLIENT_ID_PATTERN, HISTORY_PAGE_MAX, WELCOME_EVENTS, type Limits } from "./limits.ts";

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
  switch (parsed.type) {
    case "join":
      return decodeJoin(parsed, limits);
    case "message":
      return decodeMessage(parsed, limits);
    case "rename": {
      const name = normalizeName(parsed.name, limits.NAME_MAX);
      return name.ok ? ok({ type: "rename", name: name.value }) : name;
    }
    case "typing":
      return ok({ type: "typing" });
    case "history":
      return decodeHistory(parsed);
    default:
      return fail(
        "bad_request",
        typeof parsed.type === "string" ? `unknown frame type "${clip(parsed.type)}"` : 'frame needs a string "type"',
      );
  }
}

/**
 * A join carried by the socket URL (`…/ws?name=alice&since=42`), which saves
 * the round trip of a join frame. Null when the URL has no `name`. The session
 * token is a secret and never travels in a URL: a reconnect sends a join frame.
 */
export function decodeJoinQuery(query: URLSearchParams, limits: FrameLimits): Result<ClientFrame> | null {
  const name = query.get("name");
  if (name === null) return null;
  if (query.has("session")) return fail("bad_request", "send the session in a join frame, not in the URL");
  const since = query.get("since");
  return decodeJoin({ name, ...(since === null ? {} : { since: /^\d{1,15}$/.test(since) ? Number(since) : since }) }, limits);
}

function decodeJoin(frame: Record<string, unknown>, limits: FrameLimits): Result<ClientFrame> {
  const name = normalizeName(frame.name, limits.NAME_MAX);
  if (!name.ok) return name;
  const join: ClientFrame = { type: "join", name: name.value };
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
  return ok(join);
}

function decodeMessage(frame: Record<string, unknown>, limits: FrameLimits): Result<ClientFrame> {
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
  const text = normalizeText(frame.text, limits.TEXT_MAX);
  if (!text.ok) return id === undefined ? text : fail(text.error.code, text.error.message, id);
  const message: ClientFrame = { type: "message", text: text.value };
  if (id !== undefined) message.id = id;
  if (frame.action === true) message.action = true;
  return ok(message);
}

function decodeHistory(frame: Record<string, unknown>): Result<ClientFrame> {
  if (!isSeq(frame.before, 1)) return fail("bad_request", "before must be a whole number >= 1");
  const limit = frame.limit ?? WELCOME_EVENTS;
  if (!isSeq(limit, 1) || limit > HISTORY_PAGE_MAX) {
    return fail("bad_request", `limit must be a whole number from 1 to ${HISTORY_PAGE_MAX}`);
  }
  return ok({ type: "history", before: frame.before, limit });
}

// Names are shown next to every message, so nothing that hides, reorders or
// breaks the text around them is allowed: control characters, line and
// paragraph separators, bidirectional controls.
const NAME_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
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

/**
 * Parses a frame from the server for a client. Only the envelope is checked
 * (an object with a string `type`): the server is trusted to send what
 * frames.ts says, and unknown types are for the caller to ignore.
 */
export function decodeServerFrame(data: string): ServerFrame | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  return isRecord(parsed) && typeof parsed.type === "string" ? (parsed as unknown as ServerFrame) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

/** UTF-8 length test without encoding the common short frame. */
function exceedsBytes(text: string, max: number): boolean {
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
