/**
 * Getting stored events to every joined socket, in seq order, once.
 *
 * Each event costs a frame per socket, so a room with a backlog sends what
 * has queued up together:
 *
 * - in a small room (fewer than `batchSockets` sockets) the first event of a
 *   turn of the event loop goes out at once, and so does every event of a
 *   quiet room; events stored later in the same turn (the room was busy:
 *   several senders, or one with several messages in flight, their frames
 *   waiting while it stored the first) are held until the turn ends (a 0 ms
 *   timer) and go out as one `events` frame per socket. A lone message is
 *   never delayed;
 * - in a big room every chat message is held until the end of the turn, so
 *   a burst goes out as one frame per socket instead of one per message (a
 *   lone message waits one turn there: at that size, fewer frames matter
 *   more);
 * - presence events (joined, left, renamed) that come within the batch
 *   window of the previous presence broadcast are held and sent together when
 *   the room's alarm calls `flushDue`: a join storm then costs one frame per
 *   socket per window instead of one per socket per join. The window grows
 *   with the room, from 100 ms to 1 s at 2000 sockets.
 *
 * Whatever is held goes out in seq order, in one frame, so order always holds.
 * A socket welcomed while events were held already has them (its welcome
 * replays history): `welcomed` records how far, and the flush skips those.
 *
 * In a crowd, joins and leaves are not events: `countChanged` marks the
 * room's `presence` frame as due, on a longer window (1 s to 5 s), so a storm
 * of any size costs one small frame per socket per window. The frame is built
 * when it is sent, so it always tells the room as it is then.
 */
import { eventArray, eventsFrame, type Json } from "../protocol/encode.ts";
import type { PresenceFrame, ServerFrame } from "../protocol/frames.ts";
import type { Wake } from "./alarm.ts";
import type { Connections } from "./connections.ts";
import type { StoredEvent } from "./eventLog.ts";
import { send } from "./send.ts";

export const PRESENCE_BATCH_MS = 100;
const PRESENCE_BATCH_MAX_MS = 1000;
const COUNT_WINDOW_MS = 1000;
const COUNT_WINDOW_MAX_MS = 5000;

/** The batch window for a room of this many sockets. */
export function batchWindowMs(sockets: number): number {
  return Math.min(PRESENCE_BATCH_MAX_MS, Math.max(PRESENCE_BATCH_MS, Math.round(sockets / 2)));
}

/**
 * How often a crowd of this many sockets hears its count: a number on screen
 * needs no sub-second freshness, and each update is a frame per socket.
 */
export function countWindowMs(sockets: number): number {
  return Math.min(COUNT_WINDOW_MAX_MS, Math.max(COUNT_WINDOW_MS, sockets));
}

export class Broadcaster {
  readonly #conns: Connections;
  readonly #batchSockets: number;
  /** Builds the current `presence` frame when one is due. */
  readonly #presenceFrame: () => Json<PresenceFrame>;
  readonly #wake: Wake;
  #held: StoredEvent[] = [];
  #presenceDue = false;
  /** A 0 ms timer will flush what is held (see publish). */
  #turnFlush = false;
  /** Sockets welcomed since the last broadcast: their welcome carried events up to this seq. */
  readonly #welcomedThrough = new Map<WebSocket, number>();
  #lastPresenceBroadcast = 0;
  #flushAt: number | null = null;

  constructor(conns: Connections, batchSockets: number, presenceFrame: () => Json<PresenceFrame>, wake: Wake) {
    this.#conns = conns;
    this.#batchSockets = batchSockets;
    this.#presenceFrame = presenceFrame;
    this.#wake = wake;
  }

  /** A socket's welcome carried every event up to `seq`. */
  welcomed(ws: WebSocket, seq: number): void {
    this.#welcomedThrough.set(ws, seq);
  }

  forget(ws: WebSocket): void {
    this.#welcomedThrough.delete(ws);
  }

  /**
   * Sends a chat event to everyone (after any events held; a due count can
   * wait): now if it is the first of its turn in a small room, else at the
   * end of this turn.
   */
  publish(stored: StoredEvent): void {
    // Something went out or was held this turn (or the room is big): this waits for the turn's end, after it.
    if (this.#turnFlush || this.#conns.size >= this.#batchSockets) {
      this.#held.push(stored);
      this.#flushAtTurnEnd();
      return;
    }
    if (this.#held.length > 0) {
      this.#held.push(stored);
      this.#flushHeld();
    } else {
      for (const [ws, conn] of this.#conns.all) {
        if (conn.session === null) continue;
        const through = this.#welcomedThrough.get(ws);
        if (through === undefined || through < stored.seq) send(ws, stored.json);
      }
      this.#welcomedThrough.clear();
    }
    this.#flushAtTurnEnd();
  }

