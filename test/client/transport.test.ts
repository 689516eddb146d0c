/**
 * The reconnecting socket (src/client/transport.ts) against a fake socket,
 * on fake timers: every backoff path, the connect timeout, keep-alive,
 * final close codes, and that a socket it let go of can do nothing more.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReconnectingSocket, type ReconnectingSocketOptions } from "../../src/client/transport.ts";
import type { Json } from "../../src/protocol/encode.ts";
import type { ClientFrame } from "../../src/protocol/frames.ts";
import { FakeServer, FakeSocket } from "./support/fakeSocket.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const INITIAL = 100;
const MAX = 1000;
const KEEPALIVE = 1000;
const CONNECT_TIMEOUT = 5000;

/** A ReconnectingSocket on a fake server; `randoms` are the jitter draws in turn (then 0). */
function setup(options: Partial<ReconnectingSocketOptions> = {}, randoms: number[] = []) {
  const server = new FakeServer();
  const log: string[] = [];
  const delays: number[] = [];
  let attempts = 0;
  const socket = new ReconnectingSocket(
    {
      url: () => `ws://room.test/ws?attempt=${++attempts}`,
      createSocket: server.createSocket,
      backoff: { initialMs: INITIAL, maxMs: MAX },
      keepAliveMs: KEEPALIVE,
      connectTimeoutMs: CONNECT_TIMEOUT,
      random: () => randoms.shift() ?? 0,
      ...options,
    },
    {
      open: () => log.push("open"),
      message: (text) => log.push(`message ${text}`),
      down: ({ code, reason, retryInMs }) => {
        delays.push(retryInMs);
        log.push(`down ${code} ${reason}`);
      },
      closed: ({ code, reason }) => log.push(`closed ${code} ${reason}`),
    },
  );
  return { server, socket, log, delays };
}

/** Advances to 1 ms before `ms` and then to it: true if a new socket was opened exactly then. */
function opensAfter(server: FakeServer, ms: number): boolean {
  const before = server.sockets.length;
  vi.advanceTimersByTime(ms - 1);
  if (server.sockets.length !== before) return false;
  vi.advanceTimersByTime(1);
  return server.sockets.length === before + 1;
}

const frame = (text: string) => JSON.stringify({ type: "message", text }) as Json<ClientFrame>;

