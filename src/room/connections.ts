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
  }

  /** The socket holding this session token, if any. */
  findSession(session: string): [WebSocket, Connection] | undefined {
    for (const entry of this.#load()) if (entry[1].session === session) return entry;
    return undefined;
  }

  /** Sessions held by a socket right now. */
  liveSessions(): Set<string> {
    const out = new Set<string>();
    for (const conn of this.#load().values()) if (conn.session !== null) out.add(conn.session);
    return out;
  }

  #load(): Map<WebSocket, Connection> {
    if (this.#map) return this.#map;
    this.#map = new Map();
    for (const ws of this.#ctx.getWebSockets()) {
      const conn = attachmentOf(ws);
      // Refused sockets (room full) never get an attachment.
      if (conn) this.#map.set(ws, conn);
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
