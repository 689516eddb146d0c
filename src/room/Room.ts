/**
 * One chat room: a Durable Object holding the room's sockets (WebSocket
 * Hibernation API, so an idle room costs nothing), its history (SQLite) and
 * its presence. Every frame a client sends arrives in `webSocketMessage` and
 * goes through `#handleFrame`: the rate limit, then the `#on…` handler of its
 * type (an exhaustive switch: a new client frame type does not compile until
 * it has one). Every frame the room sends is built by src/protocol/encode.ts.
 *
 * The parts, each in its own module: the event log (eventLog.ts), idempotent
 * messages (idempotency.ts), replies' quotes (replies.ts), edits and
 * deletions (editing.ts), reactions (reactions.ts), presence (presence.ts),
 * the sockets (connections.ts), broadcasting and batching (broadcaster.ts),
 * welcomes (welcome.ts), the connection log (connectionLog.ts) and the one
 * alarm they share (alarm.ts).
 *
 * Nothing here awaits on the message path and nothing keeps an idle room
 * awake: no outgoing fetches, and delayed work uses the alarm. The one timer
 * is the broadcaster's 0 ms flush of a busy big room's burst.
 */
import { DurableObject } from "cloudflare:workers";
import {
  crowdPresenceFrame,
  encodeClientFrame,
  errorFrame,
  eventArray,
  historyFrame,
  listPresenceFrame,
  newcomerFrame,
  searchFrame,
  typingFrame,
  type Json,
} from "../protocol/encode.ts";
import {
  CLOSE_CODES,
  KEEPALIVE,
  unreachable,
  type ClientFrame,
  type HistoryRequestFrame,
  type JoinFrame,
  type Member,
  type MessageFrame,
  type PresenceFrame,
  type RenameFrame,
  type SearchRequestFrame,
  type ServerFrame,
} from "../protocol/frames.ts";
import type { HttpErrorBody, RoomInfo } from "../protocol/http.ts";
import { errorLine, guestName, parseTextLine, TEXT_HELP, whoLine } from "../protocol/plainText.ts";
import { advertisedLimits, readLimits, SEARCH_PAGE_DEFAULT, WELCOME_EVENTS, type Limits } from "../protocol/limits.ts";
import { takeToken } from "../protocol/rateLimit.ts";
import { decodeClientFrame, decodeJoinQuery, type Result } from "../protocol/validate.ts";
import { clientAddress } from "../shared/address.ts";
import { isFlagSet } from "../shared/flags.ts";
import { log } from "../shared/log.ts";
import { isWebSocketUpgrade } from "../shared/websocket.ts";
import { AddressLimits } from "./addresses.ts";
import { Alarm } from "./alarm.ts";
import { Bans } from "./bans.ts";
import { Broadcaster } from "./broadcaster.ts";
import { ConnectionLog } from "./connectionLog.ts";
import { Connections, newConnection, type Connection } from "./connections.ts";
import { Editing } from "./editing.ts";
import { EventLog, type StoredEvent } from "./eventLog.ts";
import { IdempotentMessages } from "./idempotency.ts";
import { Moderation } from "./moderation.ts";
import { mentionsIn } from "./mentions.ts";
import { Owners } from "./owners.ts";
import { memberOf, Presence } from "./presence.ts";
import { Reactions } from "./reactions.ts";
import { Replies } from "./replies.ts";
import { SearchIndex } from "./search.ts";
import { markText, send, sendLine } from "./send.ts";
import { Settings } from "./settings.ts";
import { MeteredSql, PlainSql, type StorageCounters } from "./sql.ts";
import { Welcomes } from "./welcome.ts";

/** What `GET /api/rooms/:room` reports, besides the room's address. */
export type RoomState = Omit<RoomInfo, "room" | "private">;

/** Work done since this instance started, for the benchmark (see `stats`). */
export interface RoomStats extends StorageCounters {
  messages: number;
  joins: number;
  sockets: number;
  lastSeq: number;
}

/** The benchmark's counters; a production room (EXPOSE_STATS unset) keeps none. */
interface WorkCounters {
  sql: MeteredSql;
  messages: number;
  joins: number;
}

