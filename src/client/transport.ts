/**
 * The bottom layer of the client: one WebSocket at a time to one URL, kept
 * open until told to stop. It knows nothing of chat; what it owns is time:
 *
 * - a connect timeout: an attempt the layer above has not confirmed with
 *   `established()` in time is given up on;
 * - keep-alive: once established, a `ping` text every `keepAliveMs`; a
 *   connection that has been silent for two intervals is replaced (the
 *   runtime's `pong` counts as hearing something, and goes no further);
 * - reconnecting with jittered exponential backoff, reset by
 *   `established()`, slower after 1013 (the room is full), never for the
 *   close codes that say reconnecting would be wrong.
 *
 * A socket it has let go of is closed and then ignored: a late message or
 * close event from it cannot reach the layer above.
 */
import type { Json } from "../protocol/encode.ts";
import { CLOSE_CODES, KEEPALIVE, type ClientFrame } from "../protocol/frames.ts";

/** The part of a browser WebSocket this layer uses (the global one, or a test's fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

/** Opens a socket to `url`; throwing means the URL is unusable. */
export type SocketFactory = (url: string) => SocketLike;

// WebSocket.readyState values, spelled out so this module needs no global WebSocket.
const CONNECTING = 0;
const OPEN = 1;

/**
 * Close codes after which reconnecting would be wrong: a goodbye, a session
 * taken over (4001, from servers before shared sessions), a flood, a kick or a ban.
 */
const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.normal,
  CLOSE_CODES.replaced,
  CLOSE_CODES.policy,
  CLOSE_CODES.kicked,
  CLOSE_CODES.banned,
]);
/** A full room is not helped by a quick retry: the backoff is this many times longer after 1013. */
const ROOM_FULL_SLOWDOWN = 4;
/** What this client closes a socket with when it drops it: to the room, "gone, will be back". */
const DROP_CODE = 4000;

export interface ReconnectingSocketOptions {
  /** The URL to open, asked again for every attempt (what it carries may change between attempts). */
  url: () => string;
  /** Opens a socket; the global WebSocket by default. */
  createSocket?: SocketFactory | undefined;
  backoff?: { initialMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** How often to ping an established connection; silence for two intervals replaces it. */
  keepAliveMs?: number | undefined;
  /** Give up on an attempt that has not been `established()` within this time. */
  connectTimeoutMs?: number | undefined;
  /** The backoff jitter's random source, in [0, 1). */
  random?: (() => number) | undefined;
}

/** How a connection ended. */
export interface SocketEnd {
  code: number;
  reason: string;
}

export interface ReconnectingSocketListener {
  /** The socket is open: frames may be sent. */
  open(): void;
  /** A text frame (never the keep-alive's `pong`). */
  message(text: string): void;
  /** The connection ended and another attempt is scheduled in `retryInMs`. */
  down(end: SocketEnd & { retryInMs: number }): void;
  /**
   * Stopped for good by itself: a final close code, or a URL no socket can
   * be opened with. (`close()` stops it too, but does not call this: the
   * caller knows.)
   */
  closed(end: SocketEnd): void;
}

/** idle: before `connect()`; waiting: between attempts. */
export type ReconnectingSocketStatus = "idle" | "connecting" | "established" | "waiting" | "closed";

export class ReconnectingSocket {
  readonly #url: () => string;
  readonly #createSocket: SocketFactory;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #keepAliveMs: number;
  readonly #connectTimeoutMs: number;
  readonly #random: () => number;
  readonly #listener: ReconnectingSocketListener;
  #status: ReconnectingSocketStatus = "idle";
  #socket: SocketLike | undefined;
  /** Attempts since the last established connection: the backoff's exponent. */
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;

  constructor(options: ReconnectingSocketOptions, listener: ReconnectingSocketListener) {
    this.#url = options.url;
    this.#createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.#initialMs = options.backoff?.initialMs ?? 500;
    this.#maxMs = options.backoff?.maxMs ?? 15_000;
    this.#keepAliveMs = options.keepAliveMs ?? 25_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#random = options.random ?? Math.random;
    this.#listener = listener;
  }

  get status(): ReconnectingSocketStatus {
    return this.#status;
  }

