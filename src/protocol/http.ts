/**
 * The HTTP API beside the room socket (docs/protocol.md, "Rooms and URLs"):
 * the shapes the Worker answers with, and one decoder per answer for the
 * clients, so the Worker, the browser and the terminal agree on one type.
 */
import * as v from "valibot";
import type { Member } from "./frames.ts";

/** `GET /api/rooms/<room>`: who is here and how far history goes. */
export interface RoomInfo {
  /** The canonical room: a lower-case public name or a private room's 64-hex id. */
  room: string;
  private: boolean;
  online: number;
  /** Everyone online; empty in a crowd. */
  members: Member[];
  crowd: boolean;
  lastSeq: number;
}

/** `POST /api/rooms` → 201: a new private room, owned by whoever created it. */
export interface CreatedRoom {
  room: string;
  url: string;
  /** Secret: the room's owner key (43 base64url characters). Send it in `join` to act as the owner; never put it in a URL. */
  ownerKey: string;
}

/** `POST /api/rooms/<name>/claim` → 201: a public room that had no owner now has one. */
export interface ClaimedRoom {
  /** The canonical public name. */
  room: string;
  /** Secret: the room's owner key, shown this once. */
  ownerKey: string;
}

export type HttpErrorCode =
  | "invalid_room"
  | "room_not_found"
  | "not_found"
  | "method_not_allowed"
  | "upgrade_required"
  | "origin_forbidden"
  /** `POST /api/rooms/<name>/claim` on a room that already has an owner. */
  | "room_claimed"
  /** Too many rooms created or claimed from one address; `Retry-After` says when to try again. */
  | "too_many_requests"
  /** Too many sockets from one address in one room. */
  | "too_many_connections"
  | "internal";

/** The body of every refused request: `{ "error": { "code", "message" } }`. */
export interface HttpErrorBody {
  error: { code: HttpErrorCode; message: string };
}

type Schema<T> = v.GenericSchema<unknown, T>;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const roomInfo = v.object({
  room: v.string(),
  private: v.boolean(),
  online: count,
  members: v.array(v.object({ id: v.string(), name: v.string() })),
  crowd: v.boolean(),
  lastSeq: count,
}) satisfies Schema<RoomInfo>;

const createdRoom = v.object({ room: v.string(), url: v.string(), ownerKey: v.string() }) satisfies Schema<CreatedRoom>;

const claimedRoom = v.object({ room: v.string(), ownerKey: v.string() }) satisfies Schema<ClaimedRoom>;

/** Error codes are read as strings: a newer server may refuse for a reason this client does not know. */
const httpError = v.object({ error: v.object({ code: v.string(), message: v.string() }) });

/** A `GET /api/rooms/<room>` body, or null when it is not one. */
export function decodeRoomInfo(body: unknown): RoomInfo | null {
  const result = v.safeParse(roomInfo, body);
  return result.success ? result.output : null;
}

/** A `POST /api/rooms` body, or null when it is not one. */
export function decodeCreatedRoom(body: unknown): CreatedRoom | null {
  const result = v.safeParse(createdRoom, body);
  return result.success ? result.output : null;
}

/** A `POST /api/rooms/<name>/claim` body, or null when it is not one. */
export function decodeClaimedRoom(body: unknown): ClaimedRoom | null {
  const result = v.safeParse(claimedRoom, body);
  return result.success ? result.output : null;
}

/** The error of a refused request's body, or null when it has none. */
export function decodeHttpError(body: unknown): { code: string; message: string } | null {
  const result = v.safeParse(httpError, body);
  return result.success ? result.output.error : null;
}
