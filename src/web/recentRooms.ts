/** The recently visited rooms list (pure; storage.ts keeps it in localStorage). */
import { isRecord, type RoomAddress } from "../protocol/validate.ts";

export const RECENT_MAX = 8;

export interface RecentRoom {
  kind: RoomAddress["kind"];
  /** The public name or the private id. */
  room: string;
  /** When it was last opened, ms since the epoch. */
  visitedAt: number;
  /** A private room's topic, its name everywhere (its id is a secret). */
  title?: string;
}

/**
 * The list with `address` moved (or added) to the front, most recent first,
 * at most RECENT_MAX. Without `title` it keeps the one it had.
 */
export function withRecentRoom(list: readonly RecentRoom[], address: RoomAddress, now: number, title?: string): RecentRoom[] {
  const room = address.kind === "public" ? address.name : address.id;
  const known = title ?? list.find((r) => r.room === room)?.title;
  const entry: RecentRoom = { kind: address.kind, room, visitedAt: now, ...(known ? { title: known } : {}) };
  return [entry, ...list.filter((r) => r.room !== room)].slice(0, RECENT_MAX);
}

/** Anything read back from storage is checked: another version of the app, or a person, may have written it. */
export function isRecentRoom(value: unknown): value is RecentRoom {
  return (
    isRecord(value) &&
    (value.kind === "public" || value.kind === "private") && typeof value.room === "string" && typeof value.visitedAt === "number" &&
    (value.title === undefined || typeof value.title === "string")
  );
}
