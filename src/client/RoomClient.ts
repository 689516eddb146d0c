/**
 * The client side of protocol v1, shared by the browser app (src/web) and the
 * terminal client (src/cli). It owns everything that makes "nothing lost,
 * nothing repeated" true for a user, in layers:
 *
 * - transport.ts: one WebSocket at a time, reconnecting with jittered
 *   exponential backoff, a connect timeout and keep-alive;
 * - roomSession.ts, on it: joining (resuming with `since` and the session
 *   token, so a quick reconnect is invisible to the room), and delivering
 *   each event exactly once, in seq order (replays may overlap what it
 *   already has; a gap makes it reconnect and ask again);
 * - outbox.ts, beside it: a message gets a unique id when it is written,
 *   waits while offline, is sent once live at the room's pace, and is resent
 *   after a reconnect unless the replay shows it was stored;
 * - presence.ts, beside it: the member list from welcome, joined, left and
 *   renamed, or in a crowd only the number online (`presence` frames).
 *
 * This class composes them and is what both apps use. It uses the global
 * WebSocket (browsers, Node 22+) unless given another, and no timers that
 * outlive `close()`.
 */
import type { Received } from "../protocol/decode.ts";
import {
  CLOSE_CODES,
  type AdvertisedLimits,
  type Ban,
  type MembersFrame,
  type SearchFrame,
  type RoomSettings,
  type ErrorFrame,
  type HistoryFrame,
  type Member,
  type RoomEvent,
  type WelcomeFrame,
} from "../protocol/frames.ts";
import { DEFAULT_ADVERTISED_LIMITS, SEARCH_QUERY_MAX } from "../protocol/limits.ts";
import { checkAction, normalizeName, normalizeText, type ActionFrame, type ProtocolError, type Result } from "../protocol/validate.ts";
import { Outbox, type PendingMessage } from "./outbox.ts";
import { PresenceModel, type RoomPresence } from "./presence.ts";
import { RoomSession, type ClosedReason } from "./roomSession.ts";
import type { SocketFactory } from "./transport.ts";

export type { PendingMessage } from "./outbox.ts";
export type { RoomPresence } from "./presence.ts";
export type { ClosedReason } from "./roomSession.ts";
export type { SocketFactory, SocketLike } from "./transport.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

export interface RoomClientEvents {
  state: ConnectionState;
  /** After each (re)join; `fresh` is false when it continued an earlier transcript. */
  welcome: { welcome: Received<WelcomeFrame>; fresh: boolean };
  /** Each room event exactly once, in seq order. */
  event: RoomEvent;
  presence: RoomPresence;
  typing: Member;
  /** Errors the room sent that did not stop the client (rate_limited, text_too_long…). */
  error: ErrorFrame;
  /** A pending message the room refused for good (e.g. text_too_long): it is dropped. */
  rejected: { message: PendingMessage; error: ErrorFrame };
  outbox: readonly PendingMessage[];
  /** A pending message held back by the pace or the room's rate limit: about `ms` until it goes. */
  held: { id: string; ms: number };
  /** A frame from the server that breaks the protocol: it was ignored. */
  malformed: string;
  /** To an owner, in a crowd (where joins are not events): someone joined. */
  newcomer: Member;
  closed: ClosedReason;
}

type Listener<T> = (value: T) => void;

export interface RoomClientOptions {
  /** WebSocket URL of the room: ws(s)://host/api/rooms/<room>/ws */
  url: string;
  name: string;
  /** A session token from an earlier welcome (same browser, same terminal run). */
  session?: string;
  /** The room's owner key (or the operator's ADMIN_KEY): join as an owner. It travels in the join frame only. */
  ownerKey?: string;
  /** The last seq already delivered in an earlier run (resume point). */
  since?: number;
  /**
   * Join to read (protocol "Quiet joins"): counted in the room's `online`, but no
   * joined/left/renamed event is announced and no member list shows this
   * client. Every join it sends says so, reconnects included.
   */
  quiet?: boolean;
  backoff?: { initialMs?: number; maxMs?: number };
  /** How often to send a keep-alive ping while live; a connection silent for two intervals is replaced. */
  keepAliveMs?: number;
  /** Give up on a connection attempt that has not been welcomed within this time. */
  connectTimeoutMs?: number;
  /** For tests: a deterministic random source for the backoff jitter. */
  random?: () => number;
  /** For tests: opens the sockets instead of the global WebSocket (a fake server). */
  createSocket?: SocketFactory;
}

const TYPING_INTERVAL_MS = 3000;

export class RoomClient {
  readonly #listeners = new Map<keyof RoomClientEvents, Set<Listener<never>>>();
  readonly #session: RoomSession;
  readonly #outbox: Outbox;
  readonly #presence = new PresenceModel();
  #state: ConnectionState = "connecting";
  #lastTyping = 0;