  /** Starts connecting (at once, also when waiting between attempts); nothing if a socket is already open or opening. */
  connect(): void {
    if (this.#status === "closed" || this.#socket) return;
    this.#open();
  }

  /** Connects at once if waiting between attempts (the network came back, the tab woke up). */
  reconnectNow(): void {
    // An attempt already under way is left to finish: a second socket would
    // join with the same session and the room would close one of them (4001).
    if (this.#status !== "waiting") return;
    this.#open();
  }

  /**
   * The layer above accepts this connection (for chat: it was welcomed):
   * the connect timeout ends, keep-alive starts, and the backoff starts
   * over from its first step.
   */
  established(): void {
    if (!this.#socket || this.#status !== "connecting") return;
    this.#status = "established";
    clearTimeout(this.#connectTimer);
    this.#attempt = 0;
    this.#lastHeard = Date.now();
    const interval = this.#keepAliveMs;
    const socket = this.#socket;
    this.#keepAliveTimer = setInterval(() => {
      if (Date.now() - this.#lastHeard > 2 * interval) this.#lost(socket, DROP_CODE, "no answer to keep-alive");
      else if (socket.readyState === OPEN) socket.send(KEEPALIVE.ping);
    }, interval);
  }

  /**
   * The server answered this attempt and asked it to wait `delayMs` (its
   * join budget): the connect timeout starts again after that wait, so an
   * attempt the server is pacing is not given up on and repeated.
   */
  postponeTimeout(delayMs: number): void {
    const socket = this.#socket;
    if (!socket || this.#status !== "connecting") return;
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => this.#lost(socket, DROP_CODE, "connect timeout"), delayMs + this.#connectTimeoutMs);
  }

  /** Sends a frame; false (and nothing sent) without an open socket. */
  send(frame: Json<ClientFrame>): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(frame);
    return true;
  }

  /** Drops the connection as a network failure would (code 4000), and reconnects after the backoff. */
  drop(reason: string): void {
    if (this.#socket) this.#lost(this.#socket, DROP_CODE, reason);
  }

  /** Stops for good: closes the socket (1000, a goodbye) and every timer. */
  close(): void {
    if (this.#status === "closed") return;
    const socket = this.#socket;
    this.#release();
    clearTimeout(this.#retryTimer);
    this.#status = "closed";
    try {
      socket?.close(CLOSE_CODES.normal, "left");
    } catch {
      // already closed
    }
  }

  #open(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    let socket: SocketLike;
    try {
      socket = this.#createSocket(this.#url());
    } catch (error) {
      // A malformed URL will not get better by retrying.
      this.#status = "closed";
      this.#listener.closed({ code: 1002, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.#socket = socket;
    this.#status = "connecting";
    this.#connectTimer = setTimeout(() => this.#lost(socket, DROP_CODE, "connect timeout"), this.#connectTimeoutMs);
    socket.addEventListener("open", () => {
      if (socket === this.#socket) this.#listener.open();
    });
    socket.addEventListener("message", ({ data }) => {
      if (socket !== this.#socket || typeof data !== "string") return;
      this.#lastHeard = Date.now();
      if (data !== KEEPALIVE.pong) this.#listener.message(data);
    });
    socket.addEventListener("close", ({ code, reason }) => this.#lost(socket, code, reason));
    // An error is always followed by close; nothing to do here.
    socket.addEventListener("error", () => undefined);
  }

  /** A connection ended (or is given up on): reconnect unless that would be wrong. */
  #lost(socket: SocketLike, code: number, reason: string): void {
    if (socket !== this.#socket) return;
    this.#release();
    try {
      if (socket.readyState === OPEN || socket.readyState === CONNECTING) socket.close(DROP_CODE, reason);
    } catch {
      // closing anyway
    }
    if (FINAL_CLOSE_CODES.has(code)) {
      this.#status = "closed";
      this.#listener.closed({ code, reason });
      return;
    }
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** this.#attempt) * (code === CLOSE_CODES.tryAgainLater ? ROOM_FULL_SLOWDOWN : 1);
    const delay = Math.round(base * (0.5 + this.#random() / 2));
    this.#attempt += 1;
    this.#status = "waiting";
    this.#retryTimer = setTimeout(() => this.#open(), delay);
    this.#listener.down({ code, reason, retryInMs: delay });
  }

  /** Lets go of the current socket and the timers that belong to it. */
  #release(): void {
    clearTimeout(this.#connectTimer);
    clearInterval(this.#keepAliveTimer);
    this.#socket = undefined;
  }
}