/** Close codes after which a member leaves at once, without a reconnect grace. */
const FINAL_CLOSES: ReadonlySet<number> = new Set([
  CLOSE_CODES.normal,
  CLOSE_CODES.noStatus,
  CLOSE_CODES.policy,
  CLOSE_CODES.kicked,
  CLOSE_CODES.banned,
]);

export class Room extends DurableObject<Env> {
  readonly #limits: Limits;
  /** The room as logs name it: private ids are shortened, they are capabilities. */
  readonly #logName: string;
  readonly #alarm: Alarm;
  readonly #owners: Owners;
  readonly #events: EventLog;
  readonly #messages: IdempotentMessages;
  readonly #presence: Presence;
  readonly #conns: Connections;
  readonly #addresses: AddressLimits;
  readonly #bans: Bans;
  readonly #settings: Settings;
  readonly #broadcaster: Broadcaster;
  readonly #replies: Replies;
  readonly #editing: Editing;
  readonly #reactions: Reactions;
  /** The full-text index of messages; null with `SEARCH=off`. */
  readonly #search: SearchIndex | null;
  readonly #moderation: Moderation;
  readonly #welcomes: Welcomes;
  readonly #connLog: ConnectionLog;
  readonly #counters: WorkCounters | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const room = ctx.id.name ?? ctx.id.toString();
    this.#logName = ctx.id.name ?? `private:${room.slice(0, 8)}`;
    const limits = readLimits(env, (key, raw) => log("config_invalid", { room: this.#logName, key, raw: String(raw) }));
    this.#limits = limits;
    const metered = isFlagSet(env.EXPOSE_STATS) ? new MeteredSql(ctx.storage.sql) : null;
    this.#counters = metered ? { sql: metered, messages: 0, joins: 0 } : null;
    const sql = metered ?? new PlainSql(ctx.storage.sql);
    this.#alarm = new Alarm(ctx.storage, (error) => this.#logInternal(null, error));
    const wake = this.#alarm.wake;
    this.#owners = new Owners(sql, adminKey(env));
    this.#events = new EventLog(sql, limits.HISTORY_LIMIT);
    this.#replies = new Replies(this.#events);
    this.#messages = new IdempotentMessages(this.#events, Math.min(limits.DEDUP_WINDOW, limits.HISTORY_LIMIT), (seq) => this.#replies.quote(seq));
    this.#presence = new Presence(sql, wake);
    this.#conns = new Connections(ctx);
    this.#addresses = new AddressLimits(sql, limits);
    this.#bans = new Bans(sql);
    this.#settings = new Settings(sql);
    this.#connLog = new ConnectionLog(this.#logName, wake);
    this.#broadcaster = new Broadcaster(this.#conns, limits.BATCH_SOCKETS, () => this.#presenceFrame(), wake);
    this.#search = searchOff(env) ? SearchIndex.drop(sql) : new SearchIndex(sql, this.#events);
    if (this.#search) {
      const search = this.#search;
      this.#events.onPruned((keepFrom) => search.pruneBefore(keepFrom));
    }
    this.#editing = new Editing(this.#events, this.#broadcaster, this.#replies, this.#search);
    this.#reactions = new Reactions(this.#events, this.#broadcaster, limits.REACTIONS_MAX);
    this.#moderation = new Moderation({
      events: this.#events,
      presence: this.#presence,
      conns: this.#conns,
      broadcaster: this.#broadcaster,
      bans: this.#bans,
      settings: this.#settings,
      remove: (session, code, reason) => this.#remove(session, code, reason),
      newId: () => randomHex(8),
    });
    this.#welcomes = new Welcomes(room, this.#events, advertisedLimits(limits));
    // Members whose sockets died with the process (a crash or a deploy) get
    // the same grace as any dropped connection.
    this.#presence.adoptOrphans(this.#conns.liveSessions(), Date.now() + limits.RECONNECT_GRACE_MS);
    // Sockets that never joined are closed on time whatever happened since.
    this.#wakeForUnjoined();
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE.ping, KEEPALIVE.pong));
  }

  /**
   * Accepts a WebSocket upgrade routed here by the Worker. One client address
   * may hold ADDRESS_MAX_SOCKETS sockets here: the next is refused with 429
   * before any socket is accepted.
   */
  override fetch(request: Request): Response {
    if (!isWebSocketUpgrade(request)) {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const address = this.#owners.addressKey(clientAddress(request));
    if (this.#conns.countOf(address) >= this.#limits.ADDRESS_MAX_SOCKETS) {
      log("refused", { room: this.#logName, reason: "too_many_connections" });
      const body: HttpErrorBody = {
        error: { code: "too_many_connections", message: `at most ${this.#limits.ADDRESS_MAX_SOCKETS} connections per client in a room` },
      };
      return Response.json(body, { status: 429, headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const now = Date.now();
    if (this.#conns.size >= this.#limits.ROOM_CAPACITY && this.#closeStaleUnjoined(now) === 0) {
      send(server, errorFrame("room_full", `this room is full (${this.#limits.ROOM_CAPACITY} connections)`));
      server.close(CLOSE_CODES.tryAgainLater, "room is full");
      log("refused", { room: this.#logName, reason: "room_full" });
    } else {
      // Logged as "connect" once it joins, when the member id is known.
      const conn = newConnection(now, address);
      // A join in the URL is handled like a first frame, before the handshake
      // completes: the welcome is the first thing the client hears.
      const query = request.url.indexOf("?");
      const params = query < 0 ? null : new URLSearchParams(request.url.slice(query));
      // A plain-text session always joins in its URL: as a guest when it names no one.
      if (params?.get("format") === "text") {
        conn.text = true;
        markText(server);
        if (!params.has("name")) params.set("name", guestName());
      }
      const joinQuery = params === null ? null : decodeJoinQuery(params, this.#limits);
      if (joinQuery) this.#guarded(server, conn, () => this.#handleFrame(server, conn, joinQuery));
      // A join saved the connection with its session; anything else registers it here,
      // and it must join within JOIN_TIMEOUT_MS.
      if (this.#conns.get(server) !== conn) {
        this.#conns.save(server, conn);
        this.#alarm.wake(now + this.#limits.JOIN_TIMEOUT_MS);
      }
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Who is here and how far history goes, for the HTTP API. */
  info(): RoomState {
    const crowd = this.#crowd;
    return {
      online: this.#presence.size,
      members: crowd ? [] : this.#presence.members,
      crowd,
      lastSeq: this.#events.lastSeq,
    };
  }

  /**
   * Makes `key` the room's owner key, if it has none: for a private room when
   * the Worker creates it, for a public one when someone claims it. Only a
   * hash of the key is kept.
   */
  claim(key: string): boolean {
    return this.#owners.claim(key);
  }

  /** Storage rows and work since this instance started (the Worker asks only when EXPOSE_STATS is set). */
  stats(): RoomStats {
    const counters = this.#counters;
    return {
      rowsRead: counters?.sql.counters.rowsRead ?? 0,
      rowsWritten: counters?.sql.counters.rowsWritten ?? 0,
      messages: counters?.messages ?? 0,
      joins: counters?.joins ?? 0,
      sockets: this.#conns.size,
      lastSeq: this.#events.lastSeq,
    };
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    const conn = this.#conns.get(ws);
    if (!conn) return; // refused (room full), or closed by the room, and closing
    if (conn.text) this.#guarded(ws, conn, () => this.#onTextLine(ws, conn, data));
    else this.#guarded(ws, conn, () => this.#handleFrame(ws, conn, decodeClientFrame(data, this.#limits)));
  }

  /**
   * A line from a plain-text session: a message or a command becomes the
   * frame a JSON client would send, and goes the same way; /who and /help are
   * answered here. Before it has joined (its name was taken), a line is the
   * name to try next.
   */
  #onTextLine(ws: WebSocket, conn: Connection, data: string | ArrayBuffer): void {
    if (typeof data !== "string") {
      this.#handleFrame(ws, conn, decodeClientFrame(data, this.#limits));
      return;
    }
    if (conn.session === null) {
      const name = data.trim();
      this.#handleFrame(ws, conn, decodeJoinQuery(new URLSearchParams({ name }), this.#limits)!);
      return;
    }
    const input = parseTextLine(data);
    if (input.kind === "frame") {
      this.#handleFrame(ws, conn, decodeClientFrame(encodeClientFrame(input.frame), this.#limits));
      return;
    }
    if (!this.#spendToken(ws, conn, undefined)) return;
    const members = this.#crowd ? [] : this.#presence.members;
    if (input.kind === "who") sendLine(ws, whoLine(this.#presence.size, members));
    else if (input.kind === "help") sendLine(ws, TEXT_HELP);
    else if (input.kind === "invalid") sendLine(ws, errorLine(input.message));
  }

  /** Runs a frame's handler; a fault reaches the client as `internal`, without details. */
  #guarded(ws: WebSocket, conn: Connection, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#logInternal(conn.session, error);
      send(ws, errorFrame("internal", "the server could not handle that frame; try again (a message with an id is safe to resend)"));
    }
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.#disconnect(ws, code);
    // Answer the close frame (a no-op where the runtime already did).
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override webSocketError(ws: WebSocket): void {
    this.#disconnect(ws, 1006);
  }

  /**
   * Delayed work (see alarm.ts): presence held back by the batch window,
   * members whose reconnect grace ended, sockets that never joined, a crowd's
   * connection log. Each part asks for the alarm again if it still waits for
   * something later.
   */
  override alarm(): void {
    this.#alarm.fired();
    const now = Date.now();
    this.#broadcaster.due(now);
    for (const session of this.#presence.due(now)) this.#leave(session);
    this.#closeStaleUnjoined(now);
    this.#wakeForUnjoined();
    this.#connLog.due(now, { sockets: this.#conns.size, online: this.#presence.size });
  }

  // -- frames ---------------------------------------------------------------

  /** Every frame, from the socket or a join in its URL: the rate limit, then the handler of its type. */
  #handleFrame(ws: WebSocket, conn: Connection, decoded: Result<ClientFrame>): void {
    const ref = decoded.ok ? (decoded.value.type === "message" ? decoded.value.id : undefined) : decoded.error.ref;
    // A join saves the connection itself.
    const joining = decoded.ok && decoded.value.type === "join" && conn.session === null;
    if (!this.#spendToken(ws, conn, ref, joining)) return;
    if (joining) {
      this.#onJoin(ws, conn, decoded.value as JoinFrame);
      return;
    }

    if (!decoded.ok) {
      this.#reply(ws, errorFrame(decoded.error.code, decoded.error.message, decoded.error));
      return;
    }
    const frame = decoded.value;
    const session = conn.session;
    const member = session === null ? undefined : this.#presence.get(session)?.member;
    if (session === null || !member) {
      send(ws, errorFrame("not_joined", 'send {"type":"join","name":…} first', { ref: frame.type === "message" ? frame.id : undefined }));
      return;
    }
    const reply = this.#onMemberFrame(ws, conn, session, member, frame);
    if (reply) this.#reply(ws, reply);
  }

  /**
   * An answer to a frame (an error, a history page, search results): after
   * the events stored before it that the broadcaster still holds, so that a
   * client hears things in the order the room did them.
   */
  #reply(ws: WebSocket, frame: Json<ServerFrame>): void {
    this.#broadcaster.beforeReply();
    send(ws, frame);
  }

  /**
   * Every frame, good or bad, spends a token: garbage floods are floods too.
   * False when the connection is over its rate (it has been told, or closed).
   */
  #spendToken(ws: WebSocket, conn: Connection, ref: string | undefined, joining = false): boolean {
    const rate = takeToken(conn.tat, Date.now(), {
      burst: this.#limits.RATE_BURST,
      perSecond: this.#limits.RATE_PER_SECOND,
    });
    if (!rate.allowed) {
      this.#onRateLimited(ws, conn, rate.retryAfterMs, ref);
      return false;
    }
    conn.tat = rate.tat;
    conn.strikes = 0;
    // The attachment keeps the bucket across hibernation once it matters, when
    // over half the burst is spent: a fuller bucket refills long before an idle
    // room hibernates, so an attachment write per frame would buy nothing.
    if (rate.pressed && !joining) this.#conns.save(ws, conn);
    return true;
  }

  /** A joined member's frame; returns what to answer this socket alone, if anything. */
  #onMemberFrame(ws: WebSocket, conn: Connection, session: string, member: Member, frame: ClientFrame): Json<ServerFrame> | undefined {
    switch (frame.type) {
      case "join":
        return errorFrame("bad_request", "already joined; send a rename frame to change your name");
      case "message":
        return this.#onMessage(ws, conn, session, member, frame);
      case "rename":
        return this.#onRename(session, member, frame);
      case "typing":
        // Nobody can follow who is typing in a crowd; relaying it would cost a frame per socket.
        if (!this.#crowd) this.#broadcaster.notice(typingFrame(member), ws);
        return undefined;
      case "history":
        return this.#onHistory(conn, frame);
      case "edit": {
        const limited = this.#addressMessageLimit(conn, undefined);
        return limited ?? this.#editing.edit(member, frame);
      }
      case "delete":
        return this.#editing.delete(member, member.role === "owner", frame);
      case "react": {
        const limited = this.#addressMessageLimit(conn, undefined);
        return limited ?? this.#reactions.react(member, frame, Date.now());
      }
      case "kick":
        return this.#moderation.kick(member, frame);
      case "ban":
        return this.#moderation.ban(member, frame);
      case "bans":
        return this.#moderation.bans(member);
      case "unban":
        return this.#moderation.unban(member, frame);
      case "settings":
        return this.#moderation.settings(member, frame);
      case "members":
        return this.#moderation.members(member, frame);
      case "search":
        return this.#onSearch(conn, frame);
      default:
        return unreachable(frame);
    }
  }

  #onRateLimited(ws: WebSocket, conn: Connection, retryAfterMs: number, ref: string | undefined): void {
    conn.strikes += 1;
    this.#conns.save(ws, conn);
    if (conn.strikes >= this.#limits.FLOOD_STRIKES) {
      log("flood_closed", { room: this.#logName, member: this.#memberId(conn.session), strikes: conn.strikes });
      // A flooder that reconnects at once would start over: its address cools down first.
      this.#addresses.coolDown(conn.address, Date.now());
      ws.close(CLOSE_CODES.policy, "kept sending while rate limited");
      this.#disconnect(ws, CLOSE_CODES.policy);
      return;
    }
    this.#reply(ws, errorFrame("rate_limited", `slow down: wait ${retryAfterMs} ms`, { ref, retryAfterMs }));
  }

  /**
   * A socket that has not joined yet joins: as a newcomer, or as the member
   * its session token names (a second tab of the same browser is the same
   * member with another socket). Refused, with the socket left open for
   * another try, when its address joins too often or cools down after a
   * flood, is banned (closed 4004), the room is locked, or the name is taken.
   */
  #onJoin(ws: WebSocket, conn: Connection, frame: JoinFrame): void {
    const now = Date.now();
    const pace = this.#addresses.takeJoin(conn.address, now);
    if (!pace.allowed) {
      send(ws, errorFrame("rate_limited", `too many joins from your address: wait ${pace.retryAfterMs} ms`, { retryAfterMs: pace.retryAfterMs }));
      this.#conns.save(ws, conn);
      return;
    }
    const ban = this.#bans.find(frame.session, conn.address, now);
    if (ban) {
      send(ws, errorFrame("banned", ban.until === undefined ? "you are banned from this room" : "you are banned from this room for now", { until: ban.until }));
      this.#conns.release(ws, conn);
      ws.close(CLOSE_CODES.banned, "banned from this room");
      return;
    }
    const ownerKey = frame.ownerKey;
    const owner = ownerKey !== undefined && this.#owners.isOwnerKey(ownerKey);
    const earlierSession = frame.session !== undefined && this.#presence.get(frame.session) ? frame.session : undefined;
    if (this.#settings.current.locked && !owner && earlierSession === undefined) {
      send(ws, errorFrame("room_locked", "this room is locked: only its members and owners can join now"));
      this.#conns.save(ws, conn);
      return;
    }
    const taken = this.#nameTakenBy(frame.name, earlierSession);
    if (taken !== undefined) {
      send(ws, errorFrame("name_taken", `someone here is already called ${taken}; pick another name`));
      this.#conns.save(ws, conn);
      return;
    }

    const lastSeqBefore = this.#events.lastSeq;
    const earlier = earlierSession === undefined ? undefined : this.#presence.resume(earlierSession, frame.name, conn.address, owner);
    // One draw for both: a session token (16 bytes) and a member id (6).
    const fresh = earlier ? "" : randomHex(22);
    const session = earlierSession ?? fresh.slice(0, 32);
    if (!earlier) this.#presence.open(session, memberOf(fresh.slice(32), frame.name, owner), conn.address, frame.quiet === true);
    const { member, quiet } = this.#presence.get(session)!;
    conn.session = session;
    this.#conns.save(ws, conn);

    let announcement: StoredEvent | undefined;
    let counted = false;
    if (!earlier) {
      if (this.#counters) this.#counters.joins += 1;
      // A crowd counts its newcomers instead of announcing each to everyone.
      if (this.#crowd) counted = true;
      else if (!quiet) announcement = this.#events.append((seq, ts) => ({ type: "joined", seq, ts, member }));
    } else if (earlier.name !== member.name && !quiet) {
      announcement = this.#events.append((seq, ts) => ({ type: "renamed", seq, ts, member, from: earlier.name }));
    }
    const presence = { online: this.#presence.size, members: this.#crowd ? null : this.#presence.membersJson };
    const joiner = { self: member, session, since: frame.since, lastSeqBefore, settings: this.#settings.current };
    const budget = { maxEvents: this.#limits.REPLAY_MAX_EVENTS, maxBytes: Math.min(this.#limits.REPLAY_MAX_BYTES, this.#addresses.bytesLeft(conn.address, now)) };
    const { frames, bytes } = this.#welcomes.frames(joiner, presence, budget);
    this.#addresses.takeBytes(conn.address, bytes, now);
    for (const welcome of frames) send(ws, welcome);
    this.#broadcaster.welcomed(ws, this.#events.lastSeq);
    if (announcement) this.#broadcaster.announce(announcement, now);
    if (counted) {
      this.#broadcaster.countChanged(now);
      // Owners see every newcomer, even in a crowd where joins are not events.
      this.#toOwners(newcomerFrame(member), session);
    }
    if (ownerKey !== undefined && !owner) send(ws, errorFrame("forbidden", "that is not this room's owner key; you joined as a member"));
    this.#connLog.connect({ member: member.id, resumed: earlier !== undefined, sockets: this.#conns.size }, this.#crowd, now);
  }

  #onMessage(ws: WebSocket, conn: Connection, session: string, from: Member, frame: MessageFrame): Json<ServerFrame> | undefined {
    const limited = this.#addressMessageLimit(conn, frame.id);
    if (limited) return limited;
    const now = Date.now();
    if (from.role !== "owner") {
      const wait = this.#settings.slowModeWait(session, now);
      if (wait > 0) {
        return errorFrame("slow_mode", `slow mode: one message every ${this.#settings.current.slowModeSeconds} s; wait ${Math.ceil(wait / 1000)} s`, {
          ref: frame.id,
          retryAfterMs: wait,
        });
      }
    }
    const { event, resent } = this.#messages.store(from, frame, () =>
      mentionsIn(frame.text, this.#limits.NAME_MAX, (name) => {
        const holder = this.#presence.nameHolder(name);
        return holder === undefined ? undefined : this.#presence.get(holder)?.member;
      }),
    );
    if (!event) return errorFrame("not_found", `there is no message ${frame.replyTo} to reply to`, { ref: frame.id });
    // A resend: the sender alone gets its acknowledgement again.
    if (resent) {
      this.#broadcaster.resend(ws, event);
      return undefined;
    }
    if (this.#counters) this.#counters.messages += 1;
    this.#settings.spoke(session, now);
    this.#search?.add(event.seq, frame.text);
    this.#broadcaster.publish(event);
    return undefined;
  }

  /** The address's shared message bucket: a refusal to answer with, or undefined when it may go. */
  #addressMessageLimit(conn: Connection, ref: string | undefined): Json<ServerFrame> | undefined {
    const pace = this.#addresses.takeMessage(conn.address, Date.now());
    if (pace.allowed) return undefined;
    return errorFrame("rate_limited", `slow down: too many messages from your address; wait ${pace.retryAfterMs} ms`, {
      ref,
      retryAfterMs: pace.retryAfterMs,
    });
  }

  #onRename(session: string, member: Member, frame: RenameFrame): Json<ServerFrame> | undefined {
    if (frame.name === member.name) return undefined;
    const taken = this.#nameTakenBy(frame.name, session);
    if (taken !== undefined) return errorFrame("name_taken", `someone here is already called ${taken}`);
    this.#presence.rename(session, frame.name);
    const { member: renamed, quiet } = this.#presence.get(session)!;
    // Someone who joined quietly is announced to no one, under any name.
    if (quiet) return undefined;
    this.#broadcaster.announce(
      this.#events.append((seq, ts) => ({ type: "renamed", seq, ts, member: renamed, from: member.name })),
      Date.now(),
    );
    return undefined;
  }

  /** The name of whoever else online holds a name that clashes with `name` (see nameKey); `self` never clashes with itself. */
  #nameTakenBy(name: string, self: string | undefined): string | undefined {
    const holder = this.#presence.nameHolder(name);
    if (holder === undefined || holder === self) return undefined;
    return this.#presence.get(holder)?.member.name ?? name;
  }

  /** A page of history, paid for from the address's replay budget. */
  #onHistory(conn: Connection, frame: HistoryRequestFrame): Json<ServerFrame> {
    const limit = frame.limit ?? WELCOME_EVENTS;
    const page = "after" in frame ? this.#events.after(frame.after, limit) : this.#events.before(frame.before, limit);
    let bytes = 0;
    for (const event of page) bytes += event.json.length;
    const pay = this.#addresses.takeBytes(conn.address, bytes, Date.now());
    if (!pay.allowed) {
      return errorFrame("rate_limited", `too much history for your address: wait ${pay.retryAfterMs} ms`, { retryAfterMs: pay.retryAfterMs });
    }
    if ("after" in frame) {
      const last = page.at(-1)?.seq ?? frame.after;
      return historyFrame(frame, last < this.#events.lastSeq, eventArray(page));
    }
    const first = page[0];
    return historyFrame(frame, first !== undefined && first.seq > this.#events.oldestSeq, eventArray(page));
  }

  /** A page of search results, paid for from the address's replay budget like history. */
  #onSearch(conn: Connection, frame: SearchRequestFrame): Json<ServerFrame> {
    if (!this.#search) return errorFrame("bad_request", "search is turned off on this server");
    const found = this.#search.search(frame.q, frame.before ?? this.#events.lastSeq + 1, frame.limit ?? SEARCH_PAGE_DEFAULT, this.#events);
    const answer = searchFrame(frame.q, found.results, found.hasMore);
    const pay = this.#addresses.takeBytes(conn.address, answer.length, Date.now());
    if (!pay.allowed) {
      return errorFrame("rate_limited", `too many searches from your address: wait ${pay.retryAfterMs} ms`, { retryAfterMs: pay.retryAfterMs });
    }
    return answer;
  }

  // -- presence -------------------------------------------------------------

  #disconnect(ws: WebSocket, code: number): void {
    this.#broadcaster.forget(ws);
    const conn = this.#conns.remove(ws);
    if (!conn) return;
    const session = conn.session;
    this.#connLog.disconnect({ member: this.#memberId(session), code }, this.#crowd, Date.now());
    // Not joined, or already ended: nothing to announce.
    if (session === null || !this.#presence.get(session)) return;
    this.#conns.release(ws, conn);
    // Another socket (another tab) still holds the member.
    if (this.#conns.socketsOf(session).size > 0) return;
    // A goodbye (1000, or a close without a code), a flood close, a kick or a
    // ban is final; anything else may be a network blip the client will
    // recover from.
    if (FINAL_CLOSES.has(code)) {
      this.#leave(session);
      return;
    }
    this.#presence.hold(session, Date.now() + this.#limits.RECONNECT_GRACE_MS);
  }

  /** Closes every socket of a member with `code` and ends them at once (a kick or a ban). */
  #remove(session: string, code: number, reason: string): void {
    const sockets = [...this.#conns.socketsOf(session)];
    for (const ws of sockets) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
      this.#disconnect(ws, code);
    }
    // A member in their reconnect grace has no socket to close.
    if (sockets.length === 0) this.#leave(session);
  }

  #leave(session: string): void {
    // Leaving a crowd is counted, even by the one who makes it a room again:
    // the presence frame then lists everyone, which a `left` event could not.
    const wasCrowd = this.#crowd;
    const quiet = this.#presence.get(session)?.quiet === true;
    const member = this.#presence.end(session);
    if (!member) return;
    this.#settings.forget(session);
    if (wasCrowd) this.#broadcaster.countChanged(Date.now());
    else if (!quiet) this.#broadcaster.announce(this.#events.append((seq, ts) => ({ type: "left", seq, ts, member })), Date.now());
  }

  /** `CROWD_SIZE` members or more (see PresenceFrame). */
  get #crowd(): boolean {
    return this.#presence.size >= this.#limits.CROWD_SIZE;
  }

  /** The `presence` frame for the room as it is now. */
  #presenceFrame(): Json<PresenceFrame> {
    const online = this.#presence.size;
    return this.#crowd ? crowdPresenceFrame(online) : listPresenceFrame(online, this.#presence.membersJson);
  }

  /** Sends a frame to every socket of every owner but `except`'s session. */
  #toOwners(frame: Json<ServerFrame>, except: string): void {
    for (const session of this.#presence.owners) {
      if (session === except) continue;
      for (const ws of this.#conns.socketsOf(session)) send(ws, frame);
    }
  }

  // -- sockets that never join ---------------------------------------------

  /** Closes sockets that connected but never joined; returns how many (a full room makes space). */
  #closeStaleUnjoined(now: number): number {
    const stale = this.#conns.unjoinedSince(now - this.#limits.JOIN_TIMEOUT_MS);
    for (const [ws, conn] of stale) this.#closeUnjoined(ws, conn);
    return stale.length;
  }

  #closeUnjoined(ws: WebSocket, conn: Connection): void {
    this.#conns.release(ws, conn);
    try {
      ws.close(CLOSE_CODES.policy, "did not join in time");
    } catch {
      // already closing
    }
  }

  /** Asks for the alarm when the oldest socket that has not joined is due to be closed. */
  #wakeForUnjoined(): void {
    const oldest = this.#conns.oldestUnjoined;
    if (oldest !== undefined) this.#alarm.wake(oldest + this.#limits.JOIN_TIMEOUT_MS);
  }

  #memberId(session: string | null): string | undefined {
    return session === null ? undefined : this.#presence.get(session)?.member.id;
  }

  #logInternal(session: string | null, error: unknown): void {
    log("internal_error", {
      room: this.#logName,
      member: this.#memberId(session),
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
}

/** `SEARCH=off` (or 0, false) turns full-text search off, and drops a room's index. */
function searchOff(env: Env): boolean {
  return /^(off|0|false|no)$/i.test(String(env.SEARCH ?? "").trim());
}

/** The operator's secret (`wrangler secret put ADMIN_KEY`, or `.dev.vars` locally): every room's owner key. */
function adminKey(env: Env): string | undefined {
  // Typed as a string, but a local run without `.dev.vars` has none.
  return env.ADMIN_KEY || undefined;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function randomHex(bytes: number): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(bytes))) out += HEX[b];
  return out;
}
