/**
 * One chat room: a Durable Object holding the room's sockets (WebSocket
 * Hibernation API, so an idle room costs nothing), its history (SQLite) and
 * its presence. Every frame a client sends arrives in `webSocketMessage`; the
 * handler for each frame type is the `#on…` method of the same name.
 *
 * Nothing here awaits on the message path and nothing keeps an idle room
 * awake: no outgoing fetches, and delayed work uses the alarm. The one timer
 * is the broadcaster's 0 ms flush of a busy big room's burst.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  KEEPALIVE,
  PROTOCOL_VERSION,
  type AdvertisedLimits,
  type ClientFrame,
  type ErrorCode,
  type ErrorFrame,
  type HistoryRequestFrame,
  type JoinFrame,
  type Member,
  type MessageFrame,
  type RenameFrame,
  type WelcomeFrame,
} from "../protocol/frames.ts";
import { readLimits, REPLAY_CHUNK, WELCOME_EVENTS, type Limits } from "../protocol/limits.ts";
import { takeToken } from "../protocol/rateLimit.ts";
import { decodeClientFrame, decodeJoinQuery, type Result } from "../protocol/validate.ts";
import { isWebSocketUpgrade } from "../worker/http.ts";
import { log } from "../worker/log.ts";
import { ConnectionLog } from "./connectionLog.ts";
import { Connections, newConnection, type Connection } from "./connections.ts";
import { EventLog, type StoredEvent } from "./eventLog.ts";
import { Broadcaster } from "./broadcaster.ts";
import { Presence } from "./presence.ts";
import { RecentIds } from "./recentIds.ts";
import { joinJson, send } from "./send.ts";
import { MeteredSql, type StorageCounters } from "./sql.ts";

/** What `GET /api/rooms/:room` reports, besides the room's address. */
export interface RoomInfo {
  online: number;
  /** Everyone online; empty in a crowd. */
  members: Member[];
  crowd: boolean;
  lastSeq: number;
}

/** Work done since this instance started, for the benchmark (see `stats`). */
export interface RoomStats extends StorageCounters {
  messages: number;
  joins: number;
  sockets: number;
  lastSeq: number;
}


