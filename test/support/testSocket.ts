/**
 * A protocol-aware WebSocket for tests, the same inside workerd and in Node:
 * it records every frame and lets a test wait for the next one that matches.
 * Openers (test/workerd/socket.ts, test/support/node.ts) adapt a real socket.
 */
import type { ClientFrame, ServerFrame, SpokenMessage, WelcomeFrame } from "../../src/protocol/frames.ts";
import { decodeServerFrame, type ReceivedFrame } from "../../src/protocol/decode.ts";

/** What TestSocket needs from a platform WebSocket. */
export interface SocketPort {
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onText(listener: (text: string) => void): void;
  onClose(listener: (code: number, reason: string) => void): void;
}

/** The part of a standard WebSocket (workerd's or Node's) that `portOf` uses. */
interface StandardSocket {
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

/** Adapts a standard WebSocket to a SocketPort. */
export function portOf(ws: StandardSocket): SocketPort {
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onText: (listener) =>
      ws.addEventListener("message", (event) => {
        if (typeof event.data === "string") listener(event.data);
      }),
    onClose: (listener) => ws.addEventListener("close", (event) => listener(event.code, event.reason)),
  };
}

type Predicate = (frame: ServerFrame) => boolean;
type Close = { code: number; reason: string };
export type JoinOptions = { since?: number; session?: string; ownerKey?: string; quiet?: boolean };

export class TestSocket {
  /** Every parsed frame received, in order. */
  readonly frames: ServerFrame[] = [];
  /** Text frames that were not JSON (e.g. `pong`). */
  readonly rawFrames: string[] = [];
  /**
   * Frames the client-side decoder refused or did not know: the room must
   * never send one, so every wait fails once there is one.
   */
  readonly problems: string[] = [];
  /** How many `events` frames arrived (their events are in `frames`, one by one). */
  batches = 0;
  closed: Close | undefined;
  readonly #port: SocketPort;
  #cursor = 0;
  #waiters: { predicate: Predicate; resolve: (frame: ServerFrame) => void; fail: (error: Error) => void }[] = [];
  #closeWaiters: ((close: Close) => void)[] = [];

  constructor(port: SocketPort) {
    this.#port = port;
    port.onText((text) => {
      if (!text.startsWith("{")) {
        this.rawFrames.push(text);
        return;
      }
      const decoded = decodeServerFrame(text);
      const frame = decoded.kind === "frame" && isKnown(decoded.frame) ? decoded.frame : undefined;
      if (!frame) {
        this.problems.push(`${decoded.kind === "malformed" ? decoded.problem : "not a known frame"}: ${text.slice(0, 200)}`);
        this.#settle();
        return;
      }
      // A batch is handled as if each event had come alone, as clients must.
      if (frame.type === "events") {
        this.batches += 1;
        this.frames.push(...frame.events);
      } else {
        this.frames.push(frame);
      }
      this.#settle();
    });
    port.onClose((code, reason) => {
      this.closed = { code, reason };
      for (const resolve of this.#closeWaiters) resolve(this.closed);
      this.#closeWaiters = [];
    });
  }

  /** Sends a join and resolves with the welcome. */
  async joinAs(name: string, extra: JoinOptions = {}): Promise<WelcomeFrame> {
    this.send({ type: "join", name, ...extra });
    return this.nextOf("welcome");
  }

  send(frame: ClientFrame | string | ArrayBuffer | Record<string, unknown>): void {
    this.#port.send(typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
  }

  /**
   * The next frame (after the last one a `next` returned) that matches; frames
   * skipped over are passed by. Rejects after `timeoutMs`.
   */
  next(predicate: Predicate = () => true, timeoutMs = 5000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (frame: ServerFrame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        fail: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for a frame; last ones: ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
      this.#settle();
    });
  }

  /** The next chat message event (not a deleted one) that satisfies `where`. */
  nextMessage(where: (message: SpokenMessage) => boolean = () => true, timeoutMs?: number): Promise<SpokenMessage> {
    return this.next((f) => f.type === "message" && !("deleted" in f) && where(f), timeoutMs) as Promise<SpokenMessage>;
  }

  /** The next frame of a given type. */
  nextOf<T extends ServerFrame["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerFrame, { type: T }>> {
    return this.next((f) => f.type === type, timeoutMs) as Promise<Extract<ServerFrame, { type: T }>>;
  }

  /**
   * Resolves once `condition` (about what has arrived so far) holds; rejects
   * after `timeoutMs`. For a test to wait for what it expects before `drain`
   * checks that nothing else came: a quiet period alone ends early whenever a
   * busy machine pauses the room for longer than it.
   */
  async until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await sleep(10);
    }
  }

  /** Waits until nothing arrives for `quietMs`, then returns every frame not yet consumed. */
  async drain(quietMs = 150): Promise<ServerFrame[]> {
    let seen = -1;
    while (seen !== this.frames.length) {
      seen = this.frames.length;
      await sleep(quietMs);
    }
    if (this.problems.length > 0) throw new Error(`the room sent a frame clients refuse: ${this.problems[0]}`);
    const rest = this.frames.slice(this.#cursor);
    this.#cursor = this.frames.length;
    return rest;
  }

  close(code?: number, reason?: string): void {
    this.#port.close(code, reason);
  }

  waitClosed(timeoutMs = 5000): Promise<Close> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("socket did not close")), timeoutMs);
      this.#closeWaiters.push((close) => {
        clearTimeout(timer);
        resolve(close);
      });
    });
  }

  #settle(): void {
    if (this.problems.length > 0) {
      for (const waiter of this.#waiters.splice(0)) waiter.fail(new Error(`the room sent a frame clients refuse: ${this.problems[0]}`));
      return;
    }
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0]!;
      let index = -1;
      for (let i = this.#cursor; i < this.frames.length; i++) {
        if (waiter.predicate(this.frames[i]!)) {
          index = i;
          break;
        }
      }
      if (index < 0) return;
      this.#cursor = index + 1;
      this.#waiters.shift();
      waiter.resolve(this.frames[index]!);
    }
  }
}

/** A frame with nothing unknown in it: what the room sends tests, which know every type. */
function isKnown(frame: ReceivedFrame): frame is ServerFrame {
  return frame.type !== "unknown" && !("events" in frame && frame.events.some((e) => e.type === "unknown"));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let roomCounter = 0;
/** A unique public room name per test, so tests sharing storage never meet. */
export function uniqueRoom(prefix = "room"): string {
  roomCounter += 1;
  return `${prefix}-${roomCounter}-${crypto.randomUUID().slice(0, 8)}`;
}
