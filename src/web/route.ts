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
 * room link pasted from a chat (any origin; only its path is used). A name
 * that is not one as typed becomes one: "Book Club" opens `#book-club`
 * (see `roomNameFromText`).
 */
export function roomFromInput(input: string): RoomAddress | null {
  const text = input.trim();
  if (text === "") return null;
  const path = /^(?:https?:\/\/[^/\s]+)?\/r\/([^/?#\s]+)\/?(?:[?#].*)?$/i.exec(text);
  if (path) return parseRoomAddress(path[1]!);
  const name = text.replace(/^#/, "");
  return parseRoomAddress(name) ?? parseRoomAddress(roomNameFromText(name));
}

/**
 * A public room name made of free text: lower-case, accents taken off,
 * spaces and punctuation between words become "-", anything else that a
 * name cannot hold is dropped ("Book Club!" → "book-club"); "" when nothing
 * is left.
 */
export function roomNameFromText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, (run) => (/[\s.,:;/+&·'"]/.test(run) ? "-" : ""))
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

/** The address bar's path for `pathname` when it is not the canonical one (`/r/LOBBY` → `/r/lobby`), else null. */
export function canonicalPath(pathname: string, address: RoomAddress): string | null {
  const canonical = roomPath(address);
  return pathname === canonical ? null : canonical;
}
