/**
 * What the page can learn about a room before joining it (`GET
 * /api/rooms/<room>`): who is here, for the name form, and whether a private
 * room exists at all.
 */
import { decodeHttpError, decodeRoomInfo, type RoomInfo } from "../../protocol/http.ts";

export type RoomInfoAnswer = { kind: "ok"; info: RoomInfo } | { kind: "missing" } | { kind: "unknown" };

/** Asks the server about `room`; any failure is "unknown", never thrown: joining may still work. */
export async function fetchRoomInfo(room: string): Promise<RoomInfoAnswer> {
  try {
    const response = await fetch(`/api/rooms/${encodeURIComponent(room)}`, { headers: { Accept: "application/json" } });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) return decodeHttpError(body)?.code === "room_not_found" ? { kind: "missing" } : { kind: "unknown" };
    const info = decodeRoomInfo(body);
    return info ? { kind: "ok", info } : { kind: "unknown" };
  } catch {
    return { kind: "unknown" };
  }
}
