/**
 * Structured logs: one JSON line per connect (a socket joining a room),
 * disconnect and refusal, readable in `wrangler dev` and `wrangler tail` and
 * indexed by Workers Logs. Never pass message text here. Lines cost CPU on
 * every join, so there is exactly one per connection and one per goodbye,
 * and a crowd logs a `connections` summary instead (room/connectionLog.ts).
 */
export type LogEvent =
  | "connect"
  | "disconnect"
  | "connections"
  | "refused"
  | "flood_closed"
  | "config_invalid"
  | "internal_error";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export function log(event: LogEvent, fields: LogFields): void {
  const line = JSON.stringify({ event, ...fields });
  if (event === "internal_error") console.error(line);
  else console.log(line);
}

/** A private room's id (64 hex), or any longer run of hex: ids and tokens alike. */
const LONG_HEX = /[0-9a-f]{64,}/gi;
/** Longest path a log line keeps: a request path is the client's to choose. */
const PATH_MAX = 200;

/**
 * A room as logs show it: a public name as it is, a private room's id cut to
 * its first 8 hex characters (`private:90ab6b12`). The full id is the key to
 * the room, and logs are read by more people than the room's members.
 */
export function logRoom(room: string): string {
  return /^[0-9a-f]{64}$/i.test(room) ? `private:${room.slice(0, 8)}` : room;
}

/** A request path as logs show it: private room ids cut to 8 characters (see `logRoom`), at most 200 characters. */
export function logPath(path: string): string {
  // Decoded first, so that a percent-encoded id is shortened too.
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: logged as it came.
  }
  const short = decoded.replace(LONG_HEX, (hex) => `private:${hex.slice(0, 8)}`);
  return short.length > PATH_MAX ? `${short.slice(0, PATH_MAX)}…` : short;
}
