/** The recently visited rooms list (pure; storage.ts keeps it in localStorage). */
import type { RoomAddress } from "../protocol/validate.ts";

export const RECENT_MAX = 8;

export interface RecentRoom {
  kind: RoomAddress["kind"];
  /** The public name or the private id. */
  room: string;
  /** When it was last opened, ms since the epoch. */
  visitedAt: number;
}

/** The list with `address` moved (or added) to the front, most recent first, at most RECENT_MAX. */
export function withRecentRoom(list: readonly RecentRoom[], address: RoomAddress, now: number): RecentRoom[] {
  const room = address.kind === "public" ? address.name : address.id;
  const entry: RecentRoom = { kind: address.kind, room, visitedAt: now };
  return [entry, ...list.filter((r) => r.room !== room)].slice(0, RECENT_MAX);
}

/** Anything read back from storage is checked: another version of the app, or a person, may have written it. */
export function isRecentRoom(value: unknown): value is RecentRoom {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (r.kind === "public" || r.kind === "private") && typeof r.room === "string" && typeof r.visitedAt === "number";
}
