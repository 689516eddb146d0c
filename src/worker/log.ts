/**
 * Structured logs: one JSON line per connect, join, disconnect and refusal,
 * readable in `wrangler dev` and `wrangler tail` and indexed by Workers Logs.
 * Never pass message text here.
 */
export type LogEvent =
  | "connect"
  | "join"
  | "disconnect"
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
