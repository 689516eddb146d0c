/**
 * Getting stored events to every joined socket, in seq order, once.
 *
 * Chat messages go out at once. In a big room (`batchSockets` or more
 * sockets), presence events (joined, left, renamed) that come within the batch
 * window of the previous presence broadcast are held and sent together when
 * the room's alarm calls `flushDue`: a join storm then costs one frame per
 * socket per window instead of one per socket per join. The window grows with
 * the room, from 100 ms to 1 s at 2000 sockets, because each flush costs a
 * frame per socket. Anything held goes out before the next chat message, so
 * order always holds.
 *
 * A socket welcomed while events were held already has them (its welcome
 * replays history): `welcomed` records how far, and the flush skips those.
 */
import type { Connections } from "./connections.ts";
import type { StoredEvent } from "./eventLog.ts";
import { joinJson, send } from "./send.ts";

export const PRESENCE_BATCH_MS = 100;
const PRESENCE_BATCH_MAX_MS = 1000;

/** The batch window for a room of this many sockets. */
export function batchWindowMs(sockets: number): number {
  return Math.min(PRESENCE_BATCH_MAX_MS, Math.max(PRESENCE_BATCH_MS, Math.round(sockets / 2)));
}

export class Broadcaster {
  readonly #conns: Connections;
  readonly #batchSockets: number;
  #held: StoredEvent[] = [];
  /** Sockets welcomed since the last broadcast: their welcome carried events up to this seq. */
  readonly #welcomedThrough = new Map<WebSocket, number>();
  #lastPresenceBroadcast = 0;
  #flushAt: number | null = null;

  constructor(conns: Connections, batchSockets: number) {
    this.#conns = conns;
    this.#batchSockets = batchSockets;
  }

  /** When held presence events are due to go out, or null if none are held. */
  get flushAt(): number | null {
    return this.#flushAt;
  }

  /** A socket's welcome carried every event up to `seq`. */
  welcomed(ws: WebSocket, seq: number): void {
    this.#welcomedThrough.set(ws, seq);
  }

  forget(ws: WebSocket): void {
    this.#welcomedThrough.delete(ws);
  }

  /** Sends a chat event to everyone now (after anything held). */
  publish(stored: StoredEvent): void {
    if (this.#held.length > 0) {
      this.#held.push(stored);
      this.flushDue(Number.POSITIVE_INFINITY);
      return;
    }
    for (const [ws, conn] of this.#conns.all) {
      if (conn.session === null) continue;
      const through = this.#welcomedThrough.get(ws);
      if (through === undefined || through < stored.seq) send(ws, stored.json);
    }
    this.#welcomedThrough.clear();
  }

  /**
   * Sends a presence event now, or holds it if presence is busy in a big
   * room. Returns true when it started a hold: the caller sets the alarm.
   */
  announce(stored: StoredEvent, now: number): boolean {
    const sockets = this.#conns.size;
    const window = batchWindowMs(sockets);
    const quiet = now - this.#lastPresenceBroadcast >= window;
    if (this.#held.length === 0 && (quiet || sockets < this.#batchSockets)) {
      this.#lastPresenceBroadcast = now;
      this.publish(stored);
      return false;
    }
    this.#held.push(stored);
    if (this.#flushAt !== null) return false;
    this.#flushAt = this.#lastPresenceBroadcast + window;
    return true;
  }

  /** Sends everything held, in one frame per socket, if its time has come by `now`. */
  flushDue(now: number): void {
    if (this.#flushAt === null && this.#held.length === 0) return;
    if (this.#flushAt !== null && this.#flushAt > now) return;
    const held = this.#held;
    this.#held = [];
    this.#flushAt = null;
    this.#lastPresenceBroadcast = Date.now();
    const frames = new Map<number, string>();
    const frameFrom = (start: number): string => {
      let frame = frames.get(start);
      if (frame === undefined) {
        frame =
          start === held.length - 1 ? held[start]!.json : `{"type":"events","events":[${joinJson(held, start, held.length)}]}`;
        frames.set(start, frame);
      }
      return frame;
    };
    for (const [ws, conn] of this.#conns.all) {
      if (conn.session === null) continue;
      const through = this.#welcomedThrough.get(ws);
      const start = through === undefined ? 0 : held.findIndex((e) => e.seq > through);
      if (start >= 0) send(ws, frameFrom(start));
    }
    this.#welcomedThrough.clear();
  }

  /** Sends a frame that is not an event (typing) to every joined socket but one. */
  notice(json: string, except: WebSocket): void {
    for (const [ws, conn] of this.#conns.all) {
      if (conn.session !== null && ws !== except) send(ws, json);
    }
  }
}