describe("ReconnectingSocket: connecting", () => {
  it("opens one socket through the factory, asking for the URL again on every attempt", () => {
    const { server, socket, log } = setup();
    expect(socket.status).toBe("idle");
    socket.connect();
    socket.connect();
    expect(server.sockets.map((s) => s.url)).toEqual(["ws://room.test/ws?attempt=1"]);
    expect(socket.status).toBe("connecting");
    server.latest.accept();
    expect(log).toEqual(["open"]);
    server.latest.drop();
    vi.advanceTimersByTime(INITIAL);
    expect(server.sockets.map((s) => s.url)).toEqual(["ws://room.test/ws?attempt=1", "ws://room.test/ws?attempt=2"]);
  });

  it("uses the global WebSocket when given no factory", () => {
    const opened: string[] = [];
    vi.stubGlobal(
      "WebSocket",
      class extends FakeSocket {
        constructor(url: string) {
          super(url);
          opened.push(url);
        }
      },
    );
    try {
      const socket = new ReconnectingSocket({ url: () => "ws://room.test/ws" }, { open() {}, message() {}, down() {}, closed() {} });
      socket.connect();
      expect(opened).toEqual(["ws://room.test/ws"]);
      socket.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("sends only on an open socket", () => {
    const { server, socket } = setup();
    expect(socket.send(frame("before connect"))).toBe(false);
    socket.connect();
    expect(socket.send(frame("while connecting"))).toBe(false);
    server.latest.accept();
    expect(socket.send(frame("open"))).toBe(true);
    server.latest.drop();
    expect(socket.send(frame("dropped"))).toBe(false);
    expect(server.sockets[0]!.frames).toEqual([{ type: "message", text: "open" }]);
  });

  it("passes text frames up, and ignores binary ones", () => {
    const { server, socket, log } = setup();
    socket.connect();
    server.latest.accept().pushText('{"type":"x"}').pushBinary();
    expect(log).toEqual(["open", 'message {"type":"x"}']);
  });

  it("stops for good when no socket can be opened with the URL", () => {
    const { socket, log } = setup({
      createSocket: (url) => {
        throw new SyntaxError(`invalid URL: ${url}`);
      },
    });
    socket.connect();
    expect(log).toEqual(["closed 1002 invalid URL: ws://room.test/ws?attempt=1"]);
    expect(socket.status).toBe("closed");
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("ReconnectingSocket: backoff", () => {
  it("doubles the wait after each failed attempt up to the cap", () => {
    const { server, socket, delays } = setup({}, [0, 0, 0, 0, 0, 0]);
    socket.connect();
    for (const expected of [50, 100, 200, 400, 500, 500]) {
      server.latest.drop();
      expect(delays.at(-1)).toBe(expected);
      expect(opensAfter(server, expected)).toBe(true);
    }
  });

  it("draws the jitter between half and all of the step", () => {
    // Step 100, then 200, 400, 800: half of it, plus up to half more by the draw.
    const { server, socket, delays } = setup({}, [0, 0.5, 0.999, 0.25]);
    socket.connect();
    for (const expected of [50, 150, 400, 500]) {
      server.latest.drop();
      expect(opensAfter(server, expected)).toBe(true);
    }
    expect(delays).toEqual([50, 150, 400, 500]);
  });

  it("stays within the cap however many attempts fail", () => {
    const { server, socket, delays } = setup({}, Array(30).fill(0.999_999));
    socket.connect();
    for (let i = 0; i < 30; i++) {
      server.latest.drop();
      vi.advanceTimersByTime(MAX);
    }
    expect(server.sockets).toHaveLength(31);
    expect(Math.max(...delays)).toBe(MAX);
    expect(delays.slice(-5)).toEqual([MAX, MAX, MAX, MAX, MAX]);
  });

  it("starts over from the first step once a connection is established", () => {
    const { server, socket, delays } = setup();
    socket.connect();
    for (let i = 0; i < 3; i++) {
      server.latest.drop();
      vi.advanceTimersByTime(MAX);
    }
    server.latest.accept();
    socket.established();
    server.latest.closeWith(1011, "internal");
    expect(delays).toEqual([50, 100, 200, 50]);
  });

  it("does not start over for a connection that opened but was never established", () => {
    const { server, socket, delays } = setup();
    socket.connect();
    server.latest.accept().drop();
    vi.advanceTimersByTime(MAX);
    server.latest.accept().drop();
    expect(delays).toEqual([50, 100]);
  });

  it("waits four times as long after 1013 (room full), at the cap too", () => {
    const { server, socket, delays } = setup({}, [0, 0, 0, 0, 0, 0]);
    socket.connect();
    server.latest.accept().closeWith(1013, "room full");
    expect(opensAfter(server, 4 * 50)).toBe(true);
    server.latest.drop();
    expect(opensAfter(server, 100)).toBe(true);
    for (let i = 0; i < 3; i++) {
      server.latest.drop();
      vi.advanceTimersByTime(MAX);
    }
    server.latest.accept().closeWith(1013, "room full");
    expect(delays).toEqual([200, 100, 200, 400, 500, 2000]);
  });

  it("reconnects after any other close code", () => {
    const { server, socket, log } = setup();
    socket.connect();
    for (const code of [1001, 1006, 1011, 4000, 4999]) {
      server.latest.accept().closeWith(code, `code ${code}`);
      vi.advanceTimersByTime(MAX);
    }
    expect(server.sockets).toHaveLength(6);
    expect(log.filter((l) => l.startsWith("down")).map((l) => l.split(" ")[1])).toEqual(["1001", "1006", "1011", "4000", "4999"]);
  });

  it.each([
    [1000, "goodbye"],
    [4001, "session resumed elsewhere"],
    [1008, "flood"],
  ])("stops for good after close code %i", (code, reason) => {
    const { server, socket, log } = setup();
    socket.connect();
    server.latest.accept().closeWith(code, reason);
    expect(log).toEqual(["open", `closed ${code} ${reason}`]);
    expect(socket.status).toBe("closed");
    expect(vi.getTimerCount()).toBe(0);
    socket.connect();
    socket.reconnectNow();
    vi.advanceTimersByTime(60_000);
    expect(server.sockets).toHaveLength(1);
  });
});

describe("ReconnectingSocket: reconnectNow", () => {
  it("connects at once while waiting, and the scheduled attempt does not open another", () => {
    const { server, socket } = setup({ backoff: { initialMs: 5000, maxMs: 5000 } });
    socket.connect();
    server.latest.drop();
    expect(socket.status).toBe("waiting");
    socket.reconnectNow();
    socket.reconnectNow();
    expect(server.sockets).toHaveLength(2);
    // Past the scheduled attempt (2.5 s), before the new one's connect timeout.
    vi.advanceTimersByTime(CONNECT_TIMEOUT - 1);
    expect(server.sockets).toHaveLength(2);
  });

  it("never opens a second socket while an attempt is under way", () => {
    const { server, socket } = setup();
    socket.reconnectNow();
    expect(server.sockets).toHaveLength(0);
    socket.connect();
    socket.reconnectNow();
    server.latest.accept();
    socket.reconnectNow();
    socket.established();
    socket.reconnectNow();
    expect(server.sockets).toHaveLength(1);
  });

  it("treats connect() while waiting like reconnectNow: one socket, at once", () => {
    const { server, socket } = setup({ backoff: { initialMs: 5000, maxMs: 5000 } });
    socket.connect();
    server.latest.drop();
    socket.connect();
    expect(server.sockets).toHaveLength(2);
    // Past the scheduled attempt (2.5 s), before the new one's connect timeout.
    vi.advanceTimersByTime(CONNECT_TIMEOUT - 1);
    expect(server.sockets).toHaveLength(2);
  });
});

describe("ReconnectingSocket: timeouts", () => {
  it("gives up on an attempt not established within the connect timeout, open or not", () => {
    const { server, socket, log } = setup();
    socket.connect();
    vi.advanceTimersByTime(CONNECT_TIMEOUT - 1);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(server.sockets[0]!.closedByClient).toEqual({ code: 4000, reason: "connect timeout" });
    expect(log).toEqual(["down 4000 connect timeout"]);
    vi.advanceTimersByTime(MAX);
    server.latest.accept();
    vi.advanceTimersByTime(CONNECT_TIMEOUT);
    expect(server.sockets[1]!.closedByClient).toEqual({ code: 4000, reason: "connect timeout" });
  });

  it("has no connect timeout once established", () => {
    const { server, socket, log } = setup({ keepAliveMs: 60_000 });
    socket.connect();
    server.latest.accept();
    socket.established();
    vi.advanceTimersByTime(CONNECT_TIMEOUT * 2);
    expect(log).toEqual(["open"]);
    expect(socket.status).toBe("established");
  });

  it("pings an established connection every interval, and keeps it while anything is heard", () => {
    const { server, socket, log } = setup();
    socket.connect();
    const ws = server.latest.accept();
    vi.advanceTimersByTime(KEEPALIVE * 3);
    expect(ws.pings).toBe(0); // not before it is established
    socket.established();
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(KEEPALIVE);
      expect(ws.pings).toBe(i);
      if (i % 2 === 0) ws.pong();
    }
    vi.advanceTimersByTime(KEEPALIVE);
    ws.pushText('{"type":"typing","member":{"id":"b","name":"bob"}}');
    vi.advanceTimersByTime(KEEPALIVE * 2);
    expect(ws.readyState).toBe(FakeSocket.OPEN);
    expect(log.filter((l) => l.includes("pong"))).toEqual([]); // pong never reaches the layer above
  });

  it("replaces a connection silent for two intervals", () => {
    const { server, socket, log } = setup();
    socket.connect();
    const ws = server.latest.accept();
    socket.established();
    vi.advanceTimersByTime(KEEPALIVE * 2);
    expect(ws.readyState).toBe(FakeSocket.OPEN);
    vi.advanceTimersByTime(KEEPALIVE);
    expect(ws.closedByClient).toEqual({ code: 4000, reason: "no answer to keep-alive" });
    expect(log).toEqual(["open", "down 4000 no answer to keep-alive"]);
    expect(ws.pings).toBe(2);
    vi.advanceTimersByTime(INITIAL);
    expect(server.sockets).toHaveLength(2);
  });

  it("does not count binary frames as hearing from the server", () => {
    const { server, socket } = setup();
    socket.connect();
    const ws = server.latest.accept();
    socket.established();
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(KEEPALIVE);
      ws.pushBinary();
    }
    expect(ws.closedByClient?.reason).toBe("no answer to keep-alive");
  });
});

describe("ReconnectingSocket: letting go", () => {
  it("drop() closes with 4000 and the reason, as a network failure: it reconnects", () => {
    const { server, socket, log } = setup();
    socket.connect();
    server.latest.accept();
    socket.established();
    socket.drop("gap after seq 7");
    expect(server.sockets[0]!.closedByClient).toEqual({ code: 4000, reason: "gap after seq 7" });
    expect(log).toEqual(["open", "down 4000 gap after seq 7"]);
    vi.advanceTimersByTime(INITIAL);
    expect(server.sockets).toHaveLength(2);
  });

  it("hears nothing more from a socket it let go of", async () => {
    const { server, socket, log } = setup();
    socket.connect();
    const old = server.latest.accept();
    socket.drop("replaced");
    await Promise.resolve(); // the close event of the client's own close()
    old.readyState = FakeSocket.OPEN; // a late frame that was already under way
    old.pushText('{"type":"late"}');
    old.closeWith(1000, "goodbye");
    expect(log).toEqual(["open", "down 4000 replaced"]);
    vi.advanceTimersByTime(INITIAL);
    server.latest.accept();
    expect(socket.status).toBe("connecting");
  });

  it("close() says goodbye (1000), stops every timer and hears nothing more", async () => {
    const { server, socket, log } = setup();
    socket.connect();
    const ws = server.latest.accept();
    socket.established();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    socket.close();
    expect(ws.closedByClient).toEqual({ code: 1000, reason: "left" });
    expect(socket.status).toBe("closed");
    expect(vi.getTimerCount()).toBe(0);
    await Promise.resolve();
    expect(log).toEqual(["open"]);
    socket.connect();
    expect(server.sockets).toHaveLength(1);
  });

  it("close() while waiting to reconnect cancels the attempt", () => {
    const { server, socket } = setup();
    socket.connect();
    server.latest.drop();
    socket.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(MAX);
    expect(server.sockets).toHaveLength(1);
  });
});
