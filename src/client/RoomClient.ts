/**
 * The client side of protocol v1, shared by the browser app (src/web) and the
 * terminal client (src/cli). It owns everything that makes "nothing lost,
 * nothing repeated" true for a user:
 *
 * - reconnects by itself with jittered exponential backoff, resuming with
 *   `since` (the last seq it delivered) and the session token, so a quick
 *   reconnect is invisible to the room;
 * - delivers each event exactly once, in seq order (replays may overlap what
 *   it already has; a gap makes it reconnect and ask again);
 * - keeps an outbox: a message gets a unique id when it is written, waits while
 *   offline, is sent once live, and is resent after a reconnect unless the
 *   replay shows it was stored (the room deduplicates ids anyway);
 * - keeps presence current: the member list from welcome, joined, left and
 *   renamed, or in a crowd only the number online (`presence` frames).
 *
 * It uses the global WebSocket (browsers, Node 22+) and no timers that
 * outlive `close()`.
 */
import {
  CLOSE_CODES,
  KEEPALIVE,
  type AdvertisedLimits,
  type ErrorFrame,
  type HistoryFrame,
  type Member,
  type PresenceFrame,
  type RoomEvent,
  type ServerFrame,
  type WelcomeFrame,
} from "../protocol/frames.ts";
import { takeToken } from "../protocol/rateLimit.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import { decodeServerFrame, normalizeName, type ProtocolError } from "../protocol/validate.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

/** A message written by this client and not yet acknowledged by the room. */
export interface PendingMessage {
  id: string;
  text: string;
  action: boolean;
}

/** Who is in the room, as far as this client knows. */
export interface RoomPresence {
  /** Everyone online, in joining order; empty in a crowd. */
  members: readonly Member[];
  online: number;
  /** A crowd counts people instead of listing them (protocol: PresenceFrame). */
  crowd: boolean;
}

/** Why the client stopped for good (state "closed"). */
export interface ClosedReason {
  code: number;
  reason: string;
  /** The error frame that caused it, if one did (e.g. name_invalid on join). */
  error?: ErrorFrame;
}

export interface RoomClientEvents {
  state: ConnectionState;
  /** After each (re)join; `fresh` is false when it continued an earlier transcript. */
  welcome: { welcome: WelcomeFrame; fresh: boolean };
  /** Each room event exactly once, in seq order. */
  event: RoomEvent;
  presence: RoomPresence;
  typing: Member;
  /** Errors the room sent that did not stop the client (rate_limited, text_too_long…). */
  error: ErrorFrame;
  /** A pending message the room refused for good (e.g. text_too_long): it is dropped. */
  rejected: { message: PendingMessage; error: ErrorFrame };
  outbox: readonly PendingMessage[];
  closed: ClosedReason;
}

type Listener<T> = (value: T) => void;

export interface RoomClientOptions {
  /** WebSocket URL of the room: ws(s)://host/api/rooms/<room>/ws */
  url: string;
  name: string;
  /** A session token from an earlier welcome (same tab, same terminal run). */
  session?: string;
  /** The last seq already delivered in an earlier run (resume point). */
  since?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  /** How often to send a keep-alive ping while live; a connection silent for two intervals is replaced. */
  keepAliveMs?: number;
  /** Give up on a connection attempt that has not been welcomed within this time. */
  connectTimeoutMs?: number;
  /** For tests: a deterministic random source for the backoff jitter. */
  random?: () => number;
}

/** Errors about one message that resending will not fix. */
const PERMANENT_MESSAGE_ERRORS = new Set(["text_empty", "text_too_long", "text_invalid", "bad_request"]);
/** Close codes after which reconnecting would be wrong. */
const FINAL_CLOSE_CODES = new Set<number>([CLOSE_CODES.normal, CLOSE_CODES.replaced, CLOSE_CODES.policy]);
const TYPING_INTERVAL_MS = 3000;

