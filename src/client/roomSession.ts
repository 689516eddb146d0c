/**
 * The protocol session on top of the reconnecting socket: joining, and
 * delivering what the room sends exactly once and in seq order.
 *
 * - Joins in the socket URL while it has no session token (one round trip
 *   fewer), and with a join frame carrying `since` and `session` after that:
 *   the token is a secret, and URLs end up in logs.
 * - Keeps the seq cursor (`lastSeq`): an event at or below it is a replay
 *   overlap and is dropped; one beyond the next seq is a gap, and a gap is
 *   never skipped: the connection is dropped, and the next join's `since`
 *   asks for what is missing. Events of a type this client does not know
 *   move the cursor and go no further.
 * - Knows when a replay is under way (the cursor is below the `lastSeq` the
 *   welcome announced), so nothing that a replay may yet acknowledge is sent.
 * - Pages forward through a replay the room capped (`welcome.more`) with
 *   `history` `after` requests, holding back live events that overtake it,
 *   so a capped replay reads as one long replay to the layer above.
 * - Tries a join again when the room asks it to wait (`rate_limited` before
 *   the welcome: its per-address join budget).
 * - Matches scroll-back answers to their questions by `before`; questions
 *   still open when a connection ends are answered with an empty page.
 * - Stops when the room refuses the join itself: the same join would be
 *   refused again.
 */
import { decodeServerFrame, type Received, type ReceivedEvent, type ReceivedFrame } from "../protocol/decode.ts";
import { encodeClientFrame } from "../protocol/encode.ts";
import {
  CLOSE_CODES,
  unreachable,
  type AdvertisedLimits,
  type ClientFrame,
  type ErrorFrame,
  type HistoryFrame,
  type Member,
  type PresenceFrame,
  type RoomEvent,
  type RoomSettings,
  type BansFrame,
  type MembersFrame,
  type SearchFrame,
  type WelcomeFrame,
} from "../protocol/frames.ts";
import { HISTORY_PAGE_MAX, REPLAY_CHUNK } from "../protocol/limits.ts";
import { ReconnectingSocket, type ReconnectingSocketOptions, type SocketEnd } from "./transport.ts";

/** Why the client stopped for good. */
export interface ClosedReason {
  code: number;
  reason: string;
  /** The error frame that caused it, if one did (e.g. name_invalid on join). */
  error?: ErrorFrame;
}

export interface RoomSessionOptions extends Omit<ReconnectingSocketOptions, "url"> {
  /** WebSocket URL of the room: ws(s)://host/api/rooms/<room>/ws */
  url: string;
  name: string;
  /** A session token from an earlier welcome. */
  session?: string | undefined;
  /** The last seq already delivered in an earlier run (resume point). */
  since?: number | undefined;
  /** The room's owner key (or the operator's): joins as an owner. Sent in the join frame only. */
  ownerKey?: string | undefined;
  /** Join to read (protocol "Quiet joins"): announced to no one. Sent with every join, reconnects included. */
  quiet?: boolean | undefined;
}

/** What the session tells the layer above, in the order it happens. */
export interface RoomSessionListener {
  /** Joined (again). The events the welcome carries follow as `event` calls, then `welcomeDelivered`. */
  welcome(welcome: Received<WelcomeFrame>, fresh: boolean): void;
  /** Each known room event once, in seq order. */
  event(event: RoomEvent): void;
  /** The welcome's own events are delivered (a long replay continues in events frames). */
  welcomeDelivered(): void;
  /** The last event of a replay longer than its welcome arrived. */
  replayDone(): void;
  presence(frame: PresenceFrame): void;
  /** Someone else is typing. */
  typing(member: Member): void;
  /** An error frame that did not stop the session. */
  error(error: ErrorFrame): void;
  /** A frame that breaks the protocol; it was ignored. */
  malformed(problem: string): void;
  /** To an owner in a crowd: someone joined. */
  newcomer(member: Member): void;
  /** The connection ended; another attempt follows. */
  down(): void;
  /** Stopped for good. */
  closed(reason: ClosedReason): void;
}

/** A join error after which the same join cannot succeed. */
const JOIN_REFUSALS: ReadonlySet<ErrorFrame["code"]> = new Set(["name_invalid", "name_taken", "bad_request", "banned", "room_locked"]);
const isJoinRefusal = (error: ErrorFrame) => JOIN_REFUSALS.has(error.code);
/**
 * How long `name_taken` on a later attempt is taken for this client's own
 * earlier connection: a join the room took whose welcome was lost leaves a
 * member holding the name until its reconnect grace (5 s by default) ends.
 */
