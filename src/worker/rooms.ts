/** Turning the room part of a URL into a Durable Object stub. */
import { parseRoomAddress, ROOM_NAME_RULE } from "../protocol/validate.ts";
import type { Room } from "../room/Room.ts";
import { HttpError } from "./http.ts";

export interface ResolvedRoom {
  /** The canonical room name: lower-case public name or private id. */
  room: string;
  private: boolean;
  stub: DurableObjectStub<Room>;
}

/**
 * Resolves a public name (`idFromName`) or a private room's id. A 64-hex id
 * that this namespace did not mint is refused by `idFromString`, so private
 * rooms cannot be forged, only shared.
 */
export function resolveRoom(env: Env, raw: string | undefined): ResolvedRoom {
  const address = parseRoomAddress(raw ?? "");
  if (!address) throw new HttpError(400, "invalid_room", `invalid room: ${ROOM_NAME_RULE}, or a private room's id`);
  if (address.kind === "public") {
    return { room: address.name, private: false, stub: env.ROOMS.get(env.ROOMS.idFromName(address.name)) };
  }
  let id: DurableObjectId;
  try {
    id = env.ROOMS.idFromString(address.id);
  } catch {
    throw new HttpError(404, "room_not_found", "no such private room");
  }
  return { room: address.id, private: true, stub: env.ROOMS.get(id) };
}

/** Mints a private room: its id is the Durable Object's unguessable unique id. */
export function createPrivateRoom(env: Env): string {
  return env.ROOMS.newUniqueId().toString();
}
