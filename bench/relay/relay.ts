/**
 * The bare relay: the ceiling of the platform for Parley's benchmark.
 *
 * One Durable Object per room (hibernation API, no protocol, no storage):
 * every text frame a socket sends is sent as-is to every socket of the room,
 * the sender included, which is what Parley does with a chat message minus
 * validation, storage and serialisation. The Worker routes
 * `GET /api/rooms/<room>/ws` (the same path as Parley) to the room's object
 * and answers `GET /api/health` so the same launcher can wait for it.
 *
 * Variants, by var:
 * - `relaysql` (RELAY_STORE=1): each frame is first inserted as one row into
 *   SQLite, then sent: a chat that stores before it sends, and nothing else,
 *   the baseline Parley's S1 and S2 are judged by;
 * - `relaywelcome` (RELAY_WELCOME_BYTES=N): each newcomer is sent one frame
 *   of N bytes as it connects, `{"type":"welcome",…}`, the size of Parley's
 *   welcome: a join that tells the newcomer what it needs and nothing else,
 *   the baseline Parley's S4 is judged by.
 *
 * Self-contained on purpose (no `cloudflare:workers` import, a few local
 * types): this file is also typechecked by tsconfig.node.json, which has no
 * Workers types. wrangler and esbuild bundle it as-is.
 */

interface RelaySocket {
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

interface RelayState {
  acceptWebSocket(ws: RelaySocket): void;
  getWebSockets(): RelaySocket[];
  storage: { sql: { exec(query: string, ...bindings: (string | number | null)[]): unknown } };
}

interface RelayNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

interface RelayEnv {
  RELAY: RelayNamespace;
  /** "1": store every frame as one row before relaying it (relaysql). */
  RELAY_STORE?: string;
  /** Bytes of the welcome frame each newcomer gets (relaywelcome); none when unset. */
  RELAY_WELCOME_BYTES?: string;
}

// workerd globals and Response options that Node's types do not know.
declare const WebSocketPair: new () => { 0: RelaySocket; 1: RelaySocket };
type UpgradeInit = ResponseInit & { webSocket: RelaySocket };

export class RelayRoom {
  readonly #ctx: RelayState;
  readonly #store: boolean;
  readonly #welcome: string | undefined;

  constructor(ctx: RelayState, env: RelayEnv) {
    this.#ctx = ctx;
    this.#store = env.RELAY_STORE === "1";
    const bytes = Number(env.RELAY_WELCOME_BYTES ?? 0);
    const head = '{"type":"welcome","pad":"';
    this.#welcome = bytes > 0 ? `${head}${"x".repeat(Math.max(0, bytes - head.length - 2))}"}` : undefined;
    if (this.#store) ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }

  fetch(): Response {
    const pair = new WebSocketPair();
    this.#ctx.acceptWebSocket(pair[1]);
    if (this.#welcome !== undefined) pair[1].send(this.#welcome);
    return new Response(null, { status: 101, webSocket: pair[0] } as UpgradeInit);
  }

  webSocketMessage(_ws: RelaySocket, data: string | ArrayBuffer): void {
    if (this.#store) this.#ctx.storage.sql.exec("INSERT INTO frames (body) VALUES (?)", typeof data === "string" ? data : "");
    for (const socket of this.#ctx.getWebSockets()) {
      try {
        socket.send(data);
      } catch {
        // closing
      }
    }
  }

  webSocketClose(ws: RelaySocket, code: number, reason: string): void {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }
}

const ROOM_SOCKET = /^\/api\/rooms\/([a-z0-9_-]{1,64})\/ws$/;

export default {
  fetch(request: Request, env: RelayEnv): Response | Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/api/health") return Response.json({ ok: true });
    const match = ROOM_SOCKET.exec(path);
    if (!match || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("not found", { status: 404 });
    }
    return env.RELAY.get(env.RELAY.idFromName(match[1] as string)).fetch(request);
  },
};
