/**
 * Before opening the room's WebSocket, one HTTP request (`GET
 * /api/rooms/<room>`) tells an unreachable server, something that is not a
 * Parley server and an unknown private room apart, with a clear message. A
 * failed WebSocket handshake says none of that, and the room client would
 * just keep retrying.
 */
import { decodeHttpError, decodeRoomInfo, type RoomInfo } from "../protocol/http.ts";
import { EXIT, type Outcome } from "./exitCodes.ts";
import { sanitize } from "./sanitize.ts";

/** Asks the server about `room`: its info, or why chatting there cannot work (with the exit code to leave with). */
export async function checkRoom(baseUrl: string, room: string, timeoutMs: number): Promise<{ info: RoomInfo } | Outcome> {
  const url = `${baseUrl}/api/rooms/${encodeURIComponent(room)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: "application/json" } });
  } catch (error) {
    return { code: EXIT.failure, message: `cannot reach ${baseUrl}: ${networkReason(error, timeoutMs)}` };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const info = response.ok ? decodeRoomInfo(body) : null;
  if (info) return { info };
  const error = decodeHttpError(body);
  if (!error) {
    return {
      code: EXIT.failure,
      message: `${baseUrl} does not look like a Parley server (GET /api/rooms/${room} answered ${response.status})`,
    };
  }
  const code = sanitize(error.code);
  const message = sanitize(error.message);
  if (code === "room_not_found") return { code: EXIT.refused, message: `no such private room on ${baseUrl}: ${room}` };
  if (code === "invalid_room") return { code: EXIT.usage, message: `invalid room: ${message || room}` };
  return { code: EXIT.failure, message: `the server answered ${response.status} ${code}${message ? `: ${message}` : ""}` };
}

/** A short human reason for a failed fetch. */
function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  switch (cause?.code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
      return "the connection was reset";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return "the connection timed out";
    default:
      return cause?.message ?? (error instanceof Error ? error.message : String(error));
  }
}
