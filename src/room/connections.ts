/**
 * The room's sockets and what each one is: its session (who it speaks for)
 * and its rate-limit state. Each socket's state lives in its hibernation
 * attachment, so the map is rebuilt after hibernation or eviction without
 * touching storage.
 */
export interface Connection {
  /** The member session this socket holds; null until it has joined. */
  session: string | null;
  /** Rate limiter state (see protocol/rateLimit.ts). */
  tat: number;
  /** Rate-limited frames in a row. */
  strikes: number;
  /** When the socket connected (ms): unjoined sockets go stale. */
  openedAt: number;
}

export const newConnection = (now: number): Connection => ({ session: null, tat: 0, strikes: 0, openedAt: now });

export class Connections {
  readonly #ctx: DurableObjectState;
  #map: Map<WebSocket, Connection> | null = null;
  /** Which socket holds each session (a disconnect asks; a scan would be O(sockets)). */
  readonly #bySession = new Map<string, WebSocket>();

  constructor(ctx: DurableObjectState) {
    this.#ctx = ctx;
  }

  /** Every registered socket, loaded from attachments on first use after a wake. */
  get all(): ReadonlyMap<WebSocket, Connection> {
    return this.#load();
  }

  get size(): number {
    return this.#load().size;
  }

  get(ws: WebSocket): Connection | undefined {
    return this.#load().get(ws);
  }

  /** Registers a socket, or stores a changed state so it survives hibernation. */
  save(ws: WebSocket, conn: Connection): void {
    ws.serializeAttachment(conn);
    this.#load().set(ws, conn);
    if (conn.session !== null) this.#bySession.set(conn.session, ws);
  }

  /**
   * Forgets a socket and returns what it was. A socket that closed while the
   * room slept may be missing from the map: its attachment still knows.
   */
  remove(ws: WebSocket): Connection | undefined {
    const map = this.#load();
    const conn = map.get(ws);
    if (conn) {
      map.delete(ws);
      this.#unindex(ws, conn);
      return conn;
    }
    // Not mapped: refused, released, or closed while the room slept.
    const attached = attachmentOf(ws);
    return attached?.session ? attached : undefined;
  }

  /** Detaches a socket from its session for good (it was replaced or ended). */
  release(ws: WebSocket, conn: Connection): void {
    try {
      ws.serializeAttachment({ ...conn, session: null });
    } catch {
      // closed already: nothing can resurrect it
    }
    this.#load().delete(ws);
    this.#unindex(ws, conn);
  }

  /** The socket holding this session token, if any. */
  findSession(session: string): [WebSocket, Connection] | undefined {
    const map = this.#load();
    const ws = this.#bySession.get(session);
    const conn = ws === undefined ? undefined : map.get(ws);
    return ws !== undefined && conn !== undefined ? [ws, conn] : undefined;
  }

  /** Sessions held by a socket right now. */
  liveSessions(): ReadonlySet<string> {
    this.#load();
    return new Set(this.#bySession.keys());
  }

  #unindex(ws: WebSocket, conn: Connection): void {
    if (conn.session !== null && this.#bySession.get(conn.session) === ws) this.#bySession.delete(conn.session);
  }

  #load(): Map<WebSocket, Connection> {
    if (this.#map) return this.#map;
    this.#map = new Map();
    for (const ws of this.#ctx.getWebSockets()) {
      const conn = attachmentOf(ws);
      // Refused sockets (room full) never get an attachment.
      if (!conn) continue;
      this.#map.set(ws, conn);
      if (conn.session !== null) this.#bySession.set(conn.session, ws);
    }
    return this.#map;
  }
}

function attachmentOf(ws: WebSocket): Connection | undefined {
  let value: unknown;
  try {
    value = ws.deserializeAttachment();
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && "tat" in value && "openedAt" in value
    ? (value as Connection)
    : undefined;
}
