/**
 * The page's connection to its room: one RoomClient at a time (a new one
 * after the last stopped for good: another tab took over, the name was
 * refused…), woken up by what the browser knows about the network and the
 * tab. The client itself owns reconnecting, resuming and the outbox.
 */
import { RoomClient, type ClosedReason, type PendingMessage } from "../../client/RoomClient.ts";

/** Where a new client picks up: as the same member (`session`), after the last event shown (`since`). */
export interface Resume {
  session?: string;
  since?: number;
}

export interface ConnectionHooks {
  /** Wires a new client to the page before it connects; returns what undoes that. */
  attach(client: RoomClient, orphans: readonly PendingMessage[]): () => void;
  /** The client stopped by itself, not because the person left. `name` is the one it started with. */
  stopped(client: RoomClient, name: string, reason: ClosedReason): void;
}

export class RoomConnection {
  readonly #socketUrl: string;
  readonly #hooks: ConnectionHooks;
  readonly #ownerKey: () => string | undefined;
  #client: RoomClient | undefined;
  #detach: () => void = () => undefined;
  #leaving = false;

  /** `ownerKey` is read at each start: an owner link may have handed one over since. */
  constructor(socketUrl: string, hooks: ConnectionHooks, ownerKey: () => string | undefined) {
    this.#socketUrl = socketUrl;
    this.#hooks = hooks;
    this.#ownerKey = ownerKey;
    // The network is back, or the tab woke up: no need to wait out the backoff.
    window.addEventListener("online", () => this.#client?.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.#client?.reconnectNow();
    });
    // The browser knows the network is gone: the socket is dead even if it has not noticed yet.
    window.addEventListener("offline", () => {
      if (this.#client?.state === "live") this.#client.dropConnection();
    });
  }

  /** The current client, once joining has started. */
  get client(): RoomClient | undefined {
    return this.#client;
  }

  /**
   * Connects as `name` with a new client, replacing any earlier one.
   * `orphans` are messages an earlier client never got acknowledged.
   */
  start(name: string, resume: Resume, orphans: readonly PendingMessage[] = []): void {
    this.#detach();
    this.#client?.close();
    const ownerKey = this.#ownerKey();
    const client = new RoomClient({ url: this.#socketUrl, name, ...resume, ...(ownerKey ? { ownerKey } : {}) });
    this.#client = client;
    const detach = this.#hooks.attach(client, orphans);
    const offClosed = client.on("closed", (reason) => {
      if (!this.#leaving && client === this.#client) this.#hooks.stopped(client, name, reason);
    });
    this.#detach = () => {
      detach();
      offClosed();
    };
    client.connect();
  }

  /** A goodbye, so the room says "left" now rather than after the reconnect grace. */
  leave(): void {
    this.#leaving = true;
    this.#client?.close();
  }

  reconnectNow(): void {
    this.#client?.reconnectNow();
  }
}

/**
 * Where a client that stopped leaves off: after the last event it delivered
 * (the page keeps showing those), and with its session when the same member
 * should carry on.
 */
export function resumeAfter(client: RoomClient, sameMember: boolean): Resume {
  return {
    ...(sameMember && client.session ? { session: client.session } : {}),
    ...(client.lastSeq === undefined ? {} : { since: client.lastSeq }),
  };
}
