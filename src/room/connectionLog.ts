/**
 * The room's connection log lines. A room of ordinary size logs one line per
 * connect and one per disconnect, with the member id. A crowd (see
 * PresenceFrame) counts them instead and logs one `connections` line per
 * `SUMMARY_MS`: in a join storm a line per socket would cost more CPU than
 * the join itself (every console.log is serialised for the log pipeline, and
 * under `wrangler dev` it also crosses the inspector to the terminal).
 */
import { log, type LogFields } from "../worker/log.ts";

export const SUMMARY_MS = 1000;

export class ConnectionLog {
  readonly #room: string;
  #connects = 0;
  #disconnects = 0;
  #flushAt: number | null = null;

  constructor(room: string) {
    this.#room = room;
  }

  /** When counted lines are due as a summary, or null if none are counted. */
  get flushAt(): number | null {
    return this.#flushAt;
  }

  /** A socket joined. Returns true when it started a summary window: the caller sets the alarm. */
  connect(fields: LogFields, crowd: boolean, now: number): boolean {
    return this.#record("connect", fields, crowd, now);
  }

  /** A socket closed (joined or not). Returns true like `connect`. */
  disconnect(fields: LogFields, crowd: boolean, now: number): boolean {
    return this.#record("disconnect", fields, crowd, now);
  }

  /** Logs the summary if its time has come by `now`. */
  flushDue(now: number, room: { sockets: number; online: number }): void {
    if (this.#flushAt === null || this.#flushAt > now) return;
    log("connections", {
      room: this.#room,
      connects: this.#connects,
      disconnects: this.#disconnects,
      sockets: room.sockets,
      online: room.online,
    });
    this.#connects = 0;
    this.#disconnects = 0;
    this.#flushAt = null;
  }

  #record(event: "connect" | "disconnect", fields: LogFields, crowd: boolean, now: number): boolean {
    if (!crowd) {
      log(event, { room: this.#room, ...fields });
      return false;
    }
    if (event === "connect") this.#connects += 1;
    else this.#disconnects += 1;
    if (this.#flushAt !== null) return false;
    this.#flushAt = now + SUMMARY_MS;
    return true;
  }
}