  constructor(options: RoomClientOptions) {
    this.#outbox = new Outbox(
      {
        ready: () => this.#state === "live" && !this.#session.replaying,
        send: (frame) => this.#session.send(frame),
      },
      (messages) => this.#emit("outbox", messages),
      (id, ms) => this.#emit("held", { id, ms }),
    );
    this.#session = new RoomSession(options, {
      welcome: (welcome, fresh) => {
        this.#outbox.welcomed(welcome.limits);
        this.#presence.welcome(welcome);
        this.#setState("live");
        this.#emit("welcome", { welcome, fresh });
        this.#emit("presence", this.#presence.current);
      },
      event: (event) => {
        if (event.type === "message" && event.id !== undefined) this.#outbox.acknowledge(event.id);
        if (this.#presence.event(event)) this.#emit("presence", this.#presence.current);
        this.#emit("event", event);
      },
      // Replayed messages of ours were acknowledged as they arrived; only the rest is sent again.
      welcomeDelivered: () => {
        this.#emit("outbox", this.outbox);
        this.#outbox.flush();
      },
      replayDone: () => this.#outbox.flush(),
      presence: (frame) => this.#emit("presence", this.#presence.frame(frame)),
      typing: (member) => this.#emit("typing", member),
      error: (error) => {
        const rejected = this.#outbox.refused(error);
        if (rejected) this.#emit("rejected", { message: rejected, error });
        this.#emit("error", error);
      },
      malformed: (problem) => this.#emit("malformed", problem),
      newcomer: (member) => this.#emit("newcomer", member),
      down: () => {
        this.#disconnected();
        this.#setState("reconnecting");
      },
      closed: (reason) => {
        this.#disconnected();
        this.#setState("closed");
        this.#emit("closed", reason);
      },
    });
  }

  // -- reading -------------------------------------------------------------

  get state(): ConnectionState {
    return this.#state;
  }
  /** Who this client is in the room, once welcomed. */
  get self(): Member | undefined {
    return this.#session.self;
  }
  get presence(): RoomPresence {
    return this.#presence.current;
  }
  /** The newest seq delivered: persist it with `session` to resume later. */
  get lastSeq(): number | undefined {
    return this.#session.lastSeq;
  }
  get session(): string | undefined {
    return this.#session.session;
  }
  /** The room's limits from its latest welcome; the defaults until then. */
  get limits(): AdvertisedLimits {
    return this.#session.limits ?? DEFAULT_ADVERTISED_LIMITS;
  }
  get outbox(): readonly PendingMessage[] {
    return this.#outbox.messages;
  }
  /** The room's settings (topic, slow mode, lock) as the room last said. */
  get settings(): RoomSettings {
    return this.#session.settings;
  }
  /** Whether this client joined as one of the room's owners. */
  get isOwner(): boolean {
    return this.#session.self?.role === "owner";
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
    this.#session.connect();
  }

  /**
   * Checks a message against the room's text rules and queues it to be sent
   * when live. It stays in the outbox (shown as pending) until the room's own
   * event for it comes back. Refused here (nothing queued) when the text
   * breaks the rules the room would refuse it for.
   */
  send(text: string, options: { action?: boolean; replyTo?: number } = {}): Result<PendingMessage> {
    const checked = normalizeText(text, this.limits.textMax);
    if (!checked.ok) return checked;
    const replyTo = options.replyTo;
    if (replyTo !== undefined && !(Number.isSafeInteger(replyTo) && replyTo >= 1)) {
      return { ok: false, error: { code: "bad_request", message: "replyTo must be the seq of a message" } };
    }
    // Typing the next message shows at once: the room clears "typing" when a message lands.
    this.#lastTyping = 0;
    return { ok: true, value: this.#outbox.add(checked.value, options.action === true, replyTo) };
  }

  /**
   * Changes this member's name: at once when live (the room announces it),
   * otherwise with the next join. Returns the problem if the name is invalid.
   */
  rename(name: string): ProtocolError | undefined {
    const checked = normalizeName(name, this.limits.nameMax);
    if (!checked.ok) return checked.error;
    if (this.#state === "live") this.#outbox.control({ type: "rename", name: checked.value });
    else this.#session.setName(checked.value);
    return undefined;
  }

  /** Tells the room this user is typing; throttled to one frame per 3 s. */
  typing(): void {
    const now = Date.now();
    // A crowd does not relay typing notices: sending one would only cost a message.
    if (this.#state !== "live" || this.#presence.current.crowd || now - this.#lastTyping < TYPING_INTERVAL_MS) return;
    if (this.#outbox.sendNow({ type: "typing" })) this.#lastTyping = now;
  }

  /** Older events for scroll-back; resolves with the page (empty when offline). */
  history(before: number, limit = 50): Promise<HistoryFrame> {
    if (this.#state !== "live") return Promise.resolve({ type: "history", before, events: [], hasMore: true });
    const page = this.#session.awaitHistory(before);
    this.#outbox.control({ type: "history", before, limit });
    return page;
  }

  // -- editing and moderating ------------------------------------------------
  //
  // Each is checked with the room's own validation first (a problem comes
  // back at once, nothing is sent), needs a live connection, and is paced
  // with the rest. The room's answer is an event (edited, deleted, kicked,
  // banned, settings) or an error frame (forbidden, not_found…).

  /** Edits one of this member's messages. */
  edit(seq: number, text: string): ProtocolError | undefined {
    return this.#act({ type: "edit", seq, text });
  }

  /** Deletes a message: one's own, or (an owner) anyone's. */
  deleteMessage(seq: number): ProtocolError | undefined {
    return this.#act({ type: "delete", seq });
  }

  /**
   * Puts this member's `emoji` reaction on message `seq` (`on`), or takes it
   * back. Refused here (`reaction_invalid`) unless `emoji` is one emoji.
   */
  react(seq: number, emoji: string, on: boolean): ProtocolError | undefined {
    return this.#act({ type: "react", seq, emoji, on });
  }

  /** Owner: closes a member's sockets (4003); they may come back. */
  kick(member: string, reason?: string): ProtocolError | undefined {
    return this.#act({ type: "kick", member, ...(reason === undefined ? {} : { reason }) });
  }

  /** Owner: closes a member's sockets (4004) and refuses them until the ban ends (no `minutes`: until unbanned). */
  ban(member: string, options: { minutes?: number; reason?: string } = {}): ProtocolError | undefined {
    return this.#act({ type: "ban", member, ...options });
  }

  /** Owner: lifts a ban, by its id in `bans()`. */
  unban(ban: string): ProtocolError | undefined {
    return this.#act({ type: "unban", ban });
  }

  /** Owner: changes the room's settings; what is left out stays as it is. */
  updateSettings(changes: Partial<RoomSettings>): ProtocolError | undefined {
    return this.#act({ type: "settings", ...changes });
  }

  /** Owner: the bans in force; null when offline, not an owner, or the connection ends first. */
  bans(): Promise<Ban[] | null> {
    if (this.#state !== "live" || !this.isOwner) return Promise.resolve(null);
    const answer = this.#session.awaitBans();
    this.#outbox.control({ type: "bans" });
    return answer.then((frame) => frame?.bans ?? null);
  }

  /** Owner: a page of everyone online (crowds too), after the `next` of the previous page. */
  members(after?: string): Promise<MembersFrame | null> {
    if (this.#state !== "live" || !this.isOwner) return Promise.resolve(null);
    const answer = this.#session.awaitMembers();
    this.#outbox.control({ type: "members", ...(after === undefined ? {} : { after }) });
    return answer;
  }

  /**
   * Searches the room's messages for every word of `q` (newest first; with
   * `before`, the page after an earlier one). Null when offline, when `q` has
   * nothing to search for, or when the connection ends first.
   */
  search(q: string, before?: number): Promise<SearchFrame | null> {
    const query = q.trim();
    if (this.#state !== "live" || query === "" || Array.from(query).length > SEARCH_QUERY_MAX) return Promise.resolve(null);
    const answer = this.#session.awaitSearch();
    this.#outbox.control({ type: "search", q: query, ...(before === undefined ? {} : { before }) });
    return answer;
  }

  /** Checks an action the way the room will, then queues it. */
  #act(frame: ActionFrame): ProtocolError | undefined {
    const checked = checkAction(frame, FRAME_CHECK_LIMITS(this.limits));
    if (!checked.ok) return checked.error;
    if (this.#state !== "live") return { code: "not_joined", message: "not connected to the room; try again once it is back" };
    // As checked: in the room's own spelling (a reaction's emoji, a trimmed reason).
    this.#outbox.control(checked.value);
    return undefined;
  }

  /** Reconnects at once if waiting to (the network came back, the tab woke up). */
  reconnectNow(): void {
    this.#session.reconnectNow();
  }

  /**
   * Drops the current connection as a network failure would and reconnects
   * (used when the connection looks dead; also handy in tests).
   */
  dropConnection(): void {
    this.#session.drop("connection replaced by the client");
  }

  /** Leaves the room (close 1000: the room announces it at once) and stops. */
  close(): void {
    this.#session.close({ code: CLOSE_CODES.normal, reason: "left" });
  }

  // -- composing -----------------------------------------------------------

  /** A connection ended: what was in flight is pending again, and a rename not sent yet goes with the next join. */
  #disconnected(): void {
    for (const frame of this.#outbox.disconnected()) if (frame.type === "rename") this.#session.setName(frame.name);
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

/** The room's validation limits, from what it advertised. */
const FRAME_CHECK_LIMITS = (limits: AdvertisedLimits) => ({
  NAME_MAX: limits.nameMax,
  TEXT_MAX: limits.textMax,
  FRAME_MAX_BYTES: limits.frameMaxBytes,
});

/** The WebSocket URL of a room, from the page or server base URL. */
export function roomSocketUrl(base: string, room: string): string {
  const url = new URL(`/api/rooms/${encodeURIComponent(room)}/ws`, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
