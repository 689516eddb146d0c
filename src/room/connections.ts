/**
 * The room's sockets and what each one is: its session (who it speaks for),
 * its client address (as the room's keyed hash) and its rate-limit state.
 * Each socket's state lives in its hibernation attachment, so the indexes
 * here are rebuilt after hibernation or eviction without touching storage.
 *
 * A session may be held by several sockets at once: one person with the
 * room open in two tabs of one browser is one member with two sockets.
 */
import { markText } from "./send.ts";

export interface Connection {
  /** The member session this socket holds; null until it has joined. */
  session: string | null;
  /** The keyed hash of the client address (owners.ts), never the address. */
  address: string;
  /** Rate limiter state (see protocol/rateLimit.ts). */
  tat: number;
  /** Rate-limited frames in a row. */
  strikes: number;
  /** When the socket connected (ms): unjoined sockets go stale. */
  openedAt: number;
  /** A plain-text session (`?format=text`): lines both ways instead of JSON (see send.ts). */
  text?: true;
}

export const newConnection = (now: number, address: string): Connection => ({ session: null, address, tat: 0, strikes: 0, openedAt: now });

export class Connections {
  readonly #ctx: DurableObjectState;
  #map: Map<WebSocket, Connection> | null = null;
  /** The sockets holding each session (a disconnect asks; a scan would be O(sockets)). */
  readonly #bySession = new Map<string, Set<WebSocket>>();
  /** How many sockets each address holds: the per-address cap asks on every upgrade. */
  readonly #perAddress = new Map<string, number>();
  /** Sockets that have not joined yet (in no useful order: a save re-adds one): closed after JOIN_TIMEOUT_MS. */
  readonly #unjoined = new Set<WebSocket>();

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

  /** How many sockets an address holds in this room. */
  countOf(address: string): number {
    this.#load();
    return this.#perAddress.get(address) ?? 0;
  }

  /** Registers a socket, or stores a changed state so it survives hibernation. */
  save(ws: WebSocket, conn: Connection): void {
    ws.serializeAttachment(conn);
    const map = this.#load();
    const before = map.get(ws);
    if (before) this.#unindex(ws, before);
    map.set(ws, conn);
    this.#index(ws, conn);
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

  /** Detaches a socket from its session for good (it was closed by the room). */
  release(ws: WebSocket, conn: Connection): void {
    try {
      ws.serializeAttachment({ ...conn, session: null });
    } catch {
      // closed already: nothing can resurrect it
    }
    const map = this.#load();
    if (map.get(ws) === conn) {
      map.delete(ws);
      this.#unindex(ws, conn);
    }
  }

  /** The sockets holding this session. */
  socketsOf(session: string): ReadonlySet<WebSocket> {
    this.#load();
    return this.#bySession.get(session) ?? NONE;
  }

  /** Sessions held by a socket right now. */
  liveSessions(): ReadonlySet<string> {
    this.#load();
    return new Set(this.#bySession.keys());
  }

  /** Sockets that connected before `before` and have not joined. */
  unjoinedSince(before: number): [WebSocket, Connection][] {
    const map = this.#load();
    const stale: [WebSocket, Connection][] = [];
    for (const ws of this.#unjoined) {
      const conn = map.get(ws);
      if (conn && conn.openedAt <= before) stale.push([ws, conn]);
    }
    return stale;
  }

  /** When the oldest socket that has not joined connected, if any has not. */
  get oldestUnjoined(): number | undefined {
    const map = this.#load();
    let oldest: number | undefined;
    for (const ws of this.#unjoined) {
      const at = map.get(ws)?.openedAt;
      if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
    }
    return oldest;
  }

  #index(ws: WebSocket, conn: Connection): void {
    if (conn.text) markText(ws);
    this.#perAddress.set(conn.address, (this.#perAddress.get(conn.address) ?? 0) + 1);
    if (conn.session === null) {
      this.#unjoined.add(ws);
      return;
    }
    let sockets = this.#bySession.get(conn.session);
    if (!sockets) this.#bySession.set(conn.session, (sockets = new Set()));
    sockets.add(ws);
  }

  #unindex(ws: WebSocket, conn: Connection): void {
    const count = (this.#perAddress.get(conn.address) ?? 1) - 1;
    if (count > 0) this.#perAddress.set(conn.address, count);
    else this.#perAddress.delete(conn.address);
    this.#unjoined.delete(ws);
    if (conn.session === null) return;
    const sockets = this.#bySession.get(conn.session);
    sockets?.delete(ws);
    if (sockets?.size === 0) this.#bySession.delete(conn.session);
  }

  #load(): Map<WebSocket, Connection> {
    if (this.#map) return this.#map;
    this.#map = new Map();
    for (const ws of this.#ctx.getWebSockets()) {
      const conn = attachmentOf(ws);
      // Refused sockets (room full, too many from one address) never get an attachment.
      if (!conn) continue;
      this.#map.set(ws, conn);
      this.#index(ws, conn);
    }
    return this.#map;
  }
}

const NONE: ReadonlySet<WebSocket> = new Set();

function attachmentOf(ws: WebSocket): Connection | undefined {
  let value: unknown;
  try {
    value = ws.deserializeAttachment();
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || !("tat" in value) || !("openedAt" in value)) return undefined;
  // Sockets attached before addresses were kept count as one unknown address.
  return { address: "unknown", ...(value as Omit<Connection, "address">) } as Connection;
}