export class Room extends DurableObject<Env> {
  readonly #limits: Limits;
  /** The room as logs name it: private ids are shortened, they are capabilities. */
  readonly #logName: string;
  readonly #room: string;
  readonly #events: EventLog;
  readonly #recentIds: RecentIds;
  readonly #presence: Presence;
  readonly #conns: Connections;
  readonly #advertised: AdvertisedLimits;
  readonly #sql: MeteredSql;
  #messages = 0;
  #joins = 0;
  readonly #broadcaster: Broadcaster;
  readonly #connLog: ConnectionLog;
  #newestCache: { seq: number; json: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#room = ctx.id.name ?? ctx.id.toString();
    this.#logName = ctx.id.name ?? `private:${this.#room.slice(0, 8)}`;
    const limits = readLimits(env, (key, raw) => log("config_invalid", { room: this.#logName, key, raw: String(raw) }));
    this.#limits = limits;
    this.#advertised = {
      nameMax: limits.NAME_MAX,
      textMax: limits.TEXT_MAX,
      frameMaxBytes: limits.FRAME_MAX_BYTES,
      rateBurst: limits.RATE_BURST,
      ratePerSecond: limits.RATE_PER_SECOND,
    };
    this.#sql = new MeteredSql(ctx.storage.sql);
    this.#events = new EventLog(this.#sql, limits.HISTORY_LIMIT);
    this.#recentIds = new RecentIds(Math.min(limits.DEDUP_WINDOW, limits.HISTORY_LIMIT));
    this.#presence = new Presence(this.#sql);
    this.#conns = new Connections(ctx);
    this.#connLog = new ConnectionLog(this.#logName);
    this.#broadcaster = new Broadcaster(this.#conns, limits.BATCH_SOCKETS, () => this.#presenceFrame());
    // Members whose sockets died with the process (a crash or a deploy) get
    // the same grace as any dropped connection.
    if (this.#presence.adoptOrphans(this.#conns.liveSessions(), Date.now() + limits.RECONNECT_GRACE_MS) > 0) {
      this.#scheduleAlarm();
    }
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE.ping, KEEPALIVE.pong));
  }

  /** Accepts a WebSocket upgrade routed here by the Worker. */
  override fetch(request: Request): Response {
    if (!isWebSocketUpgrade(request)) {
      return new Response("expected a WebSocket upgrade", { status: 426 });
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
      const conn = newConnection(now);
      // A join in the URL is handled like a first frame, before the handshake
      // completes: the welcome is the first thing the client hears.
      const query = request.url.indexOf("?");
      const joinQuery = query < 0 ? null : decodeJoinQuery(new URLSearchParams(request.url.slice(query)), this.#limits);
      if (joinQuery) this.#guarded(server, conn, () => this.#handleFrame(server, conn, joinQuery));
      // A join saved the connection with its session; anything else registers it here.
      if (this.#conns.get(server) !== conn) this.#conns.save(server, conn);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Who is here and how far history goes, for the HTTP API. */
  info(): RoomInfo {
    const crowd = this.#crowd;
    return {
      online: this.#presence.size,
      members: crowd ? [] : this.#presence.members,
      crowd,
      lastSeq: this.#events.lastSeq,
    };
  }

  /** Storage rows and work since this instance started (exposed only when EXPOSE_STATS is set). */
  stats(): RoomStats {
    return {
      ...this.#sql.counters,
      messages: this.#messages,
      joins: this.#joins,
      sockets: this.#conns.size,
      lastSeq: this.#events.lastSeq,
    };
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    const conn = this.#conns.get(ws);
    if (!conn) return; // refused (room full) or replaced, and closing
    this.#guarded(ws, conn, () => this.#onFrame(ws, conn, data));
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

  /** Sends presence held back by the batch window; announces members whose grace ended; logs a crowd's connections. */
  override alarm(): void {
    const now = Date.now();
    this.#broadcaster.flushDue(now);
    for (const session of this.#presence.expired(now)) this.#leave(session);
    this.#connLog.flushDue(now, { sockets: this.#conns.size, online: this.#presence.size });
    this.#scheduleAlarm();
  }

  #onFrame(ws: WebSocket, conn: Connection, data: string | ArrayBuffer): void {
    this.#handleFrame(ws, conn, decodeClientFrame(data, this.#limits));
  }

  #handleFrame(ws: WebSocket, conn: Connection, decoded: Result<ClientFrame>): void {
    // Every frame, good or bad, spends a token: garbage floods are floods too.
    const rate = takeToken(conn.tat, Date.now(), {
      burst: this.#limits.RATE_BURST,
      perSecond: this.#limits.RATE_PER_SECOND,
    });
    if (!rate.allowed) {
      const ref = decoded.ok ? (decoded.value.type === "message" ? decoded.value.id : undefined) : decoded.error.ref;
      this.#onRateLimited(ws, conn, rate.retryAfterMs, ref);
      return;
    }
    conn.tat = rate.tat;
    conn.strikes = 0;
    if (decoded.ok && decoded.value.type === "join") {
      this.#onJoin(ws, conn, decoded.value);
      return;
    }
    // The attachment keeps the bucket across hibernation once it matters, when
    // over half the burst is spent: a fuller bucket refills long before an idle
    // room hibernates, so an attachment write per frame would buy nothing.
    if (rate.pressed) this.#conns.save(ws, conn);

    if (!decoded.ok) {
      send(ws, errorFrame(decoded.error.code, decoded.error.message, decoded.error.ref));
      return;
    }
    const frame = decoded.value;
    const session = conn.session;
    const member = session === null ? undefined : this.#presence.get(session)?.member;
    if (session === null || !member) {
      send(ws, errorFrame("not_joined", 'send {"type":"join","name":…} first', frame.type === "message" ? frame.id : undefined));
      return;
    }
    switch (frame.type) {
      case "message":
        return this.#onMessage(ws, member, frame);
      case "rename":
        return this.#onRename(session, member, frame);
      case "typing":
        // Nobody can follow who is typing in a crowd; relaying it would cost a frame per socket.
        if (!this.#crowd) this.#broadcaster.notice(JSON.stringify({ type: "typing", member }), ws);
        return;
      case "history":
        return this.#onHistory(ws, frame);
    }
  }

  #onRateLimited(ws: WebSocket, conn: Connection, retryAfterMs: number, ref: string | undefined): void {
    conn.strikes += 1;
    this.#conns.save(ws, conn);
    if (conn.strikes >= this.#limits.FLOOD_STRIKES) {
      log("flood_closed", { room: this.#logName, member: this.#memberId(conn.session), strikes: conn.strikes });
      ws.close(CLOSE_CODES.policy, "kept sending while rate limited");
      this.#disconnect(ws, CLOSE_CODES.policy);
      return;
    }
    send(ws, errorFrame("rate_limited", `slow down: wait ${retryAfterMs} ms`, ref, retryAfterMs));
  }

  #onJoin(ws: WebSocket, conn: Connection, frame: JoinFrame): void {
    if (conn.session !== null) {
      send(ws, errorFrame("bad_request", "already joined; send a rename frame to change your name"));
      return;
    }
    const lastSeqBefore = this.#events.lastSeq;
    const earlier = frame.session === undefined ? undefined : this.#reclaim(ws, frame.session, frame.name);
    // One draw for both: a session token (16 bytes) and a member id (6).
    const fresh = earlier ? "" : randomHex(22);
    const session = earlier ? (frame.session as string) : fresh.slice(0, 32);
    const member: Member = { id: earlier?.id ?? fresh.slice(32), name: frame.name };
    if (!earlier) this.#presence.open(session, member);
    conn.session = session;
    this.#conns.save(ws, conn);

    let announcement: StoredEvent | undefined;
    let counted = false;
    if (!earlier) {
      this.#joins += 1;
      // A crowd counts its newcomers instead of announcing each to everyone.
      if (this.#crowd) counted = true;
      else announcement = this.#events.append((seq, ts) => ({ type: "joined", seq, ts, member }));
    } else if (earlier.name !== member.name) {
      announcement = this.#events.append((seq, ts) => ({ type: "renamed", seq, ts, member, from: earlier.name }));
    }
    this.#sendWelcome(ws, member, session, frame.since, lastSeqBefore);
    this.#broadcaster.welcomed(ws, this.#events.lastSeq);
    if (announcement) this.#announce(announcement);
    if (counted) this.#countChanged();
    const fields = { member: member.id, resumed: earlier !== undefined, sockets: this.#conns.size };
    if (this.#connLog.connect(fields, this.#crowd, Date.now())) this.#scheduleAlarm();
  }

  /**
   * Takes back the member behind a session token, live or held. A socket
   * still holding it (a half-open connection the client gave up on) is closed
   * as replaced. Unknown or spent tokens start afresh.
   */
  #reclaim(ws: WebSocket, session: string, name: string): Member | undefined {
    const holder = this.#conns.findSession(session);
    if (holder && holder[0] !== ws) {
      const [oldWs, oldConn] = holder;
      this.#conns.release(oldWs, oldConn);
      oldWs.close(CLOSE_CODES.replaced, "session resumed on another connection");
    }
    return this.#presence.resume(session, name);
  }

  #sendWelcome(ws: WebSocket, self: Member, session: string, since: number | undefined, lastSeqBefore: number): void {
    const events = this.#events;
    const welcome: Omit<WelcomeFrame, "events" | "members" | "online"> = {
      type: "welcome",
      protocol: PROTOCOL_VERSION,
      room: this.#room,
      self,
      session,
      lastSeq: events.lastSeq,
      hasMore: false,
      limits: this.#advertised,
    };
    let replay: StoredEvent[];
    if (since === undefined || since > lastSeqBefore) {
      replay = events.newest(WELCOME_EVENTS);
      if (since !== undefined) welcome.reset = true;
    } else {
      if (since + 1 < events.oldestSeq) {
        welcome.truncated = true;
        welcome.oldestSeq = events.oldestSeq;
      }
      replay = events.after(since);
    }
    // Older history exists before where the replay starts (or would start).
    const replayStart = replay[0]?.seq ?? (since !== undefined && !welcome.reset ? since + 1 : events.lastSeq + 1);
    welcome.hasMore = replayStart > events.oldestSeq;
    // Stored events and the member list are JSON already: splice them in rather than re-encode.
    const online = this.#presence.size;
    if (this.#crowd) welcome.crowd = true;
    const head = JSON.stringify(welcome).slice(0, -1);
    const members = welcome.crowd ? "[]" : this.#presence.membersJson;
    const eventsJson = since === undefined ? this.#newestJson(replay) : joinJson(replay, 0, REPLAY_CHUNK);
    send(ws, `${head},"online":${online},"members":${members},"events":[${eventsJson}]}`);
    for (let start = REPLAY_CHUNK; start < replay.length; start += REPLAY_CHUNK) {
      send(ws, `{"type":"events","events":[${joinJson(replay, start, start + REPLAY_CHUNK)}]}`);
    }
  }

  /** The newest events as a welcome carries them, joined once per seq: a crowd's join storm adds no events. */
  #newestJson(newest: StoredEvent[]): string {
    const last = newest.at(-1)?.seq ?? 0;
    if (this.#newestCache?.seq !== last) this.#newestCache = { seq: last, json: joinJson(newest, 0, newest.length) };
    return this.#newestCache.json;
  }

  #onMessage(ws: WebSocket, from: Member, frame: MessageFrame): void {
    const { id, text } = frame;
    if (id !== undefined) {
      const seq = this.#recentIds.find(this.#events, from.name, id);
      const original = seq === undefined ? undefined : this.#events.get(seq);
      if (original) {
        this.#broadcaster.resend(ws, original); // a resend: the sender gets its acknowledgement again
        return;
      }
    }
    const action = frame.action === true;
    const stored = this.#events.append(
      (seq, ts) => ({
        type: "message",
        seq,
        ts,
        from,
        text,
        ...(id === undefined ? {} : { id }),
        ...(action ? { action: true as const } : {}),
      }),
      from.name,
      id,
    );
    if (id !== undefined) this.#recentIds.remember(from.name, id, stored.seq);
    this.#messages += 1;
    this.#broadcaster.publish(stored);
  }

  #onRename(session: string, member: Member, frame: RenameFrame): void {
    if (frame.name === member.name) return;
    const renamed: Member = { id: member.id, name: frame.name };
    this.#presence.rename(session, frame.name);
    this.#announce(this.#events.append((seq, ts) => ({ type: "renamed", seq, ts, member: renamed, from: member.name })));
  }

  #onHistory(ws: WebSocket, frame: HistoryRequestFrame): void {
    const page = this.#events.before(frame.before, frame.limit ?? WELCOME_EVENTS);
    const first = page[0];
    const hasMore = first !== undefined && first.seq > this.#events.oldestSeq;
    send(ws, `{"type":"history","before":${frame.before},"hasMore":${hasMore},"events":[${joinJson(page, 0, page.length)}]}`);
  }

  #disconnect(ws: WebSocket, code: number): void {
    this.#broadcaster.forget(ws);
    const conn = this.#conns.remove(ws);
    if (!conn) return;
    const session = conn.session;
    if (this.#connLog.disconnect({ member: this.#memberId(session), code }, this.#crowd, Date.now())) this.#scheduleAlarm();
    // Not joined, replaced by a newer socket, or already ended: nothing to announce.
    if (session === null || !this.#presence.get(session) || this.#conns.findSession(session)) return;
    this.#conns.release(ws, conn);
    // A goodbye (1000, or a close without a code) or a kick is final;
    // anything else may be a network blip the client will recover from.
    if (code === CLOSE_CODES.normal || code === CLOSE_CODES.noStatus || code === CLOSE_CODES.policy) {
      this.#leave(session);
      return;
    }
    this.#presence.hold(session, Date.now() + this.#limits.RECONNECT_GRACE_MS);
    this.#scheduleAlarm();
  }

  #leave(session: string): void {
    // Leaving a crowd is counted, even by the one who makes it a room again:
    // the presence frame then lists everyone, which a `left` event could not.
    const wasCrowd = this.#crowd;
    const member = this.#presence.end(session);
    if (!member) return;
    if (wasCrowd) this.#countChanged();
    else this.#announce(this.#events.append((seq, ts) => ({ type: "left", seq, ts, member })));
  }

  /** `CROWD_SIZE` members or more (see PresenceFrame). */
  get #crowd(): boolean {
    return this.#presence.size >= this.#limits.CROWD_SIZE;
  }

  /** The `presence` frame for the room as it is now. */
  #presenceFrame(): string {
    const online = this.#presence.size;
    return this.#crowd
      ? `{"type":"presence","online":${online},"crowd":true}`
      : `{"type":"presence","online":${online},"crowd":false,"members":${this.#presence.membersJson}}`;
  }

  #countChanged(): void {
    if (this.#broadcaster.countChanged(Date.now())) this.#scheduleAlarm();
  }

  /** Broadcasts a presence event, now or with the next batch (see Broadcaster). */
  #announce(stored: StoredEvent): void {
    if (this.#broadcaster.announce(stored, Date.now())) this.#scheduleAlarm();
  }

  /** Closes sockets that connected but never joined; returns how many. */
  #closeStaleUnjoined(now: number): number {
    let closed = 0;
    for (const [ws, conn] of this.#conns.all) {
      if (conn.session !== null || now - conn.openedAt < this.#limits.JOIN_TIMEOUT_MS) continue;
      this.#conns.release(ws, conn);
      ws.close(CLOSE_CODES.policy, "did not join in time");
      closed += 1;
    }
    return closed;
  }

  /** Sets the alarm for the earliest of: the batch flush, the next grace deadline, the log summary. */
  #scheduleAlarm(): void {
    let next: number | null = null;
    for (const at of [this.#broadcaster.flushAt, this.#presence.nextDeadline, this.#connLog.flushAt]) {
      if (at !== null && (next === null || at < next)) next = at;
    }
    if (next !== null) {
      this.ctx.storage.setAlarm(next).catch((error: unknown) => this.#logInternal(null, error));
    }
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

/** An error frame, serialised; `ref` and `retryAfterMs` only when given. */
function errorFrame(code: ErrorCode, message: string, ref?: string, retryAfterMs?: number): string {
  const frame: ErrorFrame = { type: "error", code, message };
  if (ref !== undefined) frame.ref = ref;
  if (retryAfterMs !== undefined) frame.retryAfterMs = retryAfterMs;
  return JSON.stringify(frame);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function randomHex(bytes: number): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(bytes))) out += HEX[b];
  return out;
}
