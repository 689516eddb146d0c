/**
 * One real `wrangler dev` per test file, with terminal clients and
 * protocol-level sockets in its rooms, all stopped after each test (the
 * server after the file), whether the test passed or not.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import type { SpokenMessage } from "../../src/protocol/frames.ts";
import { startWranglerDev, type DevServer } from "../../harness/wranglerDev.ts";
import { join, type TestSocket } from "../support/node.ts";
import { CliProcess, PtyCli } from "./support.ts";

export interface LiveRoomSuite {
  /** The server's base URL (once started). */
  readonly url: string;
  /** The client in a pseudo-terminal, 80 columns unless told; `color` turns colours on. */
  pty(args: string[], options?: { color?: boolean; cols?: number }): PtyCli;
  /** The client with pipes. */
  cli(args: string[]): CliProcess;
  /** A protocol-level client joined to `room` as `name`. */
  socketClient(room: string, name: string): Promise<TestSocket>;
  /** Says `text` from a socket client (answering `replyTo`); resolves with the stored message. */
  say(socket: TestSocket, text: string, replyTo?: number): Promise<SpokenMessage>;
}

export function liveRoomSuite(vars: Record<string, string | number> = {}): LiveRoomSuite {
  let server: DevServer | undefined;
  const sockets: TestSocket[] = [];
  const processes: { kill(): void }[] = [];
  beforeAll(async () => {
    server = await startWranglerDev({ vars });
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close(1000);
    for (const proc of processes.splice(0)) proc.kill();
  });
  return {
    get url() {
      if (!server) throw new Error("the server has not started");
      return server.url;
    },
    pty(args, options = {}) {
      const proc = new PtyCli(args, { cols: options.cols ?? 80, env: options.color ? { NO_COLOR: undefined } : {} });
      processes.push(proc);
      return proc;
    },
    cli(args) {
      const proc = new CliProcess(args);
      processes.push(proc);
      return proc;
    },
    async socketClient(room, name) {
      const joined = await join(this.url, room, name);
      sockets.push(joined.socket);
      return joined.socket;
    },
    async say(socket, text, replyTo) {
      const id = `t-${Math.random().toString(36).slice(2)}`;
      socket.send({ type: "message", text, id, ...(replyTo === undefined ? {} : { replyTo }) });
      return socket.nextMessage((m) => m.id === id);
    },
  };
}
