/**
 * What the client remembers, and where. Nothing here ever leaves the browser.
 *
 * - localStorage (per browser): the display name and the recently visited rooms.
 * - sessionStorage (per tab, per room): the session token and the last seq
 *   shown, so a reload or a discarded-and-restored tab rejoins quietly as the
 *   same member, and a second tab is a second member.
 *
 * Storage can be missing or full (private windows, quotas); every access
 * degrades to "nothing remembered" instead of failing the page.
 */
import type { RoomAddress } from "../protocol/validate.ts";
import { isRecentRoom, RECENT_MAX, withRecentRoom, type RecentRoom } from "./recentRooms.ts";

const NAME_KEY = "parley.name";
const RECENT_KEY = "parley.recentRooms";
const SESSION_PREFIX = "parley.session.";
const CREATED_PREFIX = "parley.created.";
export interface TabSession {
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

export function rememberRoom(address: RoomAddress, now = Date.now()): void {
  write(local, RECENT_KEY, JSON.stringify(withRecentRoom(loadRecentRooms(), address, now)));
}

export function forgetRecentRooms(): void {
  write(local, RECENT_KEY, null);
}

export function loadTabSession(room: string): TabSession | null {
  const raw = read(session, SESSION_PREFIX + room);
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<TabSession>;
    if (typeof parsed.session !== "string") return null;
    return typeof parsed.lastSeq === "number" ? { session: parsed.session, lastSeq: parsed.lastSeq } : { session: parsed.session };
  } catch {
    return null;
  }
}

export function saveTabSession(room: string, value: TabSession | null): void {
  write(session, SESSION_PREFIX + room, value === null ? null : JSON.stringify(value));
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
