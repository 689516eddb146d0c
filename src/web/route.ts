/**
 * Which page a URL shows. The Worker serves the same index.html for every
 * path (single-page fallback), so the app decides here.
 */
import { parseRoomAddress, type RoomAddress } from "../protocol/validate.ts";

export type Route = { page: "landing" } | { page: "room"; address: RoomAddress } | { page: "bad-room"; raw: string } | { page: "not-found" };

export function routeFor(pathname: string): Route {
  if (pathname === "/" || pathname === "/index.html") return { page: "landing" };
  const room = /^\/r\/([^/]*)\/?$/.exec(pathname);
  if (!room) return { page: "not-found" };
  let raw: string;
  try {
    raw = decodeURIComponent(room[1]!);
  } catch {
    raw = room[1]!;
  }
  const address = parseRoomAddress(raw);
  return address ? { page: "room", address } : { page: "bad-room", raw };
}

/** The canonical name of a room: the lower-case public name or the private id. */
export function roomKey(address: RoomAddress): string {
  return address.kind === "public" ? address.name : address.id;
}

export function roomPath(address: RoomAddress): string {
  return `/r/${roomKey(address)}`;
}

/** How people see a room: `#lobby`, or "Private room" (its id is a secret, and long). */
export function roomLabel(address: RoomAddress): string {
  return address.kind === "public" ? `#${address.name}` : "Private room";
}

/**
 * Reads what someone typed into "join a room": a name, `#name`, or a whole
 * room link pasted from a chat (any origin; only its path is used).
 */
export function roomFromInput(input: string): RoomAddress | null {
  const text = input.trim();
  if (text === "") return null;
  const path = /^(?:https?:\/\/[^/\s]+)?\/r\/([^/?#\s]+)\/?(?:[?#].*)?$/i.exec(text);
  return parseRoomAddress(path ? path[1]! : text.replace(/^#/, ""));
}
