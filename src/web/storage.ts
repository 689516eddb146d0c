/**
 * What the client remembers, and where. Nothing here ever leaves the browser.
 *
 * - localStorage (per browser): the display name, the recently visited
 *   rooms, an owner key per room, and per room the session token and the last
 *   seq shown: a reload or a restored tab rejoins quietly as the same member,
 *   and every tab of this browser in a room is that one member (the room
 *   takes several sockets per session); and per room this member's own
 *   reactions (the newest 500), which the room does not tell a page; and
 *   whether to notify of mentions (asked for from the room header); and per
 *   room the newest seq shown (and where this member left off), so the start
 *   page can say how much is new.
 * - sessionStorage (per tab): the "just created" mark.
 *
 * Storage can be missing or full (private windows, quotas); every access
 * degrades to "nothing remembered" instead of failing the page.
 */
import { isRecord, type RoomAddress } from "../protocol/validate.ts";
import { isRecentRoom, RECENT_MAX, withRecentRoom, type RecentRoom } from "./recentRooms.ts";

const NAME_KEY = "parley.name";
const RECENT_KEY = "parley.recentRooms";
const SESSION_PREFIX = "parley.session.";
const CREATED_PREFIX = "parley.created.";
const OWNER_PREFIX = "parley.owner.";
export interface SavedSession {
  session: string;
  lastSeq?: number;
}

function read(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function write(storage: () => Storage, key: string, value: string | null): void {
  try {
    if (value === null) storage().removeItem(key);
    else storage().setItem(key, value);
  } catch {
    // Not remembered; everything still works for this page.
  }
}

const local = () => window.localStorage;
const session = () => window.sessionStorage;

export type { RecentRoom };

export function loadName(): string | null {
  return read(local, NAME_KEY);
}

export function saveName(name: string): void {
  write(local, NAME_KEY, name);
}

export function loadRecentRooms(): RecentRoom[] {
  const raw = read(local, RECENT_KEY);
  if (raw === null) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isRecentRoom).slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberRoom(address: RoomAddress, title?: string, now = Date.now()): void {
  write(local, RECENT_KEY, JSON.stringify(withRecentRoom(loadRecentRooms(), address, now, title)));
}

export function forgetRecentRooms(): void {
  write(local, RECENT_KEY, null);
}

export function loadSavedSession(room: string): SavedSession | null {
  const raw = read(local, SESSION_PREFIX + room);
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!isRecord(parsed) || typeof parsed.session !== "string") return null;
    return typeof parsed.lastSeq === "number" ? { session: parsed.session, lastSeq: parsed.lastSeq } : { session: parsed.session };
  } catch {
    return null;
  }
}

export function saveSavedSession(room: string, value: SavedSession | null): void {
  write(local, SESSION_PREFIX + room, value === null ? null : JSON.stringify(value));
}

/** The owner key this browser holds for `room` (secret: it only ever travels in a join frame). */
export function loadOwnerKey(room: string): string | null {
  return read(local, OWNER_PREFIX + room);
}

export function saveOwnerKey(room: string, key: string): void {
  write(local, OWNER_PREFIX + room, key);
}

/** Set by the landing page right before opening a room it just created, so that page offers the link. */
export function markCreated(room: string): void {
  write(session, CREATED_PREFIX + room, "1");
}

export function takeCreatedMark(room: string): boolean {
  const marked = read(session, CREATED_PREFIX + room) === "1";
  if (marked) write(session, CREATED_PREFIX + room, null);
  return marked;
}

const REACTIONS_PREFIX = "parley.reactions.";

/** This browser's member's own reactions in `room`, as "SEQ EMOJI" entries, oldest first (see myReactions.ts). */
export interface SavedReactions {
  member: string;
  mine: string[];
}

export function loadMyReactions(room: string): SavedReactions | null {
  try {
    // Only ever written by saveMyReactions: checked for shape, not entry by entry (a stray entry matches nothing).
    const parsed: unknown = JSON.parse(read(local, REACTIONS_PREFIX + room) ?? "null");
    return isRecord(parsed) && Array.isArray(parsed.mine) ? (parsed as unknown as SavedReactions) : null;
  } catch {
    return null;
  }
}

export function saveMyReactions(room: string, value: SavedReactions): void {
  write(local, REACTIONS_PREFIX + room, JSON.stringify(value));
}

const NOTIFY_KEY = "parley.notifyMentions";

/** The person asked to be notified of mentions (from the room header's bell). */
export function loadNotifyMentions(): boolean {
  return read(local, NOTIFY_KEY) === "1";
}

export function saveNotifyMentions(on: boolean): void {
  write(local, NOTIFY_KEY, on ? "1" : null);
}

const LAST_SEEN_PREFIX = "parley.lastSeen.";
const LEFT_AT_PREFIX = "parley.leftAt.";

/**
 * The newest seq of `room` this browser has shown (its events up to there
 * were delivered to a page of the room), or null if never recorded. The
 * start page counts what is new since; the room page may mark it.
 */
export function lastSeenSeq(room: string): number | null {
  const seq = Number(read(local, LAST_SEEN_PREFIX + room) ?? NaN);
  return Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

export function setLastSeenSeq(room: string, seq: number): void {
  write(local, LAST_SEEN_PREFIX + room, String(seq));
}

/**
 * The last seen seq when this browser's member left `room` (the page went
 * away while in it): the room then records that departure as one more event,
 * which is nothing new to this person. Cleared on joining again.
 */
export function leftAtSeq(room: string): number | null {
  const seq = Number(read(local, LEFT_AT_PREFIX + room) ?? NaN);
  return Number.isSafeInteger(seq) ? seq : null;
}

export function setLeftAtSeq(room: string, seq: number | null): void {
  write(local, LEFT_AT_PREFIX + room, seq === null ? null : String(seq));
}

const DRAFT_PREFIX = "parley.draft.";

/** The message box's unsent text in `room` ("" when none). */
export function loadDraft(room: string): string {
  return read(local, DRAFT_PREFIX + room) ?? "";
}

export function saveDraft(room: string, text: string): void {
  write(local, DRAFT_PREFIX + room, text.trim() === "" ? null : text);
}
