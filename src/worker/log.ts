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
