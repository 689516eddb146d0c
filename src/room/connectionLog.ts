/**
 * The room's connection log lines. A room of ordinary size logs one line per
 * connect and one per disconnect, with the member id. A crowd (see
 * PresenceFrame) counts them instead and logs one `connections` line per
 * `SUMMARY_MS`: in a join storm a line per socket would cost more CPU than
 * the join itself (every console.log is serialised for the log pipeline, and
 * under `wrangler dev` it also crosses the inspector to the terminal).
 */
import { log, type LogFields } from "../shared/log.ts";
import type { Wake } from "./alarm.ts";

export const SUMMARY_MS = 1000;

export class ConnectionLog {
  readonly #room: string;
  readonly #wake: Wake;
  #connects = 0;
  #disconnects = 0;
  #flushAt: number | null = null;

  constructor(room: string, wake: Wake) {
    this.#room = room;
    this.#wake = wake;
  }

  /** A socket joined. */
  connect(fields: LogFields, crowd: boolean, now: number): void {
    this.#record("connect", fields, crowd, now);
  }

  /** A socket closed (joined or not). */
  disconnect(fields: LogFields, crowd: boolean, now: number): void {
    this.#record("disconnect", fields, crowd, now);
  }

  /** The alarm: logs the summary if its time has come by `now`. */
  due(now: number, room: { sockets: number; online: number }): void {
    if (this.#flushAt === null) return;
    if (this.#flushAt > now) {
      this.#wake(this.#flushAt);
      return;
    }
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

  #record(event: "connect" | "disconnect", fields: LogFields, crowd: boolean, now: number): void {
    if (!crowd) {
      log(event, { room: this.#room, ...fields });
      return;
    }
    if (event === "connect") this.#connects += 1;
    else this.#disconnects += 1;
    if (this.#flushAt !== null) return;
    this.#flushAt = now + SUMMARY_MS;
    this.#wake(this.#flushAt);
  }
}
