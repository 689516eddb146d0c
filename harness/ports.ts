/**
 * Ports on 127.0.0.1 for servers under test: one that is free when asked,
 * and a retry for the race that leaves open (someone else binds it first).
 */
import { createServer } from "node:net";

/** A server exited at start because its port was taken (see startOnFreePort). */
export class PortTakenError extends Error {}

/** The error for a server that exited before it was ready; wrangler and workerd both say "Address already in use" when the port was taken. */
export function exitedEarly(what: string, output: string): Error {
  const message = `${what} exited early:\n${output}`;
  return /Address already in use/.test(output) ? new PortTakenError(message) : new Error(message);
}

const PORT_ATTEMPTS = 3;

/**
 * Starts a server on a port from freePort, which is free when asked, not
 * when the server binds it: a parallel test file or process can take it in
 * between. `start` rejects with PortTakenError then, and a fresh port is
 * tried, at most PORT_ATTEMPTS times in all.
 */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}