  /** Starts the 0 ms timer that ends this turn's batch: until it fires, published events are held. */
  #flushAtTurnEnd(): void {
    if (this.#turnFlush) return;
    this.#turnFlush = true;
    setTimeout(() => {
      this.#turnFlush = false;
      this.#flushHeld();
    }, 0);
  }

  /**
   * Sends a presence event: in a small room as a chat event is sent; in a big
   * one now, or held (until the alarm) if presence is busy.
   */
  announce(stored: StoredEvent, now: number): void {
    if (this.#conns.size < this.#batchSockets && !this.#presenceDue) {
      this.#lastPresenceBroadcast = now;
      this.publish(stored);
      return;
    }
    this.#presenceNowOrLater(now, batchWindowMs, () => this.publish(stored), () => this.#held.push(stored));
  }

  /**
   * The number online changed in a crowd (or the room stopped being one):
   * sends the presence frame now, or when the window ends.
   */
  countChanged(now: number): void {
    if (this.#conns.size < this.#batchSockets && !this.#presenceDue) {
      // A small crowd hears its count at once, after what this turn held.
      this.#flushHeld();
      this.#lastPresenceBroadcast = now;
      this.#sendToJoined(this.#presenceFrame());
      return;
    }
    this.#presenceNowOrLater(
      now,
      countWindowMs,
      () => this.#sendToJoined(this.#presenceFrame()),
      () => (this.#presenceDue = true),
    );
  }

  #presenceNowOrLater(now: number, windowMs: (sockets: number) => number, sendNow: () => void, hold: () => void): void {
    const sockets = this.#conns.size;
    const window = windowMs(sockets);
    const quiet = now - this.#lastPresenceBroadcast >= window;
    if (this.#held.length === 0 && !this.#presenceDue && quiet) {
      this.#lastPresenceBroadcast = now;
      sendNow();
      return;
    }
    hold();
    if (this.#flushAt !== null) return;
    this.#flushAt = this.#lastPresenceBroadcast + window;
    this.#wake(this.#flushAt);
  }

  /**
   * The alarm: if the window has ended by `now`, sends everything held, in
   * one frame per socket, then the presence frame if one is due.
   */
  due(now: number): void {
    if (this.#flushAt !== null && this.#flushAt > now) {
      this.#wake(this.#flushAt);
      return;
    }
    this.#flushAt = null;
    this.#flushHeld();
    if (!this.#presenceDue) return;
    this.#presenceDue = false;
    this.#lastPresenceBroadcast = Date.now();
    this.#sendToJoined(this.#presenceFrame());
  }

  /**
   * Sends the held events now, in one frame per socket; a due count keeps
   * its window (it is not ordered with events).
   */
  #flushHeld(): void {
    const held = this.#held;
    if (held.length === 0) return;
    this.#held = [];
    this.#lastPresenceBroadcast = Date.now();
    const frames = new Map<number, Json<ServerFrame>>();
    const frameFrom = (start: number): Json<ServerFrame> => {
      let frame = frames.get(start);
      if (frame === undefined) {
        frame = start === held.length - 1 ? held[start]!.json : eventsFrame(eventArray(held, start));
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

  /** An answer to one socket is about to go: what is held goes first (a busy turn's batch ends early). */
  beforeReply(): void {
    this.#flushHeld();
  }

  /** Sends an event again to one socket (a resend's acknowledgement), after anything held: never out of order. */
  resend(ws: WebSocket, stored: StoredEvent): void {
    this.#flushHeld();
    send(ws, stored.json);
  }

  /** Sends a frame that is not an event (typing) to every joined socket but one. */
  notice(json: Json<ServerFrame>, except: WebSocket): void {
    this.#sendToJoined(json, except);
  }

  #sendToJoined(json: Json<ServerFrame>, except?: WebSocket): void {
    for (const [ws, conn] of this.#conns.all) {
      if (conn.session !== null && ws !== except) send(ws, json);
    }
  }
}
