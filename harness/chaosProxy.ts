/**
 * A TCP proxy in front of a server that can kill connections the way a
 * network does: with a reset, no WebSocket close frame on either side.
 */
import { createServer, connect, type Socket } from "node:net";

export interface ChaosProxy {
  /** http://127.0.0.1:PORT, to use instead of the server's URL. */
  readonly url: string;
  /** Connections open right now. */
  readonly open: number;
  /** Connections accepted since the proxy started. */
  readonly accepted: number;
  /** Resets up to `count` random connections; returns how many. */
  killRandom(count?: number): number;
  /** While on, what the server sends is swallowed: requests arrive, answers never do. */
  swallowReplies(on: boolean): void;
  /** Refuses new connections (as if the network were down) until turned off. */
  refuseConnections(on: boolean): void;
  close(): Promise<void>;
}

export function startChaosProxy(target: string): Promise<ChaosProxy> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  let swallowing = false;
  let refusing = false;
  let accepted = 0;
  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    accepted += 1;
    const upstream = connect(Number(port), hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (!swallowing) client.write(chunk);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const proxyPort = typeof address === "object" && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${proxyPort}`,
        get open() {
          return pairs.size;
        },
        get accepted() {
          return accepted;
        },
        killRandom(count = 1) {
          const victims = [...pairs].sort(() => Math.random() - 0.5).slice(0, count);
          for (const [client, upstream] of victims) {
            pairs.delete([client, upstream]);
            client.resetAndDestroy();
            upstream.resetAndDestroy();
          }
          return victims.length;
        },
        swallowReplies(on) {
          swallowing = on;
        },
        refuseConnections(on) {
          refusing = on;
        },
        close() {
          for (const [client, upstream] of pairs) {
            client.destroy();
            upstream.destroy();
          }
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
