/**
 * The room's sockets and what each one is (its member, its session token, its
 * rate-limit state). Each socket's state lives in its hibernation attachment,
 * so the room rebuilds this map after hibernation or eviction without storage.
 */
import type { Member } from "../protocol/frames.ts";

export interface Connection {
  /** Null until the socket has joined. */
  member: Member | null;
  /** Secret token for quiet reconnects; null until joined. */
  session: string | null;
  /** Rate limiter state (see rateLimit.ts). */
  tat: number;
  /** Rate-limited frames in a row. */
  strikes: number;
  /** When this socket joined (ms), to keep the member list in joining order across wakes. */
  joinedAt: number;
}

export const newConnection = (): Connection => ({ member: null, session: null, tat: 0, strikes: 0, joinedAt: 0 });

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

  /** Forgets a socket; returns what it was. */
  remove(ws: WebSocket): Connection | undefined {
    const map = this.#load();
    const conn = map.get(ws);
    map.delete(ws);
    return conn;
  }

  /** The joined socket holding this session token, if any. */
  findSession(session: string): [WebSocket, Connection] | undefined {
    for (const entry of this.#load()) if (entry[1].session === session) return entry;
    return undefined;
  }

  #load(): Map<WebSocket, Connection> {
    if (this.#map) return this.#map;
    const entries: [WebSocket, Connection][] = [];
    for (const ws of this.#ctx.getWebSockets()) {
      const conn: unknown = ws.deserializeAttachment();
      // Refused sockets (room full) never get an attachment.
      if (isConnection(conn)) entries.push([ws, conn]);
    }
    // The runtime's order is arbitrary; the map's order is the member list's.
    entries.sort((a, b) => a[1].joinedAt - b[1].joinedAt);
    this.#map = new Map(entries);
    return this.#map;
  }
}

function isConnection(value: unknown): value is Connection {
  return typeof value === "object" && value !== null && "tat" in value && "joinedAt" in value;
}