export class RoomClient {
  readonly #options: Required<Omit<RoomClientOptions, "session" | "since" | "backoff">> & {
    backoff: { initialMs: number; maxMs: number };
  };
  readonly #listeners = new Map<keyof RoomClientEvents, Set<Listener<never>>>();
  #name: string;
  #session: string | undefined;
  #lastSeq: number | undefined;
  #state: ConnectionState = "connecting";
  #ws: WebSocket | undefined;
  #welcomed = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = 0;
  #lastTyping = 0;
  #self: Member | undefined;
  #presence: RoomPresence = { members: [], online: 0, crowd: false };
  /** The room's lastSeq in the latest welcome: events up to it are replay. */
  #welcomeSeq = 0;
  #limits: AdvertisedLimits | undefined;
  /** Pending messages by id, in the order they were written. */
  readonly #outbox = new Map<string, PendingMessage>();
  /** `outbox` as an array, rebuilt only after a change. */
  #outboxList: readonly PendingMessage[] | null = [];
  #inFlight = new Set<string>();
  /** Frames other than messages (rename, history) waiting for the pace. */
  #control: Record<string, unknown>[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Our own pacing state (see rateLimit.ts). */
  #tat = 0;
  #historyWaiters = new Map<number, ((frame: HistoryFrame) => void)[]>();
  #joinError: ErrorFrame | undefined;

  constructor(options: RoomClientOptions) {
    this.#options = {
      url: options.url,
      name: options.name,
      backoff: { initialMs: options.backoff?.initialMs ?? 500, maxMs: options.backoff?.maxMs ?? 15_000 },
      keepAliveMs: options.keepAliveMs ?? 25_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      random: options.random ?? Math.random,
    };
    this.#name = options.name;
    this.#session = options.session;
    this.#lastSeq = options.since;
  }

  // -- reading -------------------------------------------------------------

  get state(): ConnectionState {
    return this.#state;
  }
  /** Who this client is in the room, once welcomed. */
  get self(): Member | undefined {
    return this.#self;
  }
  get presence(): RoomPresence {
    return this.#presence;
  }
  /** The newest seq delivered: persist it with `session` to resume later. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }
  get session(): string | undefined {
    return this.#session;
  }
  get limits(): AdvertisedLimits | undefined {
    return this.#limits;
  }
  get outbox(): readonly PendingMessage[] {
    this.#outboxList ??= [...this.#outbox.values()];
    return this.#outboxList;
  }

  /** Subscribes to one kind of event; returns the unsubscribe function. */
  on<K extends keyof RoomClientEvents>(type: K, listener: Listener<RoomClientEvents[K]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  // -- acting --------------------------------------------------------------

  /** Opens the connection (and keeps it open until `close`). */
  connect(): void {
    if (this.#ws || this.#state === "closed") return;
    this.#open();
  }

  /**
   * Queues a message and sends it when live; returns its id. It stays in the
   * outbox (shown as pending) until the room's own event for it comes back.
   */
  send(text: string, options: { action?: boolean } = {}): string {
    const message: PendingMessage = { id: newMessageId(), text, action: options.action === true };
    // Typing the next message shows at once: the room clears "typing" when a message lands.
    this.#lastTyping = 0;
    this.#outbox.set(message.id, message);
    this.#outboxChanged();
    this.#flushOutbox();
    return message.id;
  }

  /**
   * Changes this member's name: at once when live (the room announces it),
   * otherwise with the next join. Returns the problem if the name is invalid.
   */
  rename(name: string): ProtocolError | undefined {
    const checked = normalizeName(name, this.#limits?.nameMax ?? DEFAULT_LIMITS.NAME_MAX);
    if (!checked.ok) return checked.error;
    if (this.#state === "live") this.#queueControl({ type: "rename", name: checked.value });
    else this.#name = checked.value;
    return undefined;
  }

  /** Tells the room this user is typing; throttled to one frame per 3 s. */
  typing(): void {
    const now = Date.now();
    // A crowd does not relay typing notices: sending one would only cost a message.
    if (this.#state !== "live" || this.#presence.crowd || now - this.#lastTyping < TYPING_INTERVAL_MS) return;
    if (this.#sendFrame({ type: "typing" }) === 0) this.#lastTyping = now;
  }

  /** Older events for scroll-back; resolves with the page (empty when offline). */
  history(before: number, limit = 50): Promise<HistoryFrame> {
    if (this.#state !== "live") return Promise.resolve({ type: "history", before, events: [], hasMore: true });
    return new Promise((resolve) => {
      const waiting = this.#historyWaiters.get(before) ?? [];
      waiting.push(resolve);
      this.#historyWaiters.set(before, waiting);
      this.#queueControl({ type: "history", before, limit });
    });
  }

  /** Reconnects at once if waiting to (the network came back, the tab woke up). */
  reconnectNow(): void {
    // An attempt already under way is left to finish: a second socket would
    // join with the same session and the room would close one of them (4001).
    if (this.#state !== "reconnecting" || this.#ws) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#open();
  }

  /**
   * Drops the current connection as a network failure would and reconnects
   * (used when the connection looks dead; also handy in tests).
   */
  dropConnection(): void {
    if (this.#ws) this.#lost(this.#ws, 4000, "connection replaced by the client");
  }

  /** Leaves the room (close 1000: the room announces it at once) and stops. */
  close(): void {
    this.#stop({ code: CLOSE_CODES.normal, reason: "left" });
  }

  // -- the connection ------------------------------------------------------

  #open(): void {
    this.#setState(this.#attempt === 0 && this.#self === undefined ? "connecting" : "reconnecting");
    this.#welcomed = false;
    this.#joinError = undefined;
    // Without a session the join rides in the URL, saving a round trip; a
    // session token is a secret, so a reconnect sends it in a join frame.
    const joinInUrl = this.#session === undefined;
    let ws: WebSocket;
    try {
      ws = new WebSocket(joinInUrl ? joinUrl(this.#options.url, this.#name, this.#lastSeq) : this.#options.url);
    } catch (error) {
      // A malformed URL will not get better by retrying.
      this.#stop({ code: 1002, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.#ws = ws;
    this.#connectTimer = setTimeout(() => this.#lost(ws, 4000, "connect timeout"), this.#options.connectTimeoutMs);
    ws.addEventListener("open", () => {
      if (ws !== this.#ws || joinInUrl) return;
      const join: Record<string, unknown> = { type: "join", name: this.#name };
      if (this.#lastSeq !== undefined) join.since = this.#lastSeq;
      if (this.#session !== undefined) join.session = this.#session;
      ws.send(JSON.stringify(join));
    });
    ws.addEventListener("message", (event) => {
      if (ws !== this.#ws || typeof event.data !== "string") return;
      this.#lastHeard = Date.now();
      if (event.data === KEEPALIVE.pong) return;
      const frame = decodeServerFrame(event.data);
      if (frame) this.#onFrame(ws, frame);
    });
    ws.addEventListener("close", (event) => this.#lost(ws, event.code, event.reason));
    // An error is always followed by close; nothing to do here.
    ws.addEventListener("error", () => undefined);
  }

  #onFrame(ws: WebSocket, frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        return this.#onWelcome(frame);
      case "events": {
        const wasReplaying = this.#replaying;
        for (const event of frame.events) if (!this.#deliver(ws, event)) return;
        if (wasReplaying && !this.#replaying) this.#flushOutbox();
        return;
      }
      case "presence":
        return this.#onPresence(frame);
      case "typing":
        if (frame.member.id !== this.#self?.id) this.#emit("typing", frame.member);
        return;
      case "history": {
        const waiting = this.#historyWaiters.get(frame.before);
        this.#historyWaiters.delete(frame.before);
        for (const resolve of waiting ?? []) resolve(frame);
        return;
      }
      case "error":
        return this.#onError(ws, frame);
      default:
        if ("seq" in frame) this.#deliver(ws, frame);
    }
  }

  #onWelcome(welcome: WelcomeFrame): void {
    clearTimeout(this.#connectTimer);
    const fresh = this.#lastSeq === undefined || welcome.reset === true;
    if (welcome.reset) this.#lastSeq = undefined;
    this.#welcomed = true;
    this.#attempt = 0;
    this.#self = welcome.self;
    this.#name = welcome.self.name;
    this.#session = welcome.session;
    this.#limits = welcome.limits;
    const online = typeof welcome.online === "number" ? welcome.online : welcome.members.length;
    this.#presence = { members: [...welcome.members], online, crowd: welcome.crowd === true };
    // The room no longer has what we missed: accept the gap it announced.
    if (welcome.truncated && welcome.oldestSeq !== undefined) this.#lastSeq = welcome.oldestSeq - 1;
    this.#inFlight.clear();
    this.#tat = 0;
    this.#setState("live");
    this.#emit("welcome", { welcome, fresh });
    this.#welcomeSeq = welcome.lastSeq;
    this.#emit("presence", this.#presence);
    // Replayed messages of ours are acknowledged as they arrive; nothing is
    // resent before the whole replay (it may continue in events frames) is in.
    for (const event of welcome.events) this.#deliver(this.#ws, event);
    this.#emit("outbox", this.outbox);
    this.#startKeepAlive();
    this.#flushOutbox();
  }

  /** Still receiving the replay that the latest welcome announced. */
  get #replaying(): boolean {
    return this.#welcomed && (this.#lastSeq ?? 0) < this.#welcomeSeq;
  }

  /** Delivers one event unless already seen; false if a gap forced a reconnect. */
  #deliver(ws: WebSocket | undefined, event: RoomEvent): boolean {
    const last = this.#lastSeq;
    if (last !== undefined && event.seq <= last) return true; // a replay overlap
    if (last !== undefined && event.seq > last + 1 && ws) {
      // Never skip: reconnect and ask for what is missing.
      this.#lost(ws, 4000, `gap after seq ${last}`);
      return false;
    }
    this.#lastSeq = event.seq;
    if (event.type === "message" && event.id !== undefined) this.#acknowledge(event.id);
    // The welcome's member list already includes everything it replays.
    if (event.seq > this.#welcomeSeq && this.#applyPresence(event)) this.#emit("presence", this.#presence);
    if (event.type === "renamed" && event.member.id === this.#self?.id) {
      this.#self = event.member;
      this.#name = event.member.name;
    }
    this.#emit("event", event);
    return true;
  }

  /** Updates the member list for a presence event; true if it changed. A crowd keeps no list. */
  #applyPresence(event: RoomEvent): boolean {
    const { members, crowd } = this.#presence;
    if (crowd) return false;
    let next: Member[];
    switch (event.type) {
      case "joined":
        if (members.some((m) => m.id === event.member.id)) return false;
        next = [...members, event.member];
        break;
      case "left":
        next = members.filter((m) => m.id !== event.member.id);
        break;
      case "renamed":
        next = members.map((m) => (m.id === event.member.id ? event.member : m));
        break;
      default:
        return false;
    }
    this.#presence = { members: next, online: next.length, crowd: false };
    return true;
  }

  #onPresence(frame: PresenceFrame): void {
    this.#presence = frame.crowd
      ? { members: [], online: frame.online, crowd: true }
      : { members: frame.members, online: frame.online, crowd: false };
    this.#emit("presence", this.#presence);
  }

  #onError(ws: WebSocket, error: ErrorFrame): void {
    if (!this.#welcomed && (error.code === "name_invalid" || error.code === "bad_request")) {
      // The join itself was refused: retrying the same join cannot succeed.
      this.#joinError = error;
      this.#stop({ code: CLOSE_CODES.normal, reason: error.message, error });
      return;
    }
    if (error.code === "room_full") this.#joinError = error; // the close that follows says retry later
    const pending = error.ref === undefined ? undefined : this.#outbox.get(error.ref);
    if (pending && error.code === "rate_limited") {
      this.#inFlight.delete(pending.id);
      this.#scheduleFlush(error.retryAfterMs ?? 1000);
    } else if (pending && PERMANENT_MESSAGE_ERRORS.has(error.code)) {
      this.#acknowledge(pending.id);
      this.#emit("rejected", { message: pending, error });
    }
    if (ws === this.#ws) this.#emit("error", error);
  }

  #acknowledge(id: string): void {
    this.#inFlight.delete(id);
    if (this.#outbox.delete(id)) this.#outboxChanged();
  }

  #queueControl(frame: Record<string, unknown>): void {
    this.#control.push(frame);
    this.#flushOutbox();
  }

  /**
   * Sends queued control frames, then pending messages not already on the
   * wire, in order, as fast as the room's advertised rate allows; the rest
   * follow when tokens come back.
   */
  #flushOutbox(): void {
    // During a replay, an unacknowledged message may yet turn out to be stored.
    if (this.#state !== "live" || this.#replaying) return;
    while (this.#control.length > 0) {
      const wait = this.#sendFrame(this.#control[0]!);
      if (wait !== 0) {
        if (wait > 0) this.#scheduleFlush(wait);
        return;
      }
      this.#control.shift();
    }
    for (const message of this.#outbox.values()) {
      if (this.#inFlight.has(message.id)) continue;
      const frame: Record<string, unknown> = { type: "message", text: message.text, id: message.id };
      if (message.action) frame.action = true;
      const wait = this.#sendFrame(frame);
      if (wait > 0) {
        this.#scheduleFlush(wait);
        return;
      }
      if (wait < 0) return;
      this.#inFlight.add(message.id);
    }
  }

  #scheduleFlush(delayMs: number): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = setTimeout(() => this.#flushOutbox(), delayMs);
  }

  /**
   * Sends a frame if live and within the rate: 0 when sent, the wait in ms
   * when the pace says not yet, -1 when not connected.
   */
  #outboxChanged(): void {
    this.#outboxList = null;
    this.#emit("outbox", this.outbox);
  }

  #sendFrame(frame: Record<string, unknown>): number {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.#welcomed) return -1;
    if (this.#limits) {
      // A little under the room's limit: frames may arrive closer together than they left.
      const decision = takeToken(this.#tat, Date.now(), {
        burst: Math.max(1, this.#limits.rateBurst - 2),
        perSecond: this.#limits.ratePerSecond * 0.9,
      });
      if (!decision.allowed) return decision.retryAfterMs;
      this.#tat = decision.tat;
    }
    ws.send(JSON.stringify(frame));
    return 0;
  }

  #startKeepAlive(): void {
    clearInterval(this.#keepAliveTimer);
    this.#lastHeard = Date.now();
    const interval = this.#options.keepAliveMs;
    this.#keepAliveTimer = setInterval(() => {
      const ws = this.#ws;
      if (!ws) return;
      if (Date.now() - this.#lastHeard > 2 * interval) {
        this.#lost(ws, 4000, "no answer to keep-alive");
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(KEEPALIVE.ping);
    }, interval);
  }

  /** A connection ended (or is given up on): reconnect unless that would be wrong. */
  #lost(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#detach();
    try {
      // 4000: "going, will be back" for the room, which holds our place.
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(4000, reason);
    } catch {
      // closing anyway
    }
    if (this.#state === "closed") return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.#stop({ code, reason, ...(this.#joinError ? { error: this.#joinError } : {}) });
      return;
    }
    this.#setState("reconnecting");
    const { initialMs, maxMs } = this.#options.backoff;
    // Room full: wait at least a few seconds; otherwise exponential with jitter.
    const base = Math.min(maxMs, initialMs * 2 ** this.#attempt) * (code === CLOSE_CODES.tryAgainLater ? 4 : 1);
    const delay = Math.round(base * (0.5 + this.#options.random() / 2));
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#open();
    }, delay);
  }

  #detach(): void {
    clearTimeout(this.#connectTimer);
    clearInterval(this.#keepAliveTimer);
    clearTimeout(this.#flushTimer);
    this.#ws = undefined;
    this.#welcomed = false;
    this.#inFlight.clear();
    // A rename goes with the next join; unanswered scroll-back asks come back empty.
    for (const frame of this.#control) if (frame.type === "rename") this.#name = String(frame.name);
    this.#control = [];
    for (const [before, waiting] of this.#historyWaiters) {
      for (const resolve of waiting) resolve({ type: "history", before, events: [], hasMore: true });
    }
    this.#historyWaiters.clear();
  }

  #stop(reason: ClosedReason): void {
    if (this.#state === "closed") return;
    const ws = this.#ws;
    this.#detach();
    clearTimeout(this.#retryTimer);
    try {
      ws?.close(reason.code === CLOSE_CODES.normal ? CLOSE_CODES.normal : 1000, "left");
    } catch {
      // already closed
    }
    this.#setState("closed");
    this.#emit("closed", reason);
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit("state", state);
  }

  #emit<K extends keyof RoomClientEvents>(type: K, value: RoomClientEvents[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as Listener<RoomClientEvents[K]>)(value);
  }
}

/** A unique message id (UUID where available, which it is in browsers and Node). */
function newMessageId(): string {
  return crypto.randomUUID();
}

/** The socket URL with a join in its query (see docs/protocol.md, "Joining in the URL"). */
function joinUrl(socketUrl: string, name: string, since: number | undefined): string {
  const url = new URL(socketUrl);
  url.searchParams.set("name", name);
  if (since !== undefined) url.searchParams.set("since", String(since));
  return url.toString();
}

/** The WebSocket URL of a room, from the page or server base URL. */
export function roomSocketUrl(base: string, room: string): string {
  const url = new URL(`/api/rooms/${encodeURIComponent(room)}/ws`, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