const OWN_NAME_PATIENCE_MS = 15_000;
/** How long to wait before asking again when the room said rate_limited without saying how long. */
const DEFAULT_RETRY_MS = 1000;
/**
 * Live events held while paging through a capped replay, at most: past this
 * the connection is dropped and the next join resumes from the cursor.
 */
const MAX_HELD_EVENTS = 10_000;

export class RoomSession {
  readonly #url: string;
  readonly #listener: RoomSessionListener;
  readonly #socket: ReconnectingSocket;
  /** The name to join with: the latest welcome's, or one chosen while offline. */
  #name: string;
  #token: string | undefined;
  readonly #ownerKey: string | undefined;
  readonly #quiet: boolean;
  #settings: RoomSettings = { topic: "", slowModeSeconds: 0, locked: false };
  /** Owners' requests waiting for their answer, oldest first (the room answers in order). */
  readonly #bansWaiters: ((frame: BansFrame | null) => void)[] = [];
  readonly #membersWaiters: ((frame: MembersFrame | null) => void)[] = [];
  readonly #searchWaiters: ((frame: SearchFrame | null) => void)[] = [];
  /** The newest seq delivered. */
  #lastSeq: number | undefined;
  #self: Member | undefined;
  #limits: AdvertisedLimits | undefined;
  /** Whether the current socket's attempt carries the join in its URL. */
  #joinInUrl = false;
  #welcomed = false;
  /** This connection sent a join that got no answer yet (neither a welcome nor a refusal). */
  #joinUnanswered = false;
  /** The room's lastSeq in the latest welcome: events up to it are replay. */
  #replayEnd = 0;
  /** Joins sent so far, on every connection (in the URL or as a frame). */
  #joinsSent = 0;
  /** When the room first answered name_taken to a later attempt, in a row (reset by a welcome). */
  #nameTakenSince: number | undefined;
  /** room_full on this attempt: it explains a final close that follows. */
  #joinError: ErrorFrame | undefined;
  readonly #historyWaiters = new Map<number, ((page: HistoryFrame) => void)[]>();
  /**
   * Paging through a capped replay: the `after` of the page asked for (null
   * between pages), and live events that arrived ahead of the pages, by seq.
   * Undefined when not paging.
   */
  #catchUp: { asked: number | null; held: Map<number, ReceivedEvent> } | undefined;
  /** A join or page request to send again once the room's wait is over. */
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RoomSessionOptions, listener: RoomSessionListener) {
    this.#url = options.url;
    this.#name = options.name;
    this.#token = options.session;
    this.#ownerKey = options.ownerKey;
    this.#quiet = options.quiet === true;
    this.#lastSeq = options.since;
    this.#listener = listener;
    this.#socket = new ReconnectingSocket(
      { ...options, url: () => this.#attemptUrl() },
      {
        open: () => this.#onOpen(),
        message: (text) => this.#onMessage(text),
        down: () => {
          this.#connectionEnded();
          this.#listener.down();
        },
        closed: (end) => this.#onClosed(end),
      },
    );
  }

  /** Who this client is in the room, once welcomed. */
  get self(): Member | undefined {
    return this.#self;
  }
  /** The newest seq delivered. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }
  /** The token from the latest welcome. */
  get session(): string | undefined {
    return this.#token;
  }
  /** The room's limits from its latest welcome. */
  get limits(): AdvertisedLimits | undefined {
    return this.#limits;
  }
  /** The room's settings: the latest welcome's, then each `settings` event's. */
  get settings(): RoomSettings {
    return this.#settings;
  }
  /** Welcomed on the current connection. */
  get welcomed(): boolean {
    return this.#welcomed;
  }
  /** Still receiving the replay the latest welcome announced. */
  get replaying(): boolean {
    return this.#welcomed && (this.#lastSeq ?? 0) < this.#replayEnd;
  }

  /** Opens the connection (and keeps it open until `close`). */
  connect(): void {
    this.#socket.connect();
  }

  /** Reconnects at once if waiting to; an attempt under way is left alone. */
  reconnectNow(): void {
    this.#socket.reconnectNow();
  }

  /** Drops the connection as a network failure would, and reconnects. */
  drop(reason: string): void {
    this.#socket.drop(reason);
  }

  /** Stops for good (leaving the room at once) and reports `reason` as `closed`. */
  close(reason: ClosedReason): void {
    if (this.#socket.status === "closed") return;
    this.#socket.close();
    this.#connectionEnded();
    this.#listener.closed(reason);
  }

  /** The name for the next join (a rename while offline). */
  setName(name: string): void {
    this.#name = name;
  }

  /** Sends a frame on the joined connection; false (nothing sent) when not joined. */
  send(frame: ClientFrame): boolean {
    return this.#welcomed && this.#socket.send(encodeClientFrame(frame));
  }

  /**
   * The answer to a scroll-back request for events before `before`, which
   * the caller sends; an empty page if the connection ends first.
   */
  awaitHistory(before: number): Promise<HistoryFrame> {
    return new Promise((resolve) => {
      const waiting = this.#historyWaiters.get(before) ?? [];
      waiting.push(resolve);
      this.#historyWaiters.set(before, waiting);
    });
  }

  /** The answer to a `bans` request the caller sends; null if the connection ends first. */
  awaitBans(): Promise<BansFrame | null> {
    return new Promise((resolve) => this.#bansWaiters.push(resolve));
  }

  /** The answer to a `members` request the caller sends; null if the connection ends first. */
  awaitMembers(): Promise<MembersFrame | null> {
    return new Promise((resolve) => this.#membersWaiters.push(resolve));
  }

  /** The answer to the next search request (null if the connection ends first). */
  awaitSearch(): Promise<SearchFrame | null> {
    return new Promise((resolve) => this.#searchWaiters.push(resolve));
  }

  // -- the connection ------------------------------------------------------

  #attemptUrl(): string {
    // Secrets (the session token, an owner key) never go in a URL: those joins send a frame.
    this.#joinInUrl = this.#token === undefined && this.#ownerKey === undefined;
    if (this.#joinInUrl) this.#joinsSent += 1;
    this.#joinUnanswered = this.#joinInUrl;
    return this.#joinInUrl ? joinUrl(this.#url, this.#name, this.#lastSeq, this.#quiet) : this.#url;
  }

  #onOpen(): void {
    if (!this.#joinInUrl) this.#sendJoin();
  }

  #sendJoin(): void {
    const join: ClientFrame = { type: "join", name: this.#name };
    if (this.#lastSeq !== undefined) join.since = this.#lastSeq;
    if (this.#token !== undefined) join.session = this.#token;
    if (this.#ownerKey !== undefined) join.ownerKey = this.#ownerKey;
    if (this.#quiet) join.quiet = true;
    // The join is not paced: the room counts it, but the bucket is full on a new connection.
    if (this.#socket.send(encodeClientFrame(join))) {
      this.#joinsSent += 1;
      this.#joinUnanswered = true;
    }
  }

  #onClosed(end: SocketEnd): void {
    const error = this.#joinError;
    this.#connectionEnded();
    this.#listener.closed({ code: end.code, reason: end.reason, ...(error ? { error } : {}) });
  }

  #connectionEnded(): void {
    // A join that went out unanswered may have left a new holder of our name, with a
    // grace of its own: the patience for name_taken starts again from here.
    if (this.#joinUnanswered) this.#nameTakenSince = undefined;
    this.#joinUnanswered = false;
    this.#welcomed = false;
    this.#joinError = undefined;
    this.#catchUp = undefined;
    clearTimeout(this.#retryTimer);
    for (const [before, waiting] of this.#historyWaiters) {
      for (const resolve of waiting) resolve(emptyHistory(before));
    }
    this.#historyWaiters.clear();
    for (const resolve of this.#bansWaiters.splice(0)) resolve(null);
    for (const resolve of this.#membersWaiters.splice(0)) resolve(null);
    for (const resolve of this.#searchWaiters.splice(0)) resolve(null);
  }

  #onMessage(text: string): void {
    const decoded = decodeServerFrame(text);
    if (decoded.kind === "frame") this.#onFrame(decoded.frame);
    else if (decoded.kind === "malformed") this.#listener.malformed(decoded.problem);
    // A frame type this client does not know (a newer server's) is ignored.
  }

  #onFrame(frame: ReceivedFrame): void {
    switch (frame.type) {
      case "welcome":
        return this.#onWelcome(frame);
      case "events": {
        const wasReplaying = this.replaying;
        for (const event of frame.events) if (!this.#deliver(event)) return;
        if (wasReplaying && !this.replaying) this.#listener.replayDone();
        return;
      }
      case "presence":
        return this.#listener.presence(frame);
      case "typing":
        if (frame.member.id !== this.#self?.id) this.#listener.typing(frame.member);
        return;
      case "history": {
        if (!("before" in frame)) return this.#onPage(frame.after, frame.events, frame.hasMore);
        const waiting = this.#historyWaiters.get(frame.before);
        this.#historyWaiters.delete(frame.before);
        const page: HistoryFrame = { ...frame, events: frame.events.filter(isKnownEvent) };
        for (const resolve of waiting ?? []) resolve(page);
        return;
      }
      case "error":
        return this.#onError(frame);
      case "bans":
        this.#bansWaiters.shift()?.(frame);
        return;
      case "members":
        this.#membersWaiters.shift()?.(frame);
        return;
      case "search":
        this.#searchWaiters.shift()?.(frame);
        return;
      case "newcomer":
        this.#listener.newcomer(frame.member);
        return;
      case "message":
      case "joined":
      case "left":
      case "renamed":
      case "edited":
      case "deleted":
      case "reactions":
      case "kicked":
      case "banned":
      case "settings":
      case "unknown":
        this.#deliver(frame);
        return;
      default:
        unreachable(frame);
    }
  }

  /**
   * Whether a `name_taken` may be this client's own doing: an earlier join of
   * it went out (the room may have taken it without the welcome arriving),
   * and the clash has not lasted longer than such a leftover could.
   */
  #mayHoldOwnName(): boolean {
    if (this.#joinsSent <= 1) return false;
    const now = Date.now();
    this.#nameTakenSince ??= now;
    return now - this.#nameTakenSince < OWN_NAME_PATIENCE_MS;
  }

  #onWelcome(welcome: Received<WelcomeFrame>): void {
    this.#nameTakenSince = undefined;
    this.#joinUnanswered = false;
    this.#socket.established();
    const fresh = this.#lastSeq === undefined || welcome.reset === true;
    // A reset room starts its seqs over: what we held belongs to another history.
    if (welcome.reset) this.#lastSeq = undefined;
    // The room no longer has what we missed: accept the gap it announced.
    if (welcome.truncated && welcome.oldestSeq !== undefined) this.#lastSeq = welcome.oldestSeq - 1;
    this.#welcomed = true;
    this.#self = welcome.self;
    this.#name = welcome.self.name;
    this.#token = welcome.session;
    this.#limits = welcome.limits;
    this.#settings = welcome.settings;
    // Before anyone hears of the welcome, so that nothing is sent before the replay is in.
    this.#replayEnd = welcome.lastSeq;
    this.#listener.welcome(welcome, fresh);
    for (const event of welcome.events) if (!this.#deliver(event)) return;
    this.#listener.welcomeDelivered();
    if (welcome.more) {
      this.#catchUp = { asked: null, held: new Map() };
      // A welcome with a full chunk of events may be followed by more in `events` frames, which
      // arrive before any answer: asking for one event first keeps the overlap to one.
      this.#askPage(welcome.events.length >= REPLAY_CHUNK ? 1 : HISTORY_PAGE_MAX);
    }
  }

  /** Asks for the next page of a capped replay, after the cursor. */
  #askPage(limit = HISTORY_PAGE_MAX): void {
    if (!this.#catchUp) return;
    const after = this.#lastSeq ?? 0;
    this.#catchUp.asked = after;
    // Not paced through the outbox, which waits for the replay to end: this is the replay.
    this.send({ type: "history", after, limit });
  }

  /** A page continuing a capped replay: delivered as replay, then the next page or the held live events. */
  #onPage(after: number, events: readonly ReceivedEvent[], hasMore: boolean): void {
    const catchUp = this.#catchUp;
    // Not ours (another layer's question, or an answer to a connection that is gone): ignore it.
    if (!catchUp || catchUp.asked !== after) return;
    catchUp.asked = null;
    const wasReplaying = this.replaying;
    for (const event of events) {
      // A page is gap-free from `after`: a gap in it is a broken server, and resuming is the cure.
      if (!this.#deliver(event, false)) return;
    }
    if (!this.#deliverHeld(catchUp.held)) return;
    if (hasMore) this.#askPage();
    else {
      this.#catchUp = undefined;
      // What is still held is not next to the cursor: a real gap.
      const rest = [...catchUp.held.values()].sort((a, b) => a.seq - b.seq);
      for (const event of rest) if (!this.#deliver(event)) return;
    }
    if (wasReplaying && !this.replaying) this.#listener.replayDone();
  }

  /** Delivers the held live events that the cursor has reached; false if a gap dropped the connection. */
  #deliverHeld(held: Map<number, ReceivedEvent>): boolean {
    for (;;) {
      const next = held.get((this.#lastSeq ?? 0) + 1);
      if (!next) break;
      held.delete(next.seq);
      if (!this.#deliver(next)) return false;
    }
    for (const seq of held.keys()) if (seq <= (this.#lastSeq ?? 0)) held.delete(seq);
    return true;
  }

  /**
   * Delivers one event unless already seen; false if a gap dropped the
   * connection (the rest of its frame must not be delivered either).
   */
  #deliver(event: ReceivedEvent, mayHold = true): boolean {
    const last = this.#lastSeq;
    if (last !== undefined && event.seq <= last) return true;
    if (last !== undefined && event.seq > last + 1 && mayHold && this.#catchUp && this.#catchUp.held.size < MAX_HELD_EVENTS) {
      // Live news overtaking a capped replay: it waits for the pages to reach it.
      this.#catchUp.held.set(event.seq, event);
      return true;
    }
    if (last !== undefined && event.seq > last + 1) {
      this.#socket.drop(`gap after seq ${last}`);
      return false;
    }
    this.#lastSeq = event.seq;
    if (event.type === "unknown") return true;
    if (event.type === "settings") this.#settings = { topic: event.topic, slowModeSeconds: event.slowModeSeconds, locked: event.locked };
    if (event.type === "renamed" && event.member.id === this.#self?.id) {
      this.#self = event.member;
      this.#name = event.member.name;
    }
    this.#listener.event(event);
    if ((event.type === "kicked" || event.type === "banned") && event.member.id === this.#self?.id && event.seq > this.#replayEnd) {
      // The room closes our sockets too (4003/4004), but a close frame can be lost or held up on
      // the way (a proxy that never forwards it): the live event is enough to stop, with the
      // reason the close would carry, instead of sitting on a socket the room has let go of.
      const code = event.type === "kicked" ? CLOSE_CODES.kicked : CLOSE_CODES.banned;
      this.close({ code, reason: `${event.type} by ${event.by.name}${event.reason === undefined ? "" : `: ${event.reason}`}` });
      return false;
    }
    return true;
  }

  #onError(error: ErrorFrame): void {
    if (!this.#welcomed && isJoinRefusal(error)) {
      this.#joinUnanswered = false;
      if (error.code === "name_taken" && this.#mayHoldOwnName()) {
        // Most likely our own earlier join, whose welcome was lost: it holds the name until its grace ends.
        this.#socket.drop("name held by an earlier join");
        return;
      }
      this.close({ code: CLOSE_CODES.normal, reason: error.message, error });
      return;
    }
    if (error.code === "rate_limited" && error.ref === undefined) this.#retryLater(error.retryAfterMs ?? DEFAULT_RETRY_MS);
    // The close that follows (1013) says to retry later; if a final close follows instead, this explains it.
    // A ban (4004) is explained the same way.
    if (error.code === "room_full" || error.code === "banned") this.#joinError = error;
    this.#listener.error(error);
  }

  /**
   * The room asked to wait (its per-address join or replay budget): the join,
   * or the page of a capped replay, is asked for again after that. The socket
   * stays open meanwhile; a connection that ends cancels it.
   */
  #retryLater(delayMs: number): void {
    const pageAsked = this.#catchUp !== undefined && this.#catchUp.asked !== null;
    const waitingFor = !this.#welcomed ? "join" : pageAsked ? "page" : undefined;
    if (!waitingFor) return;
    // The refused page is asked again: an answer to the first question will not come.
    if (this.#catchUp) this.#catchUp.asked = null;
    if (waitingFor === "join") this.#socket.postponeTimeout(delayMs);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => (waitingFor === "join" ? this.#sendJoin() : this.#askPage()), delayMs);
  }
}

const isKnownEvent = (event: ReceivedEvent): event is RoomEvent => event.type !== "unknown";

const emptyHistory = (before: number): HistoryFrame => ({ type: "history", before, events: [], hasMore: true });

/** The socket URL with a join in its query (see docs/protocol.md, "Joining in the URL"). */
function joinUrl(socketUrl: string, name: string, since: number | undefined, quiet: boolean): string {
  const url = new URL(socketUrl);
  url.searchParams.set("name", name);
  if (since !== undefined) url.searchParams.set("since", String(since));
  if (quiet) url.searchParams.set("quiet", "1");
  return url.toString();
}
